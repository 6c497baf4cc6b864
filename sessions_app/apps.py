from django.apps import AppConfig


class SessionsAppConfig(AppConfig):
    name = "sessions_app"
    verbose_name = "Séances"

    def ready(self):
        from . import signals  # noqa: F401 - connects the receivers
