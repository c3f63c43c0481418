from django.db import migrations

from core.tallies import tally_migration


class Migration(migrations.Migration):
    """The inspection list's row count kept by triggers (core.tallies)."""

    dependencies = [
        ("core", "0004_row_tally"),
        ("inspections", "0009_action_date_order"),
    ]

    operations = [tally_migration("inspections_inspectionaction")]
