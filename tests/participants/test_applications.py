"""Applications from a group's public page; organisers approve or reject."""

import re

import pytest
from django.core import mail

from participants.models import Application, Invitation, Membership


@pytest.fixture
def open_group(group, organiser):
    group.applications_open = True
    group.description = "Des pairs product managers."
    group.save()
    return group


def apply_data(group, **extra):
    data = {"name": "Camille", "email": "Camille@Example.org"}
    for i, _q in enumerate(group.eligibility_questions()):
        data[f"answer_{i}"] = f"réponse {i}"
    data.update(extra)
    return data


def test_the_public_page_shows_the_questions_and_nothing_about_members_or_sessions(
    client, open_group, organiser, participants, session
):
    page = client.get(f"/apply/{open_group.public_key}/").content.decode()
    assert open_group.name in page and "Des pairs product managers." in page
    for question in open_group.eligibility_questions():
        assert question.replace("'", "&#x27;") in page
    for person in [organiser, *participants]:
        assert person.name not in page and person.email not in page
    assert session.title not in page
    assert f"/g/{open_group.pk}/" not in page


def test_the_public_page_is_not_addressed_by_the_group_id(client, open_group):
    assert client.get(f"/apply/{open_group.pk}/").status_code == 404


def test_a_closed_group_says_applications_are_closed(client, group):
    response = client.get(f"/apply/{group.public_key}/")
    assert response.status_code == 410
    assert "Les candidatures sont fermées" in response.content.decode()
    response = client.post(f"/apply/{group.public_key}/", apply_data(group))
    assert response.status_code == 410
    assert not Application.objects.exists()


def test_applying_records_the_answers_and_tells_the_applicant_and_each_organiser(
    client, open_group, organiser, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/apply/{open_group.public_key}/", apply_data(open_group))
    assert response.status_code == 200
    assert "Candidature envoyée" in response.content.decode()
    application = Application.objects.get()
    assert application.email == "camille@example.org"
    assert [a["answer"] for a in application.answers] == ["réponse 0", "réponse 1"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["camille@example.org", organiser.email])


def test_every_question_must_be_answered(client, open_group):
    data = apply_data(open_group)
    del data["answer_1"]
    response = client.post(f"/apply/{open_group.public_key}/", data)
    assert "Merci de répondre à cette question." in response.content.decode()
    assert not Application.objects.exists()


def test_applying_twice_or_as_a_member_reveals_nothing(client, open_group, participant):
    first = client.post(f"/apply/{open_group.public_key}/", apply_data(open_group))
    again = client.post(f"/apply/{open_group.public_key}/", apply_data(open_group))
    member = client.post(
        f"/apply/{open_group.public_key}/", apply_data(open_group, email=participant.email)
    )
    for response in (first, again, member):
        assert response.status_code == 200
        assert "Candidature envoyée" in response.content.decode()
    assert Application.objects.count() == 1


def test_approving_sends_an_invitation_that_joins_without_asking_the_questions_again(
    client, open_group, organiser, django_capture_on_commit_callbacks
):
    client.post(f"/apply/{open_group.public_key}/", apply_data(open_group))
    application = Application.objects.get()
    client.force_login(organiser)
    page = client.get(f"/g/{open_group.pk}/applications/").content.decode()
    assert "Camille" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/g/{open_group.pk}/applications/{application.pk}/",
            {"decision": "approved", "reason": "Profil idéal"},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "approved" and application.decided_by == organiser
    assert [m.to for m in mail.outbox] == [["camille@example.org"]]
    token = re.search(r"/invite/([\w-]+)/", str(mail.outbox[0].body)).group(1)
    assert "Profil idéal" not in mail.outbox[0].body
    client.logout()
    page = client.get(f"/invite/{token}/").content.decode()
    assert "answer_0" not in page
    response = client.post(f"/invite/{token}/", {"display_name": "Camille", "accept_charter": "on"})
    assert response.status_code == 302
    assert (
        Membership.objects.active()
        .filter(group=open_group, user__email="camille@example.org")
        .exists()
    )


def test_rejecting_sends_a_neutral_mail_and_keeps_the_reason_among_organisers(
    client, open_group, organiser, django_capture_on_commit_callbacks
):
    client.post(f"/apply/{open_group.public_key}/", apply_data(open_group))
    application = Application.objects.get()
    client.force_login(organiser)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/g/{open_group.pk}/applications/{application.pk}/",
            {"decision": "rejected", "reason": "Consultant en ESN"},
        )
    application.refresh_from_db()
    assert application.status == "rejected" and application.reason == "Consultant en ESN"
    assert len(mail.outbox) == 1
    assert "Consultant en ESN" not in mail.outbox[0].body
    assert "ne pouvons pas donner suite" in mail.outbox[0].body
    assert not Invitation.objects.exists()
    page = client.get(f"/g/{open_group.pk}/applications/{application.pk}/").content.decode()
    assert "Consultant en ESN" in page


