from django.db import migrations

from core.tallies import tally_migration


class Migration(migrations.Migration):
    """The case list's row count kept by triggers (core.tallies)."""

    dependencies = [
        ("core", "0004_row_tally"),
        ("enforcement", "0014_penalty_kind_case"),
    ]

    operations = [tally_migration("enforcement_case")]
