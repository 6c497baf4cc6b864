"""The group's codéveloppement settings: how it chooses its subjects (arrival, votes,
consensus), the votes each person gives, and whether the rota also proposes who keeps time."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('participants', '0014_logbook_to_sessions_app'),
    ]

    operations = [
        migrations.AddField(
            model_name='group',
            name='rota_timekeeper',
            field=models.BooleanField(default=False, help_text='En animation tournante, l’ordre de l’animation propose aussi la personne qui garde le temps\xa0: celle qui suit la personne qui anime.', verbose_name='gardien·ne du temps à tour de rôle'),
        ),
        migrations.AddField(
            model_name='group',
            name='subject_choice',
            field=models.CharField(blank=True, choices=[('', 'Par ordre d’arrivée'), ('votes', 'Par un vote du groupe'), ('consensus', 'Par consensus, noté par la personne qui anime')], default='', help_text='Après le tour de mots-clés, le groupe peut choisir ensemble les sujets traités\xa0: chaque personne à la table donne ses votes (secrets jusqu’à ce que tout le monde ait voté), ou la personne qui anime note le consensus. Les sujets urgents restent en tête.', max_length=10, verbose_name='choix des sujets'),
        ),
        migrations.AddField(
            model_name='group',
            name='votes_per_person',
            field=models.PositiveSmallIntegerField(default=2, help_text='Quand le groupe vote\xa0: de 1 à 5 votes chacun, à répartir entre les sujets.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='votes par personne'),
        ),
    ]
