"""« Télécharger mes données »: everything about one person, as JSON and as Markdown.

What they wrote (their contracts, syntheses, plans with their signs of success and each
report on them), what is recorded about them, and what was said to them on their own
subjects — the questions, reactions and proposals they received and kept, without who said
them: the group's other members did not choose to have their names leave it (documented on
the privacy page); of what they proposed on others' subjects, whether it was kept, never the
owner's note. Nothing else written by others: no keyword of another person's subject (the rule
of every download, ``sessions_app.logbook.keyword_in_download``), no organiser's reason on
an application. Of the communities of practice, the person's own places (as a leader or a
member, since and until when), never who else is in them.
"""

import json
from datetime import datetime

from allauth.socialaccount.models import SocialAccount
from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from participants.models import (
    Application,
    Community,
    CommunityMembership,
    Invitation,
    Membership,
    User,
)
from sessions_app.cycle import OWN_WORDS
from sessions_app.logbook import keyword_in_download
from sessions_app.models import (
    Action,
    ActionReport,
    Contribution,
    Feedback,
    LogbookEntry,
    Registration,
    Subject,
)
from sessions_app.texts import KIND_LABELS, PHASE_LABELS

FORMAT = "intervision-export/1"


def _when(session) -> str | None:
    return session.scheduled_at.isoformat() if session is not None else None


def _communities(user: User) -> list[dict]:
    """The person's places in communities of practice: which, as what, since and until
    when. Nothing of the community's other people, nor of its settings."""
    return [
        {
            "community": place.community.name,
            "role": place.role,
            "joined_at": place.joined_at.isoformat(),
            "removed_at": place.removed_at.isoformat() if place.removed_at else None,
        }
        for place in CommunityMembership.objects.filter(user=user)
        .select_related("community")
        .order_by("joined_at", "pk")
    ]


def personal_data(user: User) -> dict:
    """The person's data, in categories, as plain JSON-ready values."""
    own_subjects = {
        s.pk: s
        for s in Subject.objects.filter(owner=user).select_related(
            "group", "proposed_in", "handled_in"
        )
    }

    def keyword(subject) -> str | None:
        return keyword_in_download(user, subject)

    received: dict[int, list[dict]] = {pk: [] for pk in own_subjects}
    # The help they asked for (their contract) and their synthesis, per subject.
    own_words: dict[int, dict[str, str]] = {pk: {} for pk in own_subjects}
    for c in (
        Contribution.objects.filter(subject__owner=user)
        .select_related("session")
        .order_by("subject_id", "n")
    ):
        if c.person_id == user.pk:
            if c.kind in OWN_WORDS:
                own_words[c.subject_id][c.kind] = c.text
            continue
        received[c.subject_id].append(
            {
                "session": _when(c.session),
                "phase": c.phase,
                "kind": c.kind,
                "text": c.text,
                "in_my_panier": c.taken,
                "my_note": c.note,
            }
        )
    return {
        "format": FORMAT,
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "has_password": user.has_usable_password(),
        },
        "memberships": [
            {
                "group": m.group.name,
                "role": m.role,
                "joined_at": m.joined_at.isoformat(),
                "removed_at": m.removed_at.isoformat() if m.removed_at else None,
                "charter_accepted_at": (
                    m.charter_accepted_at.isoformat() if m.charter_accepted_at else None
                ),
                "eligibility_answers": m.eligibility_answers,
                "reminders": m.reminders,
            }
            for m in user.memberships.select_related("group").order_by("joined_at", "pk")
        ],
        "communities": _communities(user),
        "registrations": [
            {
                "group": r.session.group.name,
                "session": _when(r.session),
                "status": r.status,
                "registered_at": r.created_at.isoformat(),
            }
            for r in Registration.objects.filter(user=user).select_related("session__group")
        ],
        "subjects": [
            {
                "group": s.group.name,
                "keyword": s.keyword,
                "status": s.status,
                "urgent": s.urgent,
                "proposed_at": s.created_at.isoformat(),
                "proposed_in": _when(s.proposed_in),
                "handled_in": _when(s.handled_in),
                "request": own_words[s.pk].get("request", ""),
                "synthesis": own_words[s.pk].get("synthesis", ""),
                "received": received[s.pk],
            }
            for s in own_subjects.values()
        ],
        "contributions": [
            {
                "group": c.session.group.name,
                "session": _when(c.session),
                "subject": keyword(c.subject),
                "phase": c.phase,
                "kind": c.kind,
                "text": c.text,
                # Whether the subject's owner kept it: a proposal's fate, never their note.
                "kept": c.taken,
            }
            for c in Contribution.objects.filter(person=user)
            .select_related("session__group", "subject")
            .order_by("session__scheduled_at", "subject_id", "n")
        ],
        "actions": [
            {
                "group": a.session.group.name,
                "session": _when(a.session),
                "subject": keyword(a.subject),
                "text": a.text,
                "sign": a.sign,
                "status": a.status,
                "note": a.note,
                "review_on": a.review_on.isoformat() if a.review_on else None,
                "reported_in": _when(a.reported_in),
                "reports": [
                    {
                        "session": _when(r.session),
                        "written_at": r.created_at.isoformat(),
                        "status": r.status,
                        "note": r.note,
                    }
                    for r in a.reports.all()
                ],
            }
            for a in Action.objects.filter(owner=user)
            .select_related("session__group", "reported_in", "subject")
            .prefetch_related(
                Prefetch("reports", ActionReport.objects.select_related("session"))
            )
        ],
        "logbook": [
            {
                "group": e.group.name,
                "written_at": e.created_at.isoformat(),
                "updated_at": e.updated_at.isoformat(),
                "session": _when(e.session),
                "subject": keyword(e.subject),
                "text": e.text,
            }
            for e in LogbookEntry.objects.filter(author=user).select_related(
                "group", "session", "subject"
            )
        ],
        "feedback": [
            {
                "group": f.session.group.name,
                "session": _when(f.session),
                "usefulness": f.usefulness,
                "keeps": f.keeps,
                "shared_with_the_group": f.shared,
            }
            for f in Feedback.objects.filter(author=user).select_related("session__group")
        ],
        "applications": [
            {
                "group": a.group.name,
                "name": a.name,
                "answers": a.answers,
                "status": a.status,
                "sent_at": a.created_at.isoformat(),
                "decided_at": a.decided_at.isoformat() if a.decided_at else None,
            }
            for a in Application.objects.filter(email__iexact=user.email).select_related("group")
        ],
        "invitations": [
            {
                "group": i.group.name,
                "sent_at": i.created_at.isoformat(),
                "expires_at": i.expires_at.isoformat(),
                "status": i.status,
            }
            for i in Invitation.objects.filter(email__iexact=user.email).select_related("group")
        ],
        "company_sign_ins": _company_sign_ins(user),
    }


