"""The one model of the ground floor: a background import job, for any registered ledger kind."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# (field, language) → {value: label}: the choice labels as get_FOO_display() shows them.
_CHOICE_LABELS: dict[tuple, dict] = {}


class ChoiceLabelsMixin:
    """get_FOO_display() at the cost of a dict lookup, for the models whose lists show many of them.

    Django's version rebuilds the field's choices as a hashable dict on every call, and hashing each lazy
    label translates it: 0.1 ms a call, 4–9 ms of a 25-row ledger page (issue 15). Here the labels are
    built once per field and language. Put it before models.Model in the bases.
    """

    def _get_FIELD_display(self, field) -> str:
        key = (field, get_language())
        labels = _CHOICE_LABELS.get(key)
        if labels is None:
            labels = _CHOICE_LABELS[key] = {value: str(label) for value, label in field.flatchoices}
        try:
            return labels[getattr(self, field.attname)]
        except (KeyError, TypeError):  # a value outside the choices shows as itself, as Django shows it
            return super()._get_FIELD_display(field)


def import_upload_path(instance: "ImportJob", filename: str) -> str:
    # A random name: the upload holds a whole ledger and must not be found by guessing its file name.
    return f"imports/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.xlsx"


class ImportJob(models.Model):
    """导入任务: one uploaded ledger, checked and imported in the background (Celery), with its progress.

    Any ledger kind registered in core.imports runs through it; the upload page polls the
    job for the progress bar and shows its result: counts, or every error with nothing imported.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        # The broker (Redis) was down when the job was to be queued: the file is kept; 重新提交 or the
        # every-minute recovery (core.tasks.recover_import_jobs) queues it again.
        UNQUEUED = "unqueued", _("未能排队")
        VALIDATING = "validating", _("校验中")
        SAVING = "saving", _("写入中")
        DONE = "done", _("导入完成")
        FAILED = "failed", _("未导入")

    kind = models.CharField(_("台账类型"), max_length=30)
    file = models.FileField(_("文件"), upload_to=import_upload_path)
    filename = models.CharField(_("原文件名"), max_length=255, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    done = models.PositiveIntegerField(_("已处理行数"), default=0)
    created_rows = models.PositiveIntegerField(_("新增"), default=0)
    updated_rows = models.PositiveIntegerField(_("更新"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    # Errors beyond the listed ones (core.imports.MAX_ERRORS): counted, not stored.
    errors_hidden = models.PositiveIntegerField(_("未列出的错误数"), default=0)
    created = models.DateTimeField(_("上传时间"), auto_now_add=True)
    queued = models.DateTimeField(_("入队时间"), null=True, blank=True)
    started = models.DateTimeField(_("开始时间"), null=True, blank=True)
    # Written by the running worker every few seconds: a job whose heartbeat stopped lost its worker.
    heartbeat = models.DateTimeField(_("心跳时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=0)
    finished = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        # The table keeps the name it had when the model lived in accounts.
        db_table = "accounts_importjob"
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} ({self.get_status_display()})"

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.errors_hidden

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    # Of the bar: checking the rows fills the first part, writing them the rest (it takes longer).
    CHECK_SHARE = 30

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        share = min(1.0, self.done / self.total) if self.total else 0.0
        if self.status == self.Status.SAVING:
            return self.CHECK_SHARE + int(share * (100 - self.CHECK_SHARE))
        if self.status == self.Status.VALIDATING:
            return int(share * self.CHECK_SHARE)
        return 0


class RowTally(models.Model):
    """行数计数: a part of a big table's row count, written by the table's own Postgres triggers (core.tallies).

    Every INSERT or DELETE statement on a tallied table adds one row here with the number of rows it added
    (or minus those it removed), in the same transaction, so the sum over a table's rows is exactly what
    COUNT(*) would see, at the cost of a few rows instead of a scan of millions. Many small rows rather than
    one counter: writers never wait for each other's lock. A nightly job folds them into one.
    """

    table = models.CharField(_("数据表"), max_length=63, db_index=True)
    rows = models.BigIntegerField(_("行数"))

    class Meta:
        verbose_name = _("行数计数")
        verbose_name_plural = _("行数计数")

    def __str__(self) -> str:
        return f"{self.table} {self.rows:+d}"
