"""Forms of the case pages: they parse and validate input, never save. The views hand what they hold to
enforcement.services; the rules (who, which state, dates against 立案, amounts) are the services' and
come back as a ValidationError the view puts on the form, so a page and the API say the same.

The decision form writes 一案双罚 without JavaScript: a block for the unit and a block for the person
responsible, each with the penalties ticked and the amounts in yuan; `penalties()` turns them into
the services' PenaltyData list.
"""

import datetime as dt
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import OrgUnit, User
from campaigns.forms_activities import TalkChoiceField
from campaigns.models import Campaign
from campaigns.selectors import campaigns_for_tagging
from campaigns.selectors_activities import talks_for_linking
from core.widgets import DateInput

from .choices import (
    CaseProcedure,
    MeasureKind,
    PenaltyKind,
    PenaltyTarget,
    StopKind,
)
from .models import LegalArticle
from .permissions import handling_units_for
from .selectors import legal_articles_active
from .services import PenaltyData

ALL = _("全部")
# 申请延长办案期限 proposes the current limit plus this many days.
EXTENSION_DAYS = 30
AMOUNT_LIMIT = Decimal("100000000")  # 1亿元: above it, a typing slip

# The penalties besides money, ticked per target.
UNIT_OTHER = [
    (PenaltyKind.SUSPENSION, PenaltyKind.SUSPENSION.label),
    (PenaltyKind.LICENSE_SUSPENDED, PenaltyKind.LICENSE_SUSPENDED.label),
    (PenaltyKind.LICENSE_REVOKED, PenaltyKind.LICENSE_REVOKED.label),
    (PenaltyKind.CLOSURE, PenaltyKind.CLOSURE.label),
]


def today() -> dt.date:
    return timezone.localdate()


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return obj.name


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        unit = obj.org_unit.short_name or obj.org_unit.name if obj.org_unit_id else ""
        return f"{obj.display_name}（{unit}）" if unit else obj.display_name


class ArticleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: LegalArticle) -> str:
        return f"{obj}　{obj.summary}" if obj.summary else str(obj)


