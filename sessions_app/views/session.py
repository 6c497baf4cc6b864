"""The live session's pages: the session page, the arrival, the polling fallbacks, the
screen-sharing display and the command fallback.

Every view starts from the permission-checked getter ``get_for_member_or_404``: a session
the user is not an active member of is a 404, exactly like one that does not exist.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from participants.http import AuthenticatedHttpRequest
from participants.models import User

from .. import commands, flow, live, presence
from ..models import Session
from ..render import DISPLAY, display_context, live_context, render_live
from ..texts import error_message


def _audience(user: User, snap) -> str:
    return "facilitator" if user.pk in snap["facilitators"] else "participant"


@login_required
@never_cache
@require_GET
def session_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = Session.objects.get_for_member_or_404(request.user, pk)
    # The page, as the session stands: reading it writes nothing. Its script then says the
    # person arrived (``session_arrive``), which takes a seat at the table when the session
    # is open and the person expected at it (``presence``).
    snap = live.snapshot(session)
    context = live_context(snap, _audience(request.user, snap))
    context["not_seated"] = presence.not_seated_because(session, request.user, snap)
    # The person's own ballot while the group votes: on their own page only, never in the
    # live region every page of the audience shares (``static/js/ballot.js`` fills it in).
    context["my_ballot"] = " ".join(map(str, context["state"].ballot_of(request.user.pk)))
    return render(request, "sessions_app/session.html", context)


@login_required
@never_cache
@require_POST
def session_arrive(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The page was opened (its script says so, ``static/js/presence.js``): a seat at the
    table, in arrival order, when the rules of ``presence`` allow it; someone arriving late
    takes part from the next round. Every open page of the session hears of it."""
    session = Session.objects.get_for_member_or_404(request.user, pk)
    snap, _ = presence.seat_on_open(session, request.user)
    return HttpResponse(
        render_live(snap, _audience(request.user, snap), translation.get_language())
    )


@login_required
@never_cache
@require_GET
def session_live(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The live region alone: the polling fallback while the websocket is down."""
    session = Session.objects.get_for_member_or_404(request.user, pk)
    if request.GET.get("v") == str(session.version) and session.state:
        return HttpResponse(status=204)
    snap = live.snapshot(session)
    return HttpResponse(
        render_live(snap, _audience(request.user, snap), translation.get_language())
    )


@login_required
@never_cache
@require_GET
def session_display(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The display for screen sharing: read only, for members. Opening it takes no seat at
    the table (unlike ``session_page``): whoever shares it is already at the table on their
    own page, or watches without taking part."""
    session = Session.objects.get_for_member_or_404(request.user, pk)
    return render(request, "sessions_app/display.html", display_context(live.snapshot(session)))


@login_required
@never_cache
@require_GET
def session_display_live(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The display's region alone: its polling fallback while the websocket is down."""
    session = Session.objects.get_for_member_or_404(request.user, pk)
    if request.GET.get("v") == str(session.version) and session.state:
        return HttpResponse(status=204)
    return HttpResponse(render_live(live.snapshot(session), DISPLAY, translation.get_language()))


@login_required
@never_cache
@require_POST
def session_command(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The fallback while the page's websocket is down: the same command, through the same
    ``commands.parse`` and ``live.apply`` as the socket (``consumers``)."""
    try:
        try:
            command, expected, command_id = commands.parse(request.POST)
        except flow.FlowError:
            # Malformed input: an outsider still learns nothing, not even that it exists.
            Session.objects.get_for_member_or_404(request.user, pk)
            raise
        # The permission check is apply's locking query: one trip, 404 for outsiders.
        snap = live.apply(pk, request.user, command, expected, command_id)
    except Session.DoesNotExist:
        raise Http404 from None
    except live.AlreadyApplied:
        # A retry of a command already applied: answer with the current state.
        snap = live.snapshot(Session.objects.get_for_member_or_404(request.user, pk))
    except flow.FlowError as exc:
        return HttpResponse(error_message(exc.code, exc.params), status=400)
    except live.Conflict:
        return HttpResponse(error_message("conflict"), status=409)
    return HttpResponse(
        render_live(snap, _audience(request.user, snap), translation.get_language())
    )
