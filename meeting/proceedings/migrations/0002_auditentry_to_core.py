"""The audit trail's model now lives in the core (``meeting.0004``); state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('proceedings', '0001_initial'),
        ('meeting', '0004_auditentry'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name='AuditEntry')],
        ),
    ]
