"""安全责任 forms: they parse and validate input; the services decide and save."""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.widgets import DateInput

from .choices import DutyCategory, Role, WorkStatus
from .models import Enterprise, LetterKind, OrgUnit, User
from .scoping import restrict
from .selectors_responsibility import letter_kinds_active, signer_units, units_for_user
from .services_responsibility import DutyItemData
from .validators import normalize_uscc

INDENT = "　"
CATEGORY_BY_LABEL = {str(label): value for value, label in DutyCategory.choices}
# "属地管理：负责……" or "【属地管理】负责……" at the start of a pasted line names its category.
CATEGORY_PREFIX = re.compile(r"^\s*(?:【(?P<a>[^】]{2,6})】|(?P<b>[^：:]{2,6})[：:])\s*")
NUMBERING = re.compile(r"^\s*(?:\d+|[一二三四五六七八九十]+)[、.．)）]\s*")


class TreeUnitField(forms.ModelChoiceField):
    """Units in tree order, indented under their parent, with their kind (街道, 社区, 部门 …)."""

    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{INDENT * obj.depth}{obj.name}（{obj.get_kind_display()}）"


class HolderField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        unit = obj.org_unit.name if obj.org_unit_id else ""
        return f"{obj.display_name}（{unit}）" if unit else obj.display_name


def parse_duty_lines(text: str) -> list[DutyItemData]:
    """One duty per line; a leading "类别：" (or 【类别】) sets the category, a leading number is dropped."""
    items = []
    for line in text.splitlines():
        line = NUMBERING.sub("", line).strip()
        if not line:
            continue
        category = DutyCategory.OTHER
        match = CATEGORY_PREFIX.match(line)
        if match and (match["a"] or match["b"]) in CATEGORY_BY_LABEL:
            category = CATEGORY_BY_LABEL[match["a"] or match["b"]]
            line = line[match.end() :].strip()
        if line:
            items.append(DutyItemData(text=line, category=category))
    return items


class DutyListForm(forms.Form):
    unit = TreeUnitField(label=_("所属单位"), queryset=OrgUnit.objects.none())
    title = forms.CharField(label=_("清单名称"), max_length=200)
    holder_user = HolderField(
        label=_("领导（系统账号）"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("（无账号，填写姓名；或为单位清单）"),
    )
    holder_name = forms.CharField(label=_("领导姓名"), max_length=50, required=False)
    holder_post = forms.CharField(
        label=_("职务"), max_length=100, required=False, help_text=_("如：区长、分管副区长、党工委书记")
    )
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    items = forms.CharField(
        label=_("职责内容"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text=_(
            "每行一条；行首可写类别，如“属地管理：负责辖区……”（类别：领导责任、综合监管、行业监管、属地管理、主体责任、其他）。"
        ),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        units = units_for_user(user=user)
        self.fields["unit"].queryset = units
        self.fields["holder_user"].queryset = (
            User.objects.filter(is_active=True, org_unit__in=units)
            .exclude(role=Role.ADMIN)
            .select_related("org_unit")
            .order_by("org_unit__path", "name")
        )

    def clean(self):
        data = super().clean()
        if data.get("holder_user") and (data.get("holder_name") or "").strip():
            self.add_error("holder_name", _("已选择领导账号时不必再填写姓名。"))
        data["parsed_items"] = parse_duty_lines(data.get("items") or "")
        return data


class DutyItemForm(forms.Form):
    category = forms.ChoiceField(label=_("类别"), choices=DutyCategory.choices, initial=DutyCategory.OTHER)
    text = forms.CharField(label=_("职责内容"), widget=forms.Textarea(attrs={"rows": 2}))


class WorkListForm(forms.Form):
    unit = TreeUnitField(label=_("单位"), queryset=OrgUnit.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(
        label=_("清单名称"),
        max_length=200,
        required=False,
        help_text=_("不填为“单位+年度安全生产工作清单”。"),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for_user(user=user)
        self.fields["year"].initial = timezone.localdate().year


class WorkItemForm(forms.Form):
    task = forms.CharField(label=_("工作任务"), widget=forms.Textarea(attrs={"rows": 2}))
    lead_unit = TreeUnitField(
        label=_("牵头单位"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("（本单位）")
    )
    due_on = forms.DateField(label=_("完成时限"), widget=DateInput(), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = signer_units()


class WorkProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("进展"), choices=WorkStatus.choices, widget=forms.RadioSelect)
    percent = forms.IntegerField(
        label=_("完成比例（%）"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("进行中时填写；未开始为 0，已完成为 100。"),
    )
    note = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class LetterForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("类型"), queryset=LetterKind.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("名称"), max_length=200, required=False)
    issuer = TreeUnitField(label=_("发放单位"), queryset=OrgUnit.objects.none())
    signer_unit = TreeUnitField(
        label=_("签订单位"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("（企业签订，填写下方信用代码）"),
    )
    signer_uscc = forms.CharField(
        label=_("签订企业（统一社会信用代码）"),
        max_length=18,
        required=False,
        help_text=_("由企业签订时填写；与签订单位二选一。"),
    )
    signed_on = forms.DateField(label=_("签订日期"), widget=DateInput(), initial=timezone.localdate)
    file = forms.FileField(
        label=_("扫描件"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"}),
        help_text=_("PDF 或照片（JPG、PNG、WEBP、GIF）。"),
    )
    note = forms.CharField(label=_("备注"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["kind"].queryset = letter_kinds_active()
        self.fields["issuer"].queryset = units_for_user(user=user)
        self.fields["signer_unit"].queryset = signer_units()
        self.fields["year"].initial = timezone.localdate().year
        self.signer_enterprise: Enterprise | None = None

    def clean_signer_uscc(self) -> str:
        raw = (self.cleaned_data.get("signer_uscc") or "").strip()
        if not raw:
            return ""
        code = normalize_uscc(raw)
        found = restrict(Enterprise.objects.filter(uscc=code), self.user).first()
        if found is None:
            raise forms.ValidationError(_("未找到该信用代码的单位，或该单位不在您的管辖范围内。"))
        self.signer_enterprise = found
        return code

    def clean(self):
        data = super().clean()
        if data.get("signer_unit") and data.get("signer_uscc"):
            self.add_error("signer_uscc", _("签订方须是一个单位或一家企业（二选一）。"))
        elif (
            not data.get("signer_unit") and not data.get("signer_uscc") and not self.has_error("signer_uscc")
        ):
            self.add_error("signer_unit", _("请选择签订单位，或填写签订企业的信用代码。"))
        return data
