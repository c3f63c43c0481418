"""Forms of the monthly evaluation pages: they parse and validate input; the services save."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.widgets import DateInput

from .models_evaluation import EvaluationIndicator, EvaluationTarget, FollowUpKind, IndicatorSource
from .periods import Period
from .registry import all_metrics
from .selectors_evaluation import month_choices


class ComputeForm(forms.Form):
    period = forms.ChoiceField(label=_("评估月份"))
    target = forms.ChoiceField(label=_("评估对象"), choices=EvaluationTarget.choices)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        months = month_choices()
        self.fields["period"].choices = [(m.key, m.label) for m in months]
        # The month just ended is what the office evaluates at the start of a month.
        self.fields["period"].initial = months[1].key if len(months) > 1 else months[0].key

    def clean_period(self) -> Period:
        return Period.parse(self.cleaned_data["period"])


class ScoreForm(forms.Form):
    indicator = forms.ChoiceField(label=_("考核指标"))
    unit = forms.TypedChoiceField(label=_("单位"), coerce=int)
    score = forms.CharField(label=_("得分"), max_length=10)
    reason = forms.CharField(label=_("评分理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, specs: list[dict], rows: list[dict], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [(s["code"], f"{s['name']}（{s['weight']}分）") for s in specs]
        self.fields["unit"].choices = [(r["unit_id"], r["unit_name"]) for r in rows]


class PublishForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("我已核对评估结果，确认发布。发布后结果、PDF 和 Excel 不再改变。"), required=True
    )


class FollowUpForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("单位"), coerce=int)
    kind = forms.ChoiceField(label=_("措施"), choices=FollowUpKind.choices)
    text = forms.CharField(
        label=_("内容 / 约谈事由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_("警示告知书留空时使用默认文字；约谈须写明事由"),
    )
    talk_date = forms.DateField(
        label=_("约谈日期"), widget=DateInput(), required=False, initial=timezone.localdate
    )
    place = forms.CharField(label=_("约谈地点"), max_length=200, required=False)

    def __init__(self, *args, rows: list[dict], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The bottom units first: a follow-up is usually for them.
        ordered = sorted(rows, key=lambda r: (-r["rank"], r.get("position", 0)))
        self.fields["unit"].choices = [
            (r["unit_id"], f"{r['unit_name']}（第{r['rank']}名）") for r in ordered
        ]


def metric_choices() -> list[tuple[str, str]]:
    """The registered metrics an indicator may score by (not money: the evaluation never scores fines)."""
    return [("", "—")] + [
        (m.key, f"{m.label}（{m.unit}）· {m.key}") for m in all_metrics() if m.kind != "money"
    ]


class IndicatorForm(forms.ModelForm):
    metric_key = forms.ChoiceField(label=_("统计指标"), required=False)

    class Meta:
        model = EvaluationIndicator
        fields = [
            "name",
            "source",
            "rule",
            "metric_key",
            "weight",
            "points_per",
            "no_data",
            "applies_to",
            "order",
            "is_active",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric_key"].choices = metric_choices()
        self.fields["metric_key"].help_text = _(
            "由数据计算的指标：按比率得分选一个“%”指标，按数量扣分选一个计数指标。口径见“统计”页的指标说明。"
        )
        self.fields["source"].initial = IndicatorSource.COMPUTED

    def clean(self) -> dict:
        data = super().clean()
        if data.get("source") == IndicatorSource.ENTERED:
            # An entered indicator is scored by the office: no metric, no deduction.
            data.update(rule="entered", metric_key="", points_per=0)
        return data
