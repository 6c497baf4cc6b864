"""Every French string the interface can show is in the catalogue, translated, and set
with French typography: a non-breaking space before « : ; ? ! » and inside « ».

The strings are read from the sources themselves — the gettext calls of the Python modules
and the translate tags of the templates, as ``makemessages`` reads them — so a string added
without running ``makemessages`` and translating it fails here, not in front of a user.
"""

import ast
import re
from pathlib import Path

from django.utils.translation.template import templatize

from .test_i18n import po_entries

ROOT = Path(__file__).resolve().parents[2]
APPS = ("intervision", "participants", "sessions_app", "privacy", "insights", "communities")
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext"}
# A space (not a non-breaking one) after a word and before : ; ? !, inside « », or a
# straight apostrophe in a French elision (l', d', qu'…: the typographic ’ is used).
BROKEN = re.compile(
    r"(?<=\w) (?=[:;?!](?:\s|$))|« | »"
    r"|(?<![A-Za-zÀ-ÿ])(?i:[ldnjscmt]|qu|jusqu|lorsqu|puisqu|quelqu|aujourd)'"
    r"(?=(?i:[aeiouyhàâéèêîôûœ]))"
)
# ``templatize`` turns each translate tag into a gettext call of its own.
TEMPLATE_CALL = re.compile(r"\b(?:n?gettext|pgettext)\(\s*u?'((?:[^'\\]|\\.)*)'")


def python_strings():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in GETTEXT
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    yield path.relative_to(ROOT), node.args[0].value


def template_strings():
    for path in (ROOT / "templates").rglob("*"):
        if path.suffix not in (".html", ".txt", ".md"):
            continue
        source = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        for match in TEMPLATE_CALL.finditer(source):
            yield path.relative_to(ROOT), ast.literal_eval(f"'{match.group(1)}'")


def shown_strings():
    return [*python_strings(), *template_strings()]


def test_the_sources_are_read():
    strings = shown_strings()
    assert len(strings) > 400
    assert any(text == "Aller au contenu" for _path, text in strings)  # a template's
    assert any(text == "Action inconnue." for _path, text in strings)  # a module's


def test_every_string_shown_is_in_the_catalogue_with_its_english():
    catalogue = {msgid: all(strs) for msgid, strs in po_entries()}
    missing = sorted(
        {f"{path}: {text!r}" for path, text in shown_strings() if not catalogue.get(text)}
    )
    assert missing == [], "run makemessages and translate:\n" + "\n".join(missing)


def test_french_strings_use_non_breaking_spaces():
    broken = sorted(
        {f"{path}: {text!r}" for path, text in shown_strings() if BROKEN.search(text)}
    )
    assert broken == [], (
        "use U+00A0 before : ; ? ! and inside « », and ’ in elisions:\n" + "\n".join(broken)
    )


def test_english_strings_do_not_carry_french_spacing():
    english = [s for _msgid, strs in po_entries() for s in strs]
    assert [s for s in english if re.search("\u00a0[:;?!]", s)] == []


# « de » (or « que », « le »…) right before a person's name, in a French string: « Rôle de
# Amina ». Names go through the ``de`` filter (sessions_app/templatetags/words.py), which
# writes « d’Amina » and « de Paul », and the sentence holds ``{{ of }}``.
BEFORE_A_NAME = re.compile(
    r"\b(?i:de|que|le|la|jusque|lorsque|puisque) (?:%\(\w*name\w*\)s|\{\{ ?\w*name\w* ?\}\})"
)


def test_french_strings_elide_before_a_name():
    found = sorted(
        {f"{path}: {text!r}" for path, text in shown_strings() if BEFORE_A_NAME.search(text)}
    )
    assert found == [], "write « Rôle {{ of }} » with of=name|de, not « de {{ name }} »:\n" + (
        "\n".join(found)
    )


def test_the_elision_filter():
    from django.utils import translation

    from sessions_app.templatetags.words import de

    with translation.override("fr"):
        assert [de(n) for n in ("Amina", "Élodie", "Ugo", "Paul", "Hélène")] == [
            "d’Amina", "d’Élodie", "d’Ugo", "de Paul", "de Hélène"
        ]
    with translation.override("en"):
        assert de("Amina") == "Amina"


def test_english_strings_use_english_punctuation():
    """No space before a colon, a semicolon, a question or an exclamation mark, no French
    guillemets (“ ” in English), no French words left in (« porteur »)."""
    english = [s for _msgid, strs in po_entries() for s in strs]
    spaced = [s for s in english if re.search(r"[\w\)”\"] [:;?!](?:\s|$)", s)]
    guillemets = [s for s in english if "«" in s or "»" in s]
    assert spaced == [] and guillemets == [], spaced + guillemets


def test_english_never_calls_a_turn_of_someone_or_a_shared_experience_lived():
    """Words an English reader trips on: “Turn of Sofia”, “live the same thing”."""
    english = [s for _msgid, strs in po_entries() for s in strs]
    assert [s for s in english if re.search(r"\bTurn of\b|\blive the same thing", s)] == []


def english_plurals() -> list[tuple[str, str]]:
    """(singular, plural) of every plural string of the catalogue."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "french_plurals", ROOT / "scripts" / "french_plurals.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.po_plurals()


def test_french_says_0_and_1_in_the_singular():
    """« 0 jour », « 1 jour », « 2 jours » (French's rule, n > 1), “0 days” in English: the
    French catalogue (scripts/french_plurals.py) holds every plural string of the app."""
    from django.utils import translation

    plurals = english_plurals()
    assert len(plurals) > 20
    wrong = []
    with translation.override("fr"):
        for singular, plural in plurals:
            said = [translation.ngettext(singular, plural, n) for n in (0, 1, 2)]
            if said != [singular, singular, plural]:
                wrong.append(singular)
    assert wrong == [], "run scripts/french_plurals.py:\n" + "\n".join(wrong)
    with translation.override("en"):
        assert translation.ngettext("%(days)s jour", "%(days)s jours", 0) == "%(days)s days"
