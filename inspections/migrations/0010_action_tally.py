from django.db import migrations

from core.tallies import install, uninstall


def tally_on(apps, schema_editor):
    install(schema_editor, "inspections_inspectionaction")


def tally_off(apps, schema_editor):
    uninstall(schema_editor, "inspections_inspectionaction")


class Migration(migrations.Migration):
    """The inspection list's row count kept by triggers (core.tallies)."""

    dependencies = [
        ("core", "0004_row_tally"),
        ("inspections", "0009_action_date_order"),
    ]

    operations = [migrations.RunPython(tally_on, tally_off)]
