from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = "Participants"

    def ready(self):
        from . import logs, reauth  # noqa: F401 - reauth connects the receiver dating sign-ins

        logs.install()
