"""Seed the 检查类型 code table with the kinds the district documents use."""

from django.db import migrations

KINDS = [
    ("routine", "日常检查", True),
    ("special", "专项检查", True),
    ("joint", "联合检查", True),
    ("random", "双随机抽查", True),
    ("unannounced", "四不两直", True),
    ("covert", "暗访", False),
    ("follow-up", "复查", True),
    ("expert", "专家查隐患", False),
    ("online", "线上巡查", False),
    ("supervision", "督导检查", False),
]


def seed(apps, schema_editor):
    InspectionKind = apps.get_model("inspections", "InspectionKind")
    for order, (code, name, enforcement) in enumerate(KINDS, start=1):
        InspectionKind.objects.get_or_create(
            code=code, defaults={"name": name, "is_enforcement": enforcement, "order": order * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
