"""A codéveloppement session played through ``live.apply`` as its practitioners run it: the
group votes for its subjects, the consultants reformulate before the client states the
contract, the client keeps two ideas of three, writes a synthesis and a dated plan with
signs of success (seeds 002, 003; issue 26). Shared by the tests of what each person finds
after it: « Ce que j'emporte », the action's history, the carnet, « Mes données », the Bilan.
"""

import datetime

from sessions_app import live
from sessions_app.models import Session

NEXT_DAYS = 14
KEPT_NOTE = "NOTE-CLIENT dès lundi"


def run(session, person, kind, **fields):
    return live.apply(session.pk, person, {"type": kind, **fields}, None)


def state_of(session):
    return Session.objects.get(pk=session.pk).flow_state()


def next_session(session):
    """The group's next session, a fortnight later: the date the plan is due by."""
    return Session.objects.create(
        group=session.group, format=session.format, title="Codév suivant",
        scheduled_at=session.scheduled_at + datetime.timedelta(days=NEXT_DAYS),
    )


def play(session, facilitator, participants):
    """Juliette (the client), Dragos, Amina and Paul at the table; the group votes (two
    votes each) and chooses Juliette's « délégation » over Dragos's « roadmap ». Dragos
    reformulates, Juliette asks « Aidez-moi à déléguer le reporting ». Dragos, Amina and
    Paul each propose an idea; Juliette keeps Dragos's (with a note) as it comes and Paul's
    at the synthèse, not Amina's. She writes her synthesis and two actions, one due by the
    next session with its sign of success. Everyone shares a learning; the session ends."""
    juliette, dragos, amina, paul = participants
    group = session.group
    group.subject_choice, group.votes_per_person = "votes", 2
    group.save(update_fields=["subject_choice", "votes_per_person"])
    following = next_session(session)
    for person in participants:
        run(session, person, "join")
    run(session, facilitator, "start")
    run(session, juliette, "propose", keyword="délégation")
    run(session, dragos, "propose", keyword="roadmap")
    run(session, amina, "pass")
    run(session, paul, "pass")
    run(session, facilitator, "close_triage")
    state = state_of(session)
    assert state.stage == "choice", state.stage
    mine, his = (next(s.id for s in state.subjects if s.owner == p.pk) for p in (juliette, dragos))
    for person, ballot in ((juliette, [mine, mine]), (dragos, [mine, his]), (amina, [mine]),
                           (paul, [mine, his])):
        run(session, person, "vote", subjects=ballot)
    run(session, facilitator, "close_choice")
    run(session, facilitator, "begin_subject", subject=mine)
    run(session, juliette, "done")  # exposé
    run(session, facilitator, "next_phase")  # clarification
    run(session, dragos, "speak", text="REFORMULATION-DRAGOS tu veux déléguer")
    run(session, amina, "pass")
    run(session, paul, "pass")
    run(session, juliette, "done", text="CONTRAT-CLIENT Aidez-moi à déléguer le reporting")
    run(session, dragos, "speak", text="IDEE-DRAGOS un tableau de délégation")
    idea = state_of(session).contributions[-1].n
    run(session, juliette, "take", n=idea, taken=True, note=KEPT_NOTE)
    run(session, amina, "speak", text="IDEE-AMINA un binôme")
    run(session, paul, "speak", text="IDEE-PAUL déléguer à Paul")
    state = state_of(session)
    assert state.current_phase.key == "synthese", state.current_phase
    run(session, juliette, "take", n=state.contributions[-1].n, taken=True)
    run(session, juliette, "synthesize", text="SYNTHESE-CLIENT je lâche le reporting")
    due = following.scheduled_at.date().isoformat()
    run(session, juliette, "add_action", text="ACTION-PARLER à Paul", due=due,
        sign="SIGNE-CLIENT Paul fait le reporting de janvier")
    run(session, juliette, "add_action", text="ACTION-GRILLE écrire la grille")
    run(session, juliette, "done")  # synthèse
    for person, said in ((dragos, "Reformuler aide"), (amina, ""), (paul, ""),
                         (juliette, "Oser demander")):
        run(session, person, "speak", text=said)
    run(session, facilitator, "end")
    return following
