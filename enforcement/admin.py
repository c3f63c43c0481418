"""系统管理 of the enforcement app: the 法律依据 code table is edited here; cases are only looked at.

A case changes through its services (enforcement.services), where who may act, the reasons and the
timeline are enforced; the admin is no back door around them.
"""

from django.contrib import admin

from core.admin import RecordHistoryAdmin

from .models import (
    Case,
    CaseEvent,
    CaseExtension,
    Document,
    DocumentKind,
    LegalArticle,
    Measure,
    Penalty,
    Tip,
)


@admin.register(LegalArticle)
class LegalArticleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "summary", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["law_short", "is_active"]
    search_fields = ["law", "article", "summary"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # cases cite their articles: deactivate instead


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class PenaltyInline(ReadOnlyInline):
    model = Penalty
    fields = ["target", "person_name", "kind", "amount", "detail"]


class MeasureInline(ReadOnlyInline):
    model = Measure
    fields = ["kind", "stop_kind", "start_on", "end_on", "persons", "detail", "created_by"]


class CaseExtensionInline(ReadOnlyInline):
    model = CaseExtension
    fields = ["old_deadline", "new_deadline", "reason", "status", "requested_by", "decided_by", "decided_at"]


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ["at", "kind", "from_state", "to_state", "note", "user"]


@admin.register(Case)
class CaseAdmin(RecordHistoryAdmin):
    """Read-only: the case as the app left it, with its history."""

    list_display = ["number", "enterprise", "handling_unit", "procedure", "state", "opened_on", "deadline"]
    list_filter = [
        "state",
        "procedure",
        "source",
        "deadline_flag",
        ("handling_unit", admin.RelatedOnlyFieldListFilter),
        ("township", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["number", "cause", "enterprise__name", "enterprise__uscc"]
    list_select_related = ["enterprise", "handling_unit"]
    date_hierarchy = "opened_on"
    inlines = [PenaltyInline, MeasureInline, CaseExtensionInline, CaseEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# ---------------------------------------------------------------- 执法文书


@admin.register(DocumentKind)
class DocumentKindAdmin(admin.ModelAdmin):
    """文书种类: names, the short name in the number (罚决 …), the layout, what must be issued first."""

    list_display = ["name", "code", "short_name", "layout", "allowed_without_case", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name", "code", "short_name"]
    filter_horizontal = ["prerequisites"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # documents and number series point at their kind: deactivate instead


@admin.register(Document)
class DocumentAdmin(RecordHistoryAdmin):
    """Read-only: documents are drafted, issued and corrected in the app; an issued one never changes."""

    list_display = ["__str__", "enterprise", "issuing_unit", "state", "issued_at"]
    list_filter = ["state", "kind", ("issuing_unit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["number", "enterprise__name", "enterprise__uscc"]
    list_select_related = ["kind", "enterprise", "issuing_unit"]
    date_hierarchy = "created"
    exclude = ["sectors"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Tip)
class TipAdmin(RecordHistoryAdmin):
    """举报, read-only: recorded and handled in the app (enforcement.services.tips), with history. The
    administrator is of the district office and may see the reporter."""

    list_display = ["number", "received_on", "channel", "township", "state", "reward_paid_on"]
    list_filter = ["state", "channel", ("township", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["number", "content", "enterprise__name"]
    list_select_related = ["township"]
    date_hierarchy = "received_on"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
