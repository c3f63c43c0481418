# ImportJob now belongs to core (core.0001 takes it over with the same table); nothing in the
# database changes.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_importjob"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ImportJob")],
            database_operations=[],
        ),
    ]
