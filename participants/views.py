"""Signing in, and the organiser's pages: groups, invitations, applications, members.

Every group page starts from a permission-checked getter: a group the user is not an
active member (or organiser) of is a 404, exactly like one that does not exist.
"""

import logging
import math
import random
import time
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.core import get_usage

from . import emails, lockout, reauth
from .access import get_membership_or_404
from .forms import (
    AcceptInvitationForm,
    ApplicationForm,
    CurrentPasswordChangeForm,
    DecisionForm,
    GroupForm,
    InviteForm,
    RoleForm,
)
from .models import (
    Application,
    Group,
    GroupFull,
    Invitation,
    InvitationUnusable,
    LoginLink,
    Membership,
    User,
    hash_token,
)

log = logging.getLogger(__name__)


class LoginForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Adresse e-mail"))
    password = forms.CharField(
        label=gettext_lazy("Mot de passe (facultatif)"),
        widget=forms.PasswordInput,
        required=False,
    )


def safe_next(request, fallback="home") -> str:
    """The ``next`` address of the request if it stays on this site, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(fallback)


def send_login_link(user, language: str | None = None) -> None:
    """``language``: the one of the page the link was asked from (the person's own, unless
    they chose another for their e-mails)."""
    token = LoginLink.issue(user)
    url = settings.SITE_URL + reverse("login_link", args=[token])
    emails.send(
        "login_link", user, {"url": url, "minutes": settings.LOGIN_LINK_MINUTES}, language=language
    )


def send_login_link_if_known(email: str, language: str) -> None:
    """Look the address up and, if it belongs to an active account, issue a link and mail
    it (after the commit); an unknown address gets nothing."""
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None:
        return
    with translation.override(language), transaction.atomic():
        send_login_link(user, language)


# Seconds the work after a response waits first (random in this range): the answer's last
# bytes leave, and the page the browser then loads is served, without the work competing for
# the interpreter (measured by bench/signin_timing.py).
AFTER_RESPONSE_DELAY = (0.02, 0.1)


class RedirectThenRun(HttpResponseRedirect):
    """A redirect that runs ``work`` once it has been sent.

    Django's handlers call ``close()`` after the response's last byte: the ASGI handler once
    the body has gone to the server, the test client before handing the response back. So
    the work runs outside the time the client can measure, in the request's own thread and
    database connection, before ``request_finished`` releases them. A failure is logged by
    its class only (the work may hold an address or a token) and never reaches the client.
    """

    def __init__(self, redirect_to: str, work: Callable[..., object], *args):
        super().__init__(redirect_to)
        self._work: tuple[Callable[..., object], tuple] | None = (work, args)

    def close(self):
        work, self._work = self._work, None
        if work is not None:
            function, args = work
            time.sleep(random.uniform(*AFTER_RESPONSE_DELAY))
            try:
                function(*args)
            except Exception as exc:  # noqa: BLE001 - the response is already sent
                log.error(
                    "%s after the response failed (%s)",
                    getattr(function, "__name__", "work"),
                    exc.__class__.__name__,
                )
        super().close()


def over_limit(request, group: str, rate: str) -> int | None:
    """Count this request against its client address's allowance for ``group`` (``rate``,
    as in 5/10m); when the allowance is spent, the minutes until it renews, else None.

    The address is REMOTE_ADDR (settings.py says why a client behind Caddy cannot choose it).
    A cache that fails lets the request through, logged: the limit is a brake on abuse, and
    Redis being down must not stop anyone from signing in."""
    try:
        usage = get_usage(request, group=group, key="ip", rate=rate, increment=True)
    except Exception as exc:  # noqa: BLE001 - see above
        log.warning("rate limit not checked: cache unavailable (%s)", exc.__class__.__name__)
        return None
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, math.ceil(usage["time_left"] / 60))


@never_cache
def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        password = form.cleaned_data["password"]
        if password:
            user = authenticate(request, username=email, password=password)
            if user is not None:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect(safe_next(request))
            if getattr(request, "axes_locked_out", False):
                # Our page, not Axes's own answer: the form stays, to ask for a link.
                form.add_error(None, lockout.MESSAGE)
                return lockout.answer(
                    request,
                    render(
                        request,
                        "participants/login.html",
                        {"form": form, "next": request.GET.get("next", "")},
                    ),
                )
            else:
                form.add_error(None, _("Adresse ou mot de passe incorrect."))
        elif minutes := over_limit(request, "login_link", settings.LOGIN_LINK_RATE_LIMIT):
            # Counted per client address, whatever address was typed: the refusal says
            # nothing about it, and the form keeps it.
            form.add_error(
                None,
                _(
                    "Trop de demandes de lien depuis votre connexion : réessayez dans "
                    "%(minutes)s min, ou connectez-vous avec votre mot de passe si vous "
                    "en avez un."
                )
                % {"minutes": minutes},
            )
            return render(
                request,
                "participants/login.html",
                {"form": form, "next": request.GET.get("next", "")},
                status=429,
            )
        else:
            # Same answer, and the same work before it, whether the address is known or
            # not: looking it up, issuing the link and mailing it happen once the answer
            # has been sent, so its timing tells nothing about who has an account.
            messages.info(
                request,
                _("Si cette adresse est connue, un lien de connexion vient d’y être envoyé."),
            )
            return RedirectThenRun(
                reverse("login"), send_login_link_if_known, email, translation.get_language()
            )
    return render(
        request, "participants/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


@never_cache
def login_link(request, token):
    """GET shows a button, POST signs in: a mail scanner opening the link cannot burn it."""
    link = LoginLink.objects.select_related("user").filter(token_sha256=hash_token(token)).first()
    if link is None or not link.is_usable():
        return render(
            # The same answer, status included, for a link that never existed.
            request, "participants/login_link.html", {"invalid": True}, status=410
        )
    if request.method == "POST":
        with transaction.atomic():
            updated = LoginLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
                used_at=timezone.now()
            )
        if not updated:
            return render(request, "participants/login_link.html", {"invalid": True}, status=410)
        request.session.cycle_key()
        login(request, link.user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(safe_next(request))
    return render(
        request,
        "participants/login_link.html",
        {"invalid": False, "link": link, "next": request.GET.get("next", "")},
    )


@require_POST
def logout_view(request):
    # Django's user_logged_out tells the other apps (open live pages close).
    logout(request)
    return redirect("login")


@login_required
@never_cache
def password_view(request):
    """An optional password, beside the e-mailed links.

    A password opens the whole account (it confirms who you are before a download or an
    erasure): choosing one asks for a recent sign-in (``reauth``), changing one asks for
    the current password unless the person signed in within those minutes. Either way an
    e-mail tells them, so that a change they did not make does not go unnoticed."""
    user = request.user
    had_password = user.has_usable_password()
    recent = reauth.recently_signed_in(request)
    if not recent and not had_password:
        return reauth.confirm_first(request)
    data = request.POST if request.method == "POST" else None
    form: SetPasswordForm = (
        SetPasswordForm(user, data)
        if recent
        else CurrentPasswordChangeForm(user, data, request=request)
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            emails.send(
                "password_changed",
                user,
                {"first": not had_password, "login_url": settings.SITE_URL + reverse("login")},
                # Their own doing: the page's language, unless they chose one for e-mails.
                language=translation.get_language(),
            )
        update_session_auth_hash(request, form.user)
        messages.success(request, _("Votre mot de passe est enregistré."))
        return redirect("home")
    page = render(
        request,
        "participants/password.html",
        {
            "form": form,
            "asks_current": not recent,
            "confirm_url": reverse("confirm_identity")
            + "?"
            + urlencode({"next": reverse("password")}),
        },
    )
    if form.has_error("old_password", "locked_out"):
        return lockout.answer(request, page)
    return page


# --- Permission-checked getters -----------------------------------------------------------


def _get_organiser_membership(user, group_pk) -> Membership:
    """The user's active organiser membership of the group, or 404 (never 403: an
    outsider must not learn that the group exists)."""
    membership = get_membership_or_404(user, group_pk)
    if not membership.is_organiser:
        raise Http404
    return membership


# --- Groups -------------------------------------------------------------------------------


@login_required
@never_cache
def group_create(request):
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            group = form.save()
            Membership.objects.create(
                group=group,
                user=request.user,
                role=Membership.ORGANISER,
                charter_accepted_at=timezone.now(),
            )
        messages.success(request, _("Le groupe est créé. Invitez maintenant ses membres."))
        return redirect("group_invitations", pk=group.pk)
    return render(request, "participants/group_form.html", {"form": form, "group": None})


@login_required
@never_cache
def group_edit(request, pk):
    membership = _get_organiser_membership(request.user, pk)
    form = GroupForm(request.POST or None, instance=membership.group)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Les modifications sont enregistrées."))
        return redirect("group_detail", pk=pk)
    return render(
        request, "participants/group_form.html", {"form": form, "group": membership.group}
    )


# --- Members ------------------------------------------------------------------------------


@login_required
@never_cache
def members(request, pk):
    membership = _get_organiser_membership(request.user, pk)
    group = membership.group
    people = list(group.memberships.active().select_related("user").order_by("joined_at", "id"))
    counts = {role: 0 for role, _label in Membership.ROLES}
    for m in people:
        counts[m.role] += 1
    composition = [(label, counts[role]) for role, label in Membership.ROLES]
    return render(
        request,
        "participants/members.html",
        {
            "group": group,
            "membership": membership,
            "people": people,
            "composition": composition,
            "seats_left": max(0, group.capacity - len(people)),
            "roles": Membership.ROLES,
        },
    )


def _get_member(organiser: Membership, member_pk) -> Membership:
    return get_object_or_404(
        Membership.objects.active().select_related("user", "group"),
        pk=member_pk,
        group_id=organiser.group_id,
    )


@login_required
@require_POST
def member_role(request, pk, member_pk):
    organiser = _get_organiser_membership(request.user, pk)
    member = _get_member(organiser, member_pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Rôle inconnu."))
    elif member.is_last_organiser() and form.cleaned_data["role"] != Membership.ORGANISER:
        messages.error(
            request,
            _("Le groupe doit garder au moins un organisateur : nommez-en un autre d’abord."),
        )
    else:
        member.role = form.cleaned_data["role"]
        member.save(update_fields=["role"])
        messages.success(
            request,
            _("%(name)s est maintenant %(role)s.")
            % {"name": member.user.name, "role": member.get_role_display()},
        )
    return redirect("group_members", pk=pk)


@login_required
@never_cache
def member_remove(request, pk, member_pk):
    """GET asks for confirmation, POST removes."""
    organiser = _get_organiser_membership(request.user, pk)
    member = _get_member(organiser, member_pk)
    if member.is_last_organiser():
        messages.error(
            request,
            _("Le groupe doit garder au moins un organisateur : nommez-en un autre d’abord."),
        )
        return redirect("group_members", pk=pk)
    if request.method == "POST":
        with transaction.atomic():
            member.remove()
        messages.success(
            request,
            _("%(name)s ne fait plus partie du groupe ; ses pages ouvertes sont déconnectées.")
            % {"name": member.user.name},
        )
        if member.user_id == request.user.pk:
            return redirect("home")
        return redirect("group_members", pk=pk)
    return render(
        request, "participants/member_remove.html", {"group": organiser.group, "member": member}
    )


# --- Invitations --------------------------------------------------------------------------


def send_invitation(group, email, invited_by=None, application=None) -> Invitation:
    invitation, token = Invitation.issue(group, email, invited_by, application)
    emails.send(
        "invitation",
        invitation.email,  # in their language if they have an account, else the inviter's
        {
            "group": group.name,
            "inviter": invited_by.name if invited_by else "",
            "url": settings.SITE_URL + reverse("invitation", args=[token]),
            "days": settings.INVITATION_DAYS,
            "privacy_url": settings.SITE_URL + reverse("privacy"),
        },
        language=application.language if application else None,
    )
    return invitation


@login_required
@never_cache
def invitations(request, pk):
    organiser = _get_organiser_membership(request.user, pk)
    group = organiser.group
    seats_left = group.seats_left()
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        emails_list = form.cleaned_data["emails"]
        members = set(
            group.memberships.active()
            .filter(user__email__in=emails_list)
            .values_list("user__email", flat=True)
        )
        fresh = [e for e in emails_list if e not in members]
        if not fresh:
            form.add_error("emails", _("Ces personnes font déjà partie du groupe."))
        elif seats_left == 0:
            form.add_error(
                None,
                _(
                    "Le groupe est complet : augmentez sa capacité "
                    "ou retirez un membre avant d’inviter."
                ),
            )
        else:
            with transaction.atomic():
                for email in fresh:
                    send_invitation(group, email, request.user)
            messages.success(
                request,
                ngettext(
                    "Invitation envoyée.",
                    "%(n)s invitations envoyées, une par personne.",
                    len(fresh),
                )
                % {"n": len(fresh)},
            )
            if members:
                messages.info(
                    request,
                    _("Déjà membres, non invités : %(list)s")
                    % {"list": ", ".join(sorted(members))},
                )
            return redirect("group_invitations", pk=pk)
    sent = list(group.invitations.select_related("invited_by")[:100])
    return render(
        request,
        "participants/invitations.html",
        {"group": group, "form": form, "invitations": sent, "seats_left": seats_left},
    )


@login_required
@require_POST
def invitation_revoke(request, pk, invitation_pk):
    organiser = _get_organiser_membership(request.user, pk)
    updated = Invitation.objects.filter(
        pk=invitation_pk, group_id=organiser.group_id, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if updated:
        messages.success(request, _("Invitation révoquée : le lien ne fonctionne plus."))
    else:
        messages.error(request, _("Cette invitation n’est plus en attente."))
    return redirect("group_invitations", pk=pk)


INVALID_INVITATION = {
    "unknown": (
        404,
        gettext_lazy("Ce lien d’invitation n’existe pas. Vérifiez qu’il a été copié en entier."),
    ),
    "used": (
        410,
        gettext_lazy(
            "Ce lien d’invitation a déjà servi : il ne fonctionne qu’une fois. "
            "Si c’était vous, connectez-vous."
        ),
    ),
    "revoked": (
        410,
        gettext_lazy("Cette invitation a été annulée par les organisateurs du groupe."),
    ),
    "expired": (
        410,
        gettext_lazy(
            "Cette invitation a expiré. Demandez-en une nouvelle aux organisateurs du groupe."
        ),
    ),
}


@never_cache
def invitation(request, token):
    """GET shows the invitation, POST accepts it: a mail scanner opening the link cannot burn it."""
    invitation = Invitation.find(token)
    status = invitation.status if invitation else "unknown"
    if status != "pending":
        code, message = INVALID_INVITATION[status]
        return render(
            request, "participants/invitation_invalid.html", {"message": message}, status=code
        )
    group = invitation.group
    if request.user.is_authenticated and request.user.email != invitation.email:
        return render(request, "participants/invitation_foreign.html", {}, status=403)
    existing = User.objects.filter(email=invitation.email).first()
    if existing is not None and not existing.is_active:
        code, message = INVALID_INVITATION["unknown"]
        return render(
            request, "participants/invitation_invalid.html", {"message": message}, status=code
        )
    if existing and Membership.objects.active().filter(group=group, user=existing).exists():
        return render(request, "participants/invitation_member.html", {"group": group})
    questions = [] if invitation.application_id else group.eligibility_questions()
    form = AcceptInvitationForm(
        request.POST or None,
        questions=questions,
        new_account=existing is None,
        email=invitation.email,
    )
    full = group.seats_left() == 0
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation.accept(
                display_name=form.cleaned_data.get("display_name", ""),
                password=form.cleaned_data.get("password", ""),
                answers=form.answers(),
            )
        except GroupFull:
            full = True
        except InvitationUnusable as exc:
            code, message = INVALID_INVITATION[exc.status]
            return render(
                request, "participants/invitation_invalid.html", {"message": message}, status=code
            )
        else:
            if not user.is_active:
                raise Http404
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Bienvenue dans le groupe « %(group)s » !") % {"group": group.name}
            )
            return redirect("group_detail", pk=group.pk)
    return render(
        request,
        "participants/invitation.html",
        {"invitation": invitation, "group": group, "form": form, "full": full},
        status=409 if full and request.method == "POST" else 200,
    )


# --- Applications -------------------------------------------------------------------------


APPLICATIONS_PER_HOUR = 20


def _applications_flooded(group) -> bool:
    since = timezone.now() - timedelta(hours=1)
    return group.applications.filter(created_at__gte=since).count() >= APPLICATIONS_PER_HOUR


@never_cache
def apply(request, key):
    """The group's public page: what it is and its questions; nothing about members or sessions."""
    group = get_object_or_404(Group, public_key=key)
    if not group.applications_open:
        return render(request, "participants/apply_closed.html", {"group": group}, status=410)
    full = group.seats_left() == 0
    if full and not group.applications_when_full:
        return render(request, "participants/apply_closed.html", {"group": group, "full": True})
    form = ApplicationForm(request.POST or None, questions=group.eligibility_questions())
    valid = request.method == "POST" and form.is_valid()
    minutes = over_limit(request, "apply", settings.APPLICATION_RATE_LIMIT) if valid else None
    if minutes:
        # Per client address, across groups; what was typed stays in the form.
        form.add_error(
            None,
            _(
                "Trop de candidatures envoyées depuis votre connexion : réessayez dans "
                "%(minutes)s min. Vos réponses sont conservées ci-dessous."
            )
            % {"minutes": minutes},
        )
        return render(
            request,
            "participants/apply.html",
            {"group": group, "form": form, "full": full},
            status=429,
        )
    if valid and _applications_flooded(group):
        # The page sends e-mails to the address typed in: a bounded number per hour.
        form.add_error(
            None, _("Beaucoup de candidatures arrivent en ce moment : réessayez dans une heure.")
        )
    elif valid:
        email = form.cleaned_data["email"]
        with transaction.atomic():
            pending = group.applications.filter(email=email, status=Application.PENDING).exists()
            already = group.memberships.active().filter(user__email=email).exists()
            if not pending and not already:
                application = Application.objects.create(
                    group=group,
                    name=form.cleaned_data["name"],
                    email=email,
                    answers=form.answers(),
                    language=translation.get_language() or "",
                )
                emails.send(
                    "application_received",
                    email,
                    {"group": group.name, "name": application.name},
                    language=application.language,
                )
                url = settings.SITE_URL + reverse(
                    "group_application", args=[group.pk, application.pk]
                )
                organisers = (
                    group.memberships.active()
                    .filter(role=Membership.ORGANISER)
                    .select_related("user")
                )
                for m in organisers:
                    emails.send("application_new", m.user, {"group": group.name, "url": url})
        # The same answer whatever happened: the page reveals nothing about who is a member.
        return render(request, "participants/apply_done.html", {"group": group})
    return render(request, "participants/apply.html", {"group": group, "form": form, "full": full})


