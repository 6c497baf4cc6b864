"""French by default, English complete: every string of the catalogue is translated."""

import ast
import gettext
from pathlib import Path

import pytest

from sessions_app import live
from tests import pages

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def po_entries():
    """(msgid, [msgstr…]) pairs of the .po file, header excluded."""
    entries: list[dict] = []
    current: dict | None = None
    field = ""
    for raw in PO.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line or line.startswith("#"):
            if current and current.get("msgid"):
                entries.append(current)
            if not line:
                current, field = None, ""
            continue
        if line.startswith(("msgid ", "msgid_plural ", "msgstr")):
            key, _, value = line.partition(" ")
            current = current or {}
            field = key
            current[field] = ast.literal_eval(value)
        elif line.startswith('"') and current is not None:
            current[field] += ast.literal_eval(line)
    return [(e["msgid"], [v for k, v in e.items() if k.startswith("msgstr")]) for e in entries]


def test_every_string_of_the_catalogue_has_an_english_translation():
    untranslated = [msgid for msgid, strs in po_entries() if not all(strs)]
    assert untranslated == []
    assert len(po_entries()) > 300


def test_the_compiled_catalogue_matches_the_source():
    with MO.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    stale = [
        msgid
        for msgid, strs in po_entries()
        if len(strs) == 1 and catalogue.gettext(msgid) != strs[0]
    ]
    assert stale == []


@pytest.mark.django_db
def test_the_session_page_is_french_by_default_even_for_an_english_browser(
    client, session, participant
):
    client.force_login(participant)
    page = client.get(f"/s/{session.pk}/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="fr">' in page
    assert "Gardez cette page ouverte" in page


@pytest.mark.django_db
def test_the_session_page_is_english_once_chosen(client, session, facilitator, participants):
    client.force_login(participants[0])
    pages.open_page(client, session)  # seated on arrival
    live.apply(session.pk, facilitator, {"type": "start"}, None)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/s/{session.pk}/").content.decode()
    assert '<html lang="en">' in page
    assert "Keyword round" in page
    assert "Your keyword (one per round)" in page
    assert "Tour de mots-clés" not in page
