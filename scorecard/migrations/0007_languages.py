"""Issue 19: a person's language (Preference), an organisation's default report language, a bulk export's language.

The choices are a callable (settings.LANGUAGES): adding a language needs no migration."""

import django.db.models.deletion
import scorecard.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('scorecard', '0006_reports_in_storage_and_list_columns'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='bulkexport',
            name='language',
            field=models.CharField(choices=scorecard.models.language_choices, default='en', max_length=8, verbose_name='report language'),
        ),
        migrations.AddField(
            model_name='organisation',
            name='language',
            field=models.CharField(blank=True, choices=scorecard.models.language_choices, default='', help_text='PDF reports are in this language unless the person downloading one picks another.', max_length=8, verbose_name='report language'),
        ),
        migrations.CreateModel(
            name='Preference',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('language', models.CharField(choices=scorecard.models.language_choices, max_length=8, verbose_name='language')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='preference', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'preference',
            },
        ),
    ]