def test_a_decision_is_taken_once(
    client, open_group, organiser, django_capture_on_commit_callbacks
):
    client.post(f"/apply/{open_group.public_key}/", apply_data(open_group))
    application = Application.objects.get()
    client.force_login(organiser)
    client.post(f"/g/{open_group.pk}/applications/{application.pk}/", {"decision": "rejected"})
    response = client.post(
        f"/g/{open_group.pk}/applications/{application.pk}/", {"decision": "approved"}, follow=True
    )
    assert "déjà été traitée" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "rejected"


def test_approving_is_refused_when_the_group_is_full(
    client, open_group, organiser, participants, facilitator
):
    # Applied while a seat was free; the group filled up before the decision.
    client.post(f"/apply/{open_group.public_key}/", apply_data(open_group))
    application = Application.objects.get()
    open_group.capacity = 6
    open_group.save()
    client.force_login(organiser)
    response = client.post(
        f"/g/{open_group.pk}/applications/{application.pk}/", {"decision": "approved"}
    )
    assert "Le groupe est complet" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "pending"


@pytest.mark.parametrize(
    "persona", ["participant", "facilitator", "outsider", "other_group_member", "removed_member"]
)
def test_only_organisers_see_applications(client, open_group, request, persona):
    Application.objects.create(group=open_group, name="Camille", email="c@example.org", answers=[])
    application = Application.objects.get()
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/g/{open_group.pk}/applications/").status_code == 404
    assert client.get(f"/g/{open_group.pk}/applications/{application.pk}/").status_code == 404
    assert (
        client.post(
            f"/g/{open_group.pk}/applications/{application.pk}/", {"decision": "approved"}
        ).status_code
        == 404
    )


def test_the_applications_page_has_a_constant_number_of_queries(
    client, open_group, organiser, django_assert_max_num_queries
):
    for i in range(15):
        Application.objects.create(
            group=open_group,
            name=f"N{i}",
            email=f"n{i}@example.org",
            decided_by=organiser if i % 2 else None,
            status="rejected" if i % 2 else "pending",
        )
    client.force_login(organiser)
    with django_assert_max_num_queries(7):
        assert client.get(f"/g/{open_group.pk}/applications/").status_code == 200


def test_a_flood_of_applications_is_slowed_down(
    client, open_group, django_capture_on_commit_callbacks
):
    for i in range(20):
        Application.objects.create(group=open_group, name=f"N{i}", email=f"n{i}@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/apply/{open_group.public_key}/", apply_data(open_group))
    assert "réessayez dans une heure" in response.content.decode()
    assert Application.objects.count() == 20
    assert mail.outbox == []


@pytest.fixture
def full_group(open_group):
    from participants.models import User

    for i in range(open_group.capacity - open_group.active_count()):
        person = User.objects.create_user(f"membre{i}@example.org")
        Membership.objects.create(group=open_group, user=person)
    assert open_group.seats_left() == 0
    return open_group


def test_a_full_group_says_so_on_its_public_page_and_takes_no_application(client, full_group):
    page = client.get(f"/apply/{full_group.public_key}/").content.decode()
    assert "Le groupe est complet" in page and "<form" not in page.split("<main", 1)[1]
    client.post(f"/apply/{full_group.public_key}/", apply_data(full_group))
    assert not Application.objects.exists() and mail.outbox == []


def test_a_full_group_may_keep_taking_applications_for_when_a_seat_frees(
    client, full_group, organiser, django_capture_on_commit_callbacks
):
    full_group.applications_when_full = True
    full_group.save()
    page = client.get(f"/apply/{full_group.public_key}/").content.decode()
    assert "votre candidature attendra qu’une place se libère" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/apply/{full_group.public_key}/", apply_data(full_group))
    assert Application.objects.filter(group=full_group).count() == 1
    client.force_login(organiser)
    page = client.get(f"/g/{full_group.pk}/applications/").content.decode()
    assert "Le groupe est complet." in page
