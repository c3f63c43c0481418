"""Seed the 行业领域 code table with the sectors of the district documents, and the four risk grades."""

from django.db import migrations

# (code, name, parent code)
SECTORS = [
    ("hazchem", "危险化学品", None),
    ("mining", "非煤矿山", None),
    ("fireworks", "烟花爆竹", None),
    ("industry-trade", "工贸", None),
    ("metallurgy", "冶金", "industry-trade"),
    ("nonferrous", "有色", "industry-trade"),
    ("building-materials", "建材", "industry-trade"),
    ("machinery", "机械", "industry-trade"),
    ("light-industry", "轻工", "industry-trade"),
    ("textile", "纺织", "industry-trade"),
    ("construction", "建筑施工", None),
    ("road-traffic", "道路交通", None),
    ("fire", "消防", None),
    ("gas", "城镇燃气", None),
    ("special-equipment", "特种设备", None),
    ("culture-tourism", "文化旅游", None),
    ("education", "校园/教育", None),
    ("waterway-fishery", "水上交通/渔业", None),
    ("health", "医疗卫生", None),
    ("civil-affairs", "民政/养老", None),
    ("commerce", "商贸/市场", None),
    ("forest-fire", "森林防火", None),
    ("dust", "粉尘防爆", None),
    ("confined-space", "有限空间", None),
]

GRADES = [
    ("red", "重大风险（红）", "#c62828", 1),
    ("orange", "较大风险（橙）", "#ef6c00", 2),
    ("yellow", "一般风险（黄）", "#f9a825", 3),
    ("blue", "低风险（蓝）", "#1565c0", 4),
]


def seed(apps, schema_editor):
    Sector = apps.get_model("accounts", "Sector")
    RiskGrade = apps.get_model("accounts", "RiskGrade")
    by_code = {}
    for order, (code, name, parent) in enumerate(SECTORS, start=1):
        sector, _ = Sector.objects.get_or_create(
            code=code, defaults={"name": name, "order": order * 10, "parent": by_code.get(parent)}
        )
        by_code[code] = sector
    for code, label, color, order in GRADES:
        RiskGrade.objects.get_or_create(code=code, defaults={"label": label, "color": color, "order": order})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
