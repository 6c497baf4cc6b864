"""The carnet's notes are ``sessions_app.LogbookEntry`` now: participants forgets the model,
the table and its rows stay where they are (``sessions_app`` 0016 took them over)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0013_language"),
        ("sessions_app", "0016_logbook_feedback"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="LogbookEntry")],
        ),
    ]
