"""执法文书的版式: what each kind of document asks for and which PDF template prints it.

A DocumentKind (the code table an administrator edits) names one layout here. A layout lists the
fields of the document's content — the facts, requirements, deadline, legal basis … typed into the
draft and frozen when it is issued — and the template under `enforcement/documents/` that prints
them. Adding a kind of document with a new shape of content is a layout here plus a template;
adding a kind that reads like an existing one (another 通知书) is only a row in the code table.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ISSUED = "issued", _("已出具")
    CORRECTED = "corrected", _("已更正")


class FieldType(models.TextChoices):
    LINE = "line", _("单行文字")
    TEXT = "text", _("多行文字")
    DATE = "date", _("日期")


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    type: str = FieldType.TEXT
    required: bool = False
    help: str = ""
    max_length: int = 5000


@dataclass(frozen=True)
class Layout:
    code: str
    label: str
    template: str
    fields: tuple[Field, ...] = ()
    # Printed by another app (现场检查记录: inspections.pdf); counted here, never issued here.
    external: bool = False

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)


FACTS = Field("facts", _("违法事实"), required=True, help=_("时间、地点、经查实的违法行为。"))
PROBLEMS = Field("facts", _("检查发现的问题"), required=True, help=_("逐条写明存在的问题及部位。"))
LEGAL_BASIS = Field("legal_basis", _("法律依据"), required=True, help=_("违反的条款与处罚/处理依据的条款。"))
REQUIREMENTS = Field("requirements", _("整改（改正）要求"), help=_("整改措施和须达到的要求。"))
DEADLINE = Field("deadline", _("整改期限"), FieldType.DATE, required=True)
PENALTY = Field("penalty", _("行政处罚"), required=True, help=_("如：罚款人民币贰万元整（¥20,000.00）。"))
HANDLER_OPINION = Field("handler_opinion", _("承办人意见"))
APPROVER_OPINION = Field("approver_opinion", _("审批意见"))

DEFAULT_REMEDY = (
    "如不服本决定，可以在收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起"
    "行政诉讼，但本决定不停止执行，法律另有规定的除外。"
)
DEFAULT_PAYMENT = (
    "罚款自收到本决定书之日起十五日内缴至指定银行。到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款。"
)
DEFAULT_RIGHTS = (
    "根据《中华人民共和国行政处罚法》第四十五条的规定，你（单位）有权进行陈述和申辩。"
    "符合听证条件的，可以在收到本告知书之日起五日内要求听证。逾期不陈述申辩或要求听证的，视为放弃上述权利。"
)

LAYOUTS: dict[str, Layout] = {
    layout.code: layout
    for layout in (
        Layout("inspection_record", _("现场检查记录"), "", external=True),
        Layout(
            "rectify_order",
            _("责令限期整改指令书"),
            "enforcement/documents/rectify_order.html",
            (PROBLEMS, DEADLINE, REQUIREMENTS, Field("legal_basis", _("法律依据"))),
        ),
        Layout(
            "rectify_review",
            _("整改复查意见书"),
            "enforcement/documents/rectify_review.html",
            (
                Field("review_date", _("复查日期"), FieldType.DATE, required=True),
                Field("review_findings", _("复查情况"), required=True, help=_("逐条写明整改完成情况。")),
                Field("opinion", _("复查意见"), required=True),
            ),
        ),
        Layout(
            "case_filing",
            _("立案审批表"),
            "enforcement/documents/case_filing.html",
            (
                Field("cause", _("案由"), FieldType.LINE, required=True, max_length=200),
                Field("facts", _("案件来源及简要案情"), required=True),
                Field("legal_basis", _("法律依据")),
                HANDLER_OPINION,
                APPROVER_OPINION,
            ),
        ),
        Layout(
            "penalty_notice",
            _("行政处罚告知书"),
            "enforcement/documents/penalty_notice.html",
            (
                FACTS,
                Field("evidence", _("证据")),
                LEGAL_BASIS,
                Field("penalty", _("拟作出的行政处罚"), required=True),
                Field("rights", _("陈述、申辩和听证权利"), required=True),
            ),
        ),
        Layout(
            "penalty_decision",
            _("行政处罚决定书"),
            "enforcement/documents/penalty_decision.html",
            (
                FACTS,
                Field("evidence", _("证据")),
                LEGAL_BASIS,
                PENALTY,
                Field("payment", _("履行方式和期限"), required=True),
                Field("remedy", _("救济途径"), required=True),
            ),
        ),
        Layout(
            "coercive_measure",
            _("强制措施决定书"),
            "enforcement/documents/coercive_measure.html",
            (
                FACTS,
                LEGAL_BASIS,
                Field("measure", _("强制措施"), required=True, help=_("如：查封危险物品存放场所。")),
                Field("start_date", _("期限自"), FieldType.DATE, required=True),
                Field("end_date", _("期限至"), FieldType.DATE),
                Field("remedy", _("救济途径"), required=True),
            ),
        ),
        Layout(
            "correct_notice",
            _("责令改正通知书"),
            "enforcement/documents/correct_notice.html",
            (FACTS, LEGAL_BASIS, REQUIREMENTS, DEADLINE),
        ),
        Layout(
            "case_closing",
            _("结案审批表"),
            "enforcement/documents/case_closing.html",
            (
                Field("summary", _("案件处理情况"), required=True),
                Field("execution", _("执行情况"), required=True),
                HANDLER_OPINION,
                APPROVER_OPINION,
            ),
        ),
    )
}

LAYOUT_CHOICES = [(layout.code, layout.label) for layout in LAYOUTS.values()]
DEFAULTS = {"remedy": DEFAULT_REMEDY, "payment": DEFAULT_PAYMENT, "rights": DEFAULT_RIGHTS}


def clean_content(layout: Layout, data: dict, *, required: bool) -> tuple[dict[str, str], dict[str, str]]:
    """The content of a document of `layout` from submitted `data` (strings), and the errors by field.

    Unknown keys are dropped; dates must be YYYY-MM-DD; `required` (at issue time) asks for every
    required field — a draft may be saved half-written."""
    content: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in layout.fields:
        raw = data.get(field.key, "")
        if raw is None:
            raw = ""
        if isinstance(raw, dt.date):
            raw = raw.isoformat()
        if not isinstance(raw, str):
            errors[field.key] = str(_("“%(label)s”应为文字。") % {"label": field.label})
            continue
        value = raw.strip() if field.type != FieldType.TEXT else raw.strip("\n ").replace("\r\n", "\n")
        if field.type == FieldType.LINE:
            value = " ".join(value.split())
        if field.type == FieldType.DATE and value:
            try:
                value = dt.date.fromisoformat(value).isoformat()
            except ValueError:
                errors[field.key] = str(
                    _("“%(label)s”不是有效日期（格式：2026-03-01）。") % {"label": field.label}
                )
                continue
        if len(value) > field.max_length:
            errors[field.key] = str(
                _("“%(label)s”不能超过%(n)d个字。") % {"label": field.label, "n": field.max_length}
            )
            continue
        if required and field.required and not value:
            errors[field.key] = str(_("请填写“%(label)s”。") % {"label": field.label})
            continue
        if value:
            content[field.key] = value
    return content, errors
