"""Seed the 专项行动类型 code table with the kinds district campaigns use; administrators may edit it."""

from django.db import migrations

KINDS = [
    ("special-rectification", "专项整治"),
    ("illegal-operations", "打非治违"),
    ("hundred-days", "百日攻坚"),
    ("three-year", "三年行动"),
    ("safety-month", "安全生产月"),
    ("hazard-rectification", "隐患排查治理"),
    ("big-inspection", "安全生产大检查"),
    ("enforcement", "执法专项行动"),
    ("other", "其他"),
]


def seed(apps, schema_editor):
    CampaignKind = apps.get_model("campaigns", "CampaignKind")
    for order, (code, name) in enumerate(KINDS, 1):
        CampaignKind.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
