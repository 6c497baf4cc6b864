"""Applications: the group's public page where anyone may apply, and the organisers' pages
that list them and decide."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from ..access import get_organiser_membership_or_404
from ..actions import do_apply, do_decide_application
from ..forms import ApplicationForm, DecisionForm
from ..http import AuthenticatedHttpRequest
from ..models import Application, Group
from ..signin import over_limit

APPLICATIONS_PER_HOUR = 20


def _applications_flooded(group: Group) -> bool:
    since = timezone.now() - timedelta(hours=1)
    return group.applications.filter(created_at__gte=since).count() >= APPLICATIONS_PER_HOUR


@never_cache
def apply(request: HttpRequest, key: str) -> HttpResponse:
    """The group's public page: what it is and its questions; nothing about members or sessions."""
    group = get_object_or_404(Group, public_key=key)
    if not group.applications_open or group.is_closed:
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
        do_apply(
            group,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            answers=form.answers(),
            language=translation.get_language() or "",
        )
        # The same answer whatever happened: the page reveals nothing about who is a member.
        return render(request, "participants/apply_done.html", {"group": group})
    return render(request, "participants/apply.html", {"group": group, "form": form, "full": full})


@login_required
@never_cache
def applications(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organiser = get_organiser_membership_or_404(request.user, pk)
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
def application_detail(
    request: AuthenticatedHttpRequest, pk: int, application_pk: int
) -> HttpResponse:
    organiser = get_organiser_membership_or_404(request.user, pk)
    group = organiser.group
    application = get_object_or_404(
        Application.objects.select_related("group"), pk=application_pk, group=group
    )
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
                do_decide_application(
                    application,
                    decision,
                    reason=form.cleaned_data["reason"],
                    decided_by=request.user,
                    now=timezone.now(),
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
