"""Forms parse and validate input; they never save. Views hand what they hold to a service.

The rules of the ledger (五落实 for a major hazard, dates, scope) live in services.check_hazard_data
and come back as a ValidationError the view puts on the form, so a page and the API say the same.
"""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Enterprise, OrgUnit, User
from accounts.scoping import restrict
from campaigns.forms_activities import TalkChoiceField
from campaigns.models import Campaign
from campaigns.selectors import campaigns_for_tagging
from campaigns.selectors_activities import talks_for_linking
from core.widgets import DateInput

from .choices import HazardLevel, HazardSource, ListingLevel
from .selectors import categories_active, responsible_units
from .services import HazardData, default_deadline

# 申请延期 proposes the current deadline plus this many days.
EXTENSION_DAYS = 30


def date_input() -> forms.DateInput:
    return DateInput()


def deadline_defaults(found_on: dt.date) -> dict[str, str]:
    """The proposed 整改期限 by level for a hazard found on `found_on` (services.default_deadline),
    as the data-default-* attributes app.js uses to follow the level select."""
    return {level: default_deadline(level, found_on).isoformat() for level in HazardLevel.values}


def deadline_follows_level(field: forms.Field, found_on: dt.date) -> None:
    """Propose the deadline of the usual rule from `found_on`, following the level chosen (app.js)."""
    defaults = deadline_defaults(found_on)
    field.initial = defaults[HazardLevel.GENERAL]
    field.widget.attrs.update(
        {
            "data-default-general": defaults[HazardLevel.GENERAL],
            "data-default-major": defaults[HazardLevel.MAJOR],
        }
    )


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return obj.name


