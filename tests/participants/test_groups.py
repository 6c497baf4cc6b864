"""Creating and editing a group from the app's pages."""

import pytest

from participants.models import Group, Membership


def group_data(**extra):
    data = {
        "name": "Pairs PM Lyon",
        "description": "Product managers, une séance toutes les deux semaines.",
        "format": "codev",
        "capacity": "7",
        "facilitation": "rotating",
        "charter": "Bienveillance\nConfidentialité",
        "eligibility": "Votre lien avec le produit ?\nÊtes-vous consultant ?",
        "reminder_hours": "48",
        "retention_days": "60",
        "time_zone": "Europe/Paris",
    }
    data.update(extra)
    return data


def test_anyone_signed_in_creates_a_group_and_becomes_its_organiser(client, outsider):
    client.force_login(outsider)
    response = client.post("/groups/new/", group_data())
    group = Group.objects.get(name="Pairs PM Lyon")
    assert response.status_code == 302
    assert response["Location"] == f"/g/{group.pk}/invitations/"
    assert group.format == "codev" and group.facilitation == "rotating"
    membership = Membership.objects.get(group=group)
    assert membership.user == outsider and membership.role == Membership.ORGANISER
    assert group.eligibility_questions() == [
        "Votre lien avec le produit ?",
        "Êtes-vous consultant ?",
    ]


def test_the_new_group_form_is_prefilled_with_the_seeds(client, outsider):
    client.force_login(outsider)
    page = client.get("/groups/new/").content.decode()
    for virtue in ("Bienveillance", "Engagement", "Confidentialité", "Sincérité"):
        assert virtue in page
    assert "société de service" in page and "freelance" in page and "consultant" in page
    assert 'value="7"' in page  # default capacity


@pytest.mark.parametrize(
    "capacity,message",
    [("9", "Au plus 8 personnes"), ("12", "Au plus 8 personnes"), ("1", "Au moins 2 personnes")],
)
def test_capacity_is_at_most_eight(client, outsider, capacity, message):
    client.force_login(outsider)
    response = client.post("/groups/new/", group_data(capacity=capacity))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Group.objects.filter(name="Pairs PM Lyon").exists()


def test_the_name_is_required(client, outsider):
    client.force_login(outsider)
    response = client.post("/groups/new/", group_data(name=""))
    assert "Ce champ est obligatoire" in response.content.decode()


def test_the_organiser_edits_the_group(client, organiser, group):
    client.force_login(organiser)
    assert client.get(f"/g/{group.pk}/edit/").status_code == 200
    response = client.post(f"/g/{group.pk}/edit/", group_data(name="Nouveau nom", capacity="8"))
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "Nouveau nom" and group.capacity == 8
    assert "Nouveau nom" in client.get(f"/g/{group.pk}/").content.decode()


def test_capacity_cannot_drop_below_the_members_already_in(
    client, organiser, group, participants, facilitator
):
    client.force_login(organiser)
    response = client.post(f"/g/{group.pk}/edit/", group_data(capacity="5"))
    assert response.status_code == 200
    assert "compte déjà 6 membres" in response.content.decode()


@pytest.mark.parametrize(
    "persona", ["participant", "facilitator", "outsider", "other_group_member", "removed_member"]
)
def test_only_organisers_edit_the_group(client, group, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/g/{group.pk}/edit/").status_code == 404
    assert client.post(f"/g/{group.pk}/edit/", group_data(name="Volé")).status_code == 404
    group.refresh_from_db()
    assert group.name != "Volé"


def test_organisers_see_their_tools_on_the_group_page_and_members_do_not(
    client, group, organiser, participant
):
    client.force_login(organiser)
    page = client.get(f"/g/{group.pk}/").content.decode()
    assert f"/g/{group.pk}/invitations/" in page and f"/g/{group.pk}/members/" in page
    client.force_login(participant)
    page = client.get(f"/g/{group.pk}/").content.decode()
    assert f"/g/{group.pk}/invitations/" not in page


@pytest.mark.parametrize(
    "hours,message",
    [("0", "Au moins 1 heure avant la séance."), ("337", "Au plus 336 heures")],
)
def test_reminders_leave_between_one_hour_and_two_weeks_before(
    client, organiser, group, hours, message
):
    client.force_login(organiser)
    response = client.post(f"/g/{group.pk}/edit/", group_data(reminder_hours=hours))
    assert response.status_code == 200
    assert message in response.content.decode()
    group.refresh_from_db()
    assert group.reminder_hours == 48


def test_the_organiser_sets_how_many_hours_before_reminders_leave(client, organiser, group):
    client.force_login(organiser)
    response = client.post(f"/g/{group.pk}/edit/", group_data(reminder_hours="24"))
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.reminder_hours == 24


# --- Codéveloppement settings -------------------------------------------------------------------


def test_the_organiser_sets_how_the_group_chooses_its_subjects(client, organiser, group):
    client.force_login(organiser)
    page = client.get(f"/g/{group.pk}/edit/").content.decode()
    for shown in ("Choix des sujets", "Par un vote du groupe", "Votes par personne",
                  "Gardien·ne du temps à tour de rôle"):
        assert shown in page, shown
    response = client.post(
        f"/g/{group.pk}/edit/",
        group_data(subject_choice="votes", votes_per_person="3", rota_timekeeper="on"),
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.subject_choice, group.votes_per_person, group.rota_timekeeper) == (
        "votes", 3, True
    )
    # Left out of the form (a page that does not show it), the votes stay as they were.
    client.post(f"/g/{group.pk}/edit/", group_data(subject_choice=""))
    group.refresh_from_db()
    assert (group.subject_choice, group.votes_per_person) == ("", 3)


def test_a_new_group_arrives_in_order_with_two_votes_each(client, outsider):
    client.force_login(outsider)
    client.post("/groups/new/", group_data())
    group = Group.objects.get(name="Pairs PM Lyon")
    assert (group.subject_choice, group.votes_per_person, group.rota_timekeeper) == (
        "", 2, False
    )


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"votes_per_person": "0"}, "Au moins 1 vote par personne."),
        ({"votes_per_person": "6"}, "Au plus 5 votes par personne."),
        ({"votes_per_person": "deux"}, "Un nombre de votes entre 1 et 5."),
        ({"subject_choice": "tirage"}, "Sélectionnez un choix valide"),
        ({"rota_timekeeper": "on", "facilitation": "named"},
         "ne propose la personne qui garde le temps qu’en animation tournante"),
    ],
)
def test_the_codev_settings_are_checked(client, organiser, group, changes, message):
    client.force_login(organiser)
    response = client.post(f"/g/{group.pk}/edit/", group_data(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    group.refresh_from_db()
    assert (group.subject_choice, group.votes_per_person, group.rota_timekeeper) == (
        "", 2, False
    )
