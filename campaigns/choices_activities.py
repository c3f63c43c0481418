"""Codes of the activity ledger (宣传/培训/演练/会议): the four fixed kinds and the kinds of 约谈 target."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import GRID_KINDS, TOWNSHIP_KINDS, OrgKind


class ActivityKind(models.TextChoices):
    """The four kinds the summaries count separately. Fixed: the figures and the import name them;
    their display names and sub-types are the administrator's (ActivityType, ActivitySubtype)."""

    PUBLICITY = "publicity", _("宣传")
    TRAINING = "training", _("培训")
    DRILL = "drill", _("演练")
    MEETING = "meeting", _("会议")


class TalkTargetKind(models.TextChoices):
    """约谈对象: “约谈*个街镇、*个部门”, “约谈消防安全重点单位X家”."""

    TOWNSHIP = "township", _("街道/乡镇")
    DEPARTMENT = "department", _("部门")
    ENTERPRISE = "enterprise", _("生产经营单位")


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    PDF = "pdf", _("PDF 文件")


# What the summaries call each kind's count: 宣传活动*次, 培训*场, 演练*场, 会议*次.
KIND_COUNT_UNITS = {
    ActivityKind.PUBLICITY: "场",
    ActivityKind.TRAINING: "场",
    ActivityKind.DRILL: "场",
    ActivityKind.MEETING: "次",
}

# Units that may organise an activity: the district (区委、区政府、安委会), townships and their
# communities/villages, the member departments and the 专委会.
ORGANISER_KINDS = (OrgKind.DISTRICT, *TOWNSHIP_KINDS, *GRID_KINDS, OrgKind.DEPARTMENT, OrgKind.COMMITTEE)
