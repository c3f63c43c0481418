"""The shapes of the metric registry and the statistics contract, for the OpenAPI schema (the views
answer the contract's dicts as they are)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class MetricSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("指标键，如 hazards.found、activities.publicity.banner"))
    label = serializers.CharField(help_text=_("中文名称"))
    unit = serializers.CharField(help_text=_("单位：个/家/家次/次/人次/起/人/元/% 或活动数量的计量单位"))
    kind = serializers.CharField(
        help_text=_("count（计数）、sum（合计）、money（金额，元）或 rate（比率，%）")
    )
    domain = serializers.CharField(help_text=_("领域：键的第一段"))
    domain_label = serializers.CharField(help_text=_("领域的中文名称"))
    definition = serializers.CharField(help_text=_("口径：统计的是什么（日期、状态、范围）"))
    has_records = serializers.BooleanField(help_text=_("能否列出构成该数字的记录"))


class DomainSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("领域代码：指标键的第一段"))
    label = serializers.CharField()


class MetricRegistrySerializer(serializers.Serializer):
    domains = DomainSerializer(many=True, help_text=_("各领域，按工作总结的叙述顺序"))
    metrics = MetricSerializer(many=True, help_text=_("全部指标，按领域和顺序"))


class StatsPeriodSerializer(serializers.Serializer):
    start = serializers.DateField(help_text=_("第一天"))
    end = serializers.DateField(help_text=_("最后一天（含）"))
    label = serializers.CharField(help_text=_("如“2026年第一季度”"))


class StatsScopeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("district 或单位编号"))
    name = serializers.CharField()


class FigureSerializer(serializers.Serializer):
    value = serializers.FloatField(
        allow_null=True, help_text=_("本期数值：计数为整数，金额为元，比率为百分数")
    )
    text = serializers.CharField(help_text=_("按材料写法的文字，如“143.35万余元”“97.3%”"))
    previous = serializers.FloatField(allow_null=True, help_text=_("去年同期数值"))
    change_pct = serializers.FloatField(
        allow_null=True, help_text=_("同比增减（%，两位小数，下降为负）；去年同期为0或比率指标时为 null")
    )


class StatsSerializer(serializers.Serializer):
    period = StatsPeriodSerializer()
    scope = StatsScopeSerializer()
    metrics = serializers.DictField(child=FigureSerializer(), help_text=_("按指标键"))
