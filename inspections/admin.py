from django.contrib import admin

from core.admin import RecordHistoryAdmin

from .models import (
    CheckItem,
    DrawPick,
    InspectionAction,
    InspectionKind,
    InspectionPlan,
    InspectionRecord,
    PlanTarget,
    RandomDraw,
)


@admin.register(InspectionKind)
class InspectionKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_enforcement", "order", "is_active"]
    list_editable = ["is_enforcement", "order", "is_active"]


@admin.register(CheckItem)
class CheckItemAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "sector", "order", "is_active"]
    list_filter = ["sector", "is_active"]
    search_fields = ["code", "title", "basis"]


class RecordInline(admin.TabularInline):
    """The action's records, read-only: a record is written through the app's services, where an
    issued one (出具, printed for signature) is locked and corrected only by a new version."""

    model = InspectionRecord
    extra = 0
    fields = ["number", "enterprise", "findings", "note", "issued_at", "issued_by", "supersedes"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(InspectionAction)
class InspectionActionAdmin(RecordHistoryAdmin):
    list_display = ["date", "number", "kind", "organizer", "person_count", "is_leader_led"]
    list_filter = ["kind", "is_leader_led", "organizer"]
    inlines = [RecordInline]
    readonly_fields = ["person_count", "created_by"]

    def has_add_permission(self, request) -> bool:
        return False  # actions are entered through the app, where the counting and team rules apply

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # numbers, team size and records follow the service rules; edit in the app

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # an inspection that happened stays on record


class DrawPickInline(admin.TabularInline):
    model = DrawPick
    extra = 0
    fields = ["order", "enterprise", "action"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RandomDraw)
class RandomDrawAdmin(RecordHistoryAdmin):
    """Read-only: a published draw is a record; editing it would break its replay (复核)."""

    list_display = ["number", "title", "organizer", "planned_date", "enterprise_count", "created"]
    list_filter = ["organizer", "weighted_by_grade"]
    search_fields = ["number", "title", "seed"]
    inlines = [DrawPickInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class PlanTargetInline(admin.TabularInline):
    model = PlanTarget
    extra = 0
    fields = ["sector", "township", "kind", "target_visits"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(InspectionPlan)
class InspectionPlanAdmin(RecordHistoryAdmin):
    list_display = ["title", "organizer", "year", "month", "created_by", "updated"]
    list_filter = ["year", "organizer"]
    search_fields = ["title", "organizer__name"]
    inlines = [PlanTargetInline]
    readonly_fields = ["organizer", "year", "month", "created_by"]

    def has_add_permission(self, request) -> bool:
        return False  # plans are made in the app, where one plan per unit and period is enforced
