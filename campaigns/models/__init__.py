"""Campaign models by topic: campaigns (专项行动) and activities (宣传/培训/演练/会议).

Each topic module adds its own import line here."""

from .activities import (  # noqa: F401
    Activity,
    ActivityAttachment,
    ActivityQuantity,
    ActivitySubtype,
    ActivityTalkTarget,
    ActivityType,
    QuantityUnit,
)
from .campaigns import Campaign, CampaignKind, CampaignPhase, CampaignTarget  # noqa: F401
