"""挂牌督办 (Listing): a major, still-open hazard put under supervision at 区/市/省 level, and its end
(摘牌) once the hazard is verified and closed."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from ..choices import EventKind, HazardLevel, ListingLevel
from ..models import Hazard
from ..permissions import DELIST, LISTING, action_require
from ._common import _event, _lock, _save


@transaction.atomic
def listing_create(
    *, user: User, hazard: Hazard, level: str, listed_on: dt.date, leader: str, document: str
) -> Hazard:
    """挂牌督办: a major, still-open hazard put under supervision at 区/市/省 level."""
    hazard = _lock(hazard)
    action_require(user, hazard, LISTING)
    errors = {}
    if hazard.level != HazardLevel.MAJOR:
        errors["level"] = _("只有重大隐患可以挂牌督办。")
    if hazard.is_listed:
        errors["listing_level"] = _("该隐患已挂牌督办。")
    if level not in ListingLevel.values:
        errors["listing_level"] = _("请选择挂牌督办级别。")
    if not leader.strip():
        errors["listing_leader"] = _("请填写督办领导。")
    if listed_on > timezone.localdate():
        errors["listed_on"] = _("挂牌日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    hazard.listing_level = level
    hazard.listed_on = listed_on
    hazard.listing_leader = leader.strip()
    hazard.listing_document = document.strip()
    hazard.delisted_on = None
    _save(hazard, user, ["listing_level", "listed_on", "listing_leader", "listing_document", "delisted_on"])
    _event(hazard, user, EventKind.LISTED, note=f"{hazard.get_listing_level_display()} {document}".strip())
    return hazard


@transaction.atomic
def listing_end(*, user: User, hazard: Hazard, on: dt.date | None = None) -> Hazard:
    """摘牌: only once the hazard has been verified and closed (or voided as entered in error)."""
    hazard = _lock(hazard)
    action_require(user, hazard, DELIST)
    hazard.delisted_on = on or timezone.localdate()
    _save(hazard, user, ["delisted_on"])
    _event(hazard, user, EventKind.DELISTED)
    return hazard
