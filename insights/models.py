"""The members' own word on a session: how useful it was, and what they keep from it.

« Ce que je retiens » is its author's: nobody else reads it, unless they choose to share it
with the group, and then without their name (seed 004: "des retours qualitatifs de la part
de nos membres"). The usefulness counts in the group's figures, never shown per person.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participants.models import Membership


class FeedbackQuerySet(models.QuerySet):
    def of(self, user):
        """``user``'s own feedback, in groups they still belong to."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            author=user, session__group__in=Membership.objects.groups_of(user)
        )


class Feedback(models.Model):
    USEFULNESS = [
        (1, _("1 — pas utile")),
        (2, _("2 — peu utile")),
        (3, _("3 — assez utile")),
        (4, _("4 — utile")),
        (5, _("5 — très utile")),
    ]
    KEEPS_MAX = 1000

    session = models.ForeignKey(
        "sessions_app.Session", on_delete=models.CASCADE, related_name="feedback"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback"
    )
    usefulness = models.PositiveSmallIntegerField(
        _("utilité de la séance pour moi"),
        choices=USEFULNESS,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    keeps = models.TextField(_("ce que je retiens"), blank=True, max_length=KEEPS_MAX)
    shared = models.BooleanField(
        _("partager ce que je retiens avec le groupe, sans mon nom"), default=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "author"], name="one_feedback_per_session")
        ]
        verbose_name = _("retour sur la séance")

    def __str__(self):
        return f"feedback {self.pk}"  # never its text: it is its author's
