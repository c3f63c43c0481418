# ImportJob moved here from accounts: the table (accounts_importjob) stays where it is, only Django's
# idea of which app owns the model changes (accounts.0007 removes it from accounts' state).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0006_importjob"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ImportJob",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(max_length=30, verbose_name="台账类型")),
                        ("file", models.FileField(upload_to=core.models.import_upload_path, verbose_name="文件")),
                        ("filename", models.CharField(blank=True, max_length=255, verbose_name="原文件名")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "排队中"),
                                    ("validating", "校验中"),
                                    ("saving", "写入中"),
                                    ("done", "导入完成"),
                                    ("failed", "未导入"),
                                ],
                                default="pending",
                                max_length=12,
                                verbose_name="状态",
                            ),
                        ),
                        ("total", models.PositiveIntegerField(default=0, verbose_name="总行数")),
                        ("done", models.PositiveIntegerField(default=0, verbose_name="已处理行数")),
                        ("created_rows", models.PositiveIntegerField(default=0, verbose_name="新增")),
                        ("updated_rows", models.PositiveIntegerField(default=0, verbose_name="更新")),
                        ("errors", models.JSONField(blank=True, default=list, verbose_name="错误")),
                        ("created", models.DateTimeField(auto_now_add=True, verbose_name="上传时间")),
                        ("started", models.DateTimeField(blank=True, null=True, verbose_name="开始时间")),
                        ("finished", models.DateTimeField(blank=True, null=True, verbose_name="结束时间")),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="import_jobs",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="导入人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "导入任务",
                        "verbose_name_plural": "导入任务",
                        "db_table": "accounts_importjob",
                        "ordering": ["-created", "-pk"],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