class CampaignChoiceField(forms.ModelChoiceField):
    """专项行动 with its period (the 立案日期 must fall within it)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("专项行动"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("empty_label", _("（不属于专项行动）"))
        kwargs.setdefault("help_text", _("立案日期须在所选专项行动期间。"))
        super().__init__(queryset=Campaign.objects.none(), **kwargs)

    def label_from_instance(self, obj: Campaign) -> str:
        return f"{obj.name}（{obj.start_on:%Y-%m-%d}至{obj.end_on:%Y-%m-%d}）"


def _campaign_offered(form: forms.Form) -> None:
    current = form.initial.get("campaign")
    form.fields["campaign"].queryset = campaigns_for_tagging(include=getattr(current, "pk", current))


def yuan_field(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=AMOUNT_LIMIT,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
        error_messages={
            "invalid": _("请填写金额（元），如 30000 或 12500.50。"),
            "max_decimal_places": _("金额最多保留两位小数（分）。"),
            "max_digits": _("金额过大。"),
            "min_value": _("金额须大于 0。"),
            "max_value": _("金额不能超过 1 亿元，请核对。"),
        },
    )


def officers_offered(user: User):
    """承办人: the office's and the departments' people (those who handle cases)."""
    return (
        User.objects.filter(is_active=True, role__in=[Role.OFFICER, Role.DEPARTMENT, Role.ADMIN])
        .select_related("org_unit")
        .order_by("org_unit__order", "org_unit__name", "username")
    )


# ---------------------------------------------------------------- 立案 and editing


class CaseForm(forms.Form):
    """立案: the enterprise is chosen before (search, or carried over from the inspection record or the
    hazard); the view passes it in."""

    handling_unit = UnitChoiceField(label=_("办案单位"), queryset=OrgUnit.objects.none(), empty_label=None)
    procedure = forms.ChoiceField(
        label=_("程序类型"),
        choices=CaseProcedure.choices,
        initial=CaseProcedure.GENERAL,
        widget=forms.RadioSelect,
        help_text=_("一般程序自立案之日起90日内作出处罚决定；简易程序可当场作出决定。"),
    )
    cause = forms.CharField(
        label=_("案由"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("如：未按规定对重大危险源进行检测、评估、监控案")}),
    )
    articles = ArticleChoiceField(
        label=_("法律依据"),
        queryset=LegalArticle.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    opened_on = forms.DateField(label=_("立案日期"), widget=DateInput(), initial=today)
    facts = forms.CharField(
        label=_("案情（违法事实）"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    officers = UserChoiceField(
        label=_("承办人"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    campaign = CampaignChoiceField()

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _campaign_offered(self)
        units = handling_units_for(user).order_by("kind", "order", "name")
        self.fields["handling_unit"].queryset = units
        if user.org_unit_id and not self.initial.get("handling_unit"):
            own = next((u for u in units if u.pk == user.org_unit_id), None)
            self.initial["handling_unit"] = own or units.filter(kind="district").first()
        self.fields["articles"].queryset = legal_articles_active()
        self.fields["officers"].queryset = officers_offered(user)
        if not self.initial.get("officers") and user.role != Role.ADMIN:
            self.initial["officers"] = [user.pk]

    def clean_opened_on(self):
        value = self.cleaned_data["opened_on"]
        if value > today():
            raise ValidationError(_("立案日期不能晚于今天。"))
        return value


class CaseEditForm(forms.Form):
    """修改案件信息: cause, facts, legal basis and officers (the rest is the case's history)."""

    cause = forms.CharField(label=_("案由"), max_length=300)
    articles = ArticleChoiceField(
        label=_("法律依据"),
        queryset=LegalArticle.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    facts = forms.CharField(
        label=_("案情（违法事实）"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    officers = UserChoiceField(
        label=_("承办人"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    campaign = CampaignChoiceField()
    talks = TalkChoiceField()

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _campaign_offered(self)
        self.fields["talks"].queryset = talks_for_linking(user=user, include=self.initial.get("talks") or ())
        self.fields["articles"].queryset = legal_articles_active()
        self.fields["officers"].queryset = officers_offered(user)


# ---------------------------------------------------------------- steps


class _Dated(forms.Form):
    on = forms.DateField(label=_("日期"), widget=DateInput(), initial=today)

    def clean_on(self):
        value = self.cleaned_data["on"]
        if value > today():
            raise ValidationError(_("日期不能晚于今天。"))
        return value


class StepForm(_Dated):
    """调查取证, 听证, 执行: a date and a note."""

    note = forms.CharField(
        label=_("说明"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class NotifyForm(_Dated):
    """告知: the 行政处罚告知书 was delivered; did the party ask for a hearing?"""

    hearing_requested = forms.BooleanField(label=_("当事人要求听证"), required=False)
    note = forms.CharField(
        label=_("说明"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecideForm(forms.Form):
    """处罚决定: penalties on the unit and, for 一案双罚, on the person responsible; amounts in yuan."""

    decided_on = forms.DateField(label=_("处罚决定日期"), widget=DateInput(), initial=today)
    unit_warning = forms.BooleanField(label=_("警告"), required=False)
    unit_fine = yuan_field(_("罚款（元）"))
    unit_confiscation = yuan_field(_("没收违法所得（元）"))
    unit_other = forms.MultipleChoiceField(
        label=_("其他处罚"), required=False, choices=UNIT_OTHER, widget=forms.CheckboxSelectMultiple
    )
    person_name = forms.CharField(
        label=_("被处罚人（一案双罚）"),
        required=False,
        max_length=50,
        help_text=_("主要负责人或其他责任人员；不处罚个人时留空。"),
    )
    person_title = forms.CharField(label=_("职务"), required=False, max_length=50)
    person_warning = forms.BooleanField(label=_("个人警告"), required=False)
    person_fine = yuan_field(_("个人罚款（元）"))
    summary = forms.CharField(
        label=_("处罚决定内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_decided_on(self):
        value = self.cleaned_data["decided_on"]
        if value > today():
            raise ValidationError(_("处罚决定日期不能晚于今天。"))
        return value

    def clean(self):
        data = super().clean()
        person = (data.get("person_name") or "").strip()
        person_penalty = data.get("person_warning") or data.get("person_fine")
        if person_penalty and not person:
            self.add_error("person_name", _("对个人的处罚须填写被处罚人姓名。"))
        if person and not person_penalty:
            self.add_error("person_fine", _("请填写对个人的罚款，或勾选个人警告；不处罚个人时清空被处罚人。"))
        if not self.errors and not self.penalties():
            raise ValidationError(_("请至少选择一项处罚；不予处罚的案件请用“不予处罚”。"))
        return data

    def penalties(self) -> list[PenaltyData]:
        c = self.cleaned_data
        unit: list[PenaltyData] = []
        if c.get("unit_warning"):
            unit.append(PenaltyData(target=PenaltyTarget.UNIT, kind=PenaltyKind.WARNING))
        if c.get("unit_fine"):
            unit.append(PenaltyData(target=PenaltyTarget.UNIT, kind=PenaltyKind.FINE, amount=c["unit_fine"]))
        if c.get("unit_confiscation"):
            unit.append(
                PenaltyData(
                    target=PenaltyTarget.UNIT, kind=PenaltyKind.CONFISCATION, amount=c["unit_confiscation"]
                )
            )
        unit += [PenaltyData(target=PenaltyTarget.UNIT, kind=kind) for kind in c.get("unit_other") or ()]
        name = (c.get("person_name") or "").strip()
        if not name:
            return unit
        who = {
            "target": PenaltyTarget.PERSON,
            "person_name": name,
            "person_title": (c.get("person_title") or "").strip(),
        }
        if c.get("person_warning"):
            unit.append(PenaltyData(kind=PenaltyKind.WARNING, **who))
        if c.get("person_fine"):
            unit.append(PenaltyData(kind=PenaltyKind.FINE, amount=c["person_fine"], **who))
        return unit


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=_("结案日期"), widget=DateInput(), initial=today)
    note = forms.CharField(
        label=_("结案说明"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_closed_on(self):
        value = self.cleaned_data["closed_on"]
        if value > today():
            raise ValidationError(_("结案日期不能晚于今天。"))
        return value


class NoPenaltyForm(_Dated):
    reason = forms.CharField(
        label=_("不予处罚理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class TransferForm(_Dated):
    transferred_to = forms.CharField(
        label=_("移送机关"), max_length=100, help_text=_("如：区公安分局、区市场监管局")
    )
    reason = forms.CharField(label=_("移送理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(label=_("措施"), choices=MeasureKind.choices)
    stop_kind = forms.ChoiceField(
        label=_("三停类别"),
        required=False,
        choices=StopKind.choices,
        help_text=_("责令三停时选择：停产、停业或停止使用。"),
    )
    start_on = forms.DateField(label=_("开始日期"), widget=DateInput(), initial=today)
    end_on = forms.DateField(label=_("截止/解除日期"), required=False, widget=DateInput())
    persons = forms.IntegerField(
        label=_("行政拘留人数"),
        required=False,
        min_value=0,
        max_value=999,
        help_text=_("移送公安（行政拘留）时填写。"),
    )
    detail = forms.CharField(label=_("说明"), required=False, max_length=300)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_on"), data.get("end_on")
        if start and end and end < start:
            self.add_error("end_on", _("截止日期不能早于开始日期。"))
        if data.get("kind") == MeasureKind.THREE_STOPS and not data.get("stop_kind"):
            self.add_error("stop_kind", _("责令三停须选择停产、停业或停止使用。"))
        if data.get("kind") != MeasureKind.THREE_STOPS:
            data["stop_kind"] = StopKind.NONE
        data["persons"] = data.get("persons") or 0
        return data


class ExtensionRequestForm(forms.Form):
    new_deadline = forms.DateField(label=_("延长至"), widget=DateInput())
    reason = forms.CharField(label=_("延期理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class ExtensionDecideForm(forms.Form):
    note = forms.CharField(label=_("审批意见"), required=False, max_length=300)
