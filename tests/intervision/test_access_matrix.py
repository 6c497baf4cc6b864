"""Every URL of the project, as every kind of person: confidentiality tested, not assumed.

The matrix below names, for each URL pattern, what each persona gets. Walking the URL
resolver, the test fails as soon as a pattern has no row: a new page cannot ship without
someone deciding who may see it. Anyone outside a group gets 404 for everything about it
(never 403, which would confirm that the group exists).
"""

import pytest
from asgiref.sync import async_to_sync
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from participants.models import (
    Application,
    CommunityMembership,
    Invitation,
    LoginLink,
    Membership,
)
from sessions_app import formats
from sessions_app.models import Action, Format, LogbookEntry, Subject
from sessions_app.routing import websocket_urlpatterns

PERSONAS = [
    "anonymous",
    "outsider",
    "other_group_member",
    "participant",
    "facilitator",
    "organiser",
    "removed_member",
    # The community level (004): a leader of the group's community (in none of its groups),
    # a member of it (in none of its groups), and the leader of another community.
    "community_leader",
    "community_member",
    "other_community_member",
]
INSIDERS = {"participant", "facilitator", "organiser"}

# Patterns left out of the matrix, each with its reason.
EXEMPT = {
    "admin": "Django admin: the staff back-office, guarded by is_staff and its own login",
}

OK, LOGIN, NOT_FOUND = "ok", "login", 404


def members_only():
    """Members of the group see it; anonymous people are sent to sign in; anyone else 404."""
    return {p: OK if p in INSIDERS else LOGIN if p == "anonymous" else NOT_FOUND for p in PERSONAS}


def organisers_only():
    return {**members_only(), "participant": NOT_FOUND, "facilitator": NOT_FOUND}


def schedulers_only():
    return {**members_only(), "participant": NOT_FOUND}


def community_members():
    """The community's page: its leaders and members (the group's members are members of its
    community); anonymous people sign in; anyone else, a leader elsewhere included, 404."""
    inside = INSIDERS | {"community_leader", "community_member"}
    return {p: OK if p in inside else LOGIN if p == "anonymous" else NOT_FOUND for p in PERSONAS}


def community_leaders():
    """The community's leaders only: never the members of its groups, organisers included."""
    return {
        p: OK if p == "community_leader" else LOGIN if p == "anonymous" else NOT_FOUND
        for p in PERSONAS
    }


def signed_in():
    return {p: LOGIN if p == "anonymous" else OK for p in PERSONAS}


def public():
    return {p: OK for p in PERSONAS}


