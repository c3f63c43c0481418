"""Seed the activity code tables: the four kinds, their sub-types and the quantity catalogue, in the
words the district summaries use. Administrators edit them in 系统管理; `seed` is idempotent (tests
re-run it after a flush)."""

from django.db import migrations

TYPES = [("publicity", "宣传"), ("training", "培训"), ("drill", "演练"), ("meeting", "会议")]

# (type code, subtype code, name, is_talk)
SUBTYPES = [
    ("publicity", "safety-month", "安全生产月", False),
    ("publicity", "disaster-day", "防灾减灾日", False),
    ("publicity", "fire-day", "消防宣传日", False),
    ("publicity", "fire-month", "消防宣传月", False),
    ("publicity", "five-into", "五进/七进", False),
    ("publicity", "consult-day", "咨询日", False),
    ("publicity", "chief-talks", "一把手谈安全", False),
    ("publicity", "all-talk", "安全生产大家谈", False),
    ("publicity", "pledge", "安全承诺践诺", False),
    ("publicity", "warning-education", "警示教育", False),
    ("publicity", "quiz", "知识竞赛", False),
    ("publicity", "law-publicity", "安全生产法宣贯", False),
    ("publicity", "publicity-other", "其他宣传", False),
    ("training", "principal", "主要负责人", False),
    ("training", "safety-manager", "安全管理人员", False),
    ("training", "special-operations", "特种作业人员", False),
    ("training", "team-leader", "班组长", False),
    ("training", "frontline", "一线员工", False),
    ("training", "grassroots", "基层监管人员", False),
    ("training", "training-other", "其他培训", False),
    ("drill", "fire-evacuation", "消防疏散", False),
    ("drill", "sector-emergency", "行业应急", False),
    ("drill", "onsite-plan", "现场处置方案", False),
    ("drill", "elevator", "电梯困人", False),
    ("drill", "flood", "防汛抢险", False),
    ("drill", "forest-fire", "森林防灭火", False),
    ("drill", "drill-other", "其他演练", False),
    ("meeting", "party-standing", "区委常委会", False),
    ("meeting", "government-executive", "区政府常务会议", False),
    ("meeting", "safety-committee", "安委会全会", False),
    ("meeting", "safety-special", "安全生产专题会议", False),
    ("meeting", "fire-joint", "消安委联席会议", False),
    ("meeting", "group-study", "中心组学习", False),
    ("meeting", "talk", "约谈", True),
    ("meeting", "meeting-other", "其他会议", False),
]

# (code, name, unit)
UNITS = [
    ("banner", "横幅", "条"),
    ("leaflet", "宣传资料", "份"),
    ("board", "展板", "块"),
    ("column", "宣传专栏", "块"),
    ("screen", "电子屏标语", "条"),
    ("poster", "海报", "张"),
    ("wechat", "微信/公众号", "条"),
    ("media", "媒体报道", "篇"),
    ("audience", "受众", "人次"),
]


def seed(apps, schema_editor):
    ActivityType = apps.get_model("campaigns", "ActivityType")
    ActivitySubtype = apps.get_model("campaigns", "ActivitySubtype")
    QuantityUnit = apps.get_model("campaigns", "QuantityUnit")
    types = {}
    for order, (code, name) in enumerate(TYPES, 1):
        types[code], _ = ActivityType.objects.get_or_create(
            code=code, defaults={"name": name, "order": order}
        )
    for order, (type_code, code, name, is_talk) in enumerate(SUBTYPES, 1):
        ActivitySubtype.objects.get_or_create(
            code=code, defaults={"type": types[type_code], "name": name, "is_talk": is_talk, "order": order}
        )
    for order, (code, name, unit) in enumerate(UNITS, 1):
        QuantityUnit.objects.get_or_create(code=code, defaults={"name": name, "unit": unit, "order": order})


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0003_activities")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
