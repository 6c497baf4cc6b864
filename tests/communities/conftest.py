"""A community whose company signs in through the test OpenID Connect provider, and the
round trip of a company sign-in: our side through the Django test client, the provider's
over real HTTP (allauth's code exchange too)."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

DOMAIN = "acme.test"
CALLBACK = "http://testserver/auth/oidc/c{pk}/login/callback/"


@pytest.fixture
def company(community, oidc_provider):
    """``group``'s community, signing in the people of acme.test through the provider."""
    community.oidc_issuer = oidc_provider.issuer
    community.oidc_client_id = oidc_provider.client_id
    community.oidc_secret = oidc_provider.secret
    community.email_domains = f"{DOMAIN}\n"
    community.save()
    community.approve_sign_in()  # the operator checked provider and domain
    oidc_provider.allow_redirect_uri(CALLBACK.format(pk=community.pk))
    return community


def start(client, community, next_url=""):
    """Press « Continuer avec le compte de mon entreprise »: where allauth sends the
    browser (the provider's authorization endpoint)."""
    url = reverse("openid_connect_login", kwargs={"provider_id": community.sign_in_provider_id})
    response = client.post(url, {"next": next_url} if next_url else {})
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def back_from(provider_redirect: str) -> str:
    """The callback's path and query, as the test client asks for them."""
    parts = urlsplit(provider_redirect)
    assert parts.netloc == "testserver", provider_redirect
    return f"{parts.path}?{parts.query}"


def company_sign_in(client, provider, community, email, password=None, next_url=""):
    """The whole round trip; the callback's response."""
    authorize = start(client, community, next_url)
    kwargs = {"password": password} if password else {}
    return client.get(back_from(provider.sign_in(authorize, email, **kwargs)))
