"""Personas, as healthchecks' alice/bob/charlie: a group, its people, and outsiders."""

import pytest

from participants.models import Group, Membership, User
from sessions_app.models import Session


@pytest.fixture(autouse=True)
def fresh_render_cache():
    """Test databases reuse ids: no rendering may outlive its test."""
    from sessions_app import render

    render._frames.clear()
    render._digests.clear()
    yield
    render._frames.clear()
    render._digests.clear()


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
