"""Forms of the campaign pages: they parse and validate input; the service decides and saves."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, User
from accounts.selectors import sectors_active
from core.widgets import DateInput

from .choices import DEFAULT_PHASES, TargetMetric
from .models import Campaign, CampaignKind
from .permissions import can_choose_lead
from .selectors import lead_units, member_unit_choices
from .services import CampaignData, PhaseData, TargetData


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return obj.name


class UnitsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return obj.name


class CampaignForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("类型"), queryset=CampaignKind.objects.filter(is_active=True))
    name = forms.CharField(label=_("名称"), max_length=100)
    parent = forms.ModelChoiceField(
        label=_("上级专项行动"),
        queryset=Campaign.objects.order_by("-start_on", "name"),
        required=False,
        empty_label=_("（无，独立或总体方案）"),
        help_text=_("三年行动的专题方案、专项整治方案选其总体方案。"),
    )
    start_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    end_on = forms.DateField(label=_("结束日期"), widget=DateInput())
    lead_department = UnitChoiceField(label=_("牵头单位"), queryset=lead_units())
    member_units = UnitsField(
        label=_("成员单位"),
        queryset=member_unit_choices(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("按住 Ctrl（手机上点选）可选多个。"),
    )
    sectors = forms.ModelMultipleChoiceField(
        label=_("行业领域"),
        queryset=sectors_active(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    document_number = forms.CharField(label=_("方案文号"), max_length=60, required=False)
    description = forms.CharField(
        label=_("工作内容"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args, user: User, campaign: Campaign | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if campaign is not None:
            self.fields["parent"].queryset = Campaign.objects.exclude(pk=campaign.pk).order_by(
                "-start_on", "name"
            )
            if not campaign.kind.is_active:
                self.fields["kind"].queryset = CampaignKind.objects.filter(
                    is_active=True
                ) | CampaignKind.objects.filter(pk=campaign.kind_id)
        if not can_choose_lead(user):
            # A department leads the campaigns it creates: the field shows its own unit only.
            self.fields["lead_department"].queryset = OrgUnit.objects.filter(pk=user.org_unit_id)
            self.fields["lead_department"].initial = user.org_unit_id
            self.fields["lead_department"].empty_label = None

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_on"), cleaned.get("end_on")
        if start and end and end < start:
            self.add_error("end_on", _("结束日期不能早于开始日期。"))
        return cleaned


class PhaseForm(forms.Form):
    name = forms.CharField(label=_("阶段名称"), max_length=50, required=False)
    start_on = forms.DateField(label=_("开始日期"), widget=DateInput(), required=False)
    end_on = forms.DateField(label=_("结束日期"), widget=DateInput(), required=False)
    tasks = forms.CharField(label=_("阶段任务"), max_length=500, required=False)

    def clean(self):
        cleaned = super().clean()
        filled = [cleaned.get(f) for f in ("name", "start_on", "end_on")]
        if any(filled) and not all(filled):
            raise forms.ValidationError(_("阶段须填写名称、开始日期和结束日期。"))
        return cleaned


class TargetForm(forms.Form):
    metric = forms.ChoiceField(
        label=_("指标"), choices=[("", "——")] + list(TargetMetric.choices), required=False
    )
    sector = forms.ModelChoiceField(
        label=_("行业领域"), queryset=sectors_active(), required=False, empty_label=_("（全部）")
    )
    target = forms.DecimalField(
        label=_("目标数"), max_digits=12, decimal_places=2, min_value=0, required=False
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("metric") and cleaned.get("target") is None:
            self.add_error("target", _("请填写目标数。"))
        if cleaned.get("target") is not None and not cleaned.get("metric"):
            self.add_error("metric", _("请选择指标。"))
        return cleaned


PhaseFormSet = forms.formset_factory(PhaseForm, extra=0, max_num=20, absolute_max=20, validate_max=True)
TargetFormSet = forms.formset_factory(TargetForm, extra=0, max_num=20, absolute_max=20, validate_max=True)

EXTRA_ROWS = 2


def phase_initial(campaign: Campaign | None) -> list[dict]:
    if campaign is None:
        return [{"name": name} for name in DEFAULT_PHASES]
    rows = [
        {"name": p.name, "start_on": p.start_on, "end_on": p.end_on, "tasks": p.tasks}
        for p in campaign.phases.all()
    ]
    return rows + [{} for _i in range(EXTRA_ROWS)]


def _plain(number):
    """120.00 → 120 (a count); 12.50 stays (万元)."""
    return int(number) if number == number.to_integral_value() else number


def target_initial(campaign: Campaign | None) -> list[dict]:
    rows = []
    if campaign is not None:
        rows = [
            {"metric": t.metric, "sector": t.sector_id, "target": _plain(t.target)}
            for t in campaign.targets.all()
        ]
    return rows + [{} for _i in range(EXTRA_ROWS + (1 if campaign is None else 0))]


def campaign_data(form: CampaignForm, phases: forms.BaseFormSet, targets: forms.BaseFormSet) -> CampaignData:
    c = form.cleaned_data
    return CampaignData(
        kind=c["kind"],
        name=c["name"],
        parent=c.get("parent"),
        start_on=c["start_on"],
        end_on=c["end_on"],
        lead_department=c["lead_department"],
        member_units=list(c.get("member_units") or []),
        sectors=list(c.get("sectors") or []),
        document_number=c.get("document_number") or "",
        description=c.get("description") or "",
        phases=[
            PhaseData(name=p["name"], start_on=p["start_on"], end_on=p["end_on"], tasks=p.get("tasks") or "")
            for p in (f.cleaned_data for f in phases.forms)
            if p.get("name")
        ],
        targets=[
            TargetData(metric=t["metric"], target=t["target"], sector=t.get("sector"))
            for t in (f.cleaned_data for f in targets.forms)
            if t.get("metric")
        ],
    )


def campaign_initial(campaign: Campaign) -> dict:
    return {
        "kind": campaign.kind_id,
        "name": campaign.name,
        "parent": campaign.parent_id,
        "start_on": campaign.start_on,
        "end_on": campaign.end_on,
        "lead_department": campaign.lead_department_id,
        "member_units": [u.pk for u in campaign.member_units.all()],
        "sectors": [s.pk for s in campaign.sectors.all()],
        "document_number": campaign.document_number,
        "description": campaign.description,
    }
