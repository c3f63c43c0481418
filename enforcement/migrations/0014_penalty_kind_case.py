from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("enforcement", "0013_case_opened_order"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="penalty",
            index=models.Index(fields=["kind", "case"], name="penalty_kind_case"),
        ),
    ]
