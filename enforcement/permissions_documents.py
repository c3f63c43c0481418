"""Who may draft, issue and correct 执法文书: the one place these rules are written.

Seeing a document is the scoping rule (it follows its case, or the hazard / inspection record it was
issued from). Writing one is narrower: the district office (officers, administrators) for any unit,
and a department for its own unit — the handling unit of the case, or the unit it issues in. A
township follows the documents of its enterprises but never issues one; a leader reads.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import OrgUnit, User
from accounts.scoping import restrict
from hazards.models import Hazard
from inspections.models import InspectionRecord

from .document_layouts import DocumentState
from .models import Case, Document
from .permissions import can_act_for_district, can_handle, can_use_unit, handling_units_for

NO_ISSUE = _("您没有出具执法文书的权限：执法文书由区安委办/应急局或办案部门出具。")


def can_issue_any(user: User) -> bool:
    """Whoever may draft and issue documents somewhere: the district office and department users."""
    if can_act_for_district(user):
        return True
    return getattr(user, "role", None) == Role.DEPARTMENT and user.org_unit_id is not None


def can_draft_for_case(user: User, case: Case) -> bool:
    return can_handle(user, case)


def can_draft_for_source(user: User, source: Hazard | InspectionRecord) -> bool:
    """A document outside a case (责令限期整改指令书 …) from a hazard or an inspection record: the
    district office, or a department that may change that record."""
    if can_act_for_district(user):
        return True
    if not can_issue_any(user):
        return False
    return restrict(type(source).objects.filter(pk=source.pk), user, "change").exists()


def can_work_on(user: User, document: Document) -> bool:
    """Edit a draft, issue it, correct an issued one: the district office, or the department that
    issues it (or handles its case)."""
    if can_act_for_district(user):
        return True
    if not can_issue_any(user):
        return False
    own = user.org_unit_id
    return document.issuing_unit_id == own or (
        document.case_id is not None and document.case.handling_unit_id == own
    )


def issuing_units_for(user: User) -> QuerySet[OrgUnit]:
    """The units a user may issue documents in (the district and departments; a department user: their own)."""
    return handling_units_for(user)


def can_issue_in(user: User, unit: OrgUnit) -> bool:
    return can_use_unit(user, unit)


def document_allowed_actions(user: User, document: Document) -> frozenset[str]:
    """What the document page offers this user now: edit / issue / discard a draft, correct an issued one."""
    if not can_work_on(user, document):
        return frozenset()
    if document.state == DocumentState.DRAFT:
        return frozenset({"edit", "issue", "discard"})
    if document.state == DocumentState.ISSUED:
        return frozenset({"correct"})
    return frozenset()
