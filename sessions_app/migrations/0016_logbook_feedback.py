"""The carnet's notes and the members' feedback join sessions_app, their tables and rows as
they were: ``participants_logbookentry`` and ``insights_feedback`` keep their names, so only
Django's picture of the models moves (``participants`` and ``insights`` drop theirs next).
Their content types move with them, so that permissions granted on them still hold."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED = (("participants", "logbookentry"), ("insights", "feedback"))


def _relabel(apps, schema_editor, forwards: bool) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    for old_app, model in MOVED:
        source, target = (old_app, "sessions_app") if forwards else ("sessions_app", old_app)
        if not types.filter(app_label=target, model=model).exists():
            types.filter(app_label=source, model=model).update(app_label=target)


def content_types_forwards(apps, schema_editor):
    _relabel(apps, schema_editor, forwards=True)


def content_types_backwards(apps, schema_editor):
    _relabel(apps, schema_editor, forwards=False)


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0015_session_tally"),
        ("participants", "0013_language"),
        ("insights", "0001_feedback"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LogbookEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("text", models.TextField(max_length=5000, verbose_name="note")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "author",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="logbook_entries",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "group",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="participants.group",
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="sessions_app.session",
                            ),
                        ),
                        (
                            "subject",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="sessions_app.subject",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "entrée du carnet de bord",
                        "db_table": "participants_logbookentry",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="Feedback",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "usefulness",
                            models.PositiveSmallIntegerField(
                                choices=[
                                    (1, "1 — pas utile"),
                                    (2, "2 — peu utile"),
                                    (3, "3 — assez utile"),
                                    (4, "4 — utile"),
                                    (5, "5 — très utile"),
                                ],
                                validators=[
                                    django.core.validators.MinValueValidator(1),
                                    django.core.validators.MaxValueValidator(5),
                                ],
                                verbose_name="utilité de la séance pour moi",
                            ),
                        ),
                        (
                            "keeps",
                            models.TextField(
                                blank=True, max_length=1000, verbose_name="ce que je retiens"
                            ),
                        ),
                        (
                            "shared",
                            models.BooleanField(
                                default=False,
                                verbose_name=(
                                    "partager ce que je retiens avec le groupe, sans mon nom"
                                ),
                            ),
                        ),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "author",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="feedback",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="feedback",
                                to="sessions_app.session",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "retour sur la séance",
                        "db_table": "insights_feedback",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("session", "author"), name="one_feedback_per_session"
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_forwards, content_types_backwards),
    ]
