from django.db import migrations

from core.tallies import install, uninstall


def tally_on(apps, schema_editor):
    install(schema_editor, "enforcement_case")


def tally_off(apps, schema_editor):
    uninstall(schema_editor, "enforcement_case")


class Migration(migrations.Migration):
    """The case list's row count kept by triggers (core.tallies)."""

    dependencies = [
        ("core", "0004_row_tally"),
        ("enforcement", "0014_penalty_kind_case"),
    ]

    operations = [migrations.RunPython(tally_on, tally_off)]
