"""Writes of the report templates (报告模板): the office edits a template's title pattern and its sections in
the browser. A save is checked whole first — every sentence of every section (reports.sentences) and
the title pattern — and refused whole with each problem named at its section and line; nothing is
half-saved. Drafts take the change at their next build; published versions never.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import audit_event

from .models import ReportTemplate, TemplateSection
from .services_summaries import can_edit_templates
from .summaries import template_problems


@dataclass(frozen=True)
class SectionData:
    """One section of a template as the editor sends it; `pk` None for a new section."""

    pk: int | None
    key: str
    order: int
    level: int
    heading: str
    sentences: str = ""
    narrative_hint: str = ""
    default_narrative: str = ""
    table: str = ""
    chart: str = ""
    per_unit: bool = False


SECTION_FIELDS = (
    "key",
    "order",
    "level",
    "heading",
    "sentences",
    "narrative_hint",
    "default_narrative",
    "table",
    "chart",
    "per_unit",
)
TITLE_FIELDS = {"scope": "", "year": "", "quarter": "", "campaign": ""}


def title_pattern_problem(pattern: str) -> str | None:
    """A Chinese message when the title pattern names a field it may not, or has a stray brace."""
    try:
        pattern.format(**TITLE_FIELDS)
    except (KeyError, IndexError) as exc:
        return _("标题格式中的 %(field)s 不可用：只能用 {scope}、{year}、{quarter}、{campaign}。") % {
            "field": "{" + str(exc).strip("'") + "}"
        }
    except ValueError:
        return _("标题格式中的大括号不成对：只有 {scope}、{year}、{quarter}、{campaign} 用半角花括号。")
    return None


@transaction.atomic
def template_save(
    *,
    template: ReportTemplate,
    user: User,
    name: str,
    title_pattern: str,
    sections: list[SectionData],
    delete: list[int] | None = None,
) -> ReportTemplate:
    """Save a template whole: name, title pattern and sections (changed, added, removed). Any problem
    refuses the whole save (ValidationError listing each). Who changed it: `updated_by`, and the
    sections' history (with the user)."""
    if not can_edit_templates(user):
        raise PermissionDenied(_("只有区安委办和系统管理员可以修改报告模板。"))
    template = ReportTemplate.objects.select_for_update().get(pk=template.pk)
    problems: list[str] = []
    problem = title_pattern_problem(title_pattern)
    if problem:
        problems.append(problem)
    existing = {s.pk: s for s in template.sections.all()}
    removed = set(delete or [])
    if any(pk not in existing for pk in [*removed, *(d.pk for d in sections if d.pk)]):
        raise ValidationError(_("章节不属于该模板。"))
    keys = [d.key for d in sections if d.pk not in removed]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        problems.append(_("章节代码重复：%(keys)s") % {"keys": "、".join(duplicates)})
    if not keys:
        problems.append(_("模板至少要有一节。"))
    rows: list[TemplateSection] = []
    for data in sections:
        if data.pk in removed:
            continue
        row = existing[data.pk] if data.pk else TemplateSection(template=template)
        for field in SECTION_FIELDS:
            setattr(row, field, getattr(data, field))
        rows.append(row)
    problems += template_problems(template, sorted(rows, key=lambda r: (r.order, r.pk or 0)))
    if problems:
        raise ValidationError(problems)
    for pk in removed:
        row = existing[pk]
        row._history_user = user
        row.delete()
    for row in rows:
        row._history_user = user
        row.save()
    template.name = name
    template.title_pattern = title_pattern
    template.updated_by = user
    template.save()
    audit_event("report_template_save", user=user.get_username(), template=template.kind)
    return template
