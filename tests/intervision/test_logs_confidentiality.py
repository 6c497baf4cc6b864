"""Logs never contain what is said in a session, nor a sign-in or invitation token.

A whole session runs through the views with sentinel strings for every keyword, question,
reaction, exposé and panier note; invitations, applications and sign-in links go through
their pages; everything logged at DEBUG is captured and searched. SQL statement logging
(django.db.backends) is left at its configured level: Django only logs queries when
settings.DEBUG is on, never in production.
"""

import logging
import re

import pytest
from django.core import mail

from participants.models import Membership
from sessions_app.flow import KINDS, State
from sessions_app.models import Session
from tests import pages

LOGGERS = [
    "",
    "django",
    "django.request",
    "django.security",
    "channels",
    "daphne",
    "participants",
    "sessions_app",
    "intervision",
    "axes",
]
TOKEN = re.compile(r"/(?:invite|login/link)/([\w-]{20,})/")


@pytest.fixture
def fresh_render_cache():
    """sessions_app.render caches live HTML by (session id, version): test databases reuse
    ids after a rollback, so a long session here must not leave renderings for the next test."""
    from sessions_app import render

    yield
    render._frames.clear()


@pytest.fixture
def debug_logs(caplog):
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def everything_logged(caplog) -> str:
    parts = []
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        parts.append(record.exc_text or "")
        # record.request (django.request) is an object for handlers such as
        # AdminEmailHandler, none of which is configured: handlers write the message.
    return "\n".join(parts)


class Driver:
    """Plays a session through the views, each command as the person whose turn it is."""

    def __init__(self, client, session, facilitator):
        self.client = client
        self.session = session
        self.facilitator = facilitator
        self.users = {}
        self.said = []
        self.proposed = set()

    def state(self) -> State:
        self.session.refresh_from_db()
        return self.session.flow_state()

    def do(self, user_id, **command):
        self.client.force_login(self.users[user_id])
        response = self.client.post(f"/s/{self.session.pk}/do/", command)
        assert response.status_code == 200, response.content.decode()[:300]

    def sentinel(self, kind, who):
        value = f"SENTINEL{kind}{who}x{len(self.said)}"
        self.said.append(value)
        return value

    def run(self, people):
        self.users = {u.pk: u for u in [self.facilitator, *people]}
        for person in people:
            self.client.force_login(person)
            assert pages.open_page(self.client, self.session).status_code == 200
        fac = self.facilitator.pk
        self.do(fac, type="start")
        for _ in range(500):
            state = self.state()
            if state.stage == "triage":
                who = state.speaker
                if who in self.proposed or len(self.proposed) >= 2:
                    self.do(who, type="pass")
                else:
                    self.proposed.add(who)
                    self.do(who, type="propose", keyword=self.sentinel("kw", who)[:40])
            elif state.stage == "order":
                if not state.open_subjects or state.handled:
                    self.do(fac, type="end")
                else:
                    self.do(fac, type="begin_subject")
            elif state.stage == "subject":
                phase = state.current_phase
                owner = state.current_subject.owner
                if phase.mode == "speech":
                    self.do(owner, type="done", text=self.sentinel("expose", owner))
                elif phase.mode == "round":
                    who = state.speaker
                    if state.round == 1:
                        self.do(who, type="speak", text=self.sentinel(phase.key, who))
                    else:
                        self.do(who, type="pass")
                elif phase.mode == "panier":
                    spoken = [c for c in state.contributions if c.kind in KINDS and c.text]
                    if not any(c.taken for c in spoken):
                        self.do(
                            owner,
                            type="take",
                            n=spoken[0].n,
                            taken="1",
                            note=self.sentinel("note", owner),
                        )
                    else:
                        self.do(owner, type="done")
                else:
                    self.do(fac, type="next_phase")
            else:
                break
        assert self.state().stage == "ended"


def test_a_whole_session_logs_no_keyword_contribution_or_note(
    fresh_render_cache,
    client,
    session,
    facilitator,
    participants,
    debug_logs,
    django_capture_on_commit_callbacks,
):
    driver = Driver(client, session, facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        driver.run(participants)
    kinds = {s[len("SENTINEL") :].rstrip("0123456789x") for s in driver.said}
    assert {"kw", "expose", "clarification", "reaction", "note"} <= {
        k.rstrip("0123456789") for k in kinds
    }
    stored = Session.objects.get(pk=session.pk).contributions.values_list("text", "note")
    assert any("SENTINEL" in text or "SENTINEL" in note for text, note in stored)
    logged = everything_logged(debug_logs)
    assert "SENTINEL" not in logged


def test_a_refused_command_logs_nothing_of_its_text(client, session, participant, debug_logs):
    client.force_login(participant)
    client.get(f"/s/{session.pk}/")
    response = client.post(f"/s/{session.pk}/do/", {"type": "speak", "text": "SENTINELrefused"})
    assert response.status_code == 400
    assert "SENTINEL" not in everything_logged(debug_logs)


def test_invitation_application_and_sign_in_flows_log_no_token(
    client, group, organiser, debug_logs, django_capture_on_commit_callbacks, settings
):
    group.applications_open = True
    group.save()

    def post(url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    client.force_login(organiser)
    post(f"/g/{group.pk}/invitations/", {"emails": "nina@example.org"})
    client.logout()
    answers = {
        f"answer_{i}": f"SENTINELanswer{i}" for i, _ in enumerate(group.eligibility_questions())
    }
    post(
        f"/apply/{group.public_key}/",
        {"name": "SENTINELname", "email": "cam@example.org", **answers},
    )
    invite_token = TOKEN.search(str(mail.outbox[0].body)).group(1)
    client.get(f"/invite/{invite_token}/")
    post(f"/invite/{invite_token}/", {"display_name": "Nina", "accept_charter": "on", **answers})
    post(f"/invite/{invite_token}/", {"accept_charter": "on"})  # used: refused
    client.logout()
    post("/login/", {"email": "nina@example.org"})
    login_token = TOKEN.search(str(mail.outbox[-1].body)).group(1)
    client.get(f"/login/link/{login_token}/")
    post(f"/login/link/{login_token}/")
    post(f"/login/link/{login_token}/")  # used: refused
    post("/login/", {"email": "nina@example.org", "password": "SENTINELpassword"})
    assert Membership.objects.filter(user__email="nina@example.org").exists()
    tokens = {invite_token, login_token}
    tokens |= {m for mail_ in mail.outbox for m in TOKEN.findall(str(mail_.body))}
    logged = everything_logged(debug_logs)
    assert debug_logs.records, "nothing was captured: the test would prove nothing"
    for token in tokens:
        assert token not in logged
    assert "SENTINEL" not in logged


def test_a_failing_mail_server_is_logged_without_the_token(
    client, participant, debug_logs, django_capture_on_commit_callbacks, settings, monkeypatch
):
    def broken(self, fail_silently=False):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/login/", {"email": participant.email})
    assert response.status_code == 302  # the page does not fail
    errors = [r for r in debug_logs.records if r.levelno >= logging.ERROR]
    assert errors and "ConnectionRefusedError" in errors[0].getMessage()
    assert "/login/link/" not in everything_logged(debug_logs)
