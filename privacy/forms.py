"""The forms of the privacy pages: confirming who you are, erasing an account, an
organiser's erasure of a member's content."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("Mot de passe"), widget=forms.PasswordInput)


class EraseForm(forms.Form):
    confirm = forms.CharField(
        label=gettext_lazy("Tapez votre adresse e-mail pour confirmer"), max_length=254
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_confirm(self):
        typed = self.cleaned_data["confirm"].strip().lower()
        if typed != self.email.lower():
            raise forms.ValidationError(
                _("Ce n’est pas l’adresse de votre compte : rien n’a été effacé.")
            )
        return typed


class EraseMemberForm(forms.Form):
    remove = forms.BooleanField(
        label=gettext_lazy("Retirer aussi cette personne du groupe"), required=False
    )
