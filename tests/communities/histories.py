"""Histories of a community's groups, played through the live path as the pages play them
(``tests.insights.test_figures.Play``): ended sessions with their tally, subjects, actions
and reports, registrations and feedback."""

from datetime import timedelta
from types import SimpleNamespace

from participants.models import Community, CommunityMembership, Group, Membership
from sessions_app.models import Action, Feedback, Registration, Session
from tests.conftest import make_user
from tests.insights.test_figures import Play, handle, triage


def new_group(community: Community, name: str, *, people: list[str], capacity=7, **fields):
    """A group of the community: its facilitator (first name of ``people``) and members."""
    group = Group.objects.create(name=name, community=community, capacity=capacity, **fields)
    driver, *members = (make_user(person) for person in people)
    Membership.objects.create(group=group, user=driver, role=Membership.FACILITATOR)
    for member in members:
        Membership.objects.create(group=group, user=member)
    return group, driver, members


def leader_of(community: Community, name="Laure"):
    user = make_user(name)
    CommunityMembership.objects.create(
        community=community, user=user, role=CommunityMembership.LEADER
    )
    return user


def held(
    group,
    driver,
    members,
    now,
    days_ago,
    *,
    proposing=None,
    handling=0,
    actions=(),
    scores=(),
    keeps="",
    title="",
    reports=(),
):
    """An ended session ``days_ago`` days before ``now``: ``members`` registered and at the
    table; each of ``proposing`` (the members by default) proposes one keyword; the first
    ``handling`` subjects are handled, the first with ``actions`` planned; ``scores``, one
    per member, are their feedback (``keeps`` shared with the group). ``reports``:
    (action text, status) the owners report back on when the session opens on the retour.
    """
    session = Session.objects.create(
        group=group,
        format=group.format,
        title=title or f"J-{days_ago}",
        scheduled_at=now - timedelta(days=days_ago),
    )
    session.facilitators.add(driver)
    play = Play(session, SimpleNamespace(t=0.0))
    for person in members:
        Registration.objects.create(session=session, user=person)
        play(person, "join", 0)
    play(driver, "start", 0)
    if play.state().stage == "retour":
        for text, status in reports:
            action = Action.objects.get(text=text)
            play(action.owner, "report", 1, action=action.pk, status=status)
        while play.state().stage == "retour":
            speaker = next(m for m in members if m.pk == play.state().speaker)
            play(speaker, "done", 2)
    proposing = members if proposing is None else proposing
    keywords = {person: f"MOT-{session.pk}-{i}" for i, person in enumerate(proposing)}
    triage(play, driver, 3, keywords)
    minute = 5
    for i, (owner, keyword) in enumerate(list(keywords.items())[:handling]):
        minute = handle(play, driver, owner, keyword, minute, actions=actions if i == 0 else ())
    play(driver, "end", minute + 5)
    for person, score in zip(members, scores, strict=False):
        Feedback.objects.create(
            session=session, author=person, usefulness=score, keeps=keeps, shared=bool(keeps)
        )
    return session


def community_with_history(now):
    """« Produit & Co »: four groups of different sizes and histories, one closed.

    - Pairs produit (6 people, report back on): three sessions over the year, subjects
      handled, actions planned then reported on, feedback;
    - Design ops (4 people): one session a month ago, feedback;
    - Data (5 people, closed): one session 400 days ago and one 200 days ago;
    - Nouveau (3 people): nothing held yet.
    """
    community = Community.objects.create(name="Produit & Co")
    pairs, lucie, pm = new_group(
        community,
        "Pairs produit",
        report_back=True,
        people=["Lucie", "Juliette", "Dragos", "Amina", "Paul", "Olga"],
    )
    held(
        pairs,
        lucie,
        pm,
        now,
        200,
        handling=2,
        actions=("A-1", "A-2", "A-3"),
        scores=(4, 4, 5, 3, 4),
    )
    held(
        pairs,
        lucie,
        pm[:4],
        now,
        60,
        handling=1,
        actions=("A-4",),
        scores=(5, 5, 5, 4),
        reports=(("A-1", "done"), ("A-2", "dropped"), ("A-3", "doing")),
    )
    held(pairs, pm[0], pm, now, 10, proposing=pm[:3], handling=2, scores=(3, 3, 3, 4, 2))
    design, denis, dm = new_group(community, "Design ops", people=["Denis", "Eve", "Farid", "Gala"])
    held(design, denis, dm, now, 30, handling=1, actions=("D-1", "D-2"), scores=(4, 4, 4))
    data, hugo, tm = new_group(
        community, "Data", capacity=5, people=["Hugo", "Ines", "Jules", "Karim", "Lea"]
    )
    held(data, hugo, tm, now, 400, handling=1, scores=(2, 2, 2, 2))
    held(data, hugo, tm[:3], now, 200, handling=1, actions=("T-1",))
    data.closed_at = now - timedelta(days=100)
    data.save(update_fields=["closed_at"])
    new_group(community, "Nouveau", people=["Marc", "Nina", "Oreste"])
    return community
