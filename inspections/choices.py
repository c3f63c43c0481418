from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import TOWNSHIP_KINDS, OrgKind

# Units that organise inspections, draws and plans (检查单位): the district office, the departments and
# the townships.
ORGANIZER_KINDS = (OrgKind.DISTRICT, OrgKind.DEPARTMENT, *TOWNSHIP_KINDS)


class CheckResultValue(models.TextChoices):
    COMPLIANT = "compliant", _("符合")
    NONCOMPLIANT = "noncompliant", _("不符合")
    NOT_APPLICABLE = "na", _("不涉及")


class LeaderLevel(models.TextChoices):
    CITY = "city", _("市级")
    DISTRICT = "district", _("区级")
    TOWNSHIP = "township", _("街镇级")


class ActionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PLANNED = "planned", _("计划中")
    DONE = "done", _("已完成")
