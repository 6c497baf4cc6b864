"""An organiser erases a member's content, on the member's request: a 404 for anyone but
the group's organisers, as every group page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from participants.access import get_membership_or_404
from participants.http import AuthenticatedHttpRequest
from participants.models import Membership
from sessions_app.templatetags.words import que

from ..actions import do_erase_content
from ..forms import EraseMemberForm


@login_required
@never_cache
def erase_member_content(
    request: AuthenticatedHttpRequest, pk: int, member_pk: int
) -> HttpResponse:
    mine = get_membership_or_404(request.user, pk)
    if not mine.is_organiser:
        raise Http404
    member = get_object_or_404(
        Membership.objects.select_related("user", "group"), pk=member_pk, group_id=pk
    )
    if member.user.erased_at is not None:
        raise Http404
    form = EraseMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            do_erase_content(member.user, [pk])
            if form.cleaned_data["remove"] and member.removed_at is None and member != mine:
                member.remove()
        messages.success(
            request,
            _("Ce %(what)s a écrit dans le groupe est effacé.") % {"what": que(member.user.name)},
        )
        return redirect("group_members", pk=pk)
    return render(
        request,
        "privacy/erase_member.html",
        {"group": mine.group, "member": member, "form": form, "is_self": member == mine},
    )
