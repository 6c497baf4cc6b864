"""An ended session's structure for the Bilan, in a column of its own (``flow.Structure``)."""

from django.db import migrations, models


def fill(apps, schema_editor):
    Session = apps.get_model("sessions_app", "Session")
    for session in Session.objects.filter(stage="ended").only("pk", "state").iterator():
        state = session.state or {}
        absent = set(state.get("absent", ()))
        subjects = state.get("subjects", ())
        session.tally = {
            "present": [p for p in state.get("seating", ()) if p not in absent],
            "steps": list(state.get("steps", ())),
            "carried": sum(1 for s in subjects if s.get("carried")),
            "open": sum(1 for s in subjects if s.get("status", "open") == "open"),
        }
        session.save(update_fields=["tally"])


class Migration(migrations.Migration):
    dependencies = [("sessions_app", "0014_stage_columns")]

    operations = [
        migrations.AddField(
            model_name="session",
            name="tally",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
