from django.db import models
from django.utils.translation import gettext_lazy as _


class HazardSource(models.TextChoices):
    INSPECTION = "inspection", _("检查发现")
    SELF_REPORT = "self", _("企业自查")
    EXPERT = "expert", _("专家查隐患")
    ONLINE = "online", _("线上巡查")
    TIP_OFF = "tip", _("群众举报")
    OTHER = "other", _("其他")


class HazardLevel(models.TextChoices):
    GENERAL = "general", _("一般")
    MAJOR = "major", _("重大")


# 整改期限 proposed for a new hazard: days after the day it was found (the inspection date), by level —
# one rule for 录入检查's confirm step, the one-click 登记为隐患 and the hazard forms
# (services.default_deadline). The officer may change it.
DEADLINE_DAYS = {HazardLevel.GENERAL: 15, HazardLevel.MAJOR: 30}


class HazardState(models.TextChoices):
    """The closed loop (《安全生产事故隐患排查治理暂行规定》); VOID ends a record entered in error."""

    OPEN = "open", _("待整改")
    RECTIFYING = "rectifying", _("整改中")
    VERIFYING = "verifying", _("待复查")
    CLOSED = "closed", _("已销号")
    VOID = "void", _("作废")


ACTIVE_STATES = (HazardState.OPEN, HazardState.RECTIFYING, HazardState.VERIFYING)


class ListingLevel(models.TextChoices):
    DISTRICT = "district", _("区级")
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")


class EventKind(models.TextChoices):
    """What a line of the hazard's timeline records."""

    CREATED = "created", _("登记")
    TRANSITION = "transition", _("状态变更")
    RECTIFICATION = "rectification", _("整改记录")
    EXTENSION_REQUESTED = "ext_requested", _("申请延期")
    EXTENSION_APPROVED = "ext_approved", _("同意延期")
    EXTENSION_REFUSED = "ext_refused", _("不同意延期")
    LISTED = "listed", _("挂牌督办")
    DELISTED = "delisted", _("摘牌")
    OVERDUE = "overdue", _("逾期")
    EDITED = "edited", _("修改")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("不同意")


class PhotoStage(models.TextChoices):
    BEFORE = "before", _("整改前")
    AFTER = "after", _("整改后")


class AccidentGrade(models.TextChoices):
    """事故等级 (《生产安全事故报告和调查处理条例》)."""

    GENERAL = "general", _("一般")
    LARGER = "larger", _("较大")
    MAJOR = "major", _("重大")
    GRAVE = "grave", _("特别重大")
