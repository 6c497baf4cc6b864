from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Données personnelles"

    def ready(self):
        from . import reauth  # noqa: F401 - connects the receiver that dates each sign-in
