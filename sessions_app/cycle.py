"""Between sessions: what each person takes away, and the action plans that live on.

After a session, every member finds on their own pages the subjects handled and the
learnings round; a subject owner also finds every contribution they received, what they took
into their panier with their notes, and their action plan (seeds 002, 003). The owner
follows each action up until the next session: status, note, review date.

Contribution texts stay inside the group (members only, 404 for anyone else); an owner's
panier notes and plan are theirs: nobody else reads them on these pages.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Q, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import Action, Contribution, Feedback, Session
from .render import KIND_LABELS


def _get_session_for_member(user, pk) -> Session:
    return get_object_or_404(Session.objects.for_member(user).select_related("group"), pk=pk)


@login_required
@never_cache
@require_GET
def session_takeaway(request, pk):
    """« Ce que j'emporte »: the session's harvest, for the person asking."""
    session = _get_session_for_member(request.user, pk)
    handled = list(session.handled_subjects.select_related("owner").order_by("id"))
    mine: dict[int, dict] = {
        s.pk: {"subject": s, "contributions": [], "actions": []}
        for s in handled
        if s.owner_id == request.user.pk
    }
    learnings = []
    said = Contribution.objects.filter(
        Q(subject_id__in=list(mine)) | (Q(kind="learning") & ~Q(text="")), session=session
    )
    for c in said.select_related("person").order_by("subject_id", "n"):
        item = {"c": c, "name": c.person.name, "kind": KIND_LABELS.get(c.kind, c.kind)}
        # What the group brought: not the owner's own words (their « demande » in codev).
        if (
            c.subject_id in mine
            and c.kind not in ("pass", "absent", "learning")
            and c.person_id != request.user.pk
        ):
            mine[c.subject_id]["contributions"].append(item)
        if c.kind == "learning" and c.text:
            learnings.append(item)
    for action in Action.objects.of(request.user).filter(session=session):
        if action.subject_id in mine:
            mine[action.subject_id]["actions"].append(action)
    return render(
        request,
        "sessions_app/cycle/takeaway.html",
        {
            "session": session,
            "ended": session.stage == "ended",
            "was_there": session.was_at_table(request.user.pk),
            "handled": handled,
            "mine": list(mine.values()),
            "learnings": learnings,
            "feedback": Feedback.objects.filter(session=session, author=request.user).first(),
        },
    )


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ["status", "note", "review_on"]
        widgets = {
            "note": forms.Textarea(attrs={"rows": 2}),
            "review_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {"review_on": gettext_lazy("Vide : à la prochaine séance du groupe.")}


def _open_first(actions):
    return actions.annotate(
        closed=Case(
            When(status__in=(Action.TODO, Action.DOING), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("closed", "-session__scheduled_at", "position", "id")


@login_required
@never_cache
@require_GET
def my_actions(request):
    """Every action of the person's plans, the open ones first, each editable in place."""
    actions = _open_first(
        Action.objects.of(request.user).select_related("subject", "session", "session__group")
    )
    rows = [{"action": a, "form": ActionForm(instance=a, prefix=f"a{a.pk}")} for a in actions]
    return render(request, "sessions_app/cycle/my_actions.html", {"rows": rows})


@login_required
@never_cache
def action_edit(request, pk):
    action = get_object_or_404(
        Action.objects.of(request.user).select_related("subject", "session", "session__group"),
        pk=pk,
    )
    prefix = f"a{action.pk}"
    if request.method == "POST":
        form = ActionForm(request.POST, instance=action, prefix=prefix)
        if form.is_valid():
            form.save()
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
    return render(
        request,
        "sessions_app/cycle/action_edit.html",
        {"action": action, "form": form},
        status=status,
    )
