"""A person's company sign-ins in « Mes données »: listed in the download (which community,
its provider, since when), erased with the account."""

import pytest
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.urls import reverse

from privacy import actions


@pytest.fixture
def linked(community, participant):
    community.oidc_issuer = "https://login.acme.test/realms/acme"
    community.save()
    account = SocialAccount.objects.create(
        user=participant,
        provider=community.sign_in_provider_id,
        uid="SUB-JULIETTE",
        extra_data={"email": "CLAIM-JULIETTE"},  # from before nothing was kept
    )
    SocialToken.objects.create(account=account, token="TOKEN-JULIETTE")
    return account


def test_the_download_lists_company_sign_ins_not_what_the_provider_said(
    client, linked, participant, community
):
    client.force_login(participant)
    data = client.get(reverse("my_data_json")).json()
    assert data["company_sign_ins"] == [
        {
            "community": "Produit & Co",
            "provider": "https://login.acme.test/realms/acme",
            "linked_at": linked.date_joined.isoformat(),
            "last_used_at": linked.last_login.isoformat(),
        }
    ]
    text = client.get(reverse("my_data_markdown")).content.decode()
    assert "## Connexions de l’entreprise" in text
    assert "Produit & Co (https://login.acme.test/realms/acme)" in text
    for secret in ("SUB-JULIETTE", "CLAIM-JULIETTE", "TOKEN-JULIETTE"):
        assert secret not in str(data) and secret not in text


def test_the_download_says_none_without_one(client, participant):
    client.force_login(participant)
    assert client.get(reverse("my_data_json")).json()["company_sign_ins"] == []


def test_erasing_the_account_deletes_its_company_sign_ins(linked, participant, participants):
    other = SocialAccount.objects.create(
        user=participants[1], provider=linked.provider, uid="SUB-DRAGOS"
    )
    actions.do_erase_account(participant)
    assert list(SocialAccount.objects.all()) == [other]
    assert not SocialToken.objects.exists()
