"""The organiser's pages of a group as a whole: creating it, editing its settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from ..access import get_organiser_membership_or_404
from ..actions import do_create_group
from ..forms import GroupForm
from ..http import AuthenticatedHttpRequest


@login_required
@never_cache
def group_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        group = do_create_group(form.save(commit=False), request.user, now=timezone.now())
        messages.success(request, _("Le groupe est créé. Invitez maintenant ses membres."))
        return redirect("group_invitations", pk=group.pk)
    return render(request, "participants/group_form.html", {"form": form, "group": None})


@login_required
@never_cache
def group_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = get_organiser_membership_or_404(request.user, pk)
    form = GroupForm(request.POST or None, instance=membership.group)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Les modifications sont enregistrées."))
        return redirect("group_detail", pk=pk)
    return render(
        request, "participants/group_form.html", {"form": form, "group": membership.group}
    )
