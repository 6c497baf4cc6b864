"""The members' feedback is ``sessions_app.Feedback`` now: insights forgets the model, the
table and its rows stay where they are (``sessions_app`` 0016 took them over)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0001_feedback"),
        ("sessions_app", "0016_logbook_feedback"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Feedback")],
        ),
    ]
