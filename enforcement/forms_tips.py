"""Forms of the whistle-blower reports: they parse; the rules are services.tips'."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Enterprise, OrgUnit, Sector, User
from accounts.scoping import restrict
from accounts.selectors import sectors_active, townships_visible
from accounts.validators import normalize_uscc
from hazards.choices import HazardLevel
from hazards.selectors import responsible_units

from .choices_tips import TipChannel, TipState
from .services.tips import TipData


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _UnitField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return obj.name


class TipForm(forms.Form):
    received_on = forms.DateField(label=_("受理日期"), widget=_date(), initial=timezone.localdate)
    channel = forms.ChoiceField(label=_("举报渠道"), choices=TipChannel.choices)
    reporter_name = forms.CharField(
        label=_("举报人"), max_length=50, required=False, help_text=_("可匿名；仅区安委办/应急局可见。")
    )
    reporter_phone = forms.CharField(label=_("举报人电话"), max_length=30, required=False)
    uscc = forms.CharField(
        label=_("被举报单位（统一社会信用代码）"),
        max_length=18,
        required=False,
        help_text=_("已登记的单位填写信用代码，所属街道和行业领域随单位带出；未登记的写明地址。"),
    )
    township = _UnitField(label=_("所属街道"), queryset=OrgUnit.objects.none(), required=False)
    sector = forms.ModelChoiceField(label=_("行业领域"), queryset=Sector.objects.none(), required=False)
    address = forms.CharField(label=_("地址"), max_length=255, required=False)
    content = forms.CharField(label=_("举报内容"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["township"].queryset = townships_visible(user=user)
        self.fields["sector"].queryset = sectors_active()

    def clean_uscc(self) -> Enterprise | None:
        code = normalize_uscc(self.cleaned_data.get("uscc") or "")
        if not code:
            return None
        found = restrict(Enterprise.objects.select_related("jurisdiction__parent"), self.user).filter(
            uscc=code
        )
        enterprise = found.first()
        if enterprise is None:
            raise forms.ValidationError(_("系统中没有该统一社会信用代码的单位，或不在您的可见范围内。"))
        return enterprise

    def to_data(self) -> TipData:
        c = self.cleaned_data
        return TipData(
            received_on=c["received_on"],
            channel=c["channel"],
            content=c["content"],
            township=c.get("township"),
            enterprise=c.get("uscc"),
            sector=c.get("sector"),
            address=c.get("address") or "",
            reporter_name=c.get("reporter_name") or "",
            reporter_phone=c.get("reporter_phone") or "",
        )


def tip_initial(tip) -> dict:
    return {
        "received_on": tip.received_on,
        "channel": tip.channel,
        "reporter_name": tip.reporter_name,
        "reporter_phone": tip.reporter_phone,
        "uscc": tip.enterprise.uscc if tip.enterprise_id else "",
        "township": tip.township,
        "sector": tip.sector,
        "address": tip.address,
        "content": tip.content,
    }


class ConcludeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("核查结论"),
        choices=[(TipState.SUBSTANTIATED, _("属实")), (TipState.UNSUBSTANTIATED, _("不属实"))],
        widget=forms.RadioSelect,
    )
    checked_on = forms.DateField(label=_("核查日期"), widget=_date(), initial=timezone.localdate)
    result = forms.CharField(label=_("核查结果"), widget=forms.Textarea(attrs={"rows": 3}))


class RewardForm(forms.Form):
    amount = forms.DecimalField(label=_("奖励金额（元）"), max_digits=12, decimal_places=2, min_value=0)
    paid_on = forms.DateField(label=_("发放日期"), widget=_date(), initial=timezone.localdate)


class TipHazardForm(forms.Form):
    level = forms.ChoiceField(label=_("隐患等级"), choices=HazardLevel.choices, initial=HazardLevel.GENERAL)
    description = forms.CharField(
        label=_("隐患描述"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("留空时用核查结果。"),
    )
    deadline = forms.DateField(label=_("整改期限"), widget=_date())
    responsible_unit = _UnitField(
        label=_("跟踪责任单位"),
        queryset=responsible_units(),
        required=False,
        help_text=_("留空时为单位所在街道/乡镇。"),
    )
    responsible_person = forms.CharField(label=_("整改责任人"), max_length=50, required=False)
    measures = forms.CharField(label=_("整改措施"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    funds = forms.DecimalField(
        label=_("整改资金（万元）"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    contingency_plan = forms.CharField(
        label=_("应急预案"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
