from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseProcedure(models.TextChoices):
    SIMPLE = "simple", _("简易程序")
    GENERAL = "general", _("一般程序")


class CaseSource(models.TextChoices):
    """Where a case came from (案件来源)."""

    INSPECTION = "inspection", _("检查发现")
    HAZARD = "hazard", _("隐患")
    ACCIDENT = "accident", _("事故")
    TIP = "tip", _("举报")
    NONE = "none", _("其他")


class CaseState(models.TextChoices):
    """立案 → 调查取证 → 告知 (→ 听证) → 决定 → 执行 → 结案; or 不予处罚 / 移送 with a reason.
    A simple-procedure case may go 立案 → 决定 → 结案."""

    OPEN = "open", _("立案")
    INVESTIGATING = "investigating", _("调查取证")
    NOTIFIED = "notified", _("告知")
    HEARING = "hearing", _("听证")
    DECIDED = "decided", _("决定")
    EXECUTING = "executing", _("执行")
    CLOSED = "closed", _("结案")
    NO_PENALTY = "no_penalty", _("不予处罚")
    TRANSFERRED = "transferred", _("移送")


# Not decided yet: the 90-day limit of a general-procedure case runs in these states.
UNDECIDED_STATES = (CaseState.OPEN, CaseState.INVESTIGATING, CaseState.NOTIFIED, CaseState.HEARING)
# The case is over: nothing changes any more.
FINAL_STATES = (CaseState.CLOSED, CaseState.NO_PENALTY, CaseState.TRANSFERRED)
ACTIVE_STATES = tuple(s for s in CaseState.values if s not in FINAL_STATES)

# 一般程序: decided within 90 days of 立案 unless extended with approval; flagged 10 days before.
GENERAL_PROCEDURE_DAYS = 90
DEADLINE_WARNING_DAYS = 10


class DeadlineFlag(models.TextChoices):
    """What the nightly task has announced about a case's limit (the list computes it live from dates)."""

    NONE = "", _("正常")
    NEAR = "near", _("临近期限")
    OVERDUE = "overdue", _("已超期")


class PenaltyKind(models.TextChoices):
    WARNING = "warning", _("警告")
    FINE = "fine", _("罚款")
    CONFISCATION = "confiscation", _("没收违法所得")
    SUSPENSION = "suspension", _("责令停产停业整顿")
    LICENSE_SUSPENDED = "license_suspended", _("暂扣证照")
    LICENSE_REVOKED = "license_revoked", _("吊销证照")
    CLOSURE = "closure", _("关闭")


# Penalties that carry an amount in yuan.
MONEY_PENALTIES = (PenaltyKind.FINE, PenaltyKind.CONFISCATION)


class PenaltyTarget(models.TextChoices):
    """一案双罚: the unit, and the person responsible (主要负责人 etc.)."""

    UNIT = "unit", _("单位")
    PERSON = "person", _("个人")


class MeasureKind(models.TextChoices):
    RECTIFY_ORDER = "rectify_order", _("责令限期整改")
    SEAL = "seal", _("临时查封")
    SEIZE = "seize", _("暂扣/扣押")
    THREE_STOPS = "three_stops", _("责令三停")
    SUSPENSION = "suspension", _("停产整顿")
    CLOSURE = "closure", _("关闭取缔")
    POLICE = "police", _("移送公安（行政拘留）")


# The measures the summaries count by enterprise (家).
COUNTED_MEASURES = (MeasureKind.SUSPENSION, MeasureKind.SEAL, MeasureKind.THREE_STOPS, MeasureKind.CLOSURE)


class StopKind(models.TextChoices):
    """责令三停: 停产 / 停业 / 停止使用."""

    NONE = "", _("—")
    PRODUCTION = "production", _("停产")
    BUSINESS = "business", _("停业")
    USE = "use", _("停止使用")


class CaseEventKind(models.TextChoices):
    CREATED = "created", _("立案")
    TRANSITION = "transition", _("状态变更")
    EDITED = "edited", _("修改")
    MEASURE = "measure", _("措施")
    EXTENSION_REQUESTED = "ext_requested", _("申请延期")
    EXTENSION_APPROVED = "ext_approved", _("同意延期")
    EXTENSION_REFUSED = "ext_refused", _("不同意延期")
    DEADLINE_NEAR = "deadline_near", _("临近办案期限")
    OVERDUE = "overdue", _("超过办案期限")
    IMPORTED = "imported", _("导入")
    DOCUMENT = "document", _("执法文书")  # a document of the case issued or corrected (services/documents.py)


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("不同意")
