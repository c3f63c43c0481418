from django.db import migrations

from core.tallies import install, uninstall


def tally_on(apps, schema_editor):
    install(schema_editor, "hazards_hazard")


def tally_off(apps, schema_editor):
    uninstall(schema_editor, "hazards_hazard")


class Migration(migrations.Migration):
    """The ledger's row count kept by triggers (core.tallies): the unfiltered ledger and the hazard API
    stop counting two million rows on every page."""

    dependencies = [
        ("core", "0004_row_tally"),
        ("hazards", "0011_history_without_column_indexes"),
    ]

    operations = [migrations.RunPython(tally_on, tally_off)]
