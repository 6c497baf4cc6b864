"""The demo a newcomer clicks through holds the community level too."""

from io import StringIO

from django.core.management import call_command

from participants.models import Community, CommunityMembership, Membership


def test_the_demo_has_a_community_of_two_groups_led_by_someone_in_neither(db, settings):
    settings.DEBUG = True
    for _ in range(2):  # run again, as each « dev.py run » does: nothing doubles
        out = StringIO()
        call_command("demo", stdout=out)
    community = Community.objects.get()
    assert community.groups.count() == 2
    leader = CommunityMembership.objects.get(community=community, role="leader").user
    assert not Membership.objects.filter(user=leader).exists()
    printed = out.getvalue()
    assert f"/c/{community.pk}/" in printed and "Marc" in printed
