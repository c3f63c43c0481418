from django.db import migrations

from core.tallies import tally_migration


class Migration(migrations.Migration):
    """The ledger's row count kept by triggers (core.tallies): the unfiltered ledger and the hazard API
    stop counting two million rows on every page."""

    dependencies = [
        ("core", "0004_row_tally"),
        ("hazards", "0011_history_without_column_indexes"),
    ]

    operations = [tally_migration("hazards_hazard")]