def _company_sign_ins(user: User) -> list[dict]:
    """The person's accounts linked through a community's company sign-in: which community,
    its provider, since when and when last used. Never what the provider said of them
    (nothing of it is kept)."""
    linked = list(SocialAccount.objects.filter(user=user).order_by("date_joined", "pk"))
    communities = Community.objects.in_bulk(
        [pk for a in linked if (pk := Community.pk_from_sign_in_provider_id(a.provider))]
    )
    rows = []
    for account in linked:
        community = communities.get(Community.pk_from_sign_in_provider_id(account.provider) or 0)
        rows.append(
            {
                "community": community.name if community else None,
                "provider": community.oidc_issuer if community else account.provider,
                "linked_at": account.date_joined.isoformat(),
                "last_used_at": account.last_login.isoformat(),
            }
        )
    return rows


def _dates_in_words(value) -> None:
    """Replace, in place, the ISO dates and times by the reader's way of writing them."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in list(items):
        if isinstance(item, (dict, list)):
            _dates_in_words(item)
        elif key in _DATES and isinstance(item, str):
            when = datetime.fromisoformat(item)
            if len(item) == 10:
                value[key] = formats.date_format(when.date(), "DATE_FORMAT")
            else:
                value[key] = formats.date_format(timezone.localtime(when), "DATETIME_FORMAT")


_DATES = {
    "exported_at", "date_joined", "last_login", "joined_at", "removed_at",
    "charter_accepted_at", "session", "registered_at", "proposed_at", "proposed_in",
    "handled_in", "written_at", "updated_at", "review_on", "reported_in", "sent_at",
    "decided_at", "expires_at", "linked_at", "last_used_at",
}


def _readable_communities(places: list[dict]) -> None:
    """The roles in communities in the reader's language, in place."""
    roles = dict(CommunityMembership.ROLES)
    for place in places:
        place["role"] = str(roles.get(place["role"], place["role"]))


def readable(data: dict) -> dict:
    """The same data with the codes (roles, statuses, kinds, phases) and the dates in the
    reader's language, for the Markdown rendering, which writes every text of it."""
    roles = dict(Membership.ROLES)
    subject_statuses = dict(Subject.STATUSES)
    action_statuses = dict(Action.STATUSES)
    registration_statuses = dict(Registration.STATUSES)
    application_statuses = dict(Application.STATUSES)

    invitation_statuses = {
        "used": _("acceptée"),
        "revoked": _("révoquée"),
        "expired": _("expirée"),
        "pending": _("en attente"),
    }

    def label(labels, code):
        return str(labels.get(code, code))

    data = json.loads(json.dumps(data))
    _dates_in_words(data)
    for m in data["memberships"]:
        m["role"] = label(roles, m["role"])
    _readable_communities(data["communities"])
    for r in data["registrations"]:
        r["status"] = label(registration_statuses, r["status"])
    for s in data["subjects"]:
        s["status"] = label(subject_statuses, s["status"])
        for c in s["received"]:
            c["kind"] = label(KIND_LABELS, c["kind"])
            c["phase"] = label(PHASE_LABELS, c["phase"])
    for c in data["contributions"]:
        c["kind"] = label(KIND_LABELS, c["kind"])
        c["phase"] = label(PHASE_LABELS, c["phase"])
    for a in data["actions"]:
        a["status"] = label(action_statuses, a["status"])
        for r in a["reports"]:
            r["status"] = label(action_statuses, r["status"])
    for a in data["applications"]:
        a["status"] = label(application_statuses, a["status"])
    for i in data["invitations"]:
        i["status"] = label(invitation_statuses, i["status"])
    return data
