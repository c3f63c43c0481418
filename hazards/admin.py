"""系统管理 of the hazard ledger: the 隐患类别 code table is edited here; hazards are only looked at.

A hazard changes through the closed loop in the app (hazards.services), where who may act, the
reasons and the timeline are enforced. The admin must be no back door around it: nothing here can
add, edit or delete a hazard, its rectifications, photos, extensions or timeline.
"""

from django.contrib import admin

from core.admin import RecordHistoryAdmin

from .models import (
    Accident,
    AccidentCategory,
    DeadlineExtension,
    Hazard,
    HazardCategory,
    HazardEvent,
    Rectification,
)


@admin.register(HazardCategory)
class HazardCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # hazards point at their category: deactivate it instead


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


class RectificationInline(ReadOnlyInline):
    model = Rectification
    fields = ["done_on", "text", "created_by", "created"]


class ExtensionInline(ReadOnlyInline):
    model = DeadlineExtension
    fields = ["old_deadline", "new_deadline", "reason", "status", "requested_by", "decided_by", "decided_at"]


class EventInline(ReadOnlyInline):
    model = HazardEvent
    fields = ["at", "kind", "from_state", "to_state", "note", "user"]


@admin.register(Hazard)
class HazardAdmin(RecordHistoryAdmin):
    """Read-only: the ledger as the app left it, with its history, for an administrator to look into."""

    list_display = [
        "number",
        "enterprise",
        "township",
        "level",
        "state",
        "found_on",
        "deadline",
        "is_overdue",
    ]
    list_filter = [
        "state",
        "level",
        "source",
        "is_overdue",
        "listing_level",
        ("township", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["number", "enterprise__name", "enterprise__uscc"]
    list_select_related = ["enterprise", "township"]
    date_hierarchy = "found_on"
    # Photos are not shown here: they are served only through the scoping rule, never as /media/ links.
    inlines = [RectificationInline, ExtensionInline, EventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AccidentCategory)
class AccidentCategoryAdmin(admin.ModelAdmin):
    """事故类别 (GB 6441 and the district's own): edited here; deactivate rather than delete."""

    list_display = ["name", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # accidents point at their category: deactivate it instead


@admin.register(Accident)
class AccidentAdmin(RecordHistoryAdmin):
    """Read-only: accidents are recorded and corrected in the app (hazards.services), with history."""

    list_display = ["number", "occurred_on", "township", "sector", "category", "deaths", "injuries"]
    list_filter = ["is_production_safety", "grade", ("township", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["number", "summary", "enterprise__name"]
    list_select_related = ["township", "sector", "category"]
    date_hierarchy = "occurred_on"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
