"""The sign-in page routes an address of a company domain to its company's sign-in, and
everyone else to the e-mailed link as before; for a company domain the answer depends on
the domain alone, never on whether the person has an account."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants.models import LoginLink, User
from tests.participants.test_signin_timing import CSRF, ask_link, close, handler  # noqa: F401

COMPANY = "Votre entreprise a sa propre connexion"


@pytest.fixture
def acme(community):
    community.oidc_issuer = "https://login.acme.test/realms/acme"
    community.oidc_client_id = "intervision"
    community.email_domains = "acme.test\nacme-group.test"
    community.save()
    community.approve_sign_in()
    return community


def post(client, capture, data):
    with capture(execute=True):
        return client.post(reverse("login"), data)


def test_a_company_address_gets_its_companys_sign_in_and_no_link(
    client, acme, django_capture_on_commit_callbacks
):
    User.objects.create_user("bob@acme.test")
    response = post(client, django_capture_on_commit_callbacks, {"email": "bob@acme.test"})
    assert response.status_code == 200
    page = response.content.decode()
    assert COMPANY in page
    login = reverse("openid_connect_login", kwargs={"provider_id": acme.sign_in_provider_id})
    assert re.search(
        rf'<form method="post" action="{login}">\s*<input type="hidden" '
        r'name="csrfmiddlewaretoken"',
        page,
    )
    assert LoginLink.objects.count() == 0 and mail.outbox == []


def test_the_page_lets_the_button_go_to_the_provider(client, acme):
    response = client.post(reverse("login"), {"email": "bob@acme-group.test"})
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["form-action"].split() == ["'self'", "https://login.acme.test"]
    # Other pages keep their own only.
    assert "login.acme.test" not in client.get(reverse("login"))["Content-Security-Policy"]


def test_the_answer_depends_on_the_domain_only(handler, acme):  # noqa: F811
    User.objects.create_user("bob@acme.test")
    answers = []
    for email in ("bob@acme.test", "nobody@acme.test"):
        with CaptureQueriesContext(connection) as queries:
            response = ask_link(handler, email)
        statements = [re.sub(re.escape(email), "<address>", q["sql"]) for q in queries]
        page = CSRF.sub("<token>", response.content.decode()).replace(email, "<address>")
        answers.append((response.status_code, statements, page))
        close(response)
    assert answers[0] == answers[1]
    assert not any("participants_user" in sql for sql in answers[0][1])
    assert LoginLink.objects.count() == 0 and mail.outbox == []


def test_everyone_else_keeps_the_emailed_link(
    client, acme, participant, django_capture_on_commit_callbacks
):
    response = post(client, django_capture_on_commit_callbacks, {"email": participant.email})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    with django_capture_on_commit_callbacks(execute=True):
        response.close()
    assert [m.to for m in mail.outbox] == [[participant.email]]
    assert COMPANY not in client.get(reverse("login")).content.decode()


def test_a_company_address_may_still_ask_for_the_link(
    client, acme, django_capture_on_commit_callbacks
):
    User.objects.create_user("bob@acme.test")
    response = post(
        client, django_capture_on_commit_callbacks, {"email": "bob@acme.test", "by_link": "1"}
    )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response.close()
    assert [m.to for m in mail.outbox] == [["bob@acme.test"]]


def test_a_community_without_its_provider_set_routes_nobody(
    client, community, django_capture_on_commit_callbacks
):
    community.email_domains = "acme.test"
    community.save()
    response = post(client, django_capture_on_commit_callbacks, {"email": "bob@acme.test"})
    assert response.status_code == 302


def test_a_domain_is_matched_whole(client, acme, django_capture_on_commit_callbacks):
    for email in ("bob@notacme.test", "bob@acme.test.evil", "bob@sub.acme.test"):
        response = post(client, django_capture_on_commit_callbacks, {"email": email})
        assert response.status_code == 302, email


def test_a_password_still_signs_in_a_company_address(client, acme):
    bob = User.objects.create_user("bob@acme.test", password="un mot de passe solide")
    response = client.post(
        reverse("login"), {"email": "BOB@acme.test", "password": "un mot de passe solide"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(bob.pk)


def test_a_get_of_the_company_login_points_to_the_sign_in_page(client, acme):
    url = reverse("openid_connect_login", kwargs={"provider_id": acme.sign_in_provider_id})
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="{reverse("login")}"' in page and "login.acme.test" not in page
