"""The test OpenID Connect provider, started for the tests on the loopback.

``start_provider()`` runs ``tests/oidc_provider/serve.py`` in a subprocess through
``tests.servers.Process``: a port the kernel gave as free, ready once that very process
listens on it (by pid) and its discovery document answers, stopped with its process group
whatever happens; its SQLite file and its RSA key are its own, made at start.

The session fixture ``oidc_provider`` (registered in ``tests/conftest.py``) gives a
``Provider``: ``issuer``, ``client_id``, ``secret`` to configure a community with,
``add_user(email, password, name, email_verified)`` to create a person at the provider,
``allow_redirect_uri(uri)``, ``expire_codes()``, and ``sign_in(authorize_url, email,
password)``, which plays the person's browser at the provider (``requests``) and returns the
address the provider sends them back to.

Pointing it at another server: the provider accepts the redirect URIs it was told, exactly
(on 127.0.0.1 whatever the port, RFC 8252). The Django test client's is
``http://testserver/auth/oidc/c<pk>/login/callback/``; with the app's daphne
(``tests/browser/server.py``) it is ``f"{server.base_url}/auth/oidc/c{pk}/login/callback/"``
— call ``oidc_provider.allow_redirect_uri(...)`` with it once the community exists (its
leaders' page shows the same address), and let the browser follow the redirects.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

import pytest
import requests

from tests.servers import Process, free_port

DISCOVERY = "/o/.well-known/openid-configuration"
PASSWORD = "mot-de-passe-du-fournisseur"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Provider:
    base_url: str
    issuer: str
    client_id: str
    secret: str
    control_token: str
    process: Process

    @property
    def discovery_url(self) -> str:
        return self.base_url + DISCOVERY

    def _control(self, path: str, data: dict) -> dict:
        response = requests.post(
            f"{self.base_url}/control/{path}/",
            json=data,
            headers={"X-Control-Token": self.control_token},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()

    def add_user(
        self,
        email: str,
        password: str = PASSWORD,
        name: str = "",
        email_verified: bool | None = True,
        username: str = "",
    ) -> str:
        """A person at the provider (updated if they exist); their ``sub``. ``email`` empty
        (then ``username`` names them): the provider gives no address; ``email_verified``
        None: the claim is left out."""
        data = {
            "email": email,
            "username": username or email,
            "password": password,
            "name": name,
            "email_verified": email_verified,
        }
        return self._control("users", data)["sub"]

    def allow_redirect_uri(self, uri: str) -> None:
        self._control("redirect-uris", {"client_id": self.client_id, "uri": uri})

    def expire_codes(self) -> None:
        """Every authorization code issued so far expires now."""
        self._control("expire-codes", {})

    def sign_in(
        self,
        authorize_url: str,
        email: str,
        password: str = PASSWORD,
        browser: requests.Session | None = None,
    ) -> str:
        """Follow ``authorize_url`` as the person's browser would, signing in on the
        provider's form when it asks; the address the provider sends them back to."""
        browser = browser or requests.Session()
        url = authorize_url
        for _step in range(10):
            response = browser.get(url, allow_redirects=False, timeout=10)
            if response.status_code == 200 and (token := CSRF_FIELD.search(response.text)):
                response = browser.post(
                    url,
                    data={
                        "csrfmiddlewaretoken": token.group(1),
                        "username": email,
                        "password": password,
                    },
                    allow_redirects=False,
                    timeout=10,
                )
            if response.status_code not in (301, 302, 303):
                raise AssertionError(
                    f"the provider answered {response.status_code} at {url}:\n{response.text[:500]}"
                )
            url = urljoin(url, response.headers["Location"])
            if not url.startswith(self.base_url + "/"):
                return url
        raise AssertionError("the provider kept redirecting to itself")


def _discovery_answers(base_url: str):
    def ready() -> bool:
        try:
            return requests.get(base_url + DISCOVERY, timeout=2).status_code == 200
        except requests.RequestException:
            return False

    return ready


@contextlib.contextmanager
def start_provider(
    issuer_path: str = "o", redirect_uris: tuple[str, ...] = (), code_seconds: int = 60
) -> Iterator[Provider]:
    """A provider on 127.0.0.1 whose issuer is its address followed by ``issuer_path``
    (``o``, where its discovery document is served; any other path makes a provider whose
    discovery document and ID tokens name an issuer other than the address it is reached
    at)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    client_id, secret = "intervision-" + secrets.token_hex(4), secrets.token_urlsafe(24)
    control_token = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="oidc-provider-") as workdir:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "REDIS_URL", "SQLITE_PATH")
        }
        env.update(
            DJANGO_SETTINGS_MODULE="tests.oidc_provider.settings",
            PYTHONUNBUFFERED="1",
            OIDC_PROVIDER_DB=os.path.join(workdir, "provider.sqlite3"),
            OIDC_PROVIDER_ISSUER=f"{base_url}/{issuer_path}",
            OIDC_PROVIDER_CODE_SECONDS=str(code_seconds),
            OIDC_PROVIDER_CLIENT_ID=client_id,
            OIDC_PROVIDER_CLIENT_SECRET=secret,
            OIDC_PROVIDER_REDIRECT_URIS=" ".join(redirect_uris),
            OIDC_PROVIDER_CONTROL_TOKEN=control_token,
        )
        process = Process(
            "oidc-provider",
            [sys.executable, "-m", "tests.oidc_provider.serve", str(port)],
            env,
            workdir,
            _discovery_answers(base_url),
            (port,),
            timeout=60,
            start=False,
        )
        try:
            process.start(60)
            yield Provider(
                base_url=base_url,
                issuer=f"{base_url}/{issuer_path}",
                client_id=client_id,
                secret=secret,
                control_token=control_token,
                process=process,
            )
        finally:
            process.stop()


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[Provider]:
    """One provider for the whole run (see the module's docstring)."""
    with start_provider() as provider:
        yield provider
