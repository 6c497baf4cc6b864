"""Company sign-in, end to end: the test client on our side, a real OpenID Connect provider
(django-oauth-toolkit, tests/oidc_provider) on the loopback, the code exchanged by allauth
over real HTTP.

A person of the community's domain signs in and becomes a member; every refusal (another
issuer, an expired or replayed code, a state that does not match, an address outside the
domains or unverified, a person removed from the community, a closed account) answers the
app's page saying why, and leaves no session, no account and no membership behind.
"""

import logging
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from allauth.socialaccount.models import SocialAccount, SocialToken
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from communities import oidc
from participants.models import CommunityMembership, Membership, User
from tests.oidc_provider.fixtures import start_provider

from .conftest import CALLBACK, back_from, company_sign_in, start

ALICE = "alice@acme.test"


def signed_in_as(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


def refused(response, status, words):
    assert response.status_code == status, response.content.decode()[:800]
    page = response.content.decode()
    assert str(words) in page, page[:2000]
    # Our page, offering the e-mailed link instead.
    assert 'name="by_link"' in page and reverse("login") in page


def nothing_left(client, email=ALICE):
    assert signed_in_as(client) is None
    assert not User.objects.filter(email=email).exists()
    assert not SocialAccount.objects.exists()


@pytest.fixture
def alice(oidc_provider):
    oidc_provider.add_user(ALICE, name="Alice Martin")
    return ALICE


def test_a_person_of_the_domain_signs_in_and_becomes_a_member(
    client, company, oidc_provider, alice
):
    client.get(reverse("login"))
    before = client.session.session_key
    authorize = start(client, company)
    # PKCE: the code is worth nothing without the verifier allauth keeps in the session.
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert authorize.startswith(oidc_provider.base_url + "/o/authorize/")
    response = client.get(back_from(oidc_provider.sign_in(authorize, alice)))

    assert response.status_code == 302
    assert response["Location"] == oidc.landing_url(company)
    user = User.objects.get(email=alice)
    assert signed_in_as(client) == user.pk
    assert client.session.session_key != before  # rotated
    assert client.session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"
    assert user.display_name == "Alice Martin" and not user.has_usable_password()
    membership = CommunityMembership.objects.get(community=company, user=user)
    assert membership.role == CommunityMembership.MEMBER and membership.removed_at is None
    # The link is kept, not what the provider said, nor its tokens.
    account = SocialAccount.objects.get(user=user)
    assert account.provider == company.sign_in_provider_id and account.extra_data == {}
    assert not SocialToken.objects.exists()
    # The page one lands on works, signed in.
    assert client.get(response["Location"]).status_code == 200


def test_a_second_sign_in_finds_the_same_account(client, company, oidc_provider, alice):
    company_sign_in(client, oidc_provider, company, alice)
    client.post(reverse("logout"))
    response = company_sign_in(client, oidc_provider, company, alice)
    assert response.status_code == 302
    user = User.objects.get(email=alice)
    assert signed_in_as(client) == user.pk
    assert User.objects.count() == 1 and SocialAccount.objects.count() == 1
    assert CommunityMembership.objects.filter(user=user).count() == 1


def test_an_account_that_existed_is_never_taken_by_a_provider_alone(
    client, company, oidc_provider, group
):
    """A provider vouches for an address, not for the account that already holds it: that
    account may belong to someone before the community existed, with groups of its own.
    Whoever controls a community's provider must not sign in as them."""
    bob = User.objects.create_user("bob@acme.test", display_name="Bob le Bricoleur")
    Membership.objects.create(group=group, user=bob)
    oidc_provider.add_user("Bob@ACME.test", name="Robert Dupont")
    response = company_sign_in(client, oidc_provider, company, "Bob@ACME.test")
    refused(response, 403, oidc.REASONS["link_first"])
    assert signed_in_as(client) is None
    assert not SocialAccount.objects.exists()
    assert not CommunityMembership.objects.filter(user=bob).exists()


def test_the_person_signed_in_by_link_links_their_company_account(
    client, company, oidc_provider, group
):
    bob = User.objects.create_user("bob@acme.test", display_name="Bob le Bricoleur")
    oidc_provider.add_user("Bob@ACME.test", name="Robert Dupont")
    client.force_login(bob)  # an e-mailed link proved the mailbox
    page = client.get(reverse("account")).content.decode()
    assert reverse(
        "openid_connect_login", kwargs={"provider_id": company.sign_in_provider_id}
    ) in page
    response = company_sign_in(client, oidc_provider, company, "Bob@ACME.test")
    assert response.status_code == 302
    assert signed_in_as(client) == bob.pk
    bob.refresh_from_db()
    assert bob.display_name == "Bob le Bricoleur"  # their choice, not the provider's
    assert CommunityMembership.objects.filter(community=company, user=bob).exists()
    assert SocialAccount.objects.get().user == bob
    # Linked: from now on the company's sign-in alone is enough.
    client.post(reverse("logout"))
    assert company_sign_in(client, oidc_provider, company, "Bob@ACME.test").status_code == 302
    assert signed_in_as(client) == bob.pk


def test_someone_else_signed_in_does_not_link_another_persons_account(
    client, company, oidc_provider, outsider
):
    User.objects.create_user("bob@acme.test")
    oidc_provider.add_user("bob@acme.test")
    client.force_login(outsider)
    response = company_sign_in(client, oidc_provider, company, "bob@acme.test")
    refused(response, 403, oidc.REASONS["link_first"])
    assert not SocialAccount.objects.exists()


def test_a_leader_keeps_being_a_leader(client, company, oidc_provider, alice):
    leader = User.objects.create_user(alice)
    CommunityMembership.objects.create(
        community=company, user=leader, role=CommunityMembership.LEADER
    )
    client.force_login(leader)
    company_sign_in(client, oidc_provider, company, alice)
    assert CommunityMembership.objects.get(user=leader).role == CommunityMembership.LEADER


def test_where_one_was_going_comes_first(client, company, oidc_provider, alice):
    response = company_sign_in(client, oidc_provider, company, alice, next_url="/actions/")
    assert response["Location"] == "/actions/"
    elsewhere = company_sign_in(
        Client(), oidc_provider, company, alice, next_url="https://evil.example/"
    )
    assert elsewhere["Location"] == oidc.landing_url(company)


def test_members_land_on_the_community_page(client, company, oidc_provider, alice):
    response = company_sign_in(client, oidc_provider, company, alice)
    assert response["Location"] == reverse("community_detail", kwargs={"pk": company.pk})
    page = client.get(response["Location"])
    assert page.status_code == 200 and escape(company.name) in page.content.decode()


def test_the_page_language_is_kept(client, company, oidc_provider, alice):
    client.cookies["django_language"] = "en"
    response = company_sign_in(client, oidc_provider, company, alice)
    assert response.status_code == 302
    assert User.objects.get(email=alice).language == "en"
    assert client.get(response["Location"])["Content-Language"] == "en"


def test_refusals_speak_the_page_language(client, company, oidc_provider):
    oidc_provider.add_user("eve@elsewhere.test")
    client.cookies["django_language"] = "en"
    response = company_sign_in(client, oidc_provider, company, "eve@elsewhere.test")
    assert response.status_code == 403
    assert "does not belong to any of the community’s domains" in response.content.decode()


# --- Refusals ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lying_provider():
    """A provider whose discovery document and ID tokens name another issuer than the
    address it is reached at."""
    with start_provider(issuer_path="somewhere-else") as provider:
        yield provider


def test_a_provider_that_says_another_issuer_is_refused(client, community, lying_provider):
    community.oidc_issuer = lying_provider.base_url + "/o"  # where its discovery is served
    community.oidc_client_id = lying_provider.client_id
    community.oidc_secret = lying_provider.secret
    community.email_domains = "acme.test"
    community.save()
    community.approve_sign_in()
    lying_provider.allow_redirect_uri(CALLBACK.format(pk=community.pk))
    lying_provider.add_user(ALICE)
    response = company_sign_in(client, lying_provider, community, ALICE)
    refused(response, 403, oidc.REASONS["wrong_issuer"])
    nothing_left(client)


def test_the_issuer_is_compared_exactly(client, company, oidc_provider, alice):
    company.oidc_issuer = oidc_provider.issuer + "/"
    company.save()
    company.approve_sign_in()  # even approved so, the provider's issuer is not this one
    response = company_sign_in(client, oidc_provider, company, alice)
    refused(response, 403, oidc.REASONS["wrong_issuer"])
    nothing_left(client)


def test_an_expired_code_is_refused(client, company, oidc_provider, alice):
    back = oidc_provider.sign_in(start(client, company), alice)
    oidc_provider.expire_codes()
    response = client.get(back_from(back))
    refused(response, 400, oidc.REASONS["failed"])
    nothing_left(client)


def test_a_replayed_callback_is_refused_the_second_time(client, company, oidc_provider, alice):
    back = back_from(oidc_provider.sign_in(start(client, company), alice))
    assert client.get(back).status_code == 302
    client.post(reverse("logout"))
    refused(client.get(back), 400, oidc.REASONS["failed"])
    assert signed_in_as(client) is None


def test_a_used_code_is_refused_by_the_provider_even_with_a_fresh_state(
    client, company, oidc_provider, alice
):
    used = urlsplit(oidc_provider.sign_in(start(client, company), alice))
    assert client.get(f"{used.path}?{used.query}").status_code == 302
    client.post(reverse("logout"))
    # A new sign-in's state, the old code: allauth exchanges it, the provider refuses it.
    fresh_state = parse_qs(urlsplit(start(client, company)).query)["state"][0]
    query = parse_qs(used.query)
    query["state"] = [fresh_state]
    replay = urlunsplit(("", "", used.path, urlencode(query, doseq=True), ""))
    refused(client.get(replay), 400, oidc.REASONS["failed"])
    assert signed_in_as(client) is None


def test_a_state_that_does_not_match_is_refused(client, company, oidc_provider, alice):
    back = back_from(oidc_provider.sign_in(start(client, company), alice))
    # The provider's answer brought to another browser (another session): refused.
    other = Client()
    refused(other.get(back), 400, oidc.REASONS["failed"])
    assert signed_in_as(other) is None
    # A state changed on the way: refused too.
    tampered = back.replace("state=", "state=x")
    refused(client.get(tampered), 400, oidc.REASONS["failed"])
    nothing_left(client)


def test_the_providers_own_refusal_gets_our_page(client, company):
    start(client, company)
    state = next(iter(client.session["socialaccount_states"]))
    callback = CALLBACK.format(pk=company.pk).removeprefix("http://testserver")
    response = client.get(f"{callback}?error=access_denied&state={state}")
    refused(response, 400, oidc.REASONS["failed"])


def test_an_address_outside_the_domains_is_refused_with_the_message(client, company, oidc_provider):
    oidc_provider.add_user("eve@elsewhere.test", name="Eve")
    response = company_sign_in(client, oidc_provider, company, "eve@elsewhere.test")
    refused(response, 403, oidc.REASONS["outside_domains"])
    nothing_left(client, "eve@elsewhere.test")


def test_an_address_the_provider_did_not_verify_is_refused(client, company, oidc_provider):
    oidc_provider.add_user("carol@acme.test", email_verified=False)
    response = company_sign_in(client, oidc_provider, company, "carol@acme.test")
    refused(response, 403, oidc.REASONS["unverified"])
    nothing_left(client, "carol@acme.test")


def test_a_provider_that_says_nothing_of_verification_is_believed(client, company, oidc_provider):
    oidc_provider.add_user("dan@acme.test", email_verified=None)
    response = company_sign_in(client, oidc_provider, company, "dan@acme.test")
    assert response.status_code == 302
    assert signed_in_as(client) == User.objects.get(email="dan@acme.test").pk


def test_no_address_no_sign_in(client, company, oidc_provider):
    oidc_provider.add_user("", username="noaddress")
    response = company_sign_in(client, oidc_provider, company, "noaddress")
    refused(response, 403, oidc.REASONS["no_email"])
    assert signed_in_as(client) is None and User.objects.count() == 0


def test_a_person_removed_from_the_community_is_refused(client, company, oidc_provider, alice):
    user = User.objects.create_user(alice)
    CommunityMembership.objects.create(community=company, user=user, removed_at=timezone.now())
    response = company_sign_in(client, oidc_provider, company, alice)
    refused(response, 403, oidc.REASONS["removed"])
    assert signed_in_as(client) is None
    [membership] = CommunityMembership.objects.filter(user=user)
    assert membership.removed_at is not None
    assert not SocialAccount.objects.exists()


def test_a_deactivated_account_is_refused(client, company, oidc_provider, alice):
    user = User.objects.create_user(alice)
    user.deactivate()
    response = company_sign_in(client, oidc_provider, company, alice)
    refused(response, 403, oidc.REASONS["closed"])
    assert signed_in_as(client) is None
    assert not CommunityMembership.objects.filter(user=user).exists()


def test_a_staff_account_signs_in_with_its_password_only(client, company, oidc_provider, alice):
    User.objects.create_user(alice, is_staff=True)
    refused(company_sign_in(client, oidc_provider, company, alice), 403, oidc.REASONS["staff"])
    assert signed_in_as(client) is None


def test_an_erased_account_is_never_signed_into_again(client, company, oidc_provider, alice):
    from privacy.actions import do_erase_account

    company_sign_in(client, oidc_provider, company, alice)
    erased = User.objects.get(email=alice)
    client.post(reverse("logout"))
    do_erase_account(erased)
    # Its address and its link to the company are gone: the person starts afresh.
    response = company_sign_in(client, oidc_provider, company, alice)
    assert response.status_code == 302
    assert signed_in_as(client) not in (None, erased.pk)
    erased.refresh_from_db()
    assert erased.erased_at is not None and not erased.is_active


def test_a_community_without_company_sign_in_has_none(client, community):
    url = reverse("openid_connect_login", kwargs={"provider_id": community.sign_in_provider_id})
    assert client.post(url).status_code == 404
    assert client.post(url.replace(f"c{community.pk}", "openid_connect")).status_code == 404


def test_failed_passwords_do_not_stop_a_company_sign_in(client, company, oidc_provider, alice):
    user = User.objects.create_user(alice, password="le-bon-mot-de-passe")
    client.force_login(user)  # linked once, signed in by link
    company_sign_in(client, oidc_provider, company, alice)
    client.post(reverse("logout"))
    for _attempt in range(6):
        client.post(reverse("login"), {"email": alice, "password": "mauvais"})
    assert AccessAttempt.objects.exists()
    response = company_sign_in(client, oidc_provider, company, alice)
    assert response.status_code == 302
    assert signed_in_as(client) == User.objects.get(email=alice).pk


class QuietBrowser:
    """The provider as the person's browser sees it, its requests unlogged: what is
    searched is what the app logs, not the test's stand-in for a browser."""

    def __init__(self, provider):
        self.provider = provider
        self.base_url = provider.base_url

    def sign_in(self, *args, **kwargs):
        browser = logging.getLogger("urllib3.connectionpool")
        browser.disabled = True
        try:
            return self.provider.sign_in(*args, **kwargs)
        finally:
            browser.disabled = False


def test_nothing_of_the_person_is_logged(client, company, oidc_provider, caplog):
    caplog.set_level(logging.DEBUG)
    oidc_provider.add_user("alice.secret@acme.test", name="Alice Secrète")
    oidc_provider.add_user("eve.secret@elsewhere.test", name="Eve Secrète")
    browser = QuietBrowser(oidc_provider)
    company_sign_in(client, browser, company, "alice.secret@acme.test")
    client.post(reverse("logout"))
    company_sign_in(client, browser, company, "eve.secret@elsewhere.test")
    back = back_from(browser.sign_in(start(client, company), "alice.secret@acme.test"))
    oidc_provider.expire_codes()
    client.get(back)
    logged = "\n".join(
        f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records
    ).lower()
    assert "company sign-in refused" in logged and "company sign-in failed" in logged
    for secret in ("secret@", "secrète", "code=", "state="):
        assert secret not in logged, secret
