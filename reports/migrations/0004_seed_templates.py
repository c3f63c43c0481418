"""The report templates the product starts with (reports.template_defaults). Idempotent: a kind that has a
template already (perhaps edited by the office) is left alone. tests/conftest.py re-runs it after a flush."""

from django.db import migrations


def seed(apps, schema_editor) -> None:
    from reports.template_defaults import DEFAULT_TEMPLATES

    template_model = apps.get_model("reports", "ReportTemplate")
    section_model = apps.get_model("reports", "TemplateSection")
    for kind, spec in DEFAULT_TEMPLATES.items():
        template, created = template_model.objects.get_or_create(
            kind=kind, defaults={"name": spec["name"], "title_pattern": spec["title_pattern"]}
        )
        if not created and section_model.objects.filter(template=template).exists():
            continue
        for order, section in enumerate(spec["sections"], start=1):
            section_model.objects.create(
                template=template,
                key=section["key"],
                order=order * 10,
                level=section.get("level", 1),
                heading=section["heading"],
                sentences="\n".join(section.get("sentences", [])),
                narrative_hint=section.get("narrative_hint", ""),
                default_narrative=section.get("default_narrative", ""),
                table=section.get("table", ""),
                chart=section.get("chart", ""),
                per_unit=section.get("per_unit", False),
            )


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_version_guard")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
