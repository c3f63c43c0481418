"""Forms of the activity ledger: parse and check input; the rules are the service's (activity_problems)."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Enterprise, OrgUnit, User
from accounts.validators import normalize_uscc
from core.imports import split_names

from .choices_activities import TalkTargetKind
from .models import Activity, ActivitySubtype, ActivityType, QuantityUnit
from .selectors_activities import (
    activity_types,
    campaigns_all,
    organisers_writable,
    subtypes_active,
    talk_departments,
    talk_enterprises,
    talk_townships,
    units_active,
)
from .services.activities import ActivityData, TalkTargetData


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TalkChoiceField(forms.ModelMultipleChoiceField):
    """约谈 (activities of a 约谈 sub-type) to link a hazard or a case to (hazards and enforcement use it);
    the queryset is selectors_activities.talks_for_linking."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("约谈"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("与此相关的约谈（活动台账中的约谈记录）；可多选。"))
        kwargs.setdefault("widget", forms.SelectMultiple(attrs={"size": 4}))
        super().__init__(queryset=Activity.objects.none(), **kwargs)

    def label_from_instance(self, obj) -> str:
        return f"{obj.date:%Y-%m-%d} {obj.theme}（{obj.organiser.short_name or obj.organiser.name}）"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several photos or PDFs in one input; their content is checked by the service."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf", "multiple": True})
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list:
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(f, initial) for f in data if f]
        return [one(data, initial)] if data else []


