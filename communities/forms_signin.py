"""The form of a community's company sign-in, for its leaders."""

from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator
from django.utils.translation import gettext_lazy as _

from participants.models import Community, CommunityMembership

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# Addresses anyone can open: no company vouches for them, and claiming one would send
# every person of that provider to one community's sign-in.
PUBLIC_MAILBOXES = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "outlook.fr",
        "hotmail.com",
        "hotmail.fr",
        "live.com",
        "live.fr",
        "msn.com",
        "yahoo.com",
        "yahoo.fr",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "gmx.com",
        "gmx.fr",
        "gmx.de",
        "proton.me",
        "protonmail.com",
        "orange.fr",
        "wanadoo.fr",
        "free.fr",
        "sfr.fr",
        "laposte.net",
        "neuf.fr",
        "bbox.fr",
        "numericable.fr",
        "yandex.com",
        "mail.com",
    }
)


class CompanySignInForm(forms.ModelForm):
    oidc_secret = forms.CharField(
        label=_("secret client"),
        required=False,
        max_length=255,
        # Write-only: never sent back to the page.
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Laissé vide, le secret enregistré est gardé."),
    )

    class Meta:
        model = Community
        fields = ["oidc_issuer", "oidc_client_id", "oidc_secret", "email_domains"]
        widgets = {"email_domains": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "oidc_issuer": _(
                "L’adresse exacte que le service de connexion de votre entreprise donne comme "
                "« issuer », par exemple « https://login.exemple.fr/realms/exemple »."
            ),
        }

    def clean_oidc_issuer(self) -> str:
        issuer = (self.cleaned_data.get("oidc_issuer") or "").strip()
        if not issuer:
            return ""
        parts = urlsplit(issuer)
        if parts.query or parts.fragment:
            raise ValidationError(_("L’émetteur est une adresse sans « ? » ni « # »."))
        # Over plain HTTP anyone on the way could answer in the provider's name.
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
            raise ValidationError(_("L’émetteur doit être une adresse en https://."))
        return issuer

    def clean_oidc_client_id(self) -> str:
        return (self.cleaned_data.get("oidc_client_id") or "").strip()

    def clean_oidc_secret(self) -> str:
        return self.cleaned_data.get("oidc_secret") or self.instance.oidc_secret

    def clean_email_domains(self) -> str:
        domains: list[str] = []
        errors = []
        check = DomainNameValidator(accept_idna=False)
        for line in (self.cleaned_data.get("email_domains") or "").splitlines():
            domain = line.strip().lstrip("@").rstrip(".").lower()
            if not domain or domain in domains:
                continue
            try:
                check(domain)
            except ValidationError:
                errors.append(
                    _("« %(domain)s » n’est pas un domaine, comme « exemple.fr ».")
                    % {"domain": domain}
                )
                continue
            if domain in PUBLIC_MAILBOXES:
                errors.append(
                    _(
                        "« %(domain)s » est une messagerie ouverte à tous, pas celle "
                        "d’une entreprise."
                    )
                    % {"domain": domain}
                )
            elif any(c.pk != self.instance.pk for c in Community.objects.claiming(domain)):
                errors.append(
                    _("« %(domain)s » est déjà le domaine d’une autre communauté.")
                    % {"domain": domain}
                )
            elif domain not in self._leaders_domains():
                errors.append(
                    _(
                        "« %(domain)s » n’est le domaine de l’adresse d’aucun·e "
                        "responsable de la communauté : l’adresse d’un·e responsable montre "
                        "que ce domaine est bien celui de votre entreprise."
                    )
                    % {"domain": domain}
                )
            domains.append(domain)
        if errors:
            raise ValidationError(errors)
        return "\n".join(domains)

    def _leaders_domains(self) -> set[str]:
        """The domains of the addresses of the community's leaders who have signed in.
        Whoever sets a domain here lets the provider speak for everyone at it: the address
        of a leader who signed in — by a link mailed to it, or their company's sign-in —
        shows the domain is their company's. A leader named by address who never signed
        in proves nothing yet."""
        emails = (
            CommunityMembership.objects.active()
            .filter(
                community=self.instance,
                role=CommunityMembership.LEADER,
                user__is_active=True,
                user__last_login__isnull=False,
            )
            .values_list("user__email", flat=True)
        )
        return {email.rpartition("@")[2].lower() for email in emails}

    def clean(self) -> dict:
        data = super().clean() or {}
        keys = ("oidc_issuer", "oidc_client_id", "email_domains")
        given = [key for key in keys if data.get(key)]
        if not given and not self.errors:
            # Everything emptied: the company sign-in is off, its secret forgotten.
            data["oidc_secret"] = ""
        elif given:
            for key in keys:
                if key not in given and key not in self.errors:
                    self.add_error(key, _("Nécessaire pour la connexion de l’entreprise."))
        return data
