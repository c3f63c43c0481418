"""系统管理 of the activity ledger: the code tables (kinds, sub-types, the quantity catalogue) are edited
here; activities are looked at only (written through the pages, the API and the import, where who
may record them is enforced)."""

from django.contrib import admin

from core.admin import RecordHistoryAdmin

from .models import (
    Activity,
    ActivityAttachment,
    ActivityQuantity,
    ActivitySubtype,
    ActivityTalkTarget,
    ActivityType,
    QuantityUnit,
)


class _NoDelete:
    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # activities point at it: deactivate it instead


@admin.register(ActivityType)
class ActivityTypeAdmin(_NoDelete, admin.ModelAdmin):
    """The four kinds are fixed (their code); the office may rename and reorder them."""

    list_display = ["name", "code", "order"]
    list_editable = ["order"]
    readonly_fields = ["code"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ActivitySubtype)
class ActivitySubtypeAdmin(_NoDelete, admin.ModelAdmin):
    list_display = ["name", "type", "code", "is_talk", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["type", "is_active", "is_talk"]
    search_fields = ["name", "code"]


@admin.register(QuantityUnit)
class QuantityUnitAdmin(_NoDelete, admin.ModelAdmin):
    list_display = ["name", "unit", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name", "code"]


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class QuantityInline(_ReadOnlyInline):
    model = ActivityQuantity
    fields = ["unit", "amount"]


class TalkTargetInline(_ReadOnlyInline):
    model = ActivityTalkTarget
    fields = ["kind", "org_unit", "enterprise"]


class AttachmentInline(_ReadOnlyInline):
    model = ActivityAttachment
    fields = ["kind", "original_name", "uploaded_by", "created"]


@admin.register(Activity)
class ActivityAdmin(RecordHistoryAdmin):
    list_display = ["date", "type", "subtype", "theme", "organiser", "sessions", "participants"]
    list_filter = ["type", "subtype"]
    search_fields = ["theme", "place"]
    date_hierarchy = "date"
    inlines = [QuantityInline, TalkTargetInline, AttachmentInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