# name -> (method, url kwargs from the context, POST data, expectations per persona)
MATRIX = {
    "home": ("get", lambda c: {}, None, signed_in()),
    "login": ("get", lambda c: {}, None, public()),
    "login_link": ("get", lambda c: {"token": c["login_token"]}, None, public()),
    "logout": ("post", lambda c: {}, {}, {p: LOGIN for p in PERSONAS}),  # back to sign-in
    "set_language": ("post", lambda c: {}, {"language": "en", "next": "/"}, public()),
    "healthz": ("get", lambda c: {}, None, public()),
    # Development only: a 404 for everyone with DEBUG off (as in these tests).
    "dev_outbox": ("get", lambda c: {}, None, {p: NOT_FOUND for p in PERSONAS}),
    "dev_outbox_message": (
        "get", lambda c: {"name": "20261207-120000000000-0123abcd"}, None,
        {p: NOT_FOUND for p in PERSONAS},
    ),
    "password": ("get", lambda c: {}, None, signed_in()),
    # Each person chooses the language of their own e-mails, nobody else's.
    "account_language": ("post", lambda c: {}, {"language": "fr"}, signed_in()),
    "group_create": ("get", lambda c: {}, None, signed_in()),
    "group_detail": ("get", lambda c: {"pk": c["group"]}, None, members_only()),
    "group_edit": ("get", lambda c: {"pk": c["group"]}, None, organisers_only()),
    # Each member switches their own reminders; nobody else's.
    "group_reminders": ("post", lambda c: {"pk": c["group"]}, {"reminders": "off"}, members_only()),
    "group_members": ("get", lambda c: {"pk": c["group"]}, None, organisers_only()),
    "member_role": (
        "post",
        lambda c: {"pk": c["group"], "member_pk": c["target"]},
        {"role": "member"},
        organisers_only(),
    ),
    "member_remove": (
        "get",
        lambda c: {"pk": c["group"], "member_pk": c["target"]},
        None,
        organisers_only(),
    ),
    "group_invitations": ("get", lambda c: {"pk": c["group"]}, None, organisers_only()),
    "invitation_revoke": (
        "post",
        lambda c: {"pk": c["group"], "invitation_pk": c["invitation"]},
        {},
        organisers_only(),
    ),
    "group_applications": ("get", lambda c: {"pk": c["group"]}, None, organisers_only()),
    "group_application": (
        "get",
        lambda c: {"pk": c["group"], "application_pk": c["application"]},
        None,
        organisers_only(),
    ),
    # Every member has a carnet of their own: the pages show the person's notes only.
    "logbook": ("get", lambda c: {"pk": c["group"]}, None, members_only()),
    "logbook_markdown": ("get", lambda c: {"pk": c["group"]}, None, members_only()),
    "logbook_json": ("get", lambda c: {"pk": c["group"]}, None, members_only()),
    "session_logbook": ("get", lambda c: {"pk": c["session"]}, None, members_only()),
    # A logbook entry is its author's alone: not even organisers or facilitators read it.
    "logbook_edit": (
        "get",
        lambda c: {"pk": c["group"], "entry_pk": c["entry"]},
        None,
        {**members_only(), "facilitator": NOT_FOUND, "organiser": NOT_FOUND},
    ),
    "logbook_delete": (
        "get",
        lambda c: {"pk": c["group"], "entry_pk": c["entry"]},
        None,
        {**members_only(), "facilitator": NOT_FOUND, "organiser": NOT_FOUND},
    ),
    # Token-gated: the link itself is the permission. Signed in as someone else: refused.
    "invitation": (
        "get",
        lambda c: {"token": c["invite_token"]},
        None,
        {p: OK if p == "anonymous" else 403 for p in PERSONAS},
    ),
    # The public application page shows the group's questions only (tested elsewhere).
    "apply": ("get", lambda c: {"key": c["public_key"]}, None, public()),
    # The rota: organisers skip anyone (a member, only their own turn: here not the
    # target's) and swap places; a group that does not rotate answers with a message.
    "rota_skip": (
        "get",
        lambda c: {"pk": c["group"], "member_pk": c["target"]},
        None,
        organisers_only(),
    ),
    "rota_swap": (
        "post",
        lambda c: {"pk": c["group"]},
        {"first": "", "second": ""},
        organisers_only(),
    ),
    "session_create": ("get", lambda c: {"group_pk": c["group"]}, None, schedulers_only()),
    "session_info": ("get", lambda c: {"pk": c["session"]}, None, members_only()),
    "session_edit": ("get", lambda c: {"pk": c["session"]}, None, schedulers_only()),
    "session_register": ("post", lambda c: {"pk": c["session"]}, {}, members_only()),
    "session_unregister": ("post", lambda c: {"pk": c["session"]}, {}, members_only()),
    "session_ics": ("get", lambda c: {"pk": c["session"]}, None, members_only()),
    "session_cancel": ("get", lambda c: {"pk": c["session"]}, None, schedulers_only()),
    "session_page": ("get", lambda c: {"pk": c["session"]}, None, members_only()),
    "session_live": ("get", lambda c: {"pk": c["session"]}, None, members_only()),
    # Authorised members reach the rules, which may refuse the move itself (400).
    "session_command": (
        "post",
        lambda c: {"pk": c["session"]},
        {"type": "join"},
        {**members_only(), **{p: "reached" for p in INSIDERS}},
    ),
    # The page's arrival (a seat at the table, as ``presence`` decides): members only.
    "session_arrive": ("post", lambda c: {"pk": c["session"]}, {}, members_only()),
    # The display for screen sharing, and its polling fallback: members only, like the page.
    "session_display": ("get", lambda c: {"pk": c["session"]}, None, members_only()),
    "session_display_live": ("get", lambda c: {"pk": c["session"]}, None, members_only()),
    "session_takeaway": ("get", lambda c: {"pk": c["session"]}, None, members_only()),
    "my_actions": ("get", lambda c: {}, None, signed_in()),
    # An action is its owner's alone (the participant here): 404 for everyone else.
    "action_edit": (
        "get",
        lambda c: {"pk": c["action"]},
        None,
        {**members_only(), "facilitator": NOT_FOUND, "organiser": NOT_FOUND},
    ),
    # Each person's own account and data (signing in counts as a recent confirmation).
    "account": ("get", lambda c: {}, None, signed_in()),
    "confirm_identity": ("get", lambda c: {}, None, signed_in()),
    "my_data": ("get", lambda c: {}, None, signed_in()),
    "my_data_json": ("get", lambda c: {}, None, signed_in()),
    "my_data_markdown": ("get", lambda c: {}, None, signed_in()),
    "erase_account": ("get", lambda c: {}, None, signed_in()),
    "member_erase": (
        "get",
        lambda c: {"pk": c["group"], "member_pk": c["target"]},
        None,
        organisers_only(),
    ),
    "privacy": ("get", lambda c: {}, None, public()),
    # The group's figures: its members; the CSV for sponsors: its organisers.
    "bilan": ("get", lambda c: {"pk": c["group"]}, None, members_only()),
    "bilan_csv": ("get", lambda c: {"pk": c["group"]}, None, organisers_only()),
    # Each person's own attestation of participation, and its file: theirs only.
    "attestation": ("get", lambda c: {}, None, signed_in()),
    "attestation_download": ("get", lambda c: {}, None, signed_in()),
    "session_feedback": ("get", lambda c: {"pk": c["session"]}, None, members_only()),
    # The community level (004): its page is its members' (leaders included), its frame its
    # leaders' alone — never the organisers of its groups, never a leader elsewhere.
    "community_create": ("get", lambda c: {}, None, signed_in()),
    "community_detail": ("get", lambda c: {"pk": c["community"]}, None, community_members()),
    "community_edit": ("get", lambda c: {"pk": c["community"]}, None, community_leaders()),
    "community_people": ("get", lambda c: {"pk": c["community"]}, None, community_leaders()),
    "community_group_create": (
        "get", lambda c: {"pk": c["community"]}, None, community_leaders()
    ),
    "community_group_organisers": (
        "get",
        lambda c: {"pk": c["community"], "group_pk": c["group"]},
        None,
        community_leaders(),
    ),
    "community_group_close": (
        "get",
        lambda c: {"pk": c["community"], "group_pk": c["group"]},
        None,
        community_leaders(),
    ),
    # Asking to join: the community's members; a member of the group is sent back (302).
    "community_join": (
        "get",
        lambda c: {"pk": c["community"], "group_pk": c["group"]},
        None,
        community_members(),
    ),
    # The community's figures and their CSV: its leaders only, never its groups' people.
    "community_bilan": ("get", lambda c: {"pk": c["community"]}, None, community_leaders()),
    "community_bilan_csv": ("get", lambda c: {"pk": c["community"]}, None, community_leaders()),
    # The group's formats: its organisers shape them.
    "format_list": ("get", lambda c: {"pk": c["group"]}, None, organisers_only()),
    "format_create": (
        "post", lambda c: {"pk": c["group"]}, {"source": "intervision"}, organisers_only()
    ),
    "format_edit": (
        "get", lambda c: {"pk": c["group"], "format_pk": c["format"]}, None, organisers_only()
    ),
    "format_delete": (
        "get", lambda c: {"pk": c["group"], "format_pk": c["format"]}, None, organisers_only()
    ),
    # Company sign-in (allauth): public. A GET of its login is a page pointing to the
    # sign-in page (the login is a POST); its callback without a pending sign-in is refused
    # to everyone with the app's page (400). Its settings: the community's leaders only.
    "openid_connect_login": ("get", lambda c: {"provider_id": c["sign_in"]}, None, public()),
    "openid_connect_callback": (
        "get",
        lambda c: {"provider_id": c["sign_in"]},
        None,
        {p: 400 for p in PERSONAS},
    ),
    "community_sign_in": ("get", lambda c: {"pk": c["community"]}, None, community_leaders()),
}


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in EXEMPT or entry.app_name in EXEMPT:
                continue
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield entry.name or prefix + str(entry.pattern)


