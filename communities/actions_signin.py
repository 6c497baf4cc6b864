"""Company sign-in: what the community's provider said, the checks that are ours, and the
write that lets the person in.

allauth has already checked the ID token (its signature, unless it came straight from the
provider's token endpoint, its audience, its expiry, and that its issuer is the one of the
provider's discovery document) before ``do_company_sign_in`` is called. What is checked here
is what the community decided: the issuer it configured, exactly; its e-mail domains; who
it removed. A refusal changes nothing: no account, no membership.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from participants.models import Community, CommunityMembership, User

NAME_MAX = 80


class Refused(Exception):
    """The sign-in is refused; ``reason`` is one of the constants below."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# Why a sign-in is refused (the page says each in its words: ``communities.oidc``).
FAILED = "failed"  # the exchange with the provider did not complete (state, code, error)
WRONG_ISSUER = "wrong_issuer"
NO_EMAIL = "no_email"
UNVERIFIED = "unverified"
OUTSIDE_DOMAINS = "outside_domains"
REMOVED = "removed"
CLOSED = "closed"
STAFF = "staff"
LINK_FIRST = "link_first"  # an account holds the address: its owner links it, signed in


def _flag(value: object) -> bool | None:
    """A boolean claim, as providers write it (true, "true", "false"…); None when absent."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


@dataclass(frozen=True)
class Claims:
    """Who the provider says signed in: from the ID token (the issuer, always) and the
    userinfo answer fetched with its access token (which may add the address and name)."""

    issuer: str
    email: str
    email_verified: bool | None
    name: str

    @classmethod
    def read(cls, id_token: dict, userinfo: dict) -> "Claims":
        if not id_token.get("iss"):
            raise Refused(FAILED)
        if userinfo.get("sub") is not None and userinfo["sub"] != id_token.get("sub"):
            # Userinfo must speak of the ID token's person (OpenID Connect Core 5.3.2).
            raise Refused(FAILED)
        merged = {**id_token, **userinfo}
        name = merged.get("name") or " ".join(
            part for part in (merged.get("given_name"), merged.get("family_name")) if part
        )
        return cls(
            issuer=str(id_token["iss"]),
            email=str(merged.get("email") or "").strip().lower(),
            email_verified=_flag(merged.get("email_verified")),
            name=str(name or "").strip()[:NAME_MAX],
        )


def check_claims(community: Community, claims: Claims) -> None:
    """Refuse what the community did not agree to: another issuer than the one it
    configured (compared exactly), no address, an address the provider says it did not
    verify, an address outside the community's domains."""
    if claims.issuer != community.oidc_issuer:
        raise Refused(WRONG_ISSUER)
    if not claims.email or "@" not in claims.email:
        raise Refused(NO_EMAIL)
    if claims.email_verified is False:
        raise Refused(UNVERIFIED)
    if claims.email.rpartition("@")[2] not in community.domains():
        raise Refused(OUTSIDE_DOMAINS)


def do_company_sign_in(
    community: Community,
    claims: Claims,
    *,
    now: datetime,
    linked_to: int | None = None,
    signed_in: int | None = None,
) -> User:
    """The person the provider vouches for, ready to be signed in: found by e-mail address
    or created (named as the provider names them), and a member of the community if they
    were not yet in it. Refused — with nothing written — when the claims fail
    ``check_claims``, when the community removed them, when their account is closed or
    erased, or when it is a staff account (those sign in with their password).

    A provider vouches for an address, not for an account that already holds it: such an
    account is signed into only once linked to this sign-in — ``linked_to``, the account
    this provider's identity was linked to before — or by its owner, signed in already
    (``signed_in``: an e-mailed link proved the mailbox), who links it now. Whoever runs a
    community's provider never takes over an account made without it."""
    check_claims(community, claims)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email=claims.email).first()
        if user is None:
            user = _create_user(claims)
        elif not user.is_active or user.erased_at is not None:
            raise Refused(CLOSED)
        elif user.is_staff or user.is_superuser:
            raise Refused(STAFF)
        elif CommunityMembership.objects.filter(
            community=community, user=user, removed_at__isnull=False
        ).exists():
            raise Refused(REMOVED)
        elif user.pk not in (linked_to, signed_in):
            raise Refused(LINK_FIRST)
        membership, _created = CommunityMembership.objects.get_or_create(
            community=community, user=user, defaults={"joined_at": now}
        )
        if membership.removed_at is not None:
            raise Refused(REMOVED)
    return user


def _create_user(claims: Claims) -> User:
    try:
        with transaction.atomic():
            return User.objects.create_user(claims.email, display_name=claims.name)
    except IntegrityError:
        # The same person's first sign-in in another tab created the account meanwhile.
        return User.objects.select_for_update().get(email=claims.email)
