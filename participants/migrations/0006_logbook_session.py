import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    # Session and Subject exist since sessions_app's first migration: depending on nothing
    # later keeps the two apps' histories from tangling.
    dependencies = [
        ("participants", "0005_reminders"),
        ("sessions_app", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="logbookentry",
            name="session",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="sessions_app.session",
            ),
        ),
        migrations.AddField(
            model_name="logbookentry",
            name="subject",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="sessions_app.subject",
            ),
        ),
    ]