def test_every_url_pattern_is_in_the_matrix():
    names = list(walk(get_resolver().url_patterns))
    assert len(names) == len(set(names)), "two URL patterns share a name"
    missing = set(names) - set(MATRIX)
    stale = set(MATRIX) - set(names)
    assert not missing, f"URL patterns with no row in the access matrix: {sorted(missing)}"
    assert not stale, f"rows for URL patterns that no longer exist: {sorted(stale)}"


@pytest.fixture
def context(
    group,
    organiser,
    facilitator,
    participants,
    session,
    removed_member,
    other_group_member,
    outsider,
    community,
    community_leader,
    community_member,
    other_community_member,
):
    group.applications_open = True
    group.save()
    community.oidc_issuer, community.oidc_client_id = "https://login.acme.test", "intervision"
    community.email_domains = "acme.test"
    community.save()
    community.approve_sign_in()
    for insider in (organiser, facilitator, *participants):
        CommunityMembership.objects.create(community=community, user=insider)
    target = Membership.objects.get(group=group, user=participants[1])
    _invitation, invite_token = Invitation.issue(group, "newcomer@example.org", organiser)
    revocable, _token = Invitation.issue(group, "someone@example.org", organiser)
    application = Application.objects.create(group=group, name="Camille", email="c@example.org")
    entry = LogbookEntry.objects.create(author=participants[0], group=group, text="à moi seule")
    subject = Subject.objects.create(group=group, owner=participants[0], keyword="à moi")
    action = Action.objects.create(
        subject=subject, session=session, owner=participants[0], text="mon action"
    )
    shaped = Format.objects.create(
        group=group, name="Chaise ouverte", base="intervision",
        phases=formats.preset_rows("intervision"),
    )
    return {
        "format": shaped.pk,
        "action": action.pk,
        "entry": entry.pk,
        "group": group.pk,
        "community": community.pk,
        "sign_in": community.sign_in_provider_id,
        "session": session.pk,
        "target": target.pk,
        "invitation": revocable.pk,
        "invite_token": invite_token,
        "application": application.pk,
        "public_key": group.public_key,
        "login_token": LoginLink.issue(participants[2]),
    }