class CampaignChoiceField(forms.ModelChoiceField):
    """专项行动 with its period."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("专项行动"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("empty_label", _("（不属于专项行动）"))
        kwargs.setdefault("help_text", _("发现日期须在所选专项行动期间。"))
        super().__init__(queryset=Campaign.objects.none(), **kwargs)

    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.start_on:%Y-%m-%d}至{obj.end_on:%Y-%m-%d}）"


class HazardFieldsForm(forms.Form):
    """What is filled in for any hazard, recorded by hand or from an inspection's 不符合 item."""

    level = forms.ChoiceField(label=_("隐患等级"), choices=HazardLevel.choices, initial=HazardLevel.GENERAL)
    category = forms.ModelChoiceField(
        label=_("隐患类别"), queryset=categories_active(), required=False, empty_label=_("（未分类）")
    )
    description = forms.CharField(label=_("隐患描述"), widget=forms.Textarea(attrs={"rows": 3}))
    location = forms.CharField(label=_("隐患部位"), max_length=200, required=False)
    deadline = forms.DateField(label=_("整改期限"), widget=date_input())
    responsible_unit = UnitChoiceField(
        label=_("跟踪责任单位"),
        queryset=responsible_units(),
        required=False,
        empty_label=_("（默认：单位所在街道/乡镇）"),
        help_text=_("负责跟踪督促整改的街道/乡镇或部门。"),
    )
    responsible_person = forms.CharField(label=_("整改责任人"), max_length=50, required=False)
    measures = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    # 五落实: shown for a major hazard (app.js), required by the service whatever the browser did.
    funds = forms.DecimalField(
        label=_("整改资金（万元）"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    contingency_plan = forms.CharField(
        label=_("应急预案"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    MAJOR_ONLY = ("funds", "contingency_plan")

    def hazard_fields(self) -> dict:
        """The fields passed straight to the service besides the enterprise, source and dates."""
        c = self.cleaned_data
        return {
            "level": c["level"],
            "category": c.get("category"),
            "location": c.get("location") or "",
            "responsible_person": c.get("responsible_person") or "",
            "measures": c.get("measures") or "",
            "funds": c.get("funds"),
            "contingency_plan": c.get("contingency_plan") or "",
        }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; their content is checked by the service (core.uploads)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/*", "multiple": True, "capture": "environment"}),
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list:
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(f, initial) for f in data if f]
        return [one(data, initial)] if data else []


class HazardForm(HazardFieldsForm):
    """登记隐患 by hand: the enterprise was picked on the page before (search within the change scope)."""

    enterprise = forms.ModelChoiceField(
        label=_("生产经营单位"), queryset=Enterprise.objects.none(), widget=forms.HiddenInput
    )
    source = forms.ChoiceField(
        label=_("隐患来源"),
        # 检查发现 comes with its inspection record, through 登记为隐患 on the record.
        choices=[c for c in HazardSource.choices if c[0] != HazardSource.INSPECTION],
    )
    found_on = forms.DateField(label=_("发现日期"), widget=date_input(), initial=timezone.localdate)
    # Gallery or camera: the photo of the hazard is often taken before the form is opened.
    photos = PhotosField(
        label=_("隐患照片"),
        widget=MultipleFileInput(attrs={"accept": "image/*", "multiple": True}),
        help_text=_("可多选；只能上传 JPG、PNG、WEBP 或 GIF 照片。"),
    )
    campaign = CampaignChoiceField()

    field_order = [
        "enterprise",
        "source",
        "level",
        "category",
        "description",
        "location",
        "found_on",
        "deadline",
        "responsible_unit",
        "responsible_person",
        "measures",
        "funds",
        "contingency_plan",
        "campaign",
        "photos",
    ]

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns_for_tagging()
        self.fields["enterprise"].queryset = restrict(Enterprise.objects.all(), user, "change")
        self.fields["enterprise"].error_messages["invalid_choice"] = _("所选单位不在您的管辖范围内。")
        deadline_follows_level(self.fields["deadline"], timezone.localdate())

    def to_data(self) -> HazardData:
        c = self.cleaned_data
        enterprise = c["enterprise"]
        return HazardData(
            enterprise=enterprise,
            source=c["source"],
            description=c["description"],
            found_on=c["found_on"],
            deadline=c["deadline"],
            responsible_unit=c.get("responsible_unit") or enterprise.township,
            photos=c.get("photos") or (),
            campaign=c.get("campaign"),
            **self.hazard_fields(),
        )


class FromResultForm(HazardFieldsForm):
    """登记为隐患 from a 不符合 check item: enterprise, source and date come from the inspection."""

    field_order = HazardForm.field_order

    def __init__(self, *args, found_on: dt.date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The one-click form on the record page may send only a level: the written finding makes the
        # description, and the deadline is the usual one from the inspection date (default_deadline).
        self.fields["description"].required = False
        self.fields["deadline"].required = False
        if found_on is not None:
            deadline_follows_level(self.fields["deadline"], found_on)

    def to_kwargs(self) -> dict:
        c = self.cleaned_data
        return {
            "deadline": c.get("deadline"),
            "responsible_unit": c.get("responsible_unit"),
            "description": c.get("description") or "",
            **self.hazard_fields(),
        }


SAVE_ONLY = "save"
SUBMIT_NOW = "submit"


class RectificationForm(forms.Form):
    """整改 in one move: the entry, and by the `then` choice the request for 复查 with it."""

    prefix = "rect"
    text = forms.CharField(label=_("整改情况"), widget=forms.Textarea(attrs={"rows": 3}))
    done_on = forms.DateField(label=_("整改日期"), widget=date_input(), initial=timezone.localdate)
    photos_before = PhotosField(label=_("整改前照片"))
    photos_after = PhotosField(
        label=_("整改后照片"), help_text=_("可多选；只能上传 JPG、PNG、WEBP 或 GIF 照片。")
    )
    then = forms.ChoiceField(
        label=_("保存后"),
        choices=[
            (SUBMIT_NOW, _("整改完成，提交复查")),
            (SAVE_ONLY, _("只保存整改记录（整改尚未完成）")),
        ],
        widget=forms.RadioSelect,
        # A form posted without the choice (older pages, scripts) only saves, as it always did.
        required=False,
        initial=SUBMIT_NOW,
    )


class HazardEditForm(forms.Form):
    """修改隐患信息: the details and 五落实 (the deadline moves only through an approved 延期申请)."""

    prefix = "edit"
    level = HazardFieldsForm.base_fields["level"]
    category = HazardFieldsForm.base_fields["category"]
    description = HazardFieldsForm.base_fields["description"]
    location = HazardFieldsForm.base_fields["location"]
    responsible_unit = UnitChoiceField(
        label=_("跟踪责任单位"),
        queryset=responsible_units(),
        help_text=_("只有区安委办/应急局可以更换。"),
    )
    responsible_person = HazardFieldsForm.base_fields["responsible_person"]
    measures = HazardFieldsForm.base_fields["measures"]
    funds = HazardFieldsForm.base_fields["funds"]
    contingency_plan = HazardFieldsForm.base_fields["contingency_plan"]
    campaign = CampaignChoiceField()
    talks = TalkChoiceField()

    def __init__(self, *args, can_move: bool = True, user: User | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        current = self.initial.get("campaign")
        self.fields["campaign"].queryset = campaigns_for_tagging(include=getattr(current, "pk", current))
        if user is None:
            del self.fields["talks"]
        else:
            self.fields["talks"].queryset = talks_for_linking(
                user=user, include=self.initial.get("talks") or ()
            )
        if not can_move:
            self.fields["responsible_unit"].disabled = True

    def changes(self) -> dict:
        """The fields to hand to services.hazard_update (a disabled field keeps its initial value)."""
        c = self.cleaned_data
        data = {name: c.get(name) for name in self.fields}
        for name in ("location", "responsible_person", "measures", "contingency_plan"):
            data[name] = data[name] or ""
        return data


class SubmitForm(forms.Form):
    prefix = "submit"
    note = forms.CharField(
        label=_("说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class VerifyForm(forms.Form):
    prefix = "verify"
    note = forms.CharField(
        label=_("复查意见"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("复查不通过时必须填写原因。"),
    )


class ReopenForm(forms.Form):
    prefix = "reopen"
    reason = forms.CharField(label=_("重新打开理由"), widget=forms.Textarea(attrs={"rows": 2}))


class VoidForm(forms.Form):
    prefix = "void"
    reason = forms.CharField(
        label=_("作废理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("作废的隐患不计入统计，但仍保留在台账中。"),
    )


class ExtensionRequestForm(forms.Form):
    prefix = "extend"
    new_deadline = forms.DateField(label=_("申请延期至"), widget=date_input())
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionDecideForm(forms.Form):
    prefix = "decide"
    note = forms.CharField(
        label=_("审批意见"),
        max_length=300,
        required=False,
        help_text=_("驳回时必须填写理由。"),
    )


class ListingForm(forms.Form):
    prefix = "listing"
    # Named as the service names its errors, so each lands beside its field.
    listing_level = forms.ChoiceField(label=_("挂牌督办级别"), choices=ListingLevel.choices)
    listed_on = forms.DateField(label=_("挂牌日期"), widget=date_input(), initial=timezone.localdate)
    listing_leader = forms.CharField(label=_("督办领导"), max_length=50)
    listing_document = forms.CharField(label=_("督办文号"), max_length=60, required=False)
