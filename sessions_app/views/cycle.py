"""Between sessions: « Ce que j'emporte » (``cycle.takeaway``) and the action plans that live
on. The owner follows each action up until the next session: status, note, review date;
each change, and each report at a session's report back, is kept in the action's history.

A session the user is not an active member of is a 404; an action is its owner's alone.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from participants.http import AuthenticatedHttpRequest

from ..actions.cycle import do_follow_up
from ..cycle import takeaway
from ..forms import ActionForm
from ..models import Action, Feedback, Session


@login_required
@never_cache
@require_GET
def session_takeaway(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """« Ce que j'emporte »: the session's harvest, for the person asking."""
    session = Session.objects.get_for_member_or_404(request.user, pk)
    harvest = takeaway(session, request.user)
    return render(
        request,
        "sessions_app/cycle/takeaway.html",
        {
            "session": session,
            "ended": session.stage == "ended",
            "was_there": session.was_at_table(request.user.pk),
            "handled": harvest.handled,
            "mine": harvest.mine,
            "learnings": harvest.learnings,
            "proposals": harvest.proposals,
            "codev": session.format == "codev",
            "feedback": Feedback.objects.filter(session=session, author=request.user).first(),
        },
    )


@login_required
@never_cache
@require_GET
def my_actions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every action of the person's plans, the open ones first, each editable in place."""
    actions = (
        Action.objects.of(request.user)
        .select_related("subject", "session", "session__group")
        .open_first()
    )
    rows = [{"action": a, "form": ActionForm(instance=a, prefix=f"a{a.pk}")} for a in actions]
    return render(request, "sessions_app/cycle/my_actions.html", {"rows": rows})


@login_required
@never_cache
def action_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(
        Action.objects.of(request.user).select_related("subject", "session", "session__group"),
        pk=pk,
    )
    prefix = f"a{action.pk}"
    if request.method == "POST":
        form = ActionForm(request.POST, instance=action, prefix=prefix)
        if form.is_valid():
            do_follow_up(action, **form.cleaned_data)
            messages.success(request, _("Action mise à jour."))
            target = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(
                target, {request.get_host()}, require_https=request.is_secure()
            ):
                target = "my_actions"
            return redirect(target)
        status = 400
    else:
        form = ActionForm(instance=action, prefix=prefix)
        status = 200
    history = action.reports.select_related("session").order_by("created_at", "id")
    return render(
        request,
        "sessions_app/cycle/action_edit.html",
        {"action": action, "form": form, "history": history},
        status=status,
    )
