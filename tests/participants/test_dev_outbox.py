"""In development, e-mails are readable: one line per e-mail on the console, and the whole
e-mail on a development-only page (the outbox), which is a 404 with DEBUG off."""

import pytest
from django.core import mail
from django.core.mail import EmailMessage


@pytest.fixture
def outbox(settings, tmp_path):
    settings.EMAIL_BACKEND = "participants.devmail.OutboxBackend"
    settings.DEV_OUTBOX_DIR = tmp_path
    return tmp_path


def reminder():
    return EmailMessage(
        subject="Rappel\u00a0: «\u00a0Séance de mars\u00a0», le 7 décembre",
        body="Bonjour,\n\nLa séance commence bientôt.\n",
        to=["juliette@example.org"],
        attachments=[("seance-1.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")],
    )


def test_in_development_the_console_shows_one_line_per_e_mail(outbox, capsys):
    with mail.get_connection() as connection:
        connection.send_messages([reminder()])
    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == 1
    assert printed[0].startswith(
        "À\u00a0: juliette@example.org — Objet\u00a0: Rappel\u00a0: «\u00a0Séance de mars\u00a0»"
    )
    assert "/dev/outbox/" in printed[0]
    assert "Content-Type" not in printed[0] and "=?utf-8?" not in printed[0]
    assert len(list(outbox.glob("*.eml"))) == 1


def test_the_outbox_page_shows_each_whole_e_mail_in_development_only(client, outbox, settings):
    with mail.get_connection() as connection:
        connection.send_messages([reminder()])
    settings.DEBUG = True
    listing = client.get("/dev/outbox/").content.decode()
    assert "juliette@example.org" in listing and "Séance de mars" in listing
    [name] = [p.stem for p in outbox.glob("*.eml")]
    page = client.get(f"/dev/outbox/{name}/").content.decode()
    assert "La séance commence bientôt." in page
    assert "seance-1.ics" in page and "BEGIN:VCALENDAR" in page
    settings.DEBUG = False
    assert client.get("/dev/outbox/").status_code == 404
    assert client.get(f"/dev/outbox/{name}/").status_code == 404


def test_a_name_outside_the_outbox_is_not_found(client, outbox, settings):
    settings.DEBUG = True
    (outbox.parent / "secret.eml").write_text("Subject: x\n\nsecret\n")
    assert client.get("/dev/outbox/..%2Fsecret/").status_code == 404
    assert client.get("/dev/outbox/nothing/").status_code == 404


def test_development_uses_the_outbox_and_production_never_does():
    from tests.intervision.test_settings import PRODUCTION, manage

    code = "from django.conf import settings as s; print(s.EMAIL_BACKEND)"
    development = manage("shell", "--no-imports", "-c", code, DEBUG="1")
    assert development.stdout.strip() == "participants.devmail.OutboxBackend"
    production = manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert production.stdout.strip() == PRODUCTION["EMAIL_BACKEND"]
