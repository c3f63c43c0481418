"""Forms parse and validate input; they never save. Views hand the cleaned data to a service."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrgKind
from accounts.models import OrgUnit, RiskGrade, User
from accounts.selectors import sectors_active, townships_visible
from campaigns.models import Campaign
from campaigns.selectors import campaigns_for_tagging
from core.widgets import DateInput

from . import selectors
from .choices import LeaderLevel
from .models import InspectionKind
from .services import TargetData


class DrawForm(forms.Form):
    """双随机抽取: the filters of the enterprise pool, how many to draw, and who organises."""

    title = forms.CharField(label=_("抽查事项"), max_length=100, initial=_("双随机抽查"))
    organizer = forms.ModelChoiceField(label=_("检查单位"), queryset=OrgUnit.objects.none())
    planned_date = forms.DateField(
        label=_("计划检查日期"),
        initial=timezone.localdate,
        widget=DateInput(),
    )
    sectors = forms.ModelMultipleChoiceField(
        label=_("行业领域"),
        queryset=sectors_active(),
        required=False,
        help_text=_("不选为全部；选上级领域含其下属领域。"),
    )
    townships = forms.ModelMultipleChoiceField(
        label=_("街道/乡镇"), queryset=OrgUnit.objects.none(), required=False, help_text=_("不选为全部。")
    )
    risk_grades = forms.ModelMultipleChoiceField(
        label=_("风险等级"), queryset=RiskGrade.objects.all(), required=False, help_text=_("不选为全部。")
    )
    enterprise_count = forms.IntegerField(label=_("抽取单位数"), min_value=1, max_value=500, initial=10)
    inspectors_per_enterprise = forms.IntegerField(
        label=_("每家检查人员数"),
        max_value=10,
        initial=2,
        help_text=_("执法检查须有两名以上持有效执法证的人员。"),
    )
    weighted_by_grade = forms.BooleanField(
        label=_("按风险等级加权（红4、橙3、黄2、蓝1）"), required=False, initial=True
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        organizers = selectors.organizers_writable(user=user)
        self.fields["organizer"].queryset = organizers
        self.fields["townships"].queryset = townships_visible(user=user)
        if user.org_unit_id and organizers.filter(pk=user.org_unit_id).exists():
            self.fields["organizer"].initial = user.org_unit_id
        elif organizers.count() == 1:
            self.fields["organizer"].initial = organizers.get().pk

    def service_kwargs(self) -> dict:
        c = self.cleaned_data
        return {
            "organizer": c["organizer"],
            "title": c["title"],
            "planned_date": c["planned_date"],
            "sector_ids": [s.pk for s in c["sectors"]],
            "township_ids": [t.pk for t in c["townships"]],
            "risk_grade_ids": [g.pk for g in c["risk_grades"]],
            "n": c["enterprise_count"],
            "m": c["inspectors_per_enterprise"],
            "weighted_by_grade": c["weighted_by_grade"],
        }


# ---------------------------------------------------------------- 检查计划

MONTH_CHOICES = [("", _("全年（年度计划）")), *[(m, f"{m}月") for m in range(1, 13)]]


class PlanForm(forms.Form):
    """The plan itself; its lines are PlanTargetFormSet. The unit is fixed once the plan exists."""

    organizer = forms.ModelChoiceField(label=_("检查单位"), queryset=OrgUnit.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(
        label=_("月份"),
        choices=MONTH_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("留空为年度计划。"),
    )
    title = forms.CharField(label=_("计划名称"), max_length=100)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, plan=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        organizers = selectors.plan_organizers(user=user)
        self.fields["organizer"].queryset = organizers
        if plan is not None:
            self.fields["organizer"].queryset = OrgUnit.objects.filter(pk=plan.organizer_id)
            self.fields["organizer"].disabled = True
            fields = ("year", "month", "title", "note")
            self.initial.update(organizer=plan.organizer_id, **{f: getattr(plan, f) for f in fields})
        else:
            self.initial.setdefault("year", timezone.localdate().year)
            if user.org_unit_id and organizers.filter(pk=user.org_unit_id).exists():
                self.initial.setdefault("organizer", user.org_unit_id)


class PlanTargetForm(forms.Form):
    """One line: an empty sector, township or kind means 不限."""

    sector = forms.ModelChoiceField(
        label=_("行业领域"), queryset=sectors_active(), required=False, empty_label=_("不限")
    )
    township = forms.ModelChoiceField(
        label=_("街道/乡镇"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("不限")
    )
    kind = forms.ModelChoiceField(
        label=_("检查类型"),
        queryset=InspectionKind.objects.filter(is_active=True),
        required=False,
        empty_label=_("不限"),
    )
    target_visits = forms.IntegerField(label=_("计划家次"), min_value=1)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = selectors.plan_townships(user=user)


class BasePlanTargetFormSet(forms.BaseFormSet):
    def to_data(self) -> list[TargetData]:
        """Filled lines not marked 删除; the blank spare rows are skipped."""
        return [
            TargetData(
                target_visits=f.cleaned_data["target_visits"],
                sector=f.cleaned_data.get("sector"),
                township=f.cleaned_data.get("township"),
                kind=f.cleaned_data.get("kind"),
            )
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


PlanTargetFormSet = forms.formset_factory(
    PlanTargetForm, formset=BasePlanTargetFormSet, extra=3, can_delete=True, max_num=50, validate_max=True
)


def plan_target_initial(plan) -> list[dict]:
    fields = ("sector_id", "township_id", "kind_id")
    return [
        {**{f.removesuffix("_id"): getattr(t, f) for f in fields}, "target_visits": t.target_visits}
        for t in plan.targets.all()
    ]


# ---------------------------------------------------------------- 录入检查 (the phone entry form)


class TeamMemberField(forms.ModelMultipleChoiceField):
    """Team members as tappable chips; who holds a valid 执法证 on the day says so in the label."""

    on = None

    def label_from_instance(self, obj) -> str:
        unit = obj.org_unit.short_name or obj.org_unit.name if obj.org_unit else ""
        label = f"{obj.display_name}（{unit}）" if unit else obj.display_name
        on = self.on or timezone.localdate()
        return f"{label} ✓{_('执法证')}" if obj.holds_valid_cert(on) else label


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class CampaignChoiceField(forms.ModelChoiceField):
    """专项行动 with its period: 2026年安全生产月（2026-06-01至2026-06-30）."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.start_on:%Y-%m-%d}至{obj.end_on:%Y-%m-%d}）"


