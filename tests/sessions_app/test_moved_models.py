"""The carnet's notes and the members' feedback live in sessions_app: the migration that moved
them there from participants and insights keeps every row, and their content types."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("sessions_app", "0015_session_tally"),
    ("participants", "0013_language"),
    ("insights", "0001_feedback"),
]
AFTER = [
    ("sessions_app", "0016_logbook_feedback"),
    ("participants", "0014_logbook_to_sessions_app"),
    ("insights", "0002_feedback_to_sessions_app"),
]


def migrate(targets=None):
    """Migrate the test database to ``targets`` (every app's latest by default); the models
    as they stand there."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_notes_and_feedback_keep_their_rows_when_they_move_to_sessions_app():
    try:
        old = migrate(BEFORE)
        author = old.get_model("participants", "User").objects.create(email="juliette@x.org")
        group = old.get_model("participants", "Group").objects.create(name="Pairs")
        session = old.get_model("sessions_app", "Session").objects.create(
            group=group, scheduled_at=timezone.now()
        )
        subject = old.get_model("sessions_app", "Subject").objects.create(
            group=group, owner=author, keyword="recrutement"
        )
        note = old.get_model("participants", "LogbookEntry").objects.create(
            author=author, group=group, session=session, subject=subject, text="CARNET"
        )
        feedback = old.get_model("insights", "Feedback").objects.create(
            session=session, author=author, usefulness=4, keeps="RETENU", shared=True
        )

        new = migrate(AFTER)
        moved = new.get_model("sessions_app", "LogbookEntry").objects.get()
        assert (moved.pk, moved.text, moved.created_at) == (note.pk, "CARNET", note.created_at)
        assert (moved.author_id, moved.group_id, moved.session_id, moved.subject_id) == (
            author.pk, group.pk, session.pk, subject.pk
        )
        said = new.get_model("sessions_app", "Feedback").objects.get()
        assert (said.pk, said.session_id, said.author_id) == (feedback.pk, session.pk, author.pk)
        assert (said.usefulness, said.keeps, said.shared) == (4, "RETENU", True)
        types = new.get_model("contenttypes", "ContentType").objects.filter(
            model__in=("logbookentry", "feedback")
        )
        assert sorted(types.values_list("app_label", "model")) == [
            ("sessions_app", "feedback"),
            ("sessions_app", "logbookentry"),
        ]
    finally:
        migrate()
