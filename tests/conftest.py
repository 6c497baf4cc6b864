"""Personas, as healthchecks' alice/bob/charlie: a group, its people, and outsiders."""

import asyncio
import uuid

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer

from participants.models import Community, CommunityMembership, Group, Membership, User
from sessions_app.models import Session
from tests.oidc_provider.fixtures import oidc_provider  # noqa: F401 - the session's OIDC provider


@pytest.fixture(autouse=True)
def fresh_render_cache():
    """Test databases reuse ids: no rendering may outlive its test."""
    from sessions_app import render, snapshot

    for cache in (render._frames, render._digests, snapshot._recent, snapshot._rosters):
        cache.clear()
    yield
    for cache in (render._frames, render._digests, snapshot._recent, snapshot._rosters):
        cache.clear()


@pytest.fixture(autouse=True)
def fresh_rate_limits(settings):
    """Every test counts its requests per client address from zero (the test client is
    always 127.0.0.1): counters under a prefix of its own, so nothing needs clearing, not
    even in a shared Redis."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl:{uuid.uuid4().hex}:"


def make_user(name):
    return User.objects.create_user(f"{name.lower()}@example.org", display_name=name)


@pytest.fixture
def group(db):
    return Group.objects.create(name="Pairs produit", format="intervision")


@pytest.fixture
def organiser(group):
    user = make_user("Olga")
    Membership.objects.create(group=group, user=user, role=Membership.ORGANISER)
    return user


@pytest.fixture
def facilitator(group):
    user = make_user("Lucie")
    Membership.objects.create(group=group, user=user, role=Membership.FACILITATOR)
    return user


@pytest.fixture
def participants(group):
    people = []
    for name in ("Juliette", "Dragos", "Amina", "Paul"):
        user = make_user(name)
        Membership.objects.create(group=group, user=user)
        people.append(user)
    return people


@pytest.fixture
def participant(participants):
    return participants[0]


@pytest.fixture
def outsider(db):
    return make_user("Oscar")


@pytest.fixture
def other_group_member(db):
    other = Group.objects.create(name="Autre groupe")
    user = make_user("Ines")
    Membership.objects.create(group=other, user=user)
    return user


@pytest.fixture
def community(group):
    """The community ``group`` belongs to."""
    community = Community.objects.create(name="Produit & Co", description="Les PM du groupe")
    group.community = community
    group.save(update_fields=["community"])
    return community


@pytest.fixture
def community_leader(community):
    """A leader of ``group``'s community, in none of its groups."""
    user = make_user("Laure")
    CommunityMembership.objects.create(
        community=community, user=user, role=CommunityMembership.LEADER
    )
    return user


@pytest.fixture
def community_member(community):
    """A member of ``group``'s community, in none of its groups."""
    user = make_user("Chloe")
    CommunityMembership.objects.create(community=community, user=user)
    return user


@pytest.fixture
def other_community_member(db):
    """The leader of another community (with a group of its own): a leader elsewhere is an
    outsider here."""
    other = Community.objects.create(name="Autre communauté")
    Group.objects.create(name="Groupe d’ailleurs", community=other)
    user = make_user("Victor")
    CommunityMembership.objects.create(community=other, user=user, role=CommunityMembership.LEADER)
    return user


@pytest.fixture
def removed_member(group):
    from django.utils import timezone

    user = make_user("Remi")
    Membership.objects.create(group=group, user=user, removed_at=timezone.now())
    return user


@pytest.fixture
def session(group, facilitator, participants):
    session = Session.objects.create(group=group, format=group.format, title="Séance de mars")
    session.facilitators.add(facilitator)
    return session


@pytest.fixture
def codev_session(group, facilitator, participants):
    session = Session.objects.create(group=group, format="codev", title="Codév")
    session.facilitators.add(facilitator)
    return session


@pytest.fixture
def heard_by_open_pages():
    """Run after-commit callbacks while an open page of the person listens on their channel
    group; return the first message it heard (None if none came)."""

    def listen(user, callbacks):
        from sessions_app import live

        async def scenario():
            # One event loop for the whole exchange: the Redis layer's channels belong to it.
            layer = get_channel_layer()
            channel = await layer.new_channel()
            await layer.group_add(live.user_group_name(user.pk), channel)
            for callback in callbacks:
                await sync_to_async(callback)()
            try:
                return await asyncio.wait_for(layer.receive(channel), 2)
            except TimeoutError:
                return None
            finally:
                await layer.group_discard(live.user_group_name(user.pk), channel)

        return async_to_sync(scenario)()

    return listen
