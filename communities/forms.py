"""The forms of the community level: the community itself, a group created in it, the
people a leader names or removes, and a member's request to join a group."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from participants.forms import EligibilityMixin, GroupForm
from participants.models import Community

MAX_ORGANISERS = 3


class CommunityForm(forms.ModelForm):
    class Meta:
        model = Community
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "description": _(
                "Ce que les membres lisent sur la page de la communauté avant de choisir un groupe."
            )
        }


class CommunityGroupForm(GroupForm):
    """A group of the community, with the addresses of its first organisers."""

    organisers = forms.CharField(
        label=_("Ses organisateurs (adresses e-mail)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Une adresse par ligne, trois au plus. Chaque personne reçoit un e-mail ; "
            "vous ne prenez pas de place dans le groupe."
        ),
    )

    def clean_organisers(self) -> list[str]:
        lines = [line.strip().lower() for line in self.cleaned_data["organisers"].splitlines()]
        addresses = list(dict.fromkeys(line for line in lines if line))
        if not addresses:
            raise ValidationError(_("Donnez au moins une adresse."))
        if len(addresses) > MAX_ORGANISERS:
            raise ValidationError(_("Trois organisateurs au plus pour commencer."))
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                raise ValidationError(
                    _("« %(address)s » n’est pas une adresse e-mail valide."),
                    params={"address": address},
                ) from None
        return addresses

    def clean(self):
        cleaned = super().clean()
        addresses = cleaned.get("organisers") or []
        capacity = cleaned.get("capacity")
        if capacity and len(addresses) > capacity:
            self.add_error("organisers", _("Plus d’organisateurs que de places dans le groupe."))
        return cleaned


class PersonForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"))

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class JoinForm(EligibilityMixin, forms.Form):
    """A member of the community asks to join one of its groups: the group's eligibility
    questions; their address is their account's."""

    name = forms.CharField(label=_("Votre nom"), max_length=80)

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_questions(list(questions))