class SubtypeSelect(forms.Select):
    """Each sub-type option says its kind and whether it is 约谈, so activity_form.js can offer only
    the kind's sub-types and show the 约谈 fields when one is chosen."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.meta: dict[str, tuple[int, bool]] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        key = str(getattr(value, "value", value) or "")
        if key in self.meta:
            type_id, is_talk = self.meta[key]
            option["attrs"]["data-type"] = str(type_id)
            if is_talk:
                option["attrs"]["data-talk"] = "1"
        return option


class ActivityForm(forms.Form):
    """登记/修改活动. The quantities are QuantityFormSet beside it; the files only when recording."""

    type = forms.ModelChoiceField(label=_("活动类型"), queryset=ActivityType.objects.none(), empty_label=None)
    subtype = forms.ModelChoiceField(
        label=_("子类型"), queryset=ActivitySubtype.objects.none(), required=False, widget=SubtypeSelect
    )
    date = forms.DateField(label=_("日期"), widget=date_input(), initial=timezone.localdate)
    end_date = forms.DateField(
        label=_("结束日期"), widget=date_input(), required=False, help_text=_("跨多日的活动填写。")
    )
    theme = forms.CharField(label=_("主题"), max_length=200)
    organiser = forms.ModelChoiceField(label=_("组织单位"), queryset=OrgUnit.objects.none())
    campaign = forms.ModelChoiceField(
        label=_("专项行动"), queryset=campaigns_all(), required=False, empty_label=_("（不属于专项行动）")
    )
    sessions = forms.IntegerField(label=_("场次"), min_value=1, initial=1)
    participants = forms.IntegerField(label=_("参与人次"), min_value=0, initial=0)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    talk_townships = forms.ModelMultipleChoiceField(
        label=_("约谈街道/乡镇"), queryset=talk_townships(), required=False
    )
    talk_departments = forms.ModelMultipleChoiceField(
        label=_("约谈部门"), queryset=talk_departments(), required=False
    )
    talk_enterprises = forms.CharField(
        label=_("约谈生产经营单位"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("填写单位名称或统一社会信用代码，多个用顿号分隔。"),
    )
    talk_reason = forms.CharField(
        label=_("约谈事由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    files = FilesField(
        label=_("佐证材料"),
        help_text=_("照片（JPG、PNG、WEBP、GIF）或 PDF，可多选，如签到表、会议纪要、现场照片。"),
    )

    TALK_FIELDS = ("talk_townships", "talk_departments", "talk_enterprises", "talk_reason")

    def __init__(self, *args, user: User, activity: Activity | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.activity = activity
        self.fields["type"].queryset = activity_types()
        subtypes = subtypes_active()
        organisers = organisers_writable(user=user)
        if activity is not None:
            # A retired sub-type or unit already on the record stays selectable.
            subtypes = ActivitySubtype.objects.filter(
                Q(is_active=True) | Q(pk=activity.subtype_id)
            ).select_related("type")
            organisers = organisers | OrgUnit.objects.filter(pk=activity.organiser_id)
            del self.fields["files"]
        self.fields["subtype"].queryset = subtypes
        self.fields["subtype"].widget.meta = {str(s.pk): (s.type_id, s.is_talk) for s in subtypes}
        self.fields["organiser"].queryset = organisers
        for name in self.TALK_FIELDS:
            self.fields[name].widget.attrs["data-talk-field"] = "1"
        if activity is not None and not self.is_bound:
            self.initial.update(_initial(activity))
        elif not self.is_bound and user.org_unit_id and organisers.filter(pk=user.org_unit_id).exists():
            self.initial.setdefault("organiser", user.org_unit_id)

    def clean_talk_enterprises(self) -> list[Enterprise]:
        names = split_names(self.cleaned_data.get("talk_enterprises"))
        if not names:
            return []
        visible = talk_enterprises(user=self.user)
        codes = {normalize_uscc(n): n for n in names}
        found = list(visible.filter(Q(name__in=names) | Q(uscc__in=list(codes))))
        by_key = {**{e.name: e for e in found}, **{e.uscc: e for e in found}}
        missing = [n for n in names if n not in by_key and normalize_uscc(n) not in by_key]
        if missing:
            raise forms.ValidationError(
                _("未找到这些生产经营单位（或不在您的可见范围内）：%(names)s") % {"names": "、".join(missing)}
            )
        return list({e.pk: e for n in names for e in [by_key.get(n) or by_key[normalize_uscc(n)]]}.values())

    def to_data(self, quantities) -> ActivityData:
        c = self.cleaned_data
        subtype = c.get("subtype")
        is_talk = subtype is not None and subtype.is_talk
        targets: list[TalkTargetData] = []
        if is_talk:
            targets += [
                TalkTargetData(TalkTargetKind.TOWNSHIP, org_unit=u) for u in c.get("talk_townships") or ()
            ]
            targets += [
                TalkTargetData(TalkTargetKind.DEPARTMENT, org_unit=u) for u in c.get("talk_departments") or ()
            ]
            targets += [
                TalkTargetData(TalkTargetKind.ENTERPRISE, enterprise=e)
                for e in c.get("talk_enterprises") or ()
            ]
        return ActivityData(
            date=c["date"],
            end_date=c.get("end_date"),
            type=c["type"],
            subtype=subtype,
            theme=c["theme"],
            organiser=c["organiser"],
            campaign=c.get("campaign"),
            sessions=c["sessions"],
            participants=c["participants"],
            place=c.get("place") or "",
            notes=c.get("notes") or "",
            talk_reason=(c.get("talk_reason") or "") if is_talk else "",
            quantities=tuple(quantities),
            talk_targets=tuple(targets),
        )


def _initial(activity: Activity) -> dict:
    targets = list(activity.talk_targets.select_related("enterprise"))
    return {
        "type": activity.type_id,
        "subtype": activity.subtype_id,
        "date": activity.date,
        "end_date": activity.end_date,
        "theme": activity.theme,
        "organiser": activity.organiser_id,
        "campaign": activity.campaign_id,
        "sessions": activity.sessions,
        "participants": activity.participants,
        "place": activity.place,
        "notes": activity.notes,
        "talk_reason": activity.talk_reason,
        "talk_townships": [t.org_unit_id for t in targets if t.kind == TalkTargetKind.TOWNSHIP],
        "talk_departments": [t.org_unit_id for t in targets if t.kind == TalkTargetKind.DEPARTMENT],
        "talk_enterprises": "、".join(t.enterprise.name for t in targets if t.enterprise_id),
    }


class QuantityForm(forms.Form):
    """One quantity line: a unit of the catalogue and how many."""

    unit = forms.ModelChoiceField(label=_("数量单位"), queryset=QuantityUnit.objects.none(), required=False)
    amount = forms.IntegerField(label=_("数量"), min_value=0, required=False)

    def __init__(self, *args, units=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else units_active()

    def clean(self):
        c = super().clean()
        if c.get("unit") is not None and c.get("amount") is None and not c.get("DELETE"):
            self.add_error("amount", _("请填写数量。"))
        if c.get("unit") is None and c.get("amount") and not c.get("DELETE"):
            self.add_error("unit", _("请选择数量单位。"))
        return c


class BaseQuantityFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen = set()
        for f in self.forms:
            unit = f.cleaned_data.get("unit") if f.cleaned_data else None
            if unit is None or f.cleaned_data.get("DELETE"):
                continue
            if unit.pk in seen:
                raise forms.ValidationError(_("“%(unit)s”填写了多次。") % {"unit": unit.label})
            seen.add(unit.pk)

    def to_data(self) -> list[tuple[QuantityUnit, int]]:
        """Filled lines not marked 删除; blank spare rows and zeros are skipped."""
        return [
            (f.cleaned_data["unit"], f.cleaned_data["amount"])
            for f in self.forms
            if f.cleaned_data
            and not f.cleaned_data.get("DELETE")
            and f.cleaned_data.get("unit") is not None
            and f.cleaned_data.get("amount")
        ]


QuantityFormSet = forms.formset_factory(
    QuantityForm, formset=BaseQuantityFormSet, extra=3, can_delete=True, max_num=30, validate_max=True
)


def quantity_initial(activity: Activity | None) -> list[dict] | None:
    if activity is None:
        return None
    return [{"unit": q.unit_id, "amount": q.amount} for q in activity.quantities.all()]


def quantity_units(activity: Activity | None):
    """Active units, and those already on the record (a retired unit stays visible on its activity)."""
    if activity is None:
        return units_active()
    return QuantityUnit.objects.filter(Q(is_active=True) | Q(activityquantity__activity=activity)).distinct()


class AttachmentForm(forms.Form):
    files = FilesField(label=_("佐证材料"), required=True, help_text=_("照片或 PDF，可多选。"))