class OrganizerField(forms.ModelChoiceField):
    """检查单位 in org-tree order, each with its kind: 火车站街道（街道）, 区应急管理局（部门）."""

    def label_from_instance(self, obj) -> str:
        kind = _("部门") if obj.kind == OrgKind.DEPARTMENT else obj.get_kind_display()
        return f"{obj.name}（{kind}）"


class EntryBasicsForm(forms.Form):
    """Step 1 基本信息. The rules (执法证, leader) are checked by the service, against the saved draft."""

    date = forms.DateField(label=_("检查日期"), widget=DateInput())
    kind = forms.ModelChoiceField(label=_("检查类型"), queryset=InspectionKind.objects.filter(is_active=True))
    organizer = OrganizerField(label=_("检查单位"), queryset=OrgUnit.objects.none())
    members = TeamMemberField(
        label=_("检查人员"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "列出检查单位持有效执法证（标有✓执法证）的人员，非执法检查另列该单位其他人员；"
            "执法检查须有两名以上持证人员。更换检查单位或检查类型后点“保存”更新名单。"
        ),
    )
    experts = forms.CharField(
        label=_("外聘专家"), max_length=200, required=False, help_text=_("多人以、分隔，如：张工、李工")
    )
    is_unannounced = forms.BooleanField(
        label=_("四不两直"),
        required=False,
        help_text=_("不发通知、不打招呼、不听汇报、不用陪同接待，直奔基层、直插现场；任何检查类型均可。"),
    )
    is_leader_led = forms.BooleanField(label=_("领导带队"), required=False)
    leader_name = forms.CharField(label=_("带队领导"), max_length=50, required=False)
    leader_level = forms.ChoiceField(
        label=_("领导级别"), choices=[("", "—"), *LeaderLevel.choices], required=False
    )
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    campaign = CampaignChoiceField(
        label=_("专项行动"),
        queryset=Campaign.objects.none(),
        required=False,
        empty_label=_("（不属于专项行动）"),
        help_text=_("列出检查日期前后进行中的专项行动；检查日期须在所选专项行动期间。"),
    )

    def __init__(self, *args, user, draft, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        planned = draft.planned_action
        planned_members = list(planned.members.values_list("pk", flat=True)) if planned else []
        if planned is not None:
            # A planned inspection is its organiser's: the unit is fixed by the plan.
            self.fields["organizer"].queryset = OrgUnit.objects.filter(pk=planned.organizer_id)
            self.fields["organizer"].disabled = True
        else:
            self.fields["organizer"].queryset = selectors.organizers_writable(user=user)
        date = self._value("date")
        try:
            self.fields["members"].on = dt.date.fromisoformat(str(date))
        except ValueError:
            self.fields["members"].on = None
        self.fields["campaign"].queryset = campaigns_for_tagging(
            day=self.fields["members"].on, include=_int_or_none(self._value("campaign"))
        )
        # Offered: the organiser's staff (only those with a valid 执法证 for an enforcement kind), the
        # user, and whoever is already chosen; anyone team_candidates allows stays valid (the service
        # checks the same rule).
        chosen = {pk for pk in map(_int_or_none, self._values("members")) if pk is not None}
        allowed = selectors.team_candidates(user=user, include_ids=planned_members)
        keep = [*planned_members, *allowed.filter(pk__in=chosen).values_list("pk", flat=True)]
        organizer_id = planned.organizer_id if planned is not None else _int_or_none(self._value("organizer"))
        kind = InspectionKind.objects.filter(pk=_int_or_none(self._value("kind"))).first()
        self.fields["members"].queryset = selectors.team_offered(
            user=user,
            organizer_id=organizer_id,
            kind=kind,
            on=self.fields["members"].on or timezone.localdate(),
            keep_ids=keep,
        )

    def _value(self, name: str):
        return self.data.get(name) if self.is_bound else self.initial.get(name)

    def _values(self, name: str) -> list:
        if self.is_bound:
            return (
                self.data.getlist(name) if hasattr(self.data, "getlist") else list(self.data.get(name) or [])
            )
        return list(self.initial.get(name) or [])

    def to_draft(self) -> dict:
        """What step 1 keeps in the draft: plain ids and text (JSON)."""
        c = self.cleaned_data
        return {
            "date": c["date"].isoformat(),
            "kind": c["kind"].pk,
            "organizer": c["organizer"].pk,
            "members": [m.pk for m in c["members"]],
            "experts": c["experts"].strip(),
            "is_unannounced": c["is_unannounced"],
            "is_leader_led": c["is_leader_led"],
            "leader_name": c["leader_name"].strip(),
            "leader_level": c["leader_level"],
            "note": c["note"].strip(),
            "campaign": c["campaign"].pk if c.get("campaign") else None,
        }
