"""Start the test provider: ``python -m tests.oidc_provider.serve PORT``.

Migrates its database, registers the app under test as a confidential client
(``OIDC_PROVIDER_CLIENT_ID``, ``OIDC_PROVIDER_CLIENT_SECRET``, authorization code, no consent
screen, RS256, the redirect URIs of ``OIDC_PROVIDER_REDIRECT_URIS``, space-separated), then
serves on 127.0.0.1:PORT with Django's threaded development server.
"""

import os
import sys


def main(port: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.oidc_provider.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from oauth2_provider.models import get_application_model

    call_command("migrate", verbosity=0)
    Application = get_application_model()
    Application.objects.update_or_create(
        client_id=os.environ["OIDC_PROVIDER_CLIENT_ID"],
        defaults={
            "name": "Intervision under test",
            "client_secret": os.environ["OIDC_PROVIDER_CLIENT_SECRET"],
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "redirect_uris": os.environ.get("OIDC_PROVIDER_REDIRECT_URIS", ""),
            "skip_authorization": True,
            "algorithm": Application.RS256_ALGORITHM,
        },
    )
    call_command(
        "runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True, skip_checks=True
    )


if __name__ == "__main__":
    main(sys.argv[1])
