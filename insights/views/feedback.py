"""« Mon retour sur la séance »: each member's feedback on a session they were at.

A session the person is not an active member of is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from participants.http import AuthenticatedHttpRequest
from sessions_app.models import Feedback, Session

from ..forms import FeedbackForm


@login_required
@never_cache
def feedback(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """« Mon retour sur la séance »: for those who were at the table, once it has ended."""
    session = Session.objects.get_for_member_or_404(request.user, pk)
    if session.stage != "ended" or not session.was_at_table(request.user.pk):
        return render(request, "insights/feedback_closed.html", {"session": session})
    mine = Feedback.objects.filter(session=session, author=request.user).first()
    form = FeedbackForm(request.POST or None, instance=mine)
    if request.method == "POST":
        if form.is_valid():
            saved = form.save(commit=False)
            saved.session, saved.author = session, request.user
            saved.save()
            messages.success(request, _("Merci : votre retour est enregistré."))
            return redirect("session_takeaway", pk=session.pk)
        status = 400
    else:
        status = 200
    return render(
        request,
        "insights/feedback.html",
        {"session": session, "form": form, "saved": mine},
        status=status,
    )
