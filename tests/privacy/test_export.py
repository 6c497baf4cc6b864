"""« Télécharger mes données »: every category of the person's data, theirs only; what
they received on their subjects without who said it."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from participants.models import (
    Application,
    Community,
    CommunityMembership,
    Invitation,
    Membership,
)
from privacy import export
from sessions_app.models import Action, Registration


@pytest.fixture
def exported(client, history, participants, organiser):
    juliette = participants[0]
    Registration.objects.create(session=history, user=juliette)
    Application.objects.create(
        group=history.group, name="Juju", email="juliette@example.org",
        answers=[{"question": "Lien ?", "answer": "RÉPONSE-JULIETTE"}],
        status=Application.REJECTED, reason="MOTIF-PRIVE",
    )
    Invitation.issue(history.group, "juliette@example.org", organiser)
    Membership.objects.filter(user=juliette).update(
        eligibility_answers=[{"question": "Domaine ?", "answer": "ÉLIGIBILITÉ-JULIETTE"}]
    )
    Action.objects.filter(owner=juliette).update(note="SUIVI-JULIETTE")
    client.force_login(juliette)
    response = client.get(reverse("my_data_json"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return json.loads(response.content)


def test_account(exported):
    assert exported["account"]["email"] == "juliette@example.org"
    assert exported["account"]["display_name"] == "Juliette"


def test_memberships_with_eligibility_answers(exported):
    [membership] = exported["memberships"]
    assert membership["group"] == "Pairs produit" and membership["role"] == "member"
    assert membership["eligibility_answers"][0]["answer"] == "ÉLIGIBILITÉ-JULIETTE"


def test_registrations(exported):
    assert [r["status"] for r in exported["registrations"]] == ["registered"]


def test_subjects_with_what_was_received_and_the_panier_without_names(exported):
    [subject] = exported["subjects"]
    assert subject["keyword"] == "SUJET-JULIETTE" and subject["status"] == "handled"
    received = {c["text"]: c for c in subject["received"]}
    assert received["REACTION-AMINA"]["in_my_panier"] is True
    assert received["REACTION-AMINA"]["my_note"] == "NOTE-JULIETTE"
    assert "QUESTION-DRAGOS" in received
    text = json.dumps(exported)
    for name in ("Dragos", "Amina", "dragos@", "amina@"):
        assert name not in text


def test_contributions_are_what_she_said_only(exported):
    """Her request on her own subject, with its keyword: nothing more (what the others said
    to her is under her subject, without their names), nothing less."""
    said = [(c["subject"], c["kind"], c["text"]) for c in exported["contributions"]]
    assert said == [("SUJET-JULIETTE", "request", "EXPOSE-JULIETTE")]


def test_actions_with_their_follow_up(exported):
    [action] = exported["actions"]
    assert action["text"] == "ACTION-JULIETTE" and action["note"] == "SUIVI-JULIETTE"
    assert action["subject"] == "SUJET-JULIETTE"
    assert action["sign"] == "SIGNE-JULIETTE"
    # Each report on it: where it stood between the sessions, then at the report back.
    assert [(r["session"] is None, r["status"], r["note"]) for r in action["reports"]] == [
        (True, "doing", "POINT-JULIETTE"), (False, "done", "RETOUR-JULIETTE"),
    ]


def test_a_clients_contract_synthesis_and_kept_ideas_and_a_consultants_proposals(
    client, codev_session, facilitator, participants
):
    from tests.sessions_app.codev_story import KEPT_NOTE, play

    play(codev_session, facilitator, participants)
    juliette, dragos = participants[:2]
    client.force_login(juliette)
    data = client.get(reverse("my_data_json")).json()
    [subject] = [s for s in data["subjects"] if s["keyword"] == "délégation"]
    assert subject["request"] == "CONTRAT-CLIENT Aidez-moi à déléguer le reporting"
    assert subject["synthesis"] == "SYNTHESE-CLIENT je lâche le reporting"
    kept = {c["text"]: c["my_note"] for c in subject["received"] if c["in_my_panier"]}
    assert kept == {"IDEE-DRAGOS un tableau de délégation": KEPT_NOTE,
                    "IDEE-PAUL déléguer à Paul": ""}
    assert {a["text"]: a["sign"] for a in data["actions"]} == {
        "ACTION-PARLER à Paul": "SIGNE-CLIENT Paul fait le reporting de janvier",
        "ACTION-GRILLE écrire la grille": "",
    }
    text = client.get(reverse("my_data_markdown")).content.decode()
    for said in ("CONTRAT-CLIENT", "SYNTHESE-CLIENT", "SIGNE-CLIENT", KEPT_NOTE):
        assert said in text, said
    # Dragos: what he proposed, and that she kept it; never her note, her words or her plan.
    client.force_login(dragos)
    data = client.get(reverse("my_data_json")).json()
    proposed = {c["text"]: c["kept"] for c in data["contributions"] if c["kind"] == "suggestion"}
    assert proposed == {"IDEE-DRAGOS un tableau de délégation": True}
    everything = json.dumps(data, ensure_ascii=False) + client.get(
        reverse("my_data_markdown")
    ).content.decode()
    for hers in (KEPT_NOTE, "CONTRAT-CLIENT", "SYNTHESE-CLIENT", "SIGNE-CLIENT",
                 "ACTION-PARLER", '"délégation"', "«\u00a0délégation"):
        assert hers not in everything, hers
    assert "retenue" in everything


def test_carnet_hers_only(exported):
    assert [e["text"] for e in exported["logbook"]] == ["CARNET-JULIETTE"]
    assert "CARNET-DRAGOS" not in json.dumps(exported)


def test_applications_without_the_organisers_reason(exported):
    [application] = exported["applications"]
    assert application["answers"][0]["answer"] == "RÉPONSE-JULIETTE"
    assert "MOTIF-PRIVE" not in json.dumps(exported)


def test_invitations(exported):
    assert [i["group"] for i in exported["invitations"]] == ["Pairs produit"]


def test_no_other_persons_subject_keyword(exported):
    assert "SUJET-DRAGOS" not in json.dumps(exported)


def test_the_readable_version_says_the_same_in_french(client, history, participants):
    client.force_login(participants[0])
    response = client.get(reverse("my_data_markdown"))
    assert response["Content-Type"].startswith("text/markdown")
    text = response.content.decode()
    for expected in ("# Mes données Intervision", "SUJET-JULIETTE", "REACTION-AMINA",
                     "NOTE-JULIETTE", "ACTION-JULIETTE", "CARNET-JULIETTE", "réaction"):
        assert expected in text, expected
    for hidden in ("Dragos", "CARNET-DRAGOS", "SUJET-DRAGOS"):
        assert hidden not in text
    # Dates as a reader writes them, not as a machine does.
    assert not re.search(r"\d{4}-\d{2}-\d{2}T", text)
    assert timezone.localdate().strftime("%Y") in text


def test_what_someone_said_on_another_persons_subject_is_in_their_export(
    client, history, participants
):
    client.force_login(participants[1])
    data = client.get(reverse("my_data_json")).json()
    assert {c["text"] for c in data["contributions"]} >= {"QUESTION-DRAGOS", "REACTION-DRAGOS"}
    # ... without the keyword of Juliette's subject, which is hers.
    assert all(c["subject"] is None for c in data["contributions"])
    assert "SUJET-JULIETTE" not in json.dumps(data)


def test_the_download_needs_a_recent_sign_in(client, participants):
    client.force_login(participants[0])
    session = client.session
    session["privacy_signed_in_at"] = 0
    session.save()
    response = client.get(reverse("my_data_json"))
    assert response.status_code == 302 and "confirm" in response["Location"]



# --- One rule for every download: another member's keyword stays in the group ----------------


def test_no_download_prints_another_members_keyword(client, history, participants):
    """Dragos noted in his carnet, during Juliette's subject, something about it: the note
    leaves with him, her keyword does not (his carnet's two files and his data alike), and
    the privacy page says so. His note on his own subject keeps his keyword."""
    from sessions_app.models import LogbookEntry, Subject

    juliette, dragos = participants[:2]
    hers = Subject.objects.get(owner=juliette)
    his = Subject.objects.get(owner=dragos)
    LogbookEntry.objects.create(
        author=dragos, group=history.group, session=history, subject=hers,
        text="CARNET-SUR-SON-SUJET",
    )
    LogbookEntry.objects.create(
        author=dragos, group=history.group, session=history, subject=his,
        text="CARNET-SUR-MON-SUJET",
    )
    client.force_login(dragos)
    downloads = {
        name: client.get(reverse(name, args=[history.group_id])).content.decode()
        for name in ("logbook_json", "logbook_markdown")
    }
    downloads["my_data_json"] = client.get(reverse("my_data_json")).content.decode()
    downloads["my_data_markdown"] = client.get(reverse("my_data_markdown")).content.decode()
    for name, text in downloads.items():
        assert "CARNET-SUR-SON-SUJET" in text and "CARNET-SUR-MON-SUJET" in text, name
        assert "SUJET-JULIETTE" not in text, name
        assert "SUJET-DRAGOS" in text, name
    carnet = json.loads(downloads["logbook_json"])
    notes = {n["text"]: n["subject"] for s in carnet["sessions"] for n in s["notes"]}
    assert notes["CARNET-SUR-SON-SUJET"] is None
    assert notes["CARNET-SUR-MON-SUJET"] == "SUJET-DRAGOS"
    assert "le sujet d’un·e autre membre" in downloads["logbook_markdown"]
    privacy = client.get(reverse("privacy")).content.decode()
    assert "le mot-clé d’un sujet n’y figure que si ce sujet est le vôtre" in privacy


# --- The readable file holds everything the complete one holds --------------------------------


def texts(value, key=None):
    """(key, text) for every text of an exported value, however deep."""
    if isinstance(value, dict):
        for inner_key, item in value.items():
            yield from texts(item, inner_key)
    elif isinstance(value, list):
        for item in value:
            yield from texts(item, key)
    elif isinstance(value, str) and value:
        yield key, value


@pytest.fixture
def rich(exported, history, participants):
    """Every category of Juliette's data filled, each date a different day: a date left out
    of the readable file cannot hide behind another one written the same minute."""
    import datetime

    from sessions_app.models import Feedback, LogbookEntry, Session, Subject

    juliette = participants[0]
    day = iter(range(1, 100))

    def past():
        return timezone.now() - datetime.timedelta(days=next(day) * 3, hours=next(day))

    Membership.objects.filter(user=juliette).update(
        joined_at=past(), charter_accepted_at=past(), removed_at=past()
    )
    Registration.objects.filter(user=juliette).update(created_at=past())
    CommunityMembership.objects.create(
        community=Community.objects.create(name="Guilde Produit"), user=juliette,
        role=CommunityMembership.LEADER, joined_at=past(), removed_at=past(),
    )
    Subject.objects.filter(owner=juliette).update(created_at=past(), urgent=True)
    Action.objects.filter(owner=juliette).update(
        review_on=(timezone.now() + datetime.timedelta(days=40)).date()
    )
    LogbookEntry.objects.filter(author=juliette).update(created_at=past(), updated_at=past())
    LogbookEntry.objects.create(
        author=juliette, group=history.group, session=history,
        subject=Subject.objects.get(owner=juliette), text="CARNET-SUR-MON-SUJET",
    )
    Feedback.objects.create(
        session=history, author=juliette, usefulness=4, keeps="RETENU-JULIETTE", shared=True
    )
    Application.objects.update(created_at=past(), decided_at=past())
    Invitation.objects.update(created_at=past())
    Session.objects.exclude(pk=history.pk).update(scheduled_at=past())
    return juliette


def test_the_readable_file_holds_every_text_of_the_complete_one(client, rich):
    data = client.get(reverse("my_data_json")).json()
    text = client.get(reverse("my_data_markdown")).content.decode()
    for category in ("memberships", "communities", "registrations", "subjects", "contributions",
                     "actions", "logbook", "feedback", "applications", "invitations"):
        assert data[category], category  # the fixture leaves nothing empty
    assert data["applications"][0]["answers"] and data["feedback"][0]["keeps"]
    readable = export.readable(data)  # codes and dates as the reader writes them
    missing = [
        (key, value)
        for key, value in texts(readable)
        # The file's own time: both say it, a few milliseconds apart.
        if key != "exported_at" and value not in text
    ]
    assert missing == []
