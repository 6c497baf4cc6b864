"""Punctuation that differs between French and English, for text the templates put around
names and words of the group (a keyword, a contribution), outside any translated sentence.

French sets « guillemets » and a colon after a no-break space (« Sofia · question : … »);
English “quotation marks” and a colon right after the word (“Sofia · question: …”). One
page never mixes the two.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()

NBSP = "\u00a0"


def _french() -> bool:
    return (get_language() or "fr").split("-")[0] == "fr"


@register.filter(is_safe=True)
def quoted(value) -> SafeString:
    """``value`` between the language's quotation marks, escaped."""
    if _french():
        return format_html("«{}{}{}»", NBSP, value, NBSP)
    return format_html("“{}”", value)


@register.simple_tag
def colon() -> str:
    """The colon that introduces what follows, with the space French puts before it."""
    return f"{NBSP}:" if _french() else ":"



VOWELS = set("aeiouyàâäéèêëîïôöùûüœæ")


@register.filter
def de(name) -> str:
    """« de Paul », « d’Amina » in French, for a sentence translated with ``{{ of }}`` where
    French says « de » before the name; the name alone in English (“Amina’s role”)."""
    name = str(name)
    if not _french():
        return name
    return f"d’{name}" if name[:1].lower() in VOWELS else f"de {name}"


@register.filter
def que(name) -> str:
    """« que Paul », « qu’Amina » in French (``{{ what }}`` in the sentence); the name alone
    in English."""
    name = str(name)
    if not _french():
        return name
    return f"qu’{name}" if name[:1].lower() in VOWELS else f"que {name}"
