"""The live page of codéveloppement as practitioners run it: what each frame shows and offers at
the choice of subjects, the contract, the consultation, the synthèse and the learnings, on
states made by the rules alone (``flow.step``), rendered as the consumer renders them.

Ballots are secret: no frame says who voted what, before or after everyone voted.
"""

import re

import pytest
from django.utils import translation

from sessions_app import render
from sessions_app.texts import error_message
from tests.sessions_app.test_flow import FAC, A, B, C, D, do, pass_round, seated
from tests.sessions_app.test_flow_codev import at_phase, subject_of, triaged
from tests.sessions_app.test_regions import snapshot_of

NB = "\u00a0"
AUDIENCES = ("facilitator", "participant")


@pytest.fixture(autouse=True)
def cold_cache():
    render.clear_caches()
    yield
    render.clear_caches()


def frame(state, audience, language="fr"):
    """Every region of one audience's frame, as the consumer sends it (the clocks stopped)."""
    render.clear_caches()
    return render._render(snapshot_of(state, {}), audience, language).regions


def page(state, audience):
    return "".join(frame(state, audience).values())


def words(html):
    """The text of some HTML, spaces folded (non-breaking ones included)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace(NB, " ").split())


def clockless(html):
    # The clocks say the minutes elapsed when rendered; the frames compared here are made
    # at once, but the session's clock may tick between two of them.
    return re.sub(r'<span class="clock"[^>]*>[^<]*</span>', "", html)


# --- The choice: votes secret until everyone voted, then counts, never who voted what -------


def voting(ballots, people=(A, B, C)):
    state = triaged(*people, allowance=2)
    ids = {p: subject_of(state, p) for p in people}
    for person, ballot in ballots.items():
        state = do(state, "vote", person, subjects=[ids[owner] for owner in ballot])
    return state


@pytest.mark.parametrize("audience", AUDIENCES)
def test_before_everyone_voted_no_frame_tells_one_ballot_from_another(audience):
    # A and B voted, C not yet: two ways they could have voted give the same page.
    one = voting({A: [A, A], B: [B]})
    other = voting({A: [C], B: [A, B]})
    assert one.voters == other.voters == (A, B) and not one.votes_shown
    html = page(one, audience)
    assert clockless(html) == clockless(page(other, audience))
    assert "2 personnes sur 3 ont voté." in words(html)
    assert "<h4>Les voix</h4>" not in html and "tag votes" not in html  # no count yet


@pytest.mark.parametrize("audience", AUDIENCES)
def test_once_everyone_voted_the_frames_show_counts_and_not_who_gave_them(audience):
    # The same counts from two different ballots: the same page, with the counts.
    one = voting({A: [A, A], B: [B], C: [C]})
    other = voting({A: [A, B], B: [A], C: [C]})
    assert one.votes_shown and one.vote_counts() == other.vote_counts()
    html = page(one, audience)
    assert clockless(html) == clockless(page(other, audience))
    text = words(html)
    assert "3 personnes sur 3 ont voté." in text and "Tout le monde a voté" in text
    assert "« sujet de 1 » Juliette 2 voix" in text and "« sujet de 3 » Amina 1 voix" in text


def test_the_ballot_is_offered_to_those_at_the_table_and_closing_to_whoever_drives():
    state = voting({A: [A]}, people=(A, B, C))
    state = do(state, "set_absent", person=C)
    controls = frame(state, "participant")["live-controls"]
    # One form for everyone at the table (the page shows it to them alone), empty: each
    # page fills in its own person's ballot.
    assert 'class="ballot" data-only-for="1 2"' in controls
    assert 'name="subjects" value=""' in controls
    assert controls.count('type="number"') == 3
    assert 'data-only-for="1"' in controls  # « Vous avez voté », for A only
    assert "Clore le choix" not in controls
    # Whoever drives closes the choice; votes only if at the table.
    controls = frame(state, "facilitator")["live-controls"]
    assert "Clore le choix" in controls and 'class="ballot"' not in controls
    snap = snapshot_of(state, {})
    snap["facilitators"] = [FAC, B]  # B drives too, from the table
    render.clear_caches()
    controls = render._render(snap, "facilitator", "fr").regions["live-controls"]
    assert 'class="ballot" data-only-for="2"' in controls


def test_the_facilitator_records_a_consensus_with_arrows():
    state = triaged(A, B, C, choice="consensus")
    a, b, c = (subject_of(state, p) for p in (A, B, C))
    facilitator = frame(state, "facilitator")["live-controls"]
    assert f'"order": "{b} {a} {c}"' in facilitator  # B's subject one place up
    assert f"Monter «{NB}sujet de 2{NB}»" in facilitator
    participant = frame(state, "participant")["live-controls"]
    assert '"type": "choose"' not in participant and "Clore le choix" not in participant
    assert "ballot" not in participant  # no votes in a consensus


def test_after_the_choice_the_facilitator_may_pass_over_it_with_a_reason_shown_to_all():
    state = do(voting({A: [B, B], B: [B], C: [C]}), "close_choice")
    b = subject_of(state, B)
    assert "Passer outre le choix" in frame(state, "facilitator")["live-controls"]
    assert "Passer outre" not in frame(state, "participant")["live-controls"]
    assert "Dragos 3 voix" in words(frame(state, "participant")["live-subjects"])  # counted
    state = do(state, "override", subject=subject_of(state, A), reason="Juliette part demain")
    for audience in AUDIENCES:
        status = words(frame(state, audience)["live-status"])
        assert "La personne qui anime a placé « sujet de 1 » en premier : Juliette part demain" in (
            status
        )
    # Without a choice there is nothing to pass over.
    assert "Passer outre" not in frame(triaged(A, B, choice=""), "facilitator")["live-controls"]
    assert b


# --- The contract, the consultation, the roles -----------------------------------------------


def test_the_consultants_reformulate_then_the_client_states_the_contract_shown_to_all():
    state = at_phase("contrat")
    assert state.in_round and state.speaker == B
    controls = frame(state, "participant")["live-controls"]
    assert "Ce que j’ai compris de ta demande…" in controls and "J’ai reformulé" in controls
    assert 'name="type" value="done"' not in controls  # the client waits for the round
    state = pass_round(state)
    for audience in AUDIENCES:
        controls = frame(state, audience)["live-controls"]
        assert 'id="request" name="text" rows="2" required' in controls
        assert "Valider le contrat" in controls
    assert 'class="card controls contract" data-only-for="1"' in frame(state, "participant")[
        "live-controls"
    ]
    state = do(do(state, "done", A, text="Aidez-moi à déléguer"), "speak", B, text="Un binôme")
    for phase in ("consultation", "synthese"):
        if state.current_phase.key != phase:
            state = do(state, "next_phase")
        for audience in AUDIENCES:
            assert "Contrat : Aidez-moi à déléguer" in words(frame(state, audience)["live-status"])


def test_the_roles_are_shown_to_all_and_named_by_whoever_drives():
    state = at_phase("consultation")
    state = do(state, "set_role", role="secretaire", person=D, subject=True)
    state = do(state, "set_role", role="gardien", person=C)
    for audience in AUDIENCES:
        status = words(frame(state, audience)["live-status"])
        assert "Secrétaire : Paul" in status and "Gardien·ne du temps : Amina" in status
    presence = frame(state, "facilitator")["live-presence"]
    assert presence.count('name="type" value="set_role"') == 2
    assert "Pour ce sujet seulement" in presence and "Pour la séance : Amina." in words(presence)
    assert "set_role" not in frame(state, "participant")["live-presence"]


def test_the_secretaire_writes_for_the_speaker_and_adds_ideas_said_out_of_turn():
    state = do(at_phase("consultation"), "set_role", role="secretaire", person=D, subject=True)
    participant = frame(state, "participant")["live-controls"]
    card = participant[participant.index('class="card controls secretaire"'):]
    assert card.startswith('class="card controls secretaire" data-only-for="4')
    assert "Ce que propose Dragos" in card and 'value="idea"' in card
    # The idea's author: a consultant, the speaker by default; never the client.
    assert '<option value="2" selected>Dragos</option>' in card
    assert '<option value="1"' not in card
    facilitator = frame(state, "facilitator")["live-controls"]
    assert 'value="idea"' in facilitator and "Ce que propose" not in facilitator


def test_the_client_keeps_ideas_as_they_come_and_everyone_sees_what_is_kept():
    state = at_phase("consultation")
    state = do(state, "speak", B, text="Déléguer le reporting")
    state = do(state, "speak", C, text="Un point hebdomadaire")
    state = do(state, "take", A, n=state.contributions[-2].n, note="dès lundi")
    participant = frame(state, "participant")["live-controls"]
    assert "Retenue par le client — dès lundi" in words(participant)
    assert participant.count('data-only-for="1"') == 2  # keep or let go: the client's
    assert "Ne plus retenir" in participant and "Je retiens" in participant
    assert "Interventions sur ce sujet" not in page(state, "participant")  # listed once


def test_the_gardien_du_temps_gets_more_time_when_the_phase_runs_over():
    state = do(at_phase("consultation"), "set_role", role="gardien", person=C, subject=True)
    status = frame(state, "participant")["live-status"]
    assert 'data-only-for="3' in status and '"type": "extend"' in status
    assert '"type": "next_phase"' not in status  # moving on stays the facilitator's


# --- The synthèse and the plan -----------------------------------------------------------------


def test_the_synthese_and_a_plan_with_due_dates_and_signs_of_success():
    state = at_phase("synthese", next_on="2027-01-12")
    controls = frame(state, "participant")["live-controls"]
    assert 'name="type" value="synthesize"' in controls
    assert 'id="action-due" name="due" type="date"' in controls
    assert 'id="action-sign" name="sign"' in controls
    assert "Prochaine séance : le 12 janvier 2027." in words(controls)
    assert re.search(r'<button hx-post="[^"]+" hx-vals=\'{"type": "done"}\' disabled>', controls)
    state = do(state, "synthesize", A, text="Je délègue le reporting")
    state = do(state, "add_action", A, text="Parler à Paul", due="2027-01-05",
               sign="Paul fait le reporting de janvier")
    state = do(state, "add_action", A, text="Relire mes notes")
    for audience in AUDIENCES:
        text = words(frame(state, audience)["live-controls"])
        assert "La synthèse de Juliette Je délègue le reporting" in text
        assert "Parler à Paul · pour le 5 janvier 2027" in text
        assert "Signe de réussite : Paul fait le reporting de janvier" in text
        assert "Relire mes notes · d’ici la prochaine séance" in text
    with translation.override("en"):
        assert "5 January 2027" in words(frame(state, "participant", "en")["live-controls"])


def test_the_plan_not_due_refusal_says_what_to_do_in_french():
    with translation.override("fr"):
        message = error_message("plan_not_due")
    assert message.startswith("Il faut au moins une action réalisable d’ici la prochaine séance")
    for code in ("not_in_choice", "not_seated", "owner_cannot_hold", "secretaire_only",
                 "round_in_progress", "bad_date", "already_said"):
        with translation.override("fr"):
            assert error_message(code) != error_message("unknown_command"), code
    with translation.override("fr"):
        assert error_message("too_many_votes", {"limit": 2}) == f"Trop de voix{NB}: 2 au plus."


def test_the_ideas_kept_are_listed_for_review_at_the_synthese():
    state = at_phase("consultation")
    state = do(state, "speak", B, text="Déléguer le reporting")
    state = do(do(state, "take", A, n=state.contributions[-1].n), "next_phase")
    controls = words(frame(state, "participant")["live-controls"])
    assert "Les idées de la consultation Dragos · proposition : Déléguer le reporting" in controls
    assert "Retenue par le client" in controls


# --- Apprentissages and the report back --------------------------------------------------------


def test_the_facilitator_not_at_the_table_shares_learnings_once():
    state = at_phase("apprentissages")
    assert 'data-only-for="100"' in frame(state, "facilitator")["live-controls"]
    assert "learn" not in frame(state, "participant")["live-controls"]
    state = do(state, "learn", text="Laisser plus de silence")
    assert 'value="learn"' not in frame(state, "facilitator")["live-controls"]


def test_the_report_back_shows_what_was_said_last_time():
    plans = [{"id": 200, "owner": A, "text": "Parler à Paul", "status": "doing",
              "note": "Rendez-vous pris"}]
    state = do(seated(A, B, format="codev"), "start", plans=plans, retour=True)
    assert state.stage == "retour" and state.speaker == A
    for audience in AUDIENCES:
        controls = words(frame(state, audience)["live-controls"])
        assert "La dernière fois : Rendez-vous pris" in controls

