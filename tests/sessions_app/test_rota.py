"""The rota of a rotating facilitation: its rules, the group page's section, skip and swap,
and the person told when it is their turn."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from participants.models import Membership
from sessions_app import rota, rota_queries
from sessions_app.models import Rota, Session
from tests.conftest import make_user

# --- The rules ------------------------------------------------------------------------------


def test_without_sessions_the_order_is_the_arrival():
    assert rota.arrange([1, 2, 3], [], [], False, set()) == [1, 2, 3]


def test_the_order_turns_after_the_last_facilitator():
    assert rota.arrange([1, 2, 3, 4], [], [2], False, set()) == [3, 4, 1, 2]
    # Co-facilitated: after the later of the two in the order.
    assert rota.arrange([1, 2, 3, 4], [], [3, 1], False, set()) == [4, 1, 2, 3]
    # The last facilitator left the group: the order starts again from the first.
    assert rota.arrange([1, 2, 3], [], [9], False, set()) == [1, 2, 3]


def test_a_stored_order_is_the_queue_until_the_next_session_then_turns():
    stored = [3, 1, 4, 2]
    assert rota.arrange([1, 2, 3, 4], stored, [2], True, set()) == [3, 1, 4, 2]
    assert rota.arrange([1, 2, 3, 4], stored, [3], False, set()) == [1, 4, 2, 3]


def test_a_stored_order_drops_who_left_and_adds_who_arrived_at_its_end():
    assert rota.arrange([1, 2, 4, 5], [4, 3, 1, 2], [], True, set()) == [4, 1, 2, 5]


def test_a_recent_joiner_is_never_first_and_stays_in_the_rota():
    # 5 would come next after 4, but has seen no session held since joining.
    assert rota.arrange([1, 2, 3, 4, 5], [], [4], False, {5}) == [1, 2, 3, 4, 5]
    assert rota.arrange([1, 5, 2], [], [], False, {5}) == [1, 2, 5]


def test_skip_passes_the_turn_to_the_following_person():
    assert rota.skip([1, 2, 3, 4], 1, set()) == [2, 1, 3, 4]
    assert rota.skip([1, 2, 3, 4], 3, set()) == [1, 2, 4, 3]


def test_skip_does_not_put_a_recent_joiner_first():
    with pytest.raises(rota.RotaError, match="already_last"):
        rota.skip([1, 5], 1, {5})
    assert rota.skip([1, 2, 5], 1, {5}) == [2, 1, 5]
    with pytest.raises(rota.RotaError, match="not_in_rota"):
        rota.skip([1, 2, 5], 5, {5})
    with pytest.raises(rota.RotaError, match="not_in_rota"):
        rota.skip([1, 2], 7, set())


def test_swap_exchanges_two_places():
    assert rota.swap([1, 2, 3, 4], 1, 3) == [3, 2, 1, 4]
    with pytest.raises(rota.RotaError, match="same_person"):
        rota.swap([1, 2, 3], 2, 2)
    with pytest.raises(rota.RotaError, match="not_in_rota"):
        rota.swap([1, 2, 3], 2, 8)


def test_the_timekeeper_proposed_is_the_person_after_the_facilitator():
    assert rota.timekeeper([3, 1, 2]) == 1
    assert rota.timekeeper([3]) is None
    assert rota.timekeeper([]) is None


# --- The rota of a group --------------------------------------------------------------------


@pytest.fixture
def rotating(group, organiser, facilitator, participants):
    """A rotating group of six (Olga, Lucie, Juliette, Dragos, Amina, Paul, by arrival)."""
    group.facilitation = "rotating"
    group.save()
    base = timezone.now() - timedelta(days=100)
    for k, m in enumerate(Membership.objects.filter(group=group).order_by("id")):
        m.joined_at = base + timedelta(days=k)
        m.save(update_fields=["joined_at"])
    return group


def held_session(group, who, days_ago=14):
    session = Session.objects.create(
        group=group,
        format=group.format,
        title=f"Séance de {who.name}",
        scheduled_at=timezone.now() - timedelta(days=days_ago),
        state={"stage": "ended"},
    )
    session.facilitators.add(who)
    return session


def names(group):
    people = {m.user_id: m.user.name for m in group.memberships.select_related("user")}
    return [people[u] for u in rota_queries.queue(group)]


def test_the_rota_follows_the_sessions_held_and_scheduled(rotating, facilitator, participants):
    assert names(rotating) == ["Olga", "Lucie", "Juliette", "Dragos", "Amina", "Paul"]
    held_session(rotating, facilitator)
    assert names(rotating)[:2] == ["Juliette", "Dragos"]
    upcoming = Session.objects.create(
        group=rotating, format=rotating.format, scheduled_at=timezone.now() + timedelta(days=7)
    )
    upcoming.facilitators.add(participants[0])
    assert names(rotating)[:2] == ["Dragos", "Amina"]
    assert [s.title for s in rota_queries.held(rotating)] == ["Séance de Lucie"]


def test_a_session_whose_day_passed_unheld_does_not_count(rotating, facilitator, participants):
    held_session(rotating, facilitator, days_ago=30)
    missed = Session.objects.create(
        group=rotating, format=rotating.format, scheduled_at=timezone.now() - timedelta(days=3)
    )
    missed.facilitators.add(participants[0])
    assert names(rotating)[0] == "Juliette"
    assert rota_queries.held(rotating)[0].facilitators.get() == facilitator


def test_a_member_who_joined_after_the_last_session_held_is_never_next(
    rotating, participants
):
    held_session(rotating, participants[3])  # Paul, the last by arrival
    newcomer = make_user("Nora")
    Membership.objects.create(group=rotating, user=newcomer)
    assert names(rotating) == ["Olga", "Lucie", "Juliette", "Dragos", "Amina", "Paul", "Nora"]
    assert rota_queries.next_facilitator(rotating) != newcomer.pk
    # Once a session was held with Nora in the group, her turn comes in the order.
    held_session(rotating, participants[2], days_ago=0)
    assert names(rotating)[:2] == ["Paul", "Nora"]


# --- The group page ---------------------------------------------------------------------------


def test_the_group_page_shows_next_following_and_history(
    client, rotating, organiser, facilitator, participants
):
    held_session(rotating, facilitator)
    client.force_login(participants[1])
    page = client.get(f"/g/{rotating.pk}/").content.decode()
    section = page[page.index('id="rota"'):]
    assert "Animation tournante" in section
    order = section[section.index("Ordre de l’animation"):section.index("Historique")]
    assert order.index("Juliette") < order.index("Dragos") < order.index("Olga")
    assert "prochaine séance à programmer" in order
    history = section[section.index("Historique"):]
    assert "Lucie" in history
    # Dragos may pass his own turn, nobody else's; only organisers swap.
    assert "Passer mon tour" in section and "Faire passer son tour" not in section
    assert f'action="/g/{rotating.pk}/rota/swap/"' not in section


def test_the_group_page_empty_state_and_named_groups(client, rotating, organiser, group):
    client.force_login(organiser)
    page = client.get(f"/g/{rotating.pk}/").content.decode()
    assert "Aucune séance tenue pour l’instant" in page
    assert "C’est à vous d’animer la prochaine séance à programmer." in page
    group.facilitation = "named"
    group.save()
    assert "Animation tournante" not in client.get(f"/g/{group.pk}/").content.decode()


def test_the_next_facilitator_reads_that_it_is_them(client, rotating, participants):
    session = Session.objects.create(
        group=rotating, format=rotating.format, title="Séance de mai",
        scheduled_at=timezone.now() + timedelta(days=5),
    )
    session.facilitators.add(participants[2])
    client.force_login(participants[2])
    page = client.get(f"/g/{rotating.pk}/").content.decode()
    assert "C’est vous qui animez la prochaine séance." in page
    client.force_login(participants[1])
    assert "C’est vous qui animez" not in client.get(f"/g/{rotating.pk}/").content.decode()


def test_the_rota_proposes_the_timekeeper_when_the_group_chooses_it(
    client, rotating, facilitator, participants
):
    held_session(rotating, facilitator)  # Juliette next, then Dragos
    juliette, dragos = participants[:2]
    client.force_login(dragos)
    url = f"/g/{rotating.pk}/"
    tag = "garde le temps à la prochaine séance à programmer"
    assert tag not in client.get(url).content.decode()
    rotating.rota_timekeeper = True
    rotating.save(update_fields=["rota_timekeeper"])
    page = client.get(url).content.decode()
    order = page[page.index("Ordre de l’animation"):page.index("Historique")]
    assert order.index("Juliette") < order.index(tag) < order.index("Amina")
    assert order.index("Dragos") < order.index(tag)
    assert "C’est à vous de garder le temps à la prochaine séance à programmer." in page
    client.force_login(juliette)
    page = client.get(url).content.decode()
    assert "C’est à vous d’animer la prochaine séance à programmer." in page
    assert "C’est à vous de garder le temps" not in page


# --- Skip and swap --------------------------------------------------------------------------


def membership(group, user):
    return Membership.objects.get(group=group, user=user)


def test_an_organiser_skips_the_next_person_after_confirming(
    client, rotating, organiser, facilitator, participants, django_capture_on_commit_callbacks
):
    held_session(rotating, facilitator)
    juliette = membership(rotating, participants[0])
    client.force_login(organiser)
    url = f"/g/{rotating.pk}/rota/{juliette.pk}/skip/"
    confirm = client.get(url).content.decode()
    assert "Faire passer son tour à Juliette" in confirm and "<form method=\"post\">" in confirm
    assert names(rotating)[0] == "Juliette"  # nothing changes before the POST
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert names(rotating)[:3] == ["Dragos", "Juliette", "Amina"]
    assert [m.to for m in mail.outbox] == [[participants[1].email]]
    assert "C’est vous qui animez la prochaine séance" in mail.outbox[0].subject
    assert f"/g/{rotating.pk}/" in mail.outbox[0].body
    page = client.get(f"/g/{rotating.pk}/").content.decode()
    assert "Juliette passe son tour" in page


def test_the_skip_holds_until_the_next_session_then_the_rota_goes_on(
    client, rotating, organiser, facilitator, participants
):
    held_session(rotating, facilitator)
    client.force_login(organiser)
    client.post(f"/g/{rotating.pk}/rota/{membership(rotating, participants[0]).pk}/skip/")
    assert rota_queries.next_facilitator(rotating) == participants[1].pk
    session = Session.objects.create(
        group=rotating, format=rotating.format, scheduled_at=timezone.now() + timedelta(days=7)
    )
    session.facilitators.add(participants[1])
    assert names(rotating)[:2] == ["Juliette", "Amina"]


def test_a_member_passes_their_own_turn_but_not_someone_elses(
    client, rotating, facilitator, participants
):
    held_session(rotating, facilitator)
    client.force_login(participants[0])
    own = f"/g/{rotating.pk}/rota/{membership(rotating, participants[0]).pk}/skip/"
    assert "Passer votre tour d’animation" in client.get(own).content.decode()
    other = f"/g/{rotating.pk}/rota/{membership(rotating, participants[1]).pk}/skip/"
    assert client.get(other).status_code == 404
    assert client.post(other).status_code == 404
    assert names(rotating)[0] == "Juliette"
    client.post(own)
    assert names(rotating)[:2] == ["Dragos", "Juliette"]


def test_the_last_in_the_order_cannot_skip(client, rotating, organiser, facilitator):
    held_session(rotating, organiser)  # Olga led: she is last now
    client.force_login(organiser)
    response = client.post(
        f"/g/{rotating.pk}/rota/{membership(rotating, organiser).pk}/skip/", follow=True
    )
    assert "déjà la dernière à animer" in response.content.decode()


def test_an_organiser_swaps_two_places(
    client, rotating, organiser, facilitator, participants, django_capture_on_commit_callbacks
):
    held_session(rotating, facilitator)
    client.force_login(organiser)
    juliette, paul = membership(rotating, participants[0]), membership(rotating, participants[3])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/g/{rotating.pk}/rota/swap/", {"first": juliette.pk, "second": paul.pk},
            follow=True,
        )
    assert "Juliette et Paul ont échangé leurs places." in response.content.decode()
    assert names(rotating) == ["Paul", "Dragos", "Amina", "Juliette", "Olga", "Lucie"]
    assert [m.to for m in mail.outbox] == [[participants[3].email]]


def test_a_bad_swap_is_explained_and_changes_nothing(client, rotating, organiser, participants):
    client.force_login(organiser)
    juliette = membership(rotating, participants[0])
    before = names(rotating)
    response = client.post(
        f"/g/{rotating.pk}/rota/swap/", {"first": juliette.pk, "second": juliette.pk},
        follow=True,
    )
    assert "Choisissez deux personnes différentes." in response.content.decode()
    response = client.post(f"/g/{rotating.pk}/rota/swap/", {"first": juliette.pk}, follow=True)
    assert "Choisissez les deux personnes" in response.content.decode()
    assert names(rotating) == before
    assert client.get(f"/g/{rotating.pk}/rota/swap/").status_code == 405


@pytest.mark.parametrize("persona", ["participant", "facilitator", "outsider", "removed_member"])
def test_only_organisers_swap(client, request, rotating, persona, participants):
    client.force_login(request.getfixturevalue(persona))
    a, b = membership(rotating, participants[0]), membership(rotating, participants[1])
    before = names(rotating)
    response = client.post(f"/g/{rotating.pk}/rota/swap/", {"first": a.pk, "second": b.pk})
    assert response.status_code == 404
    assert names(rotating) == before


@pytest.mark.parametrize("persona", ["outsider", "other_group_member", "removed_member"])
def test_outsiders_get_404_for_the_rota(client, request, rotating, persona, participants):
    client.force_login(request.getfixturevalue(persona))
    url = f"/g/{rotating.pk}/rota/{membership(rotating, participants[0]).pk}/skip/"
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_a_group_that_does_not_rotate_has_no_rota_to_change(
    client, group, organiser, participants
):
    client.force_login(organiser)
    response = client.post(
        f"/g/{group.pk}/rota/{membership(group, participants[0]).pk}/skip/", follow=True
    )
    assert "n’a pas d’animation tournante" in response.content.decode()
    assert not Rota.objects.exists()


# --- Scheduling from the rota, and the person told ------------------------------------------


def test_the_next_session_is_pre_filled_from_the_rota_and_its_facilitator_told(
    client, rotating, organiser, facilitator, participants, django_capture_on_commit_callbacks
):
    held_session(rotating, facilitator)
    client.force_login(organiser)
    client.post(f"/g/{rotating.pk}/rota/{membership(rotating, participants[0]).pk}/skip/")
    form = client.get(f"/g/{rotating.pk}/sessions/new/").content.decode()
    assert f'value="{participants[1].pk}" id="id_facilitators_3" checked' in form
    day = (timezone.localdate() + timedelta(days=9)).isoformat()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/g/{rotating.pk}/sessions/new/", {
            "title": "Séance de juin", "date": day, "time": "18:30",
            "duration_minutes": "120", "facilitators": [participants[1].pk],
        })
    told = {m.to[0]: m.body for m in mail.outbox}
    assert "Vous animez la séance du" in told[participants[1].email]
    assert f"/g/{rotating.pk}/" in told[participants[1].email]
    assert all("Vous animez" not in body for to, body in told.items()
               if to != participants[1].email)
    assert names(rotating)[0] == "Juliette"  # her skipped turn comes now


def test_the_home_page_tells_whoever_facilitates_their_groups_next_session(
    client, rotating, participants
):
    soon = Session.objects.create(
        group=rotating, format=rotating.format, scheduled_at=timezone.now() + timedelta(days=3)
    )
    soon.facilitators.add(participants[1])
    later = Session.objects.create(
        group=rotating, format=rotating.format, scheduled_at=timezone.now() + timedelta(days=30)
    )
    later.facilitators.add(participants[2])
    client.force_login(participants[1])
    page = client.get("/").content.decode()
    assert "C’est vous qui animez la prochaine séance de «\u00a0Pairs produit\u00a0»." in page
    assert f"/s/{soon.pk}/info/" in page
    # Amina facilitates a later one, not the next: her home page does not say it yet.
    client.force_login(participants[2])
    assert "C’est vous qui animez" not in client.get("/").content.decode()


# --- The rota follows the dates -------------------------------------------------------------


def keep_only(group, count):
    """The rotating group reduced to its first ``count`` members by arrival."""
    members = list(Membership.objects.filter(group=group).order_by("joined_at"))
    for m in members[count:]:
        m.removed_at = timezone.now()
        m.save(update_fields=["removed_at"])
    return [m.user for m in members[:count]]


def proposed_form(client, group):
    """The new-session form as the organiser gets it: who is checked, and its hidden fields."""
    import re

    page = client.get(f"/g/{group.pk}/sessions/new/").content.decode()
    checked = [int(v) for v in re.findall(r'value="(\d+)" id="id_facilitators_\d+" checked', page)]
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    hidden.pop("csrfmiddlewaretoken", None)
    return checked, hidden


def test_two_overlapping_series_never_give_anyone_two_sessions_in_a_row(
    client, rotating, organiser
):
    keep_only(rotating, 4)
    client.force_login(organiser)
    for offset in (7, 8):  # a weekly series, then another a day later each week
        checked, hidden = proposed_form(client, rotating)
        day = (timezone.localdate() + timedelta(days=offset)).isoformat()
        client.post(f"/g/{rotating.pk}/sessions/new/", {
            **hidden, "title": f"Série {offset}", "date": day, "time": "18:30",
            "duration_minutes": "120", "facilitators": checked, "repeat": "weekly",
            "every": "1", "count": "4",
        })
    leads = [s.facilitators.get().pk for s in Session.objects.order_by("scheduled_at")]
    assert len(leads) == 8
    assert all(a != b for a, b in zip(leads, leads[1:], strict=False)), leads


def test_a_session_inserted_today_is_not_proposed_to_whoever_just_held_one(
    client, rotating, organiser
):
    olga, lucie, juliette = keep_only(rotating, 3)
    held_session(rotating, olga, days_ago=1)
    for who, days in ((lucie, 7), (juliette, 14)):
        coming = Session.objects.create(
            group=rotating, format=rotating.format,
            scheduled_at=timezone.now() + timedelta(days=days),
        )
        coming.facilitators.add(who)
    client.force_login(organiser)
    checked, _hidden = proposed_form(client, rotating)
    # Not Olga, who held yesterday's; not Lucie, who leads the next one.
    assert checked == [juliette.pk]
    page = client.get(f"/g/{rotating.pk}/").content.decode()
    order = page[page.index("Ordre de l’animation"):page.index("Historique")]
    assert order.index("Juliette") < order.index("Olga")
