"""Seed the 隐患类别 code table with the categories district ledgers use; administrators may edit it."""

from django.db import migrations

CATEGORIES = [
    ("management", "基础管理"),
    ("equipment", "设备设施"),
    ("environment", "作业环境"),
    ("fire", "消防安全"),
    ("electrical", "用电安全"),
    ("hazchem", "危险化学品"),
    ("special-equipment", "特种设备"),
    ("confined-space", "有限空间"),
    ("dust", "粉尘防爆"),
    ("gas", "燃气安全"),
    ("construction", "施工安全"),
    ("other", "其他"),
]


def seed(apps, schema_editor):
    HazardCategory = apps.get_model("hazards", "HazardCategory")
    for order, (code, name) in enumerate(CATEGORIES, 1):
        HazardCategory.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("hazards", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
