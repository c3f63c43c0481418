"""Seed the 责任书类型 code table with the kinds the district documents name; administrators may edit it."""

from django.db import migrations

KINDS = [
    ("target-responsibility", "安全生产目标管理责任书"),
    ("responsibility-pledge", "安全生产责任状"),
    ("commitment", "安全承诺书"),
    ("fire-commitment", "消防安全承诺书"),
    ("other", "其他责任书"),
]


def seed(apps, schema_editor):
    LetterKind = apps.get_model("accounts", "LetterKind")
    for order, (code, name) in enumerate(KINDS, 1):
        LetterKind.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0011_responsibility")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
