"""Code constants of whistle-blower reports (举报)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TipChannel(models.TextChoices):
    PHONE = "phone", _("电话")
    HOTLINE = "12350", _("12350")
    LETTER = "letter", _("信件")
    ONLINE = "online", _("网络")
    VISIT = "visit", _("来访")
    REFERRAL = "referral", _("上级转办")
    OTHER = "other", _("其他")


class TipState(models.TextChoices):
    """已受理 → 核查中 → 属实 / 不属实."""

    RECEIVED = "received", _("已受理")
    CHECKING = "checking", _("核查中")
    SUBSTANTIATED = "substantiated", _("属实")
    UNSUBSTANTIATED = "unsubstantiated", _("不属实")


OPEN_TIP_STATES = (TipState.RECEIVED, TipState.CHECKING)
CONCLUDED_TIP_STATES = (TipState.SUBSTANTIATED, TipState.UNSUBSTANTIATED)
