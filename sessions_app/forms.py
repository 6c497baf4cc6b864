"""The forms of sessions_app's pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

# --- Logbook ----------------------------------------------------------------------------------


class LogbookForm(forms.Form):
    text = forms.CharField(
        label=_("Nouvelle note"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Apprentissages, ressentis, progrès. Vous seul·e lisez ces notes."),
    )
