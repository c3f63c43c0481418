"""Forms of the work summaries (工作总结): the list's filters, 新建, a section's narrative, and the template
editor (the template and its sections as a formset). They parse and check input; the services write."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from campaigns.models import Campaign
from campaigns.selectors import campaign_list

from .models import ReportKind, ReportState, ReportTemplate, TemplateSection
from .periods import Period, today
from .scopes import StatsScope, scope_parse, scopes_for_user
from .sentences import validate
from .services_summaries import can_write
from .services_templates import title_pattern_problem

YEARS_BACK = 5
QUARTERS = [(1, _("第一季度")), (2, _("第二季度")), (3, _("第三季度")), (4, _("第四季度"))]


def year_choices(blank: bool = False) -> list[tuple]:
    this_year = today().year
    years = [(y, _("%(y)s年") % {"y": y}) for y in range(this_year, this_year - YEARS_BACK - 1, -1)]
    return [("", _("全部年份")), *years] if blank else years


class ReportFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("报告类型"), required=False, choices=[("", _("全部类型")), *ReportKind.choices]
    )
    year = forms.TypedChoiceField(
        label=_("年度"), required=False, coerce=int, empty_value=None, choices=year_choices(blank=True)
    )
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *ReportState.choices]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices(blank=True)

    def filter(self, queryset):
        """The reports matching the filters; none when a filter cannot be read (shown on the form)."""
        if not self.is_bound:
            return queryset
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("year"):
            year = data["year"]
            queryset = queryset.filter(
                Q(period_key__startswith=str(year)) | Q(period_key="", campaign__start_on__year=year)
            )
        if data.get("state"):
            queryset = queryset.filter(state=data["state"])
        return queryset


class ReportCreateForm(forms.Form):
    """新建工作总结: kind, period (year, quarter) or campaign, and the scope — a township's or department's
    staff have their own unit only."""

    kind = forms.ChoiceField(label=_("报告类型"), choices=ReportKind.choices)
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False, choices=())
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "—"), *QUARTERS],
        help_text=_("季度工作报告须选"),
    )
    campaign = forms.ModelChoiceField(
        label=_("专项行动"),
        queryset=Campaign.objects.none(),
        required=False,
        help_text=_("专项行动工作报告须选"),
    )
    scope = forms.ChoiceField(label=_("统计范围"), choices=())

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["year"].choices = year_choices()
        self.fields["year"].initial = today().year
        self.fields["campaign"].queryset = campaign_list(user=user)
        writable = [s for s in scopes_for_user(user) if can_write(user, s)]
        self.fields["scope"].choices = [(s.code, s.name) for s in writable]
        if len(writable) == 1:
            self.fields["scope"].initial = writable[0].code
            self.fields["scope"].help_text = _("只能编写本单位的工作总结")

    def clean_scope(self) -> StatsScope:
        try:
            return scope_parse(self.cleaned_data["scope"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == ReportKind.CAMPAIGN:
            if not data.get("campaign"):
                self.add_error("campaign", _("专项行动工作报告须选择一个专项行动。"))
            return data
        if not data.get("year"):
            self.add_error("year", _("请选择年度。"))
            return data
        if kind == ReportKind.QUARTERLY:
            if not data.get("quarter"):
                self.add_error("quarter", _("季度工作报告须选择季度。"))
                return data
            data["period"] = Period.of(data["year"], quarter=data["quarter"])
        else:
            data["period"] = Period.of(data["year"])
        return data


class NarrativeForm(forms.Form):
    narrative = forms.CharField(
        label=_("正文"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )


# ---------------------------------------------------------------- the template editor


class TemplateForm(forms.ModelForm):
    class Meta:
        model = ReportTemplate
        fields = ["name", "title_pattern"]

    def clean_title_pattern(self) -> str:
        pattern = self.cleaned_data["title_pattern"]
        problem = title_pattern_problem(pattern)
        if problem:
            raise forms.ValidationError(problem)
        return pattern


class SectionForm(forms.ModelForm):
    class Meta:
        model = TemplateSection
        fields = [
            "order",
            "level",
            "key",
            "heading",
            "sentences",
            "narrative_hint",
            "default_narrative",
            "table",
            "chart",
            "per_unit",
        ]
        widgets = {
            "sentences": forms.Textarea(attrs={"rows": 4, "class": "font-monospace", "spellcheck": "false"}),
            "narrative_hint": forms.Textarea(attrs={"rows": 2}),
            "default_narrative": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_sentences(self) -> str:
        """Every line checked against the metric registry; each problem shown with its line."""
        text = self.cleaned_data.get("sentences", "")
        errors = []
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        for number, line in enumerate(lines, start=1):
            for problem in validate(line):
                errors.append(_("第%(n)s句：%(problem)s") % {"n": number, "problem": problem})
        if errors:
            raise forms.ValidationError(errors)
        return "\n".join(lines)


class BaseSectionFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        keys = []
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            key = form.cleaned_data.get("key")
            if key in keys:
                form.add_error("key", _("章节代码“%(key)s”重复。") % {"key": key})
            keys.append(key)
        if not keys and not any(form.errors for form in self.forms):
            raise forms.ValidationError(_("模板至少要有一节。"))


SectionFormSet = inlineformset_factory(
    ReportTemplate,
    TemplateSection,
    form=SectionForm,
    formset=BaseSectionFormSet,
    extra=1,
    can_delete=True,
)
