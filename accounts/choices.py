from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    DISTRICT = "district", _("区")
    STREET = "street", _("街道")
    TOWN = "town", _("乡镇")
    OFFICE = "office", _("管理处")
    COMMUNITY = "community", _("社区")
    VILLAGE = "village", _("村")
    DEPARTMENT = "department", _("安委会成员单位")
    COMMITTEE = "committee", _("专委会")


# The level the documents count by ("16个乡镇街道"): streets, towns and 管理处 alike.
TOWNSHIP_KINDS = (OrgKind.STREET, OrgKind.TOWN, OrgKind.OFFICE)
GRID_KINDS = (OrgKind.COMMUNITY, OrgKind.VILLAGE)
# Where an enterprise can sit: a township or one of its communities/villages.
JURISDICTION_KINDS = TOWNSHIP_KINDS + GRID_KINDS


class Role(models.TextChoices):
    ADMIN = "admin", _("系统管理员")
    OFFICER = "officer", _("区安委办/应急局")
    DEPARTMENT = "department", _("部门人员")
    TOWNSHIP = "township", _("街镇人员")
    LEADER = "leader", _("领导")


class RiskGradeCode(models.TextChoices):
    RED = "red", _("红")
    ORANGE = "orange", _("橙")
    YELLOW = "yellow", _("黄")
    BLUE = "blue", _("蓝")


class EnterpriseScale(models.TextChoices):
    ABOVE = "above", _("规上")
    BELOW = "below", _("规下")
    MICRO = "micro", _("小微")


class EnterpriseStatus(models.TextChoices):
    OPERATING = "operating", _("在营")
    SUSPENDED = "suspended", _("停产")
    CLOSED = "closed", _("关闭")


# ---------------------------------------------------------------- 安全责任 (responsibility)


class DutyCategory(models.TextChoices):
    """The kind of a 职责清单 item, as the 党政同责、一岗双责 lists group them."""

    LEADERSHIP = "leadership", _("领导责任")
    OVERALL = "overall", _("综合监管")
    SECTOR = "sector", _("行业监管")
    TERRITORIAL = "territorial", _("属地管理")
    ENTITY = "entity", _("主体责任")
    OTHER = "other", _("其他")


class WorkStatus(models.TextChoices):
    """Progress of a 工作清单 task."""

    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("进行中")
    DONE = "done", _("已完成")
