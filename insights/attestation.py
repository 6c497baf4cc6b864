"""« Mon attestation de participation »: what a person's taking part adds up to, for their
training records (004: « la contribution à la communauté de pratiques comme un élément clé
pour progresser dans le career path »), for them alone.

Counted from the structure of the history, as the Bilan is (``figures``, ``personal``): the
ended sessions' ``tally`` (who was at the table), their start and end, and the kinds of step
of the event log (who drove); never a state, a keyword, a text, nor anyone else's name.
Not even a group's name: a group's name may itself say too much, so groups are counted, and
named only by the community they belong to.

- A session counts when it ended with the person at the table (seated, not marked
  absent), or when they drove it — the authors of its facilitator-only steps not undone, as
  the Bilan's « Personnes ayant animé » (``eventlog.drivers``, asked of the database here
  rather than read from whole logs; a test holds the two together). A facilitator who does
  not sit at the table takes part all the same.
- Its hours are what it really lasted, from its start to its end.
- Every group the person has been a member of counts, those they have left too: what they
  took part in stays theirs.

``attestation`` runs ``ATTESTATION_QUERIES`` queries, however many groups and sessions.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from participants.models import Membership
from sessions_app import flow
from sessions_app.models import Event, Session

ATTESTATION_QUERIES = 2  # the sessions, and those the person drove


@dataclass(frozen=True)
class CommunityShare:
    name: str  # the community's name; "" for the groups that stand alone
    sessions: int
    minutes: float
    groups: int


@dataclass(frozen=True)
class Attestation:
    sessions: int
    minutes: float  # the sessions' actual durations, added up
    first: date | None  # the first and last session attended (None: none)
    last: date | None
    intervision: int  # sessions by kind of practice
    codev: int
    facilitated: int  # sessions the person drove
    groups: int  # how many groups the sessions were in (never which)
    # One line per community, the groups standing alone last (name ""); empty when none of
    # the groups belongs to a community.
    communities: tuple[CommunityShare, ...] = ()


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def attestation(user, since: date | None = None, until: date | None = None) -> Attestation:
    """``user``'s sessions, held from the day ``since`` to the day ``until`` (both included,
    in the current time zone; None: no bound)."""
    sessions = Session.objects.filter(
        group__in=Membership.objects.filter(user=user).values("group_id"), stage="ended"
    )
    if since is not None:
        sessions = sessions.filter(scheduled_at__gte=_start_of(since))
    if until is not None:
        sessions = sessions.filter(scheduled_at__lt=_start_of(until + timedelta(days=1)))
    rows = list(  # 1
        sessions.order_by("scheduled_at", "pk").values(
            "pk",
            "group_id",
            "format",
            "scheduled_at",
            "started_at",
            "ended_at",
            "tally",
            "group__community_id",
            "group__community__name",
        )
    )
    drove = set(  # 2
        Event.objects.filter(
            session__in=sessions.values("pk"),
            actor=user,
            undone=False,
            command__type__in=sorted(flow.FACILITATOR_ONLY),
        )
        .order_by()
        .values_list("session_id", flat=True)
    )
    attended = [
        row
        for row in rows
        if row["pk"] in drove or user.pk in flow.Structure.from_data(row["tally"]).present
    ]

    def lasted(row) -> float:
        started, ended = row["started_at"], row["ended_at"]
        return 0.0 if started is None or ended is None else (ended - started).total_seconds() / 60

    shares: dict[int | None, dict] = defaultdict(
        lambda: {"name": "", "sessions": 0, "minutes": 0.0, "groups": set()}
    )
    for row in attended:
        share = shares[row["group__community_id"]]
        share["name"] = row["group__community__name"] or ""
        share["sessions"] += 1
        share["minutes"] += lasted(row)
        share["groups"].add(row["group_id"])
    communities: tuple[CommunityShare, ...] = ()
    if any(key is not None for key in shares):
        communities = tuple(
            CommunityShare(s["name"], s["sessions"], s["minutes"], len(s["groups"]))
            for key, s in sorted(
                shares.items(), key=lambda item: (item[0] is None, item[1]["name"].lower())
            )
        )
    days = [timezone.localdate(row["scheduled_at"]) for row in attended]
    codev = sum(1 for row in attended if row["format"] == "codev")
    return Attestation(
        sessions=len(attended),
        minutes=sum(lasted(row) for row in attended),
        first=min(days, default=None),
        last=max(days, default=None),
        intervision=len(attended) - codev,
        codev=codev,
        facilitated=sum(1 for row in attended if row["pk"] in drove),
        groups=len({row["group_id"] for row in attended}),
        communities=communities,
    )
