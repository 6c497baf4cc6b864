from django import forms
from django.utils.translation import gettext_lazy as _

from sessions_app.models import Feedback


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ["usefulness", "keeps", "shared"]
        widgets = {
            "usefulness": forms.RadioSelect,
            "keeps": forms.Textarea(attrs={"rows": 3, "maxlength": Feedback.KEEPS_MAX}),
        }
        help_texts = {
            "keeps": _("Pour vous seul·e, sauf si vous cochez la case ci-dessous."),
            "shared": _(
                "La phrase apparaît dans le bilan du groupe, sans votre nom ni la date, "
                "une fois qu’au moins trois personnes ont donné leur retour."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The score is required: no « --------- » choice, and none made until the person
        # makes one.
        field = self.fields["usefulness"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = Feedback.USEFULNESS

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("shared") and not (cleaned.get("keeps") or "").strip():
            self.add_error("shared", _("Écrivez d’abord ce que vous retenez pour le partager."))
        return cleaned
