"""Codéveloppement as practitioners run it: the votes a subject got, an action's sign of
success, and each report on an action kept (``ActionReport``)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sessions_app', '0016_logbook_feedback'),
    ]

    operations = [
        migrations.AddField(
            model_name='action',
            name='sign',
            field=models.CharField(blank=True, max_length=300, verbose_name='signe de réussite'),
        ),
        migrations.AddField(
            model_name='subject',
            name='votes',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.CreateModel(
            name='ActionReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('todo', 'à faire'), ('doing', 'en cours'), ('done', 'fait'), ('dropped', 'abandonné')], max_length=10, verbose_name='statut')),
                ('note', models.TextField(blank=True, max_length=500, verbose_name='ce qui a été dit')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('action', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reports', to='sessions_app.action')),
                ('session', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='sessions_app.session')),
            ],
            options={
                'verbose_name': 'point sur une action',
                'ordering': ['created_at', 'id'],
            },
        ),
    ]
