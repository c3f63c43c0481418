"""The campaigns app's writes, by topic: campaigns (专项行动) and activities (宣传/培训/演练/会议).

Each topic module adds its own import lines here."""

from .campaigns import (
    CampaignData,
    PhaseData,
    TargetData,
    campaign_create,
    campaign_date_error,
    campaign_delete,
    campaign_update,
)

__all__ = [
    "CampaignData",
    "PhaseData",
    "TargetData",
    "campaign_create",
    "campaign_date_error",
    "campaign_delete",
    "campaign_update",
]

from .activities import (  # noqa: E402
    ActivityData,
    TalkTargetData,
    activities_import_many,
    activity_create,
    activity_data_of,
    activity_delete,
    activity_problems,
    activity_update,
    attachment_add,
    attachment_check,
    attachment_remove,
    talk_links,
)

__all__ += [
    "ActivityData",
    "TalkTargetData",
    "activities_import_many",
    "activity_create",
    "activity_data_of",
    "activity_delete",
    "activity_problems",
    "activity_update",
    "attachment_add",
    "attachment_check",
    "attachment_remove",
    "talk_links",
]
