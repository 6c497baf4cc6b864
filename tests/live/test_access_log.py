"""The server's own output never carries a sign-in or invitation token."""

import pytest

from .client import Client

pytestmark = pytest.mark.live


def test_daphne_output_has_no_token_after_a_sign_in_through_a_link(start_daphne, seeded):
    server = start_daphne(name="daphne-access-log")
    token = seeded["links"]["Juliette"]
    juliette = Client(server.port).sign_in(token)
    assert juliette.get(f"/s/{seeded['session']}/").status == 200  # really signed in
    server.stop()
    output = server.log()
    assert token not in output
    assert token[:12] not in output
