#!/usr/bin/env python3
"""Write locale/fr/LC_MESSAGES/django.po (and its .mo): the app's plural strings, in French.

French is the source language, so it has no catalogue of its own, and gettext then picks
the plural for every count but 1: « 0 jours ». French says « 0 jour »: with its plural rule
(n > 1) in a catalogue that holds each plural string as itself, 0 and 1 take the singular.
The plural strings are read from the English catalogue; tests/intervision/test_typography.py
fails when one is missing here.

    python3 scripts/french_plurals.py
"""

import ast
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"

HEADER = """\
# The app's plural strings in French, as themselves, for French's plural rule (n > 1).
# Written by scripts/french_plurals.py: do not edit by hand.
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: fr\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"
"""


def po_plurals(path: Path = ENGLISH) -> list[tuple[str, str]]:
    """(msgid, msgid_plural) of the plural entries of a .po file, obsolete ones left out."""
    found = []
    current: dict = {}
    field = ""
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if current.get("msgid") and "msgid_plural" in current:
                found.append((current["msgid"], current["msgid_plural"]))
            current, field = {}, ""
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgid ", "msgid_plural ", "msgstr")):
            key, _, value = line.partition(" ")
            field = key
            current[field] = ast.literal_eval(value)
        elif line.startswith('"') and field:
            current[field] += ast.literal_eval(line)
    return found


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main() -> None:
    out = ROOT / "locale" / "fr" / "LC_MESSAGES"
    out.mkdir(parents=True, exist_ok=True)
    blocks = [HEADER]
    for singular, plural in po_plurals():
        blocks.append(
            f"msgid {quote(singular)}\nmsgid_plural {quote(plural)}\n"
            f"msgstr[0] {quote(singular)}\nmsgstr[1] {quote(plural)}\n"
        )
    (out / "django.po").write_text("\n".join(blocks), encoding="utf-8")
    subprocess.run(["msgfmt", "-o", str(out / "django.mo"), str(out / "django.po")], check=True)


if __name__ == "__main__":
    main()
