"""Pages of a group's sessions and the live session's commands.

Every view starts from a permission-checked getter: a session or group the user is not an
active member of is a 404, exactly like one that does not exist.
"""


from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from participants.access import get_membership_or_404
from participants.models import Membership

from .. import flow, live, presence, rota_queries
from ..models import Action, Session
from ..render import DISPLAY, display_context, error_message, live_context, render_live


def _get_session_for_member(user, pk) -> Session:
    return get_object_or_404(Session.objects.for_member(user).select_related("group"), pk=pk)


def _audience(user, snap) -> str:
    return "facilitator" if user.pk in snap["facilitators"] else "participant"


@login_required
@never_cache
@require_GET
def session_page(request, pk):
    session = _get_session_for_member(request.user, pk)
    # The page, as the session stands: reading it writes nothing. Its script then says the
    # person arrived (``session_arrive``), which takes a seat at the table when the session
    # is open and the person expected at it (``presence``).
    snap = live.snapshot(session)
    context = live_context(snap, _audience(request.user, snap))
    context["not_seated"] = presence.not_seated_because(session, request.user, snap)
    return render(request, "sessions_app/session.html", context)


@login_required
@never_cache
@require_POST
def session_arrive(request, pk):
    """The page was opened (its script says so, ``static/js/presence.js``): a seat at the
    table, in arrival order, when the rules of ``presence`` allow it; someone arriving late
    takes part from the next round. Every open page of the session hears of it."""
    session = _get_session_for_member(request.user, pk)
    snap, _ = presence.seat_on_open(session, request.user)
    return HttpResponse(
        render_live(snap, _audience(request.user, snap), translation.get_language())
    )


@login_required
@never_cache
@require_GET
def session_live(request, pk):
    """The live region alone: the polling fallback while the websocket is down."""
    session = _get_session_for_member(request.user, pk)
    if request.GET.get("v") == str(session.version) and session.state:
        return HttpResponse(status=204)
    snap = live.snapshot(session)
    return HttpResponse(
        render_live(snap, _audience(request.user, snap), translation.get_language())
    )


@login_required
@never_cache
@require_GET
def session_display(request, pk):
    """The display for screen sharing: read only, for members. Opening it takes no seat at
    the table (unlike ``session_page``): whoever shares it is already at the table on their
    own page, or watches without taking part."""
    session = _get_session_for_member(request.user, pk)
    return render(request, "sessions_app/display.html", display_context(live.snapshot(session)))


@login_required
@never_cache
@require_GET
def session_display_live(request, pk):
    """The display's region alone: its polling fallback while the websocket is down."""
    session = _get_session_for_member(request.user, pk)
    if request.GET.get("v") == str(session.version) and session.state:
        return HttpResponse(status=204)
    return HttpResponse(render_live(live.snapshot(session), DISPLAY, translation.get_language()))


@login_required
@never_cache
@require_POST
def session_command(request, pk):
    """The fallback while the page's websocket is down: the same command, through the same
    ``live.parse`` and ``live.apply`` as the socket (``consumers``)."""
    try:
        try:
            command, expected, command_id = live.parse(request.POST)
        except flow.FlowError:
            # Malformed input: an outsider still learns nothing, not even that it exists.
            _get_session_for_member(request.user, pk)
            raise
        # The permission check is apply's locking query: one trip, 404 for outsiders.
        snap = live.apply(pk, request.user, command, expected, command_id)
    except Session.DoesNotExist:
        raise Http404 from None
    except live.AlreadyApplied:
        # A retry of a command already applied: answer with the current state.
        snap = live.snapshot(_get_session_for_member(request.user, pk))
    except flow.FlowError as exc:
        return HttpResponse(error_message(exc.code, exc.params), status=400)
    except live.Conflict:
        return HttpResponse(error_message("conflict"), status=409)
    return HttpResponse(
        render_live(snap, _audience(request.user, snap), translation.get_language())
    )


@login_required
def home(request):
    memberships = (
        Membership.objects.active().filter(user=request.user).select_related("group")
    )
    groups = [m.group for m in memberships]
    mine = Session.objects.for_member(request.user)
    upcoming = mine.upcoming(20)
    return render(
        request,
        "sessions_app/home.html",
        {
            "groups": groups,
            "upcoming": upcoming,
            "leading": rota_queries.leading_next(request.user, upcoming),
            "past": mine.past(5),
            "open_actions": Action.objects.of(request.user).open().count(),
        },
    )


@login_required
@never_cache
def group_detail(request, pk):
    membership = get_membership_or_404(request.user, pk)
    group = membership.group
    upcoming = group.sessions.upcoming(50)
    past = group.sessions.past(20)
    backlog = group.subjects.filter(status="open").select_related("owner")
    members = group.memberships.active().select_related("user").order_by("joined_at")
    return render(
        request,
        "sessions_app/group_detail.html",
        {
            "group": group,
            "membership": membership,
            "upcoming": upcoming,
            "past": past,
            "backlog": backlog,
            "members": members,
            "rota": (
                rota_queries.context_for(group, request.user, membership, upcoming)
                if group.facilitation == "rotating"
                else None
            ),
        },
    )
