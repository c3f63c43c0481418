"""Seed the 事故类别 code table: the GB 6441 types, plus 道路交通 and 自然灾害; administrators may edit it.
`seed` is idempotent, so tests re-run it after a flush (tests/conftest.py CODE_TABLE_MIGRATIONS)."""

from django.db import migrations

CATEGORIES = [
    ("struck-by-object", "物体打击"),
    ("vehicle", "车辆伤害"),
    ("machinery", "机械伤害"),
    ("lifting", "起重伤害"),
    ("electric-shock", "触电"),
    ("drowning", "淹溺"),
    ("scald", "灼烫"),
    ("fire", "火灾"),
    ("fall", "高处坠落"),
    ("collapse", "坍塌"),
    ("roof-fall", "冒顶片帮"),
    ("water-inrush", "透水"),
    ("blasting", "放炮"),
    ("explosive", "火药爆炸"),
    ("gas-explosion", "瓦斯爆炸"),
    ("boiler-explosion", "锅炉爆炸"),
    ("vessel-explosion", "容器爆炸"),
    ("other-explosion", "其他爆炸"),
    ("poisoning", "中毒和窒息"),
    ("other-injury", "其他伤害"),
    ("road-traffic", "道路交通"),
    ("natural-disaster", "自然灾害"),
]


def seed(apps, schema_editor):
    AccidentCategory = apps.get_model("hazards", "AccidentCategory")
    for order, (code, name) in enumerate(CATEGORIES, 1):
        AccidentCategory.objects.get_or_create(code=code, defaults={"name": name, "order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("hazards", "0005_accidents")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
