"""Between sessions: « Ce que j’emporte » and the action plans that live on."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from participants.models import Membership
from sessions_app import live
from sessions_app.flow import PlanItem
from sessions_app.models import Action, Session, Subject

SESSION_READ = 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1


def run(session, person, kind, **fields):
    return live.apply(session.pk, person, {"type": kind, **fields}, None)


def state_of(session):
    return Session.objects.get(pk=session.pk).flow_state()


@pytest.fixture
def intervision_done(session, facilitator, participants):
    """Juliette's subject handled in intervision: a question, two reactions, two of them taken
    into her panier with a note, two next actions; then the session ends."""
    juliette, dragos, amina, paul = participants
    for person in (juliette, dragos, amina):
        run(session, person, "join")
    run(session, facilitator, "start")
    run(session, juliette, "propose", keyword="recrutement")
    run(session, dragos, "propose", keyword="roadmap")
    run(session, amina, "pass")
    run(session, facilitator, "close_triage")
    run(session, facilitator, "begin_subject", subject=state_of(session).open_subjects[0].id)
    run(session, juliette, "done")  # exposé
    run(session, dragos, "speak", text="Combien de candidats ?")
    run(session, amina, "pass")
    run(session, dragos, "pass")
    run(session, amina, "pass")  # clarification over
    run(session, dragos, "speak", text="Un entretien en binôme")
    run(session, amina, "speak", text="Une grille commune")
    contributions = state_of(session).contributions
    reactions = [c.n for c in contributions if c.kind == "reaction"]
    run(session, juliette, "take", n=reactions[0], taken=True, note="Essayer dès lundi")
    run(session, juliette, "take", n=reactions[1], taken=True)
    run(session, juliette, "add_action", text="Proposer le binôme à mon équipe")
    run(session, juliette, "add_action", text="Écrire la grille")
    run(session, juliette, "done")
    run(session, facilitator, "end")
    return session


def test_the_owner_takes_away_every_contribution_her_panier_and_her_plan(
    client, intervision_done, participants
):
    juliette = participants[0]
    client.force_login(juliette)
    page = client.get(reverse("session_takeaway", args=[intervision_done.pk])).content.decode()
    assert "Mon sujet «\u00a0recrutement\u00a0»" in page
    for said in ("Combien de candidats ?", "Un entretien en binôme", "Une grille commune"):
        assert said in page
    assert "Dragos" in page and "Amina" in page  # who made each contribution
    assert page.count("Dans mon panier") == 2 and "Essayer dès lundi" in page
    assert "Proposer le binôme à mon équipe" in page and "Écrire la grille" in page
    assert "« roadmap »" not in page  # not handled tonight


def test_another_member_sees_the_subjects_handled_but_not_the_owners_notes_or_plan(
    client, intervision_done, participants
):
    client.force_login(participants[1])
    page = client.get(reverse("session_takeaway", args=[intervision_done.pk])).content.decode()
    assert "«\u00a0recrutement\u00a0»" in page and "Juliette" in page
    assert "Mon sujet" not in page
    assert "Essayer dès lundi" not in page and "Écrire la grille" not in page
    assert "Un entretien en binôme" not in page


def test_a_session_not_over_says_so(client, session, participant):
    client.force_login(participant)
    page = client.get(reverse("session_takeaway", args=[session.pk])).content.decode()
    assert "La séance n’est pas terminée" in page


def test_the_learnings_round_is_taken_away_by_everyone(client, codev_session, facilitator,
                                                       participants):
    juliette, dragos, amina, _paul = participants
    s = codev_session
    for person in (juliette, dragos, amina):
        run(s, person, "join")
    run(s, facilitator, "start")
    run(s, juliette, "propose", keyword="client")
    run(s, facilitator, "close_triage")
    run(s, facilitator, "begin_subject")
    run(s, juliette, "done")  # exposé
    run(s, facilitator, "next_phase")  # clarification
    # Contrat: the consultants reformulate in turn, then Juliette states the help she wants.
    run(s, dragos, "speak", text="Tu veux relancer ce client")
    run(s, amina, "pass")
    run(s, juliette, "done", text="Des idées pour relancer")
    run(s, facilitator, "next_phase")  # consultation
    run(s, juliette, "add_action", text="Relancer le client")
    run(s, juliette, "done")  # synthèse
    for person, learning in ((dragos, "Reformuler aide"), (amina, ""), (juliette, "Oser demander")):
        run(s, person, "speak", text=learning)
    run(s, facilitator, "end")
    client.force_login(amina)
    page = client.get(reverse("session_takeaway", args=[s.pk])).content.decode()
    assert "Apprentissages du groupe" in page
    assert "Reformuler aide" in page and "Oser demander" in page
    assert "Relancer le client" not in page  # Juliette's plan is hers
    assert "Des idées pour relancer" not in page  # and so is her contract


def test_actions_written_at_the_panier_become_the_owners_actions(intervision_done, participants):
    juliette = participants[0]
    subject = Subject.objects.get(keyword="recrutement")
    actions = list(Action.objects.filter(subject=subject))
    assert [(a.text, a.status, a.owner_id, a.position) for a in actions] == [
        ("Proposer le binôme à mon équipe", "todo", juliette.pk, 0),
        ("Écrire la grille", "todo", juliette.pk, 1),
    ]
    assert all(a.session_id == intervision_done.pk and a.review_on is None for a in actions)


def test_undoing_the_end_of_a_subject_forgets_its_actions(session, facilitator, participants):
    juliette, dragos = participants[:2]
    for person in (juliette, dragos):
        run(session, person, "join")
    run(session, facilitator, "start")
    run(session, juliette, "propose", keyword="tri")
    run(session, facilitator, "close_triage")
    run(session, facilitator, "begin_subject")
    run(session, juliette, "done")
    run(session, facilitator, "next_phase")
    run(session, facilitator, "next_phase")
    run(session, juliette, "add_action", text="Une action")
    run(session, juliette, "done")
    assert Action.objects.count() == 1
    run(session, facilitator, "undo")
    assert Action.objects.count() == 0
    # Back at the panier, plan intact.
    assert state_of(session).actions == (PlanItem("Une action"),)


def test_the_owner_follows_an_action_up_between_sessions(client, intervision_done, participants):
    juliette = participants[0]
    action = Action.objects.get(text="Écrire la grille")
    client.force_login(juliette)
    listing = client.get(reverse("my_actions")).content.decode()
    assert "Écrire la grille" in listing and "« recrutement »" in listing
    response = client.post(
        reverse("action_edit", args=[action.pk]),
        {
            f"a{action.pk}-status": "done",
            f"a{action.pk}-note": "Partagée avec l’équipe",
            f"a{action.pk}-review_on": "2026-12-16",
            "next": reverse("my_actions") + f"#action-{action.pk}",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("my_actions") + f"#action-{action.pk}"
    action.refresh_from_db()
    assert (action.status, action.note, action.review_on) == (
        "done", "Partagée avec l’équipe", datetime.date(2026, 12, 16)
    )
    # Done actions come after the open ones.
    listing = client.get(reverse("my_actions")).content.decode()
    assert listing.index("Proposer le binôme") < listing.index("Écrire la grille")


def test_bad_input_on_an_action_is_refused_with_a_message_and_keeps_what_was_typed(
    client, intervision_done, participants
):
    action = Action.objects.get(text="Écrire la grille")
    client.force_login(participants[0])
    response = client.post(
        reverse("action_edit", args=[action.pk]),
        {f"a{action.pk}-status": "perhaps", f"a{action.pk}-note": "ma note",
         f"a{action.pk}-review_on": "32/13/2026"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Corrigez les champs signalés." in page and "ma note" in page
    action.refresh_from_db()
    assert (action.status, action.note) == ("todo", "")


def test_an_unsafe_next_address_is_ignored(client, intervision_done, participants):
    action = Action.objects.get(text="Écrire la grille")
    client.force_login(participants[0])
    response = client.post(
        reverse("action_edit", args=[action.pk]),
        {f"a{action.pk}-status": "doing", "next": "https://evil.example.org/"},
    )
    assert response["Location"] == reverse("my_actions")


@pytest.mark.parametrize("persona", ["facilitator", "organiser", "outsider", "removed_member"])
def test_nobody_else_can_change_or_see_an_action(
    request, client, intervision_done, participants, persona
):
    action = Action.objects.get(text="Écrire la grille")
    client.force_login(request.getfixturevalue(persona))
    url = reverse("action_edit", args=[action.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {f"a{action.pk}-status": "dropped"}).status_code == 404
    assert "Écrire la grille" not in client.get(reverse("my_actions")).content.decode()
    action.refresh_from_db()
    assert action.status == "todo"


def test_an_owner_who_left_the_group_no_longer_reaches_its_actions(
    client, intervision_done, participants, group
):
    juliette = participants[0]
    Membership.objects.filter(user=juliette, group=group).update(removed_at=timezone.now())
    client.force_login(juliette)
    action = Action.objects.get(text="Écrire la grille")
    assert client.get(reverse("action_edit", args=[action.pk])).status_code == 404
    assert client.get(reverse("session_takeaway", args=[intervision_done.pk])).status_code == 404


def test_home_leads_to_what_i_take_away_and_my_open_actions(client, intervision_done, participants):
    client.force_login(participants[0])
    page = client.get(reverse("home")).content.decode()
    assert reverse("session_takeaway", args=[intervision_done.pk]) in page
    assert "Mes actions : 2 à faire ou en cours" in page


def test_the_session_page_once_ended_leads_to_what_i_take_away(
    client, intervision_done, participants
):
    client.force_login(participants[1])
    page = client.get(reverse("session_page", args=[intervision_done.pk])).content.decode()
    assert reverse("session_takeaway", args=[intervision_done.pk]) in page


# --- Query counts do not grow with the history ------------------------------------------------


def more_history(session, owner, n):
    for i in range(n):
        subject = Subject.objects.create(
            group=session.group, owner=owner, keyword=f"ancien {i}", status="handled",
            handled_in=session,
        )
        Action.objects.create(subject=subject, session=session, owner=owner, text=f"action {i}")


@pytest.mark.parametrize("name", ["session_takeaway", "my_actions", "home"])
def test_pages_of_the_cycle_make_a_constant_number_of_queries(
    client, intervision_done, participants, django_assert_num_queries, name
):
    juliette = participants[0]
    client.force_login(juliette)
    args = [intervision_done.pk] if name == "session_takeaway" else []
    url = reverse(name, args=args)
    client.get(url)  # warm the session

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    more_history(intervision_done, juliette, 12)
    assert count() == small
    # The user, then: the session, subjects handled, what was said, the actions, the
    # person's feedback (takeaway); the actions (my actions); groups, communities, sessions
    # to come, sessions over, open actions (home).
    expected = SESSION_READ + {"session_takeaway": 6, "my_actions": 2, "home": 6}[name]
    with django_assert_num_queries(expected):
        client.get(url)


# --- The next session opens with the report back (003) and "still current?" (001) ------------


@pytest.fixture
def next_session(intervision_done, group, facilitator, participants):
    """The group meets again; it has chosen to open with the report back."""
    group.report_back = True
    group.save(update_fields=["report_back"])
    session = Session.objects.create(
        group=group, format=group.format, title="Séance d’avril",
        scheduled_at=intervision_done.scheduled_at + datetime.timedelta(days=14),
    )
    session.facilitators.add(facilitator)
    return session


def test_the_next_session_opens_with_the_report_back_of_those_present(
    next_session, facilitator, participants
):
    juliette, dragos, amina, _paul = participants
    for person in (dragos, juliette, amina):
        run(next_session, person, "join")
    run(next_session, facilitator, "start")
    state = state_of(next_session)
    assert state.stage == "retour" and state.queue == (juliette.pk,)  # the only plan
    grid, binome = (Action.objects.get(text=t) for t in ("Écrire la grille",
                                                          "Proposer le binôme à mon équipe"))
    run(next_session, juliette, "report", action=grid.pk, status="done", note="Adoptée")
    run(next_session, juliette, "report", action=binome.pk, new_subject=True)
    run(next_session, juliette, "done")
    state = state_of(next_session)
    assert state.stage == "triage"
    grid.refresh_from_db()
    binome.refresh_from_db()
    assert (grid.status, grid.note, grid.reported_in_id) == ("done", "Adoptée", next_session.pk)
    assert binome.reported_in_id == next_session.pk
    new = Subject.objects.get(proposed_in=next_session)
    assert (new.keyword, new.owner_id, new.status) == (
        "Proposer le binôme à mon équipe", juliette.pk, "open"
    )
    assert list(Action.objects.of(juliette).open()) == [binome]  # still to do, now a subject


def test_undoing_a_report_gives_the_action_back_as_it_was(next_session, facilitator,
                                                          participants):
    juliette = participants[0]
    run(next_session, juliette, "join")
    run(next_session, facilitator, "start")
    grid = Action.objects.get(text="Écrire la grille")
    run(next_session, juliette, "report", action=grid.pk, status="dropped", note="Plus utile")
    run(next_session, facilitator, "undo")
    grid.refresh_from_db()
    assert (grid.status, grid.note, grid.reported_in_id) == ("todo", "", None)


def test_an_absent_owner_keeps_their_plan_and_their_subject_waits(
    next_session, facilitator, participants
):
    juliette, dragos = participants[:2]
    run(next_session, dragos, "join")  # Juliette is not there tonight
    run(next_session, facilitator, "start")
    state = state_of(next_session)
    assert state.stage == "triage"  # nobody present to report back
    assert Action.objects.of(juliette).open().count() == 2
    roadmap = Subject.objects.get(keyword="roadmap")  # Dragos's, carried
    run(next_session, dragos, "confirm", subject=roadmap.pk, keep=False)
    roadmap.refresh_from_db()
    assert roadmap.status == "withdrawn"


def test_carried_subjects_are_confirmed_from_the_live_page(
    client, next_session, facilitator, participants
):
    dragos = participants[1]
    client.force_login(dragos)
    page = client.get(reverse("session_page", args=[next_session.pk])).content.decode()
    assert "Toujours d’actualité" in page and "« roadmap »" in page
    roadmap = Subject.objects.get(keyword="roadmap")
    response = client.post(
        reverse("session_command", args=[next_session.pk]),
        {"type": "confirm", "subject": roadmap.pk, "keep": "true",
         "version": state_of(next_session).version},
    )
    assert response.status_code == 200
    assert state_of(next_session).subject(roadmap.pk).confirmed
    assert "Toujours d’actualité" not in response.content.decode()


def test_the_next_subject_shown_is_the_one_begun_never_an_absent_owners(
    client, next_session, facilitator, participants
):
    dragos, amina = participants[1:3]
    feedback = Subject.objects.create(group=next_session.group, owner=amina, keyword="feedback")
    run(next_session, dragos, "join")  # Juliette, Amina and Paul are not there
    run(next_session, facilitator, "start")
    run(next_session, dragos, "propose", keyword="budget")
    run(next_session, facilitator, "close_triage")
    run(next_session, facilitator, "set_urgent", subject=feedback.pk, urgent=True)
    client.force_login(facilitator)
    page = client.get(reverse("session_page", args=[next_session.pk])).content.decode()
    # Amina's urgent « feedback » comes first in the order, but she is not there.
    assert "Prochain sujet : « roadmap » (Dragos)." in page
    run(next_session, dragos, "withdraw", subject=Subject.objects.get(keyword="roadmap").pk)
    run(next_session, dragos, "withdraw", subject=Subject.objects.get(keyword="budget").pk)
    page = client.get(reverse("session_page", args=[next_session.pk])).content.decode()
    # Only Amina's « feedback » is left, and she is not there: it waits, nothing to begin.
    assert "Les personnes dont ce sont les sujets restants sont absentes" in page
    assert "« feedback »" in page
    assert "Commencer ce sujet" not in page


def test_the_report_back_offers_every_action_of_the_plan_a_done_one_included(
    client, next_session, group, facilitator, participants
):
    """An action marked « fait » between sessions is reported on too: its owner says what
    it gave. Once reported, a closed action is not offered again at the following session."""
    juliette = participants[0]
    grid = Action.objects.get(text="Écrire la grille")
    grid.status, grid.note = Action.DONE, "Faite"
    grid.save()
    run(next_session, juliette, "join")
    run(next_session, facilitator, "start")
    state = state_of(next_session)
    assert state.stage == "retour" and state.queue == (juliette.pk,)
    offered = {a.text: a.status for a in state.plans}
    assert offered == {"Écrire la grille": "done", "Proposer le binôme à mon équipe": "todo"}
    client.force_login(juliette)
    page = client.get(reverse("session_live", args=[next_session.pk])).content.decode()
    report = page[page.index("Écrire la grille"):]
    assert '<span class="tag status-done">fait</span>' in report[:200]
    run(next_session, juliette, "report", action=grid.pk, note="L’équipe l’utilise")
    grid.refresh_from_db()
    assert (grid.status, grid.note, grid.reported_in_id) == (
        "done", "L’équipe l’utilise", next_session.pk
    )
    run(next_session, juliette, "done")
    run(next_session, facilitator, "end")
    # The session after: only what is still open.
    third = Session.objects.create(
        group=group, format=group.format, title="Séance de mai",
        scheduled_at=next_session.scheduled_at + datetime.timedelta(days=14),
    )
    third.facilitators.add(facilitator)
    run(third, juliette, "join")
    run(third, facilitator, "start")
    assert [a.text for a in state_of(third).plans] == ["Proposer le binôme à mon équipe"]
