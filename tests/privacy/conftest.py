"""A group's history with a recognisable text for each thing each person wrote, and a way
to look for a text in every row of every table."""

from datetime import timedelta

import pytest
from django.apps import apps

from sessions_app import live
from sessions_app.actions.cycle import do_follow_up
from sessions_app.models import Action, LogbookEntry, Session


def run(session, person, kind, **fields):
    return live.apply(session.pk, person, {"type": kind, **fields}, None)


def state_of(session):
    return Session.objects.get(pk=session.pk).flow_state()


def tables_holding(text: str) -> list[str]:
    """The models with a row that holds ``text`` anywhere, JSON fields included."""
    found = []
    for model in apps.get_models():
        for row in model._default_manager.values_list():
            if text.lower() in repr(row).lower():
                found.append(model.__name__)
                break
    return found


@pytest.fixture
def history(session, facilitator, participants):
    """Juliette's subject handled: she sets out her request, Dragos asks (once himself, once
    through the facilitator typing for him) and reacts, Amina reacts; Juliette takes Amina's
    reaction into her panier with a note and writes an action with its sign of success.
    Dragos's own subject waits in the backlog; a proposal was undone and proposed again (the
    event log holds copies of the state); each of them writes in their carnet. Between the
    sessions Juliette notes where her action stands; at the next session she reports back on
    it with a note."""
    juliette, dragos, amina, _paul = participants
    for person in (juliette, dragos, amina):
        run(session, person, "join")
    run(session, facilitator, "start")
    run(session, juliette, "propose", keyword="SUJET-JULIETTE")
    run(session, dragos, "propose", keyword="SUJET-DRAGOS")
    run(session, facilitator, "undo")
    run(session, dragos, "propose", keyword="SUJET-DRAGOS")
    run(session, amina, "pass")
    run(session, facilitator, "close_triage")
    juliettes = next(s for s in state_of(session).subjects if s.owner == juliette.pk)
    run(session, facilitator, "begin_subject", subject=juliettes.id)
    run(session, juliette, "done", text="EXPOSE-JULIETTE")  # exposé
    run(session, dragos, "speak", text="QUESTION-DRAGOS")
    run(session, amina, "pass")
    # Dragos's turn again: the facilitator types what he says (his words, her command).
    run(session, facilitator, "speak", text="DICTEE-DRAGOS")
    run(session, amina, "pass")
    run(session, dragos, "pass")
    run(session, amina, "pass")  # clarification over
    run(session, dragos, "speak", text="REACTION-DRAGOS")
    run(session, amina, "speak", text="REACTION-AMINA")
    amina_said = next(c.n for c in state_of(session).contributions if c.person == amina.pk
                      and c.kind == "reaction")
    run(session, juliette, "take", n=amina_said, taken=True, note="NOTE-JULIETTE")
    run(session, juliette, "add_action", text="ACTION-JULIETTE", sign="SIGNE-JULIETTE")
    run(session, juliette, "done")
    run(session, facilitator, "end")
    for person in (juliette, dragos):
        LogbookEntry.objects.create(
            author=person, group=session.group, session=session,
            text=f"CARNET-{person.display_name.upper()}",
        )
    action = Action.objects.get(owner=juliette)
    do_follow_up(action, status="doing", note="POINT-JULIETTE", review_on=None)
    later = later_session(session, facilitator)
    for person in (juliette, dragos):
        run(later, person, "join")
    run(later, facilitator, "start")  # opens with the report back
    run(later, juliette, "report", action=action.pk, status="done", note="RETOUR-JULIETTE")
    run(later, juliette, "done")
    run(later, facilitator, "end")
    return session


def later_session(session, facilitator):
    """The group meets again and opens with the report back of the plans (003)."""
    group = session.group
    group.report_back = True
    group.save(update_fields=["report_back"])
    later = Session.objects.create(
        group=group, format=group.format, title="Séance d’avril",
        scheduled_at=session.scheduled_at + timedelta(days=14),
    )
    later.facilitators.add(facilitator)
    return later
