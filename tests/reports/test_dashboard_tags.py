"""The dashboard's tags write what the template language did: the ranking rows (names short or full, figures
or "—", links and their titles) and the scope picker's options, escaped."""

from decimal import Decimal
from types import SimpleNamespace

from django.template import Context, Template

from reports.registry import Figure, Metric

# The rows as dashboard.html wrote them before the tag.
TEMPLATE_RATE = """{% load i18n %}{% for r in rows %}<tr><td>{{ forloop.counter }}. {{ r.unit.short_name|default:r.unit.name }}</td>
              <td class="num">{% if r.found is None %}—{% else %}<a href="{{ r.found_url }}">{{ r.found }}</a>{% endif %}</td>
              <td class="num">{% if r.rate %}<a href="{{ r.rectified_url }}" title="{% translate '已整改销号的隐患' %}">{{ r.rate.text }}</a>{% else %}—{% endif %}</td></tr>{% endfor %}"""
TEMPLATE_OVERDUE = """{% for r in rows %}<tr><td>{{ forloop.counter }}. {{ r.unit.short_name|default:r.unit.name }}</td>
              <td class="num">{% if r.overdue is None %}—{% else %}<a href="{{ r.overdue_url }}">{{ r.overdue }}</a>{% endif %}</td></tr>{% endfor %}"""


def rows() -> list[dict]:
    rate = Metric(
        key="hazards.rectification_rate",
        label="整改率",
        unit="%",
        definition="",
        value=lambda w: None,
        kind="rate",
    )
    made = []
    for i, (short, found, value, overdue) in enumerate(
        [("东城", 12034, Decimal("97.5"), 3), ("", None, None, None), ("<西城>", 0, Decimal("0"), 0)]
    ):
        made.append(
            {
                "unit": SimpleNamespace(short_name=short, name=f"全名{i}街道"),
                "found": found,
                "rate": None if value is None else Figure(rate, value, None),
                "overdue": overdue,
                "found_url": f"/reports/figure/hazards.found/?period=2026&scope=u{i}&x=<1>",
                "rectified_url": f"/reports/figure/hazards.rectified/?period=2026&scope=u{i}",
                "overdue_url": f"/reports/figure/hazards.overdue/?period=2026&scope=u{i}",
            }
        )
    return made


def test_the_tag_writes_what_the_template_wrote():
    context = Context({"rows": rows()})
    for by, old in (("rate", TEMPLATE_RATE), ("overdue", TEMPLATE_OVERDUE)):
        new = Template("{% load dashboard %}{% ranking_rows rows '" + by + "' %}").render(context)
        assert new == Template(old).render(context)
        assert "&lt;西城&gt;" in new and "全名1街道" in new and "—" in new


TEMPLATE_SCOPES = """{% for s in scopes %}<option value="{{ s.code }}"{% if s == stats_scope %} selected{% endif %}>{{ s.name }}</option>{% endfor %}"""


def test_the_scope_options_are_what_the_template_wrote():
    scopes = [SimpleNamespace(code="district", name="全区"), SimpleNamespace(code="7", name="<东城>街道")]
    context = Context({"scopes": scopes, "stats_scope": scopes[1]})
    new = Template("{% load dashboard %}{% scope_options scopes stats_scope %}").render(context)
    assert new == Template(TEMPLATE_SCOPES).render(context)
    assert '<option value="7" selected>&lt;东城&gt;街道</option>' in new
