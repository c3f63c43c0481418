from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignState(models.TextChoices):
    """Where a campaign stands today, from its period (not stored)."""

    UPCOMING = "upcoming", _("未开始")
    ACTIVE = "active", _("进行中")
    ENDED = "ended", _("已结束")


class TargetMetric(models.TextChoices):
    """What a campaign target counts. The numbers come from the tagged records through the measures
    the upper apps register (`campaigns.measures.register_campaign_measure`) under these keys."""

    ENTERPRISES_INSPECTED = "enterprises_inspected", _("检查生产经营单位")
    INSPECTION_VISITS = "inspection_visits", _("检查生产经营单位家次")
    INSPECTIONS = "inspections", _("检查行动")
    HAZARDS_FOUND = "hazards_found", _("排查隐患")
    HAZARDS_RECTIFIED = "hazards_rectified", _("整改隐患")
    MAJOR_HAZARDS_FOUND = "major_hazards_found", _("排查重大事故隐患")
    MAJOR_HAZARDS_CLOSED = "major_hazards_closed", _("重大事故隐患销号")
    CASES_OPENED = "cases_opened", _("立案查处")
    FINES = "fines", _("罚款金额")


# The unit each metric is counted in, as the summaries write it.
METRIC_UNITS: dict[str, str] = {
    TargetMetric.ENTERPRISES_INSPECTED: "家",
    TargetMetric.INSPECTION_VISITS: "家次",
    TargetMetric.INSPECTIONS: "次",
    TargetMetric.HAZARDS_FOUND: "项",
    TargetMetric.HAZARDS_RECTIFIED: "项",
    TargetMetric.MAJOR_HAZARDS_FOUND: "项",
    TargetMetric.MAJOR_HAZARDS_CLOSED: "项",
    TargetMetric.CASES_OPENED: "起",
    TargetMetric.FINES: "万元",
}

# Metrics a target may narrow to one sector (行业领域) of the tagged records.
SECTOR_METRICS = frozenset(
    {
        TargetMetric.ENTERPRISES_INSPECTED,
        TargetMetric.INSPECTION_VISITS,
        TargetMetric.HAZARDS_FOUND,
        TargetMetric.HAZARDS_RECTIFIED,
        TargetMetric.MAJOR_HAZARDS_FOUND,
        TargetMetric.MAJOR_HAZARDS_CLOSED,
        TargetMetric.CASES_OPENED,
        TargetMetric.FINES,
    }
)

# The phases most campaigns run through (offered as defaults on the form).
DEFAULT_PHASES = ("动员部署", "排查攻坚", "全面整治", "总结验收")