def outcome(response) -> str | int:
    if response.status_code in (301, 302) and response["Location"].startswith(reverse("login")):
        return LOGIN
    if response.status_code in (200, 204, 301, 302):
        return OK
    return response.status_code


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(client, request, context, persona, name):
    method, kwargs, data, expected = MATRIX[name]
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    url = reverse(name, kwargs=kwargs(context))
    response = client.post(url, data) if method == "post" else client.get(url)
    got = outcome(response)
    want = expected[persona]
    if want == "reached":
        assert got not in (LOGIN, 403, 404) and response.status_code < 500, (url, got)
    else:
        assert got == want, f"{persona} {method.upper()} {url}: got {got}, want {want}"


def test_nothing_about_the_group_leaks_into_a_404(client, outsider, context, session, participants):
    client.force_login(outsider)
    pages = ("group_detail", "session_info", "session_page", "session_display", "group_members")
    for name in pages:
        kwargs = {"pk": context["session"] if name.startswith("session") else context["group"]}
        body = client.get(reverse(name, kwargs=kwargs)).content.decode()
        assert "Pairs produit" not in body and session.title not in body
        assert all(p.name not in body for p in participants)


# --- The websocket routes -----------------------------------------------------------------

WS_EXPECTED = {p: p in INSIDERS for p in PERSONAS}


def test_every_websocket_route_is_in_the_matrix():
    assert [str(p.pattern) for p in websocket_urlpatterns] == [
        pattern.replace("{id}", "<int:session_id>") for pattern in WS_ROUTES
    ] + [WS_ANY_OTHER]


# The session's socket, and the screen-sharing display's.
WS_ROUTES = ["ws/session/{id}/", "ws/session/{id}/ecran/"]
# Last, re_path(r""): any other path, refused to everyone as a page not found.
WS_ANY_OTHER = ""


async def _ws_connects(user, session_id, route) -> bool:
    communicator = WebsocketCommunicator(
        URLRouter(websocket_urlpatterns),  # type: ignore[arg-type]
        "/" + route.replace("{id}", str(session_id)),
    )
    communicator.scope["user"] = user  # type: ignore[typeddict-unknown-key]  # as AuthMiddleware does
    connected, _subprotocol = await communicator.connect(timeout=5)
    if connected:
        message = await communicator.receive_json_from(timeout=5)
        assert message["version"] >= 0 and "html" in message
    await communicator.disconnect()
    return connected


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("route", WS_ROUTES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_websocket_access(request, session, persona, route):
    from django.contrib.auth.models import AnonymousUser

    for fixture in ("outsider", "other_group_member", "removed_member", "organiser"):
        request.getfixturevalue(fixture)
    user = AnonymousUser() if persona == "anonymous" else request.getfixturevalue(persona)
    connected = async_to_sync(_ws_connects)(user, session.pk, route)
    assert connected == WS_EXPECTED[persona]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("route", ["ws/session/{id}/autre/", "ws/groupe/{id}/", "ws/"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_websocket_to_any_other_path_is_refused_to_everyone(request, session, persona, route):
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if persona == "anonymous" else request.getfixturevalue(persona)
    assert async_to_sync(_ws_connects)(user, session.pk, route) is False
