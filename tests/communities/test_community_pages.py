"""The community level (004): a leader creates the community and its groups, names their
organisers, closes a group; its members choose a group on its page and ask to join it — the
application flow of a group, eligibility and charter included. Nobody learns there who
takes part, and a leader sees no group's content."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants.models import (
    Application,
    Community,
    CommunityMembership,
    Group,
    Invitation,
    Membership,
    User,
)
from sessions_app.models import Session, Subject
from tests.conftest import make_user


def community_page(client, community):
    response = client.get(reverse("community_detail", args=[community.pk]))
    assert response.status_code == 200
    return response.content.decode()


def new_group_data(**extra):
    data = {
        "name": "PM Lyon",
        "description": "Des PM de la région lyonnaise.",
        "rhythm": "Un mardi par mois",
        "format": "codev",
        "capacity": 6,
        "facilitation": "named",
        "report_back": "unknown",
        "subject_choice": "",
        "votes_per_person": 2,
        "charter": "Confidentialité.",
        "eligibility": "Quel est votre lien avec le produit ?",
        "reminder_hours": 48,
        "retention_days": 60,
        "time_zone": "Europe/Paris",
        "organisers": "Olivia@Example.org\nomar@example.org",
    }
    data.update(extra)
    return data


def test_creating_a_community_makes_its_creator_its_leader_and_home_lists_it(client, db):
    laure = make_user("Laure")
    client.force_login(laure)
    response = client.post(
        reverse("community_create"), {"name": "Produit Groupe", "description": "Nos PM"}
    )
    community = Community.objects.get()
    assert response["Location"] == reverse("community_detail", args=[community.pk])
    place = CommunityMembership.objects.get(community=community)
    assert place.user == laure and place.is_leader
    page = client.get(reverse("home")).content.decode()
    assert "Produit Groupe" in page and reverse("community_detail", args=[community.pk]) in page


def test_a_community_needs_a_name(client, db):
    client.force_login(make_user("Laure"))
    response = client.post(reverse("community_create"), {"name": "", "description": "x"})
    assert response.status_code == 200 and not Community.objects.exists()
    assert "Ce champ est obligatoire" in response.content.decode()


def test_a_leader_creates_a_group_names_its_organisers_and_takes_no_seat_in_it(
    client, community, community_leader, django_capture_on_commit_callbacks
):
    client.force_login(community_leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("community_group_create", args=[community.pk]), new_group_data()
        )
    group = Group.objects.get(name="PM Lyon")
    assert response["Location"] == reverse("community_detail", args=[community.pk])
    assert group.community == community and group.rhythm == "Un mardi par mois"
    organisers = Membership.objects.active().filter(group=group)
    assert {m.user.email for m in organisers} == {"olivia@example.org", "omar@example.org"}
    assert all(m.role == Membership.ORGANISER for m in organisers)
    # Each organiser is told, and is a member of the community from now on.
    assert sorted(m.to[0] for m in mail.outbox) == ["olivia@example.org", "omar@example.org"]
    assert "organisateur·rice du groupe « PM Lyon »" in mail.outbox[0].body
    assert CommunityMembership.objects.active().filter(
        community=community, user__email="omar@example.org"
    ).exists()
    # The leader is in none of the groups: their pages are a 404 as for anyone outside.
    assert not Membership.objects.filter(user=community_leader).exists()
    for name in ("group_detail", "group_members", "bilan", "logbook"):
        assert client.get(reverse(name, args=[group.pk])).status_code == 404


def test_the_organisers_field_is_checked(client, community, community_leader):
    client.force_login(community_leader)
    url = reverse("community_group_create", args=[community.pk])
    for organisers, error in [
        ("", "Ce champ est obligatoire"),
        ("pas-une-adresse", "n’est pas une adresse e-mail valide"),
        ("a@x.fr\nb@x.fr\nc@x.fr\nd@x.fr", "Trois organisateurs au plus"),
    ]:
        response = client.post(url, new_group_data(organisers=organisers))
        assert response.status_code == 200, organisers
        assert error in response.content.decode()
        # What was typed stays in the form.
        assert "Des PM de la région lyonnaise." in response.content.decode()
    assert not Group.objects.filter(name="PM Lyon").exists()


def test_the_page_shows_what_a_newcomer_needs_and_never_who_takes_part(
    client, group, community, community_member, organiser, participants, session
):
    group.rhythm = "Toutes les six semaines"
    group.description = "Des pairs product managers."
    group.save()
    Subject.objects.create(group=group, owner=participants[0], keyword="licenciement")
    later = timezone.now() + timedelta(days=9)
    Session.objects.create(group=group, format="intervision", title="Séance d’avril",
                           scheduled_at=later)
    client.force_login(community_member)
    page = community_page(client, community)
    assert "Pairs produit" in page and "Des pairs product managers." in page
    assert "Intervision" in page and "Toutes les six semaines" in page
    # 7 seats; the organiser, the facilitator and four participants: 1 left.
    assert "1 sur 7" in page
    assert later.astimezone(group.tz).strftime("%Y") in page
    assert "Demander à rejoindre" in page
    for person in [organiser, *participants]:
        assert person.name not in page and person.email not in page
    assert "licenciement" not in page and "Séance d’avril" not in page
    assert f'href="{reverse("group_detail", args=[group.pk])}"' not in page


def test_a_member_of_the_group_sees_their_way_in_rather_than_a_request(
    client, group, community, participant
):
    CommunityMembership.objects.create(community=community, user=participant)
    client.force_login(participant)
    page = community_page(client, community)
    assert "Vous en faites partie" in page and "Demander à rejoindre" not in page
    response = client.get(reverse("community_join", args=[community.pk, group.pk]))
    assert response["Location"] == reverse("community_detail", args=[community.pk])


def test_a_member_asks_to_join_and_the_organisers_decide_as_for_any_application(
    client, group, community, community_member, organiser, django_capture_on_commit_callbacks
):
    client.force_login(community_member)
    url = reverse("community_join", args=[community.pk, group.pk])
    form = client.get(url).content.decode()
    for question in group.eligibility_questions():
        assert question.replace("'", "&#x27;") in form
    assert "La charte du groupe" in form
    # Each question must be answered; nothing is sent meanwhile.
    response = client.post(url, {"name": "Chloé"})
    assert response.status_code == 200 and "Merci de répondre à cette question." in (
        response.content.decode()
    )
    assert not Application.objects.exists()
    answers = {f"answer_{i}": "PM chez nous" for i, _ in enumerate(group.eligibility_questions())}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"name": "Chloé", **answers})
    assert response["Location"] == reverse("community_detail", args=[community.pk])
    application = Application.objects.get()
    assert application.email == community_member.email and application.group == group
    assert {m.to[0] for m in mail.outbox} == {community_member.email, organiser.email}
    page = community_page(client, community)
    assert "Demande envoyée : en attente de réponse" in page
    # The organiser accepts: the invitation with the charter makes a member of the group.
    client.force_login(organiser)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("group_application", args=[group.pk, application.pk]),
            {"decision": Application.APPROVED},
        )
    token = re.search(r"/invite/([^/\s]+)/", str(mail.outbox[0].body)).group(1)
    client.logout()  # the invitation's link opens signed out (or as its addressee)
    client.post(
        reverse("invitation", args=[token]),
        {"display_name": "Chloé", "accept_charter": "on", **answers},
    )
    assert Membership.objects.active().filter(group=group, user=community_member).exists()


def test_a_person_waiting_for_a_seat_is_told_of_the_groups_with_room(
    client, group, community, community_member, organiser, participants, facilitator
):
    group.capacity = 6
    group.applications_when_full = True
    group.save()  # six seats, six members: full
    roomy = Group.objects.create(name="PM Nantes", community=community, capacity=6)
    Group.objects.create(name="PM fermé", community=community, closed_at=timezone.now())
    client.force_login(community_member)
    page = community_page(client, community)
    assert "Rejoindre la liste d’attente" in page
    assert "PM fermé" not in page
    answers = {f"answer_{i}": "oui" for i, _ in enumerate(group.eligibility_questions())}
    client.post(reverse("community_join", args=[community.pk, group.pk]),
                {"name": "Chloé", **answers})
    page = community_page(client, community)
    assert "attend qu’une place se libère" in page
    waiting = page.split("En attente d’une place")[1].split("Ses groupes")[0]
    assert "PM Nantes" in waiting and f"#groupe-{roomy.pk}" in waiting
    assert "PM fermé" not in waiting


def test_a_full_group_without_a_waitlist_takes_no_request(
    client, group, community, community_member, organiser, participants, facilitator
):
    group.capacity = 6
    group.save()
    client.force_login(community_member)
    assert "Complet" in community_page(client, community)
    url = reverse("community_join", args=[community.pk, group.pk])
    response = client.post(url, {"name": "Chloé"})
    assert response.status_code == 302 and not Application.objects.exists()


def test_closing_a_group_asks_first_then_stops_sessions_and_applications(
    client, group, community, community_leader, community_member, organiser
):
    group.applications_open = True
    group.save()
    client.force_login(community_leader)
    url = reverse("community_group_close", args=[community.pk, group.pk])
    assert "Fermer « Pairs produit » ?" in client.get(url).content.decode()
    group.refresh_from_db()
    assert not group.is_closed
    client.post(url)
    group.refresh_from_db()
    assert group.is_closed
    # Off the members' page, on the leaders' list of closed groups.
    assert "Groupes fermés" in community_page(client, community)
    client.force_login(community_member)
    assert "Pairs produit" not in community_page(client, community)
    assert client.get(reverse("community_join", args=[community.pk, group.pk])).status_code == 404
    assert client.get(reverse("apply", args=[group.public_key])).status_code == 410
    client.force_login(organiser)
    response = client.get(reverse("session_create", args=[group.pk]), follow=True)
    assert "Ce groupe est fermé par sa communauté" in response.content.decode()
    assert "a été fermé par les responsables" in client.get(
        reverse("group_detail", args=[group.pk])
    ).content.decode()
    # Reopened, it is back.
    client.force_login(community_leader)
    client.post(url)
    group.refresh_from_db()
    assert not group.is_closed


def test_a_leader_names_an_organiser_but_not_into_a_full_group(
    client, group, community, community_leader, organiser, participants, facilitator,
    django_capture_on_commit_callbacks,
):
    client.force_login(community_leader)
    url = reverse("community_group_organisers", args=[community.pk, group.pk])
    page = client.get(url).content.decode()
    # The organisers, named by the leaders; nobody else of the group.
    assert organiser.name in page
    assert all(p.name not in page for p in [*participants, facilitator])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"email": "nina@example.org"})
    nina = User.objects.get(email="nina@example.org")
    assert Membership.objects.get(group=group, user=nina).role == Membership.ORGANISER
    assert mail.outbox[-1].to == ["nina@example.org"]
    group.capacity = 7
    group.save()  # seven members now: full
    response = client.post(url, {"email": "zoe@example.org"})
    assert "Le groupe est complet" in response.content.decode()
    assert not Membership.objects.filter(user__email="zoe@example.org").exists()


def test_removing_someone_takes_them_out_of_every_group_of_the_community_and_says_the_same(
    client, group, community, community_leader, participant
):
    elsewhere = Group.objects.create(name="Hors communauté")
    Membership.objects.create(group=elsewhere, user=participant)
    CommunityMembership.objects.create(community=community, user=participant)
    client.force_login(community_leader)
    url = reverse("community_people", args=[community.pk])
    known = client.post(url, {"remove-email": participant.email, "remove": "1"}, follow=True)
    unknown = client.post(url, {"remove-email": "nobody@example.org", "remove": "1"}, follow=True)
    said = "Si cette adresse faisait partie de la communauté"
    assert said in known.content.decode() and said in unknown.content.decode()
    assert CommunityMembership.objects.get(user=participant).removed_at is not None
    assert not Membership.objects.active().filter(group=group, user=participant).exists()
    # A group outside the community is not the community's business.
    assert Membership.objects.active().filter(group=elsewhere, user=participant).exists()
    client.force_login(participant)
    assert client.get(reverse("community_detail", args=[community.pk])).status_code == 404
    # A leader does not remove themselves by mistake.
    client.force_login(community_leader)
    response = client.post(url, {"remove-email": community_leader.email, "remove": "1"})
    assert "Vous ne pouvez pas vous retirer vous-même." in response.content.decode()


def test_a_leader_names_another_leader(
    client, community, community_leader, django_capture_on_commit_callbacks
):
    client.force_login(community_leader)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("community_people", args=[community.pk]),
            {"lead-email": "Marc@Example.org", "lead": "1"},
        )
    place = CommunityMembership.objects.get(user__email="marc@example.org")
    assert place.is_leader
    assert mail.outbox[0].to == ["marc@example.org"]
    assert "responsable de la communauté « Produit & Co »" in mail.outbox[0].body


def test_accepting_an_invitation_to_a_community_group_joins_the_community(
    client, group, community, organiser
):
    invitation, token = Invitation.issue(group, "neo@example.org", organiser)
    client.post(reverse("invitation", args=[token]), {
        "display_name": "Néo",
        "accept_charter": "on",
        **{f"answer_{i}": "oui" for i, _ in enumerate(group.eligibility_questions())},
    })
    neo = User.objects.get(email="neo@example.org")
    assert CommunityMembership.objects.active().filter(community=community, user=neo).exists()


@pytest.mark.parametrize("groups", [1, 6])
def test_the_page_reads_the_same_number_of_rows_however_many_groups(
    client, community, community_member, groups
):
    for i in range(groups):
        Group.objects.create(name=f"Groupe {i}", community=community)
    client.force_login(community_member)
    url = reverse("community_detail", args=[community.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    # Besides the session (read from the cache or the database, as the deployment keeps
    # it): the user, the person's place in the community, the groups with their figures.
    ours = [q["sql"] for q in queries if "django_session" not in q["sql"]]
    assert len(ours) == 3, "\n".join(sql[:120] for sql in ours)


def test_the_page_reads_in_english(client, community, community_member, group):
    client.force_login(community_member)
    client.cookies["django_language"] = "en"
    page = community_page(client, community)
    assert "Ask to join" in page and "Demander à rejoindre" not in page