@login_required
@never_cache
def applications(request, pk):
    organiser = _get_organiser_membership(request.user, pk)
    group = organiser.group
    items = list(group.applications.select_related("decided_by")[:200])
    return render(
        request,
        "participants/applications.html",
        {
            "group": group,
            "pending": [a for a in items if a.status == Application.PENDING],
            "decided": [a for a in items if a.status != Application.PENDING],
            "public_url": settings.SITE_URL + reverse("apply", args=[group.public_key]),
            "seats_left": group.seats_left(),
        },
    )


@login_required
@never_cache
def application_detail(request, pk, application_pk):
    organiser = _get_organiser_membership(request.user, pk)
    group = organiser.group
    application = get_object_or_404(Application, pk=application_pk, group=group)
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if application.status != Application.PENDING:
            messages.error(request, _("Cette candidature a déjà été traitée."))
            return redirect("group_applications", pk=pk)
        if form.is_valid():
            decision = form.cleaned_data["decision"]
            if decision == Application.APPROVED and group.seats_left() == 0:
                form.add_error(
                    None,
                    _(
                        "Le groupe est complet : augmentez sa capacité "
                        "ou retirez un membre avant d’accepter."
                    ),
                )
            else:
                with transaction.atomic():
                    updated = Application.objects.filter(
                        pk=application.pk, status=Application.PENDING
                    ).update(
                        status=decision,
                        reason=form.cleaned_data["reason"],
                        decided_by=request.user,
                        decided_at=timezone.now(),
                    )
                    if updated and decision == Application.APPROVED:
                        send_invitation(group, application.email, request.user, application)
                    elif updated:
                        emails.send(
                            "application_rejected",
                            application.email,
                            {"group": group.name, "name": application.name},
                            language=application.language or None,
                        )
                if decision == Application.APPROVED:
                    messages.success(
                        request,
                        _(
                            "Candidature acceptée : "
                            "une invitation personnelle est partie par e-mail."
                        ),
                    )
                else:
                    messages.success(
                        request, _("Candidature refusée : un message neutre a été envoyé.")
                    )
                return redirect("group_applications", pk=pk)
    return render(
        request,
        "participants/application_detail.html",
        {"group": group, "application": application, "form": form},
    )
