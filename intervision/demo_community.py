"""The demo's community of practice (``manage.py demo``): the demo group in it, a second
group with room, and a leader who sits in neither."""

from participants.models import Community, CommunityMembership, Group, Membership, User

COMMUNITY_NAME = "Communauté produit (démo)"


def demo_community(group: Group, users: list[User]) -> tuple[Community, User]:
    """The community of practice the demo group belongs to, with a second group that has
    room (Juliette organises it) and Marc, who leads the community and sits in no group."""
    community, _ = Community.objects.get_or_create(
        name=COMMUNITY_NAME,
        defaults={"description": "Les product managers de l’entreprise, en petits groupes."},
    )
    if group.community_id != community.pk:
        group.community = community
        group.rhythm = group.rhythm or "Toutes les deux semaines, le mardi soir"
        group.save(update_fields=["community", "rhythm"])
    other, created = Group.objects.get_or_create(
        name="PM en région (démo)",
        defaults={
            "community": community,
            "description": "Des PM hors de Paris, en codéveloppement.",
            "format": "codev",
            "rhythm": "Un jeudi par mois",
        },
    )
    if created:
        Membership.objects.create(group=other, user=users[1], role=Membership.ORGANISER)
    leader, _ = User.objects.get_or_create(
        email="marc@demo.intervision.local", defaults={"display_name": "Marc"}
    )
    CommunityMembership.objects.update_or_create(
        community=community,
        user=leader,
        defaults={"role": CommunityMembership.LEADER, "removed_at": None},
    )
    for user in users:
        CommunityMembership.objects.get_or_create(community=community, user=user)
    return community, leader
