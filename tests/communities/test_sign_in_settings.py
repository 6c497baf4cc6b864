"""The leaders' page of the company sign-in: the provider and the domains, the secret never
shown back, the redirect URI to register, and the page's own checks."""

import pytest
from django.urls import reverse
from django.utils import timezone

from participants import reauth
from participants.models import Community, CommunityMembership, User

from .conftest import company_sign_in


@pytest.fixture
def page(community):
    return reverse("community_sign_in", kwargs={"pk": community.pk})


@pytest.fixture
def leader(client, community):
    """A leader of the community whose own address is at acme.test, signed in; another
    at acme-group.test has signed in before."""
    person = User.objects.create_user("laure@acme.test", display_name="Laure")
    other = User.objects.create_user("marc@acme-group.test", last_login=timezone.now())
    for leader in (person, other):
        CommunityMembership.objects.create(
            community=community, user=leader, role=CommunityMembership.LEADER
        )
    client.force_login(person)
    return client


def settings_of(
    issuer="https://login.acme.test/realms/acme",
    client_id="intervision",
    secret="",
    domains="acme.test",
):
    return {
        "oidc_issuer": issuer,
        "oidc_client_id": client_id,
        "oidc_secret": secret,
        "email_domains": domains,
    }


def errors(response) -> str:
    assert response.status_code == 200
    return str(response.context["form"].errors)


def test_the_page_says_which_redirect_uri_to_register(leader, page, community):
    response = leader.get(page)
    assert response.status_code == 200
    uri = f"http://testserver/auth/oidc/c{community.pk}/login/callback/"
    assert f"<code>{uri}</code>" in response.content.decode()
    assert response.context["redirect_uri"] == uri


def test_leaders_set_the_provider_and_the_secret_is_never_shown_back(leader, page, community):
    data = settings_of(secret="S3CRET-VALUE", domains="@Acme.TEST\n\nacme-group.test\nacme.test")
    response = leader.post(page, data)
    assert response.status_code == 302
    community.refresh_from_db()
    assert community.oidc_issuer == "https://login.acme.test/realms/acme"
    assert community.oidc_secret == "S3CRET-VALUE"
    assert community.domains() == ["acme.test", "acme-group.test"]
    # The leaders' word is not enough: it waits for the operator's approval.
    assert not community.has_company_sign_in and community.sign_in_awaits_approval
    assert "En attente de validation" in leader.get(page).content.decode()
    community.approve_sign_in()
    assert community.has_company_sign_in
    assert "La connexion de l’entreprise est active." in leader.get(page).content.decode()
    shown = leader.get(page).content.decode()
    assert "S3CRET-VALUE" not in shown and "acme-group.test" in shown
    # Left empty, the secret on record is kept.
    assert leader.post(page, settings_of(client_id="autre")).status_code == 302
    community.refresh_from_db()
    assert community.oidc_client_id == "autre" and community.oidc_secret == "S3CRET-VALUE"


def test_emptying_it_turns_the_company_sign_in_off(leader, page, community):
    leader.post(page, settings_of(secret="S3CRET"))
    assert leader.post(page, settings_of(issuer="", client_id="", domains="")).status_code == 302
    community.refresh_from_db()
    assert not community.has_company_sign_in and community.oidc_secret == ""


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (settings_of(domains="acme"), "n’est pas un domaine"),
        (settings_of(domains="acme.test\nnot a domain.test"), "n’est pas un domaine"),
        (settings_of(domains="gmail.com"), "messagerie ouverte à tous"),
        (settings_of(issuer="http://login.acme.test"), "https://"),
        (settings_of(issuer="https://login.acme.test/?tenant=1"), "sans"),
        (settings_of(client_id=""), "Nécessaire"),
        (settings_of(domains=""), "Nécessaire"),
    ],
)
def test_what_the_page_refuses(leader, page, community, data, error):
    response = leader.post(page, data)
    assert error in errors(response)
    community.refresh_from_db()
    assert not community.has_company_sign_in


def test_only_a_domain_of_a_leader_who_signed_in_may_be_set(
    client, page, community, community_leader
):
    """Whoever sets a domain lets a provider speak for everyone at it: the address of a
    leader who signed in shows the domain is theirs; one named but never signed in does
    not."""
    named = User.objects.create_user("nouvelle@acme.test")
    CommunityMembership.objects.create(
        community=community, user=named, role=CommunityMembership.LEADER
    )
    client.force_login(community_leader)  # laure@example.org
    assert "aucun·e responsable" in errors(client.post(page, settings_of(domains="acme.test")))
    assert client.post(page, settings_of(domains="example.org")).status_code == 302
    client.force_login(named)  # now she has signed in
    assert client.post(page, settings_of(domains="acme.test")).status_code == 302


def test_a_domain_another_community_claims_is_refused(leader, page, community):
    Community.objects.create(name="Autre", email_domains="acme.test")
    assert "déjà le domaine d’une autre communauté" in errors(leader.post(page, settings_of()))
    # Its own domains, saved again, are not "another community's".
    leader.post(page, settings_of(domains="acme-group.test"))
    assert leader.post(page, settings_of(domains="acme-group.test")).status_code == 302


def test_a_local_provider_may_speak_plain_http(leader, page):
    assert leader.post(page, settings_of(issuer="http://127.0.0.1:8080/o")).status_code == 302


def test_saving_needs_a_recent_sign_in(leader, page, community, monkeypatch):
    later = reauth.now() + reauth.REAUTH_MINUTES * 60 + 1
    monkeypatch.setattr(reauth, "now", lambda: later)
    response = leader.post(page, settings_of())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("confirm_identity"))
    community.refresh_from_db()
    assert not community.has_company_sign_in
    assert leader.get(page).status_code == 200  # reading it does not


def test_what_the_page_saves_lets_people_sign_in(leader, page, community, oidc_provider):
    oidc_provider.allow_redirect_uri(leader.get(page).context["redirect_uri"])
    data = settings_of(
        issuer=oidc_provider.issuer,
        client_id=oidc_provider.client_id,
        secret=oidc_provider.secret,
        domains="acme.test",
    )
    assert leader.post(page, data).status_code == 302
    leader.post(reverse("logout"))
    oidc_provider.add_user("zoe@acme.test", name="Zoé")
    community.refresh_from_db()
    community.approve_sign_in()
    response = company_sign_in(leader, oidc_provider, community, "zoe@acme.test")
    assert response.status_code == 302
    assert leader.session["_auth_user_id"]


def test_a_change_of_provider_or_domains_waits_for_a_new_approval(leader, page, community):
    leader.post(page, settings_of(secret="S3CRET"))
    community.refresh_from_db()
    community.approve_sign_in()
    # The secret alone may change (the provider rotates it): still active.
    leader.post(page, settings_of(secret="NOUVEAU"))
    community.refresh_from_db()
    assert community.has_company_sign_in
    for change in (settings_of(domains="acme.test\nacme-group.test"),
                   settings_of(issuer="https://login.acme.test/realms/autre")):
        leader.post(page, change)
        community.refresh_from_db()
        assert community.sign_in_awaits_approval, change
        community.approve_sign_in()


def test_the_operator_approves_in_the_admin(admin_client, community):
    community.oidc_issuer = "https://login.acme.test/realms/acme"
    community.oidc_client_id = "intervision"
    community.email_domains = "acme.test"
    community.save()
    response = admin_client.post(
        reverse("admin:participants_community_changelist"),
        {"action": "approve_sign_in", "_selected_action": [community.pk]},
    )
    assert response.status_code == 302
    community.refresh_from_db()
    assert community.has_company_sign_in
