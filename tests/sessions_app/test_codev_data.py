"""What a codéveloppement session leaves in the tables (issue 26): the votes a subject got,
each action with its due date and sign of success, each report on an action kept; what the
start takes from the group; what each person finds after it on « Ce que j'emporte » and on
an action's page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from participants.models import MAX_VOTES
from sessions_app import flow
from sessions_app.actions.cycle import do_follow_up
from sessions_app.models import Action, ActionReport, Contribution, Session, Subject

from .codev_story import KEPT_NOTE, NEXT_DAYS, play, run, state_of


@pytest.fixture
def codev_done(codev_session, facilitator, participants):
    following = play(codev_session, facilitator, participants)
    following.facilitators.add(facilitator)
    return codev_session


def page(client, user, name, *args):
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


# --- The start takes the group's choice and its next session --------------------------------


def test_the_start_takes_the_groups_choice_its_votes_and_its_next_sessions_day(
    codev_session, facilitator, participants
):
    group = codev_session.group
    group.subject_choice, group.votes_per_person = "votes", 3
    group.time_zone = "Europe/Paris"
    group.save()
    # 23:30 in UTC is already the next day in Paris: the day is the group's.
    codev_session.scheduled_at = datetime.datetime(2027, 1, 5, 18, 0, tzinfo=datetime.UTC)
    codev_session.save()
    for days, hour in ((28, 9), (14, 23)):
        Session.objects.create(
            group=group, format="codev",
            scheduled_at=datetime.datetime(2027, 1, 5, hour, 30, tzinfo=datetime.UTC)
            + datetime.timedelta(days=days),
        )
    run(codev_session, participants[0], "join")
    run(codev_session, facilitator, "start")
    state = state_of(codev_session)
    assert (state.choice, state.allowance, state.next_on) == ("votes", 3, "2027-01-20")


def test_without_a_next_session_or_a_choice_the_start_says_so(
    codev_session, facilitator, participants
):
    run(codev_session, participants[0], "join")
    run(codev_session, facilitator, "start")
    state = state_of(codev_session)
    assert (state.choice, state.allowance, state.next_on) == ("", 0, "")


def test_the_consensus_starts_with_no_votes_to_give(codev_session, facilitator, participants):
    group = codev_session.group
    group.subject_choice = "consensus"
    group.save()
    run(codev_session, participants[0], "join")
    run(codev_session, facilitator, "start")
    state = state_of(codev_session)
    assert (state.choice, state.allowance) == ("consensus", 0)


def test_the_groups_votes_are_the_ones_the_rules_allow():
    assert MAX_VOTES == flow.ALLOWANCE_MAX


# --- The tables -----------------------------------------------------------------------------


def test_each_subject_keeps_its_votes_and_the_session_their_total(codev_done):
    votes = dict(Subject.objects.values_list("keyword", "votes"))
    assert votes == {"délégation": 5, "roadmap": 2}
    assert flow.Structure.from_data(Session.objects.get(pk=codev_done.pk).tally).votes == 7


def test_undoing_the_close_of_the_choice_takes_the_votes_back(
    codev_session, facilitator, participants
):
    group = codev_session.group
    group.subject_choice = "votes"
    group.save()
    juliette, dragos = participants[:2]
    for person in (juliette, dragos):
        run(codev_session, person, "join")
    run(codev_session, facilitator, "start")
    run(codev_session, juliette, "propose", keyword="délégation")
    run(codev_session, facilitator, "close_triage")
    subject = Subject.objects.get(keyword="délégation")
    for person in (juliette, dragos):
        run(codev_session, person, "vote", subjects=[subject.pk])
    run(codev_session, facilitator, "close_choice")
    subject.refresh_from_db()
    assert subject.votes == 2
    run(codev_session, facilitator, "undo")
    subject.refresh_from_db()
    assert subject.votes == 0


def test_the_plan_keeps_each_actions_due_date_and_sign_of_success(codev_done, participants):
    juliette = participants[0]
    actions = list(Action.objects.filter(owner=juliette).order_by("position"))
    due = (codev_done.scheduled_at + datetime.timedelta(days=NEXT_DAYS)).date()
    assert [(a.text, a.review_on, a.sign) for a in actions] == [
        ("ACTION-PARLER à Paul", due, "SIGNE-CLIENT Paul fait le reporting de janvier"),
        ("ACTION-GRILLE écrire la grille", None, ""),
    ]


def test_the_contract_the_synthesis_and_the_kept_ideas_are_in_the_tables(codev_done):
    said = {c.text: c for c in Contribution.objects.filter(session=codev_done)}
    assert said["CONTRAT-CLIENT Aidez-moi à déléguer le reporting"].kind == "request"
    assert said["SYNTHESE-CLIENT je lâche le reporting"].kind == "synthesis"
    assert said["REFORMULATION-DRAGOS tu veux déléguer"].kind == "reformulation"
    kept = {text: c.note for text, c in said.items() if c.taken}
    assert kept == {"IDEE-DRAGOS un tableau de délégation": KEPT_NOTE,
                    "IDEE-PAUL déléguer à Paul": ""}


# --- Each report on an action is kept ---------------------------------------------------------


def report_back(session, facilitator, owner, **reports):
    """The group opens ``session`` with the report back: ``owner`` says, of each action
    (its text → (status, note)), what became of it."""
    group = session.group
    group.report_back = True
    group.save(update_fields=["report_back"])
    session.facilitators.add(facilitator)
    run(session, owner, "join")
    run(session, facilitator, "start")
    for text, (status, note) in reports.items():
        action = Action.objects.get(text=text)
        run(session, owner, "report", action=action.pk, status=status, note=note)
    run(session, owner, "done")
    run(session, facilitator, "end")


def test_each_report_back_is_kept_and_the_action_holds_the_latest(
    codev_done, facilitator, participants
):
    juliette = participants[0]
    second = Session.objects.get(title="Codév suivant")
    report_back(second, facilitator, juliette,
                **{"ACTION-PARLER à Paul": ("doing", "RETOUR-1 on en a parlé")})
    action = Action.objects.get(text="ACTION-PARLER à Paul")
    do_follow_up(action, status="doing", note="POINT-ENTRE il hésite", review_on=None)
    third = Session.objects.create(
        group=codev_done.group, format="codev",
        scheduled_at=second.scheduled_at + datetime.timedelta(days=14),
    )
    report_back(third, facilitator, juliette,
                **{"ACTION-PARLER à Paul": ("done", "RETOUR-2 il le fait")})
    action.refresh_from_db()
    assert (action.status, action.note, action.reported_in_id) == (
        "done", "RETOUR-2 il le fait", third.pk
    )
    assert [(r.session_id, r.status, r.note) for r in action.reports.all()] == [
        (second.pk, "doing", "RETOUR-1 on en a parlé"),
        (None, "doing", "POINT-ENTRE il hésite"),
        (third.pk, "done", "RETOUR-2 il le fait"),
    ]


def test_undoing_a_report_forgets_it_in_the_history(codev_done, facilitator, participants):
    juliette = participants[0]
    second = Session.objects.get(title="Codév suivant")
    second.facilitators.add(facilitator)
    group = second.group
    group.report_back = True
    group.save(update_fields=["report_back"])
    run(second, juliette, "join")
    run(second, facilitator, "start")
    action = Action.objects.get(text="ACTION-PARLER à Paul")
    run(second, juliette, "report", action=action.pk, status="dropped", note="Plus utile")
    assert action.reports.count() == 1
    run(second, facilitator, "undo")
    assert action.reports.count() == 0
    action.refresh_from_db()
    assert (action.status, action.note, action.reported_in_id) == ("todo", "", None)


def test_the_owners_update_joins_the_history_when_the_status_or_the_note_changes(
    client, codev_done, participants
):
    juliette = participants[0]
    action = Action.objects.get(text="ACTION-GRILLE écrire la grille")
    client.force_login(juliette)
    url = reverse("action_edit", args=[action.pk])
    prefix = f"a{action.pk}"

    def post(status, note, review_on=""):
        response = client.post(url, {f"{prefix}-status": status, f"{prefix}-note": note,
                                     f"{prefix}-review_on": review_on})
        assert response.status_code == 302

    post("doing", "Commencée")
    post("doing", "Commencée", "2027-03-01")  # only the date: nothing to tell
    post("done", "Commencée", "2027-03-01")
    assert [(r.session_id, r.status, r.note) for r in action.reports.all()] == [
        (None, "doing", "Commencée"), (None, "done", "Commencée"),
    ]
    action.refresh_from_db()
    assert (action.status, action.review_on) == ("done", datetime.date(2027, 3, 1))


def test_the_actions_page_tells_its_history_and_its_sign_of_success(
    client, codev_done, facilitator, participants
):
    juliette = participants[0]
    second = Session.objects.get(title="Codév suivant")
    report_back(second, facilitator, juliette,
                **{"ACTION-PARLER à Paul": ("doing", "RETOUR-1 on en a parlé")})
    action = Action.objects.get(text="ACTION-PARLER à Paul")
    ActionReport.objects.create(action=action, status="done", note="POINT-ENTRE fait",
                                created_at=timezone.now())
    body = page(client, juliette, "action_edit", action.pk)
    history = body.split('id="action-history"', 1)[1]
    first, later = history.index("RETOUR-1 on en a parlé"), history.index("POINT-ENTRE fait")
    assert first < later
    assert "Retour en séance du" in history and "Mis à jour le" in history
    assert "SIGNE-CLIENT Paul fait le reporting de janvier" in body


def test_an_action_never_reported_on_says_its_history_is_empty(client, codev_done, participants):
    action = Action.objects.get(text="ACTION-GRILLE écrire la grille")
    body = page(client, participants[0], "action_edit", action.pk)
    assert "Aucun point sur cette action pour l’instant" in body


# --- « Ce que j'emporte » ---------------------------------------------------------------------


def test_the_client_takes_away_her_contract_synthesis_kept_ideas_and_dated_plan(
    client, codev_done, participants
):
    body = page(client, participants[0], "session_takeaway", codev_done.pk)
    for mine in ("CONTRAT-CLIENT Aidez-moi à déléguer le reporting",
                 "SYNTHESE-CLIENT je lâche le reporting", "ACTION-PARLER à Paul",
                 "SIGNE-CLIENT Paul fait le reporting de janvier", KEPT_NOTE):
        assert mine in body, mine
    kept = body.split("Les idées que je retiens", 1)[1].split("</ul>", 1)[0]
    assert "IDEE-DRAGOS" in kept and "IDEE-PAUL" in kept and "IDEE-AMINA" not in kept
    due = (codev_done.scheduled_at + datetime.timedelta(days=NEXT_DAYS)).date()
    assert f"d’ici le {due.day}" in body
    assert "Mes propositions" not in body  # she made none on others' subjects


def test_a_consultant_finds_his_proposals_and_whether_they_were_kept_never_her_note(
    client, codev_done, participants
):
    dragos, amina = participants[1], participants[2]
    body = page(client, dragos, "session_takeaway", codev_done.pk)
    proposals = body.split('id="my-proposals"', 1)[1].split("</section>", 1)[0]
    assert "«\u00a0délégation\u00a0», le sujet de Juliette" in proposals
    assert "IDEE-DRAGOS un tableau de délégation" in proposals and "retenue" in proposals
    for hers in (KEPT_NOTE, "SYNTHESE-CLIENT", "CONTRAT-CLIENT", "SIGNE-CLIENT",
                 "ACTION-PARLER", "IDEE-AMINA", "IDEE-PAUL"):
        assert hers not in body, hers
    body = page(client, amina, "session_takeaway", codev_done.pk)
    proposals = body.split('id="my-proposals"', 1)[1].split("</section>", 1)[0]
    assert "IDEE-AMINA un binôme" in proposals and "pas retenue" in proposals
    assert "IDEE-DRAGOS" not in body


def test_the_takeaway_of_a_codev_session_makes_a_constant_number_of_queries(
    client, codev_done, participants, django_assert_num_queries
):
    from django.conf import settings

    session_read = 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1
    client.force_login(participants[1])
    url = reverse("session_takeaway", args=[codev_done.pk])
    client.get(url)
    # The user, the session, subjects handled, what was said, the actions, the feedback.
    with django_assert_num_queries(session_read + 6):
        client.get(url)


def test_every_kind_of_contribution_the_rules_record_fits_its_column():
    # PostgreSQL refuses a value longer than the column (SQLite stores it anyway): every kind
    # the live page names, « reformulation » included, must fit.
    from sessions_app.models import Contribution
    from sessions_app.texts import KIND_LABELS

    limit = Contribution._meta.get_field("kind").max_length
    assert limit is not None
    assert [kind for kind in KIND_LABELS if len(kind) > limit] == []
