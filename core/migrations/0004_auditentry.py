"""The audit trail's model moves from ``proceedings`` to the core (label ``meeting``).

State only: the table keeps its name (``proceedings_auditentry``) and its rows; this
migration and ``proceedings.0002`` move the model between apps in Django's state.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('meeting', '0003_seat_layout'),
        ('proceedings', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='AuditEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='at')),
                        ('actor', models.CharField(help_text='Name at the time.', max_length=150, verbose_name='who')),
                        ('role', models.CharField(max_length=20, verbose_name='role')),
                        ('action', models.CharField(db_index=True, max_length=60, verbose_name='action')),
                        ('source', models.CharField(choices=[('socket', 'live console'), ('web', 'preparation pages')], default='socket', max_length=10)),
                        ('summary', models.CharField(blank=True, max_length=300, verbose_name='what')),
                        ('data', models.JSONField(blank=True, default=dict)),
                        ('session', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='audit', to='meeting.session')),
                        ('sitting', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='audit', to='meeting.sitting')),
                        ('user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'audit entry',
                        'verbose_name_plural': 'audit trail',
                        'db_table': 'proceedings_auditentry',
                        'ordering': ['-at', '-id'],
                        'indexes': [models.Index(fields=['session', 'at'], name='audit_session_at'), models.Index(fields=['sitting', 'at'], name='audit_sitting_at')],
                    },
                ),
            ],
        ),
    ]
