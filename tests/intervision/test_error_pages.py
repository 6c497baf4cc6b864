"""The error pages: the app's layout and language, what happened and where to go, and
nothing else — an outsider's 404 is the very page a missing object gets."""

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import translation
from django.views import defaults

from .error_urls import SECRET

pytestmark = [pytest.mark.urls("tests.intervision.error_urls")]

DJANGO_WORDING = (
    "Not Found",
    "Server Error",
    "Bad Request",
    "Forbidden",
    "CSRF verification failed",
    "The requested resource",
)
PAGES = {
    400: ("/test-errors/400/", "Demande invalide"),
    403: ("/test-errors/403/", "Accès refusé"),
    404: ("/nulle-part/", "Page introuvable"),
    410: ("/test-errors/410/", "Ce lien n’est plus valable"),
    500: ("/test-errors/500/", "Une erreur est survenue"),
}


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


def assert_error_page(body: str, heading: str) -> None:
    assert '<html lang="fr">' in body
    assert f"<title>{heading} — Intervision</title>" in body
    assert f"<h1>{heading}</h1>" in body
    assert 'class="topbar"' in body and 'class="site-footer"' in body  # the app's layout
    assert f'<a class="button" href="{reverse("home")}">Retour à l’accueil</a>' in body
    for english in DJANGO_WORDING:
        assert english not in body
    # Nothing of the request or the error: no token, no detail.
    assert "csrf" not in body.lower()
    assert SECRET not in body and "Pairs produit" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("status", sorted(PAGES))
def test_each_error_page_is_ours_in_french_with_a_way_home(status, participant):
    path, heading = PAGES[status]
    for signed_in in (False, True):
        client = Client(raise_request_exception=False)
        if signed_in:
            client.force_login(participant)
        response = client.get(path)
        assert response.status_code == status
        body = response.content.decode()
        assert_error_page(body, heading)
        assert path not in body
        sign_in = f'href="{reverse("login")}"'
        if signed_in and status != 500:
            assert participant.name in body and sign_in not in body
        else:
            assert sign_in in body


def test_the_500_page_renders_without_request_user_or_database():
    """Django renders 500.html with an empty context; no database here (no db mark):
    a query would fail the test."""
    with translation.override("fr"):
        response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert_error_page(response.content.decode(), "Une erreur est survenue")


@pytest.mark.django_db
def test_an_outsiders_404_is_the_page_of_a_missing_object(
    client, outsider, group, session, participants
):
    client.force_login(outsider)
    missing_group, missing_session = group.pk + 1000, session.pk + 1000
    for name, real, missing in (
        ("group_detail", group.pk, missing_group),
        ("group_members", group.pk, missing_group),
        ("bilan", group.pk, missing_group),
        ("session_info", session.pk, missing_session),
        ("session_page", session.pk, missing_session),
        ("session_takeaway", session.pk, missing_session),
    ):
        to_real = client.get(reverse(name, args=[real]))
        to_missing = client.get(reverse(name, args=[missing]))
        assert to_real.status_code == to_missing.status_code == 404, name
        assert to_real.content == to_missing.content, name
        assert sorted(to_real.headers.items()) == sorted(to_missing.headers.items()), name
        body = to_real.content.decode()
        assert_error_page(body, "Page introuvable")
        assert session.title not in body and all(p.name not in body for p in participants)
        assert reverse(name, args=[real]) not in body


@pytest.mark.django_db
def test_a_form_sent_with_a_stale_token_answers_the_expired_page(group, participant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)
    response = client.post(reverse("group_reminders", args=[group.pk]), {"reminders": "off"})
    assert response.status_code == 403
    body = response.content.decode()
    assert_error_page(body, "La page a expiré")
    assert "rechargez la page, puis recommencez" in body
    # A stale token is refused the same way.
    client.cookies["csrftoken"] = "x" * 32
    response = client.post(
        reverse("group_reminders", args=[group.pk]),
        {"reminders": "off", "csrfmiddlewaretoken": "y" * 32},
    )
    assert response.status_code == 403
    assert "La page a expiré" in response.content.decode()


@pytest.mark.django_db
def test_the_pages_keep_the_language_chosen(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert '<html lang="en">' in response.content.decode()


@pytest.mark.parametrize("path", ["/g/999999/", "/nulle-part/"])
def test_the_demo_with_debug_on_shows_the_apps_404_not_djangos_url_list(client, participant, path):
    client.force_login(participant)
    with override_settings(DEBUG=True):
        response = client.get(path)
    body = response.content.decode()
    assert response.status_code == 404
    assert "Page introuvable" in body and "URLconf" not in body and "login/link" not in body
