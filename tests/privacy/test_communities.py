"""The community level in « Mes données », in the erasure and on the privacy page: a person's
places in communities are theirs to download and go with their account; a sole leader is told
what their erasure leaves; the privacy page says what the community level adds."""

import json

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from participants.models import Community, CommunityMembership, Group, Membership, User
from privacy import actions

from ..conftest import make_user


@pytest.fixture
def guild(db):
    return Community.objects.create(name="Guilde Ops", description="DESCRIPTION-GUILDE")


@pytest.fixture
def places(community, community_leader, participants, guild):
    """Juliette is a member of « Produit & Co » and was removed from « Guilde Ops », where
    Laure (the community's leader) and Hugo lead."""
    juliette = participants[0]
    CommunityMembership.objects.create(community=community, user=juliette)
    CommunityMembership.objects.create(community=guild, user=juliette, removed_at=timezone.now())
    CommunityMembership.objects.create(
        community=guild, user=community_leader, role=CommunityMembership.LEADER
    )
    CommunityMembership.objects.create(
        community=guild, user=make_user("Hugo"), role=CommunityMembership.LEADER
    )
    return juliette


# --- « Mes données » ------------------------------------------------------------------------


def test_the_export_holds_the_persons_communities_with_role_and_dates(client, places):
    client.force_login(places)
    data = client.get(reverse("my_data_json")).json()
    by_name = {c["community"]: c for c in data["communities"]}
    assert set(by_name) == {"Produit & Co", "Guilde Ops"}
    assert by_name["Produit & Co"]["role"] == "member"
    assert by_name["Produit & Co"]["removed_at"] is None
    assert by_name["Guilde Ops"]["removed_at"] is not None
    assert by_name["Produit & Co"]["joined_at"]


def test_the_export_says_nothing_of_the_other_people_of_the_community(client, places):
    client.force_login(places)
    text = json.dumps(client.get(reverse("my_data_json")).json(), ensure_ascii=False)
    markdown = client.get(reverse("my_data_markdown")).content.decode()
    for body in (text, markdown):
        for other in ("Laure", "laure@", "Hugo", "hugo@", "Chloe"):
            assert other not in body, other
        # Nor the community's own settings (its provider, its description).
        assert "DESCRIPTION-GUILDE" not in body


def test_a_leader_finds_their_role_in_the_readable_file(client, community_leader):
    client.force_login(community_leader)
    markdown = client.get(reverse("my_data_markdown")).content.decode()
    assert "## Communautés" in markdown
    assert "**Produit & Co** — responsable de la communauté, depuis le " in markdown
    assert not any(line.startswith("- **Produit & Co** — leader") for line in markdown.splitlines())


def test_the_readable_file_says_when_one_left_a_community(client, places):
    client.force_login(places)
    markdown = client.get(reverse("my_data_markdown")).content.decode()
    line = next(line for line in markdown.splitlines() if "**Guilde Ops**" in line)
    assert "membre" in line and "retiré·e le" in line


def test_someone_in_no_community_reads_so(client, participants):
    client.force_login(participants[1])
    assert client.get(reverse("my_data_json")).json()["communities"] == []
    markdown = client.get(reverse("my_data_markdown")).content.decode()
    assert "## Communautés\n\nAucune." in markdown


# --- Erasure --------------------------------------------------------------------------------


def test_an_erased_account_takes_its_places_in_communities_with_it(places):
    """A removed row bars a company sign-in while the account exists; an erased account has
    no address left for it to bar, so its rows go, the removed one too."""
    actions.do_erase_account(places)
    assert not CommunityMembership.objects.filter(user=places).exists()


def test_an_organisers_erasure_of_a_members_content_leaves_their_removal_in_place(places):
    group = Group.objects.get(name="Pairs produit")
    actions.do_erase_content(places, [group.pk])
    removed = CommunityMembership.objects.get(user=places, community__name="Guilde Ops")
    assert removed.removed_at is not None


def test_erasing_someone_leaves_the_others_places(places, community_leader):
    actions.do_erase_account(places)
    assert CommunityMembership.objects.filter(user=community_leader).count() == 2


def test_a_sole_leader_is_told_the_community_will_have_no_leader(client, community_leader):
    client.force_login(community_leader)
    page = client.get(reverse("erase_account")).content.decode()
    assert "La communauté «\u00a0Produit &amp; Co\u00a0» n’aura plus de responsable" in page
    assert (
        reverse(
            "community_people", args=[community_leader.community_memberships.get().community_id]
        )
        in page
    )
    assert "Effacer définitivement mon compte" in page  # a warning, not a wall


def test_a_co_leader_is_not_warned(client, community, community_leader):
    CommunityMembership.objects.create(
        community=community, user=make_user("Hugo"), role=CommunityMembership.LEADER
    )
    client.force_login(community_leader)
    page = client.get(reverse("erase_account")).content.decode()
    assert "n’aura plus de responsable" not in page


def test_a_sole_leader_erases_their_account_and_the_community_goes_on_without_one(
    client, community, community_leader, community_member, group, organiser
):
    client.force_login(community_leader)
    response = client.post(reverse("erase_account"), {"confirm": "laure@example.org"})
    assert response["Location"] == reverse("privacy")
    assert not User.objects.get(pk=community_leader.pk).is_active
    community.refresh_from_db()
    assert (
        not CommunityMembership.objects.active()
        .filter(community=community, role=CommunityMembership.LEADER)
        .exists()
    )
    # Its groups and members are untouched.
    assert Group.objects.get(pk=group.pk).community_id == community.pk
    assert CommunityMembership.objects.active().filter(user=community_member).exists()
    assert Membership.objects.active().filter(group=group, user=organiser).exists()


def test_a_community_with_nobody_else_and_no_group_goes_with_its_only_leader(client, db):
    alone = make_user("Solene")
    empty = Community.objects.create(name="Communauté vide")
    CommunityMembership.objects.create(community=empty, user=alone, role=CommunityMembership.LEADER)
    client.force_login(alone)
    page = client.get(reverse("erase_account")).content.decode()
    assert (
        "La communauté «\u00a0Communauté vide\u00a0», sans autre membre ni groupe, est "
        "supprimée." in page
    )
    actions.do_erase_account(alone)
    assert not Community.objects.filter(pk=empty.pk).exists()


# --- The privacy page -----------------------------------------------------------------------


def test_the_privacy_page_says_what_the_community_level_adds(client, db):
    page = client.get(reverse("privacy")).content.decode()
    for said in (
        "Les communautés",
        "des nombres seulement",
        "un nombre inférieur à 3 est masqué",
        "ni qui y participe (hormis les organisateurs qu’ils nomment), ni ce qui s’y dit",
        "jamais ses membres",
        "le nombre de places libres",
        "votre adresse e-mail et votre nom",
        "aucun jeton du fournisseur n’est gardé",
        "L’attestation de participation",
        "pour vous seul·e",
    ):
        assert said in page, said


def test_the_privacy_page_says_it_in_english_too(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("privacy")).content.decode()
    for said in (
        "Communities",
        "counts only",
        "a count under 3 is hidden",
        "never see who takes part (but for the organisers they name) nor what is said",
        "never its members",
        "your e-mail address and your name",
        "no token from the provider is kept",
        "The attestation of participation",
    ):
        assert said in page, said
    assert "Les communautés" not in page
