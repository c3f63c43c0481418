"""The accident form: parses what is typed; the rules are services.check_accident_data's, shown back on
the form by field (core.errors.form_add_errors)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Enterprise, OrgUnit, Sector, User
from accounts.scoping import restrict, scope_for
from accounts.selectors import sectors_active, townships_visible
from accounts.validators import normalize_uscc

from .choices import AccidentGrade
from .selectors_accidents import categories_active
from .services import AccidentData

YES_NO = [("true", _("是")), ("false", _("否"))]


class _UnitField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return obj.name


class AccidentForm(forms.Form):
    occurred_on = forms.DateField(
        label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    occurred_at = forms.TimeField(
        label=_("发生时间"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    township = _UnitField(label=_("所属街道"), queryset=OrgUnit.objects.none(), help_text=_("事故发生地"))
    uscc = forms.CharField(
        label=_("生产经营单位（统一社会信用代码）"),
        max_length=18,
        required=False,
        help_text=_("涉及生产经营单位时填写；道路交通、自然灾害等可不填。"),
    )
    sector = forms.ModelChoiceField(label=_("行业领域"), queryset=Sector.objects.none())
    category = forms.ModelChoiceField(label=_("事故类别"), queryset=categories_active())
    is_production_safety = forms.TypedChoiceField(
        label=_("是否生产安全事故"),
        choices=YES_NO,
        coerce=lambda value: value == "true",
        initial="true",
        widget=forms.RadioSelect,
    )
    grade = forms.ChoiceField(
        label=_("事故等级"), choices=AccidentGrade.choices, initial=AccidentGrade.GENERAL
    )
    deaths = forms.IntegerField(label=_("死亡人数"), min_value=0, max_value=10000, initial=0)
    injuries = forms.IntegerField(label=_("受伤人数"), min_value=0, max_value=10000, initial=0)
    direct_loss = forms.DecimalField(
        label=_("直接经济损失（万元）"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    summary = forms.CharField(label=_("简要经过"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["township"].queryset = townships_visible(user=user)
        sectors = sectors_active()
        scope = scope_for(user, "change")
        if not scope.everything and scope.department_id is not None:
            sectors = sectors.filter(pk__in=scope.sector_ids)  # a department records its own sectors
        self.fields["sector"].queryset = sectors

    def clean_uscc(self) -> Enterprise | None:
        code = normalize_uscc(self.cleaned_data.get("uscc") or "")
        if not code:
            return None
        enterprise = (
            restrict(Enterprise.objects.select_related("jurisdiction"), self.user).filter(uscc=code).first()
        )
        if enterprise is None:
            raise forms.ValidationError(_("系统中没有该统一社会信用代码的单位，或不在您的可见范围内。"))
        return enterprise

    def to_data(self) -> AccidentData:
        c = self.cleaned_data
        return AccidentData(
            occurred_on=c["occurred_on"],
            occurred_at=c.get("occurred_at"),
            township=c["township"],
            enterprise=c.get("uscc"),
            sector=c["sector"],
            category=c["category"],
            is_production_safety=c["is_production_safety"],
            grade=c["grade"],
            deaths=c["deaths"],
            injuries=c["injuries"],
            direct_loss=c.get("direct_loss"),
            summary=c["summary"],
        )


def accident_initial(accident) -> dict:
    """The form filled from a recorded accident, for 修改事故信息."""
    return {
        "occurred_on": accident.occurred_on,
        "occurred_at": accident.occurred_at,
        "township": accident.township,
        "uscc": accident.enterprise.uscc if accident.enterprise_id else "",
        "sector": accident.sector,
        "category": accident.category,
        "is_production_safety": "true" if accident.is_production_safety else "false",
        "grade": accident.grade,
        "deaths": accident.deaths,
        "injuries": accident.injuries,
        "direct_loss": accident.direct_loss,
        "summary": accident.summary,
    }
