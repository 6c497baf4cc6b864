from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = "Participants"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import language, logs, reauth  # noqa: F401 - reauth connects the receiver dating sign-ins

        logs.install()
        user_logged_in.connect(language.on_login, dispatch_uid="participants.language")
