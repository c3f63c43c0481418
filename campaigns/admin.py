"""系统管理 of the campaigns app: the code tables are edited here; campaigns are looked at only
(they are written through the app's pages and API, where who may change them is enforced)."""

from django.contrib import admin

from core.admin import RecordHistoryAdmin

from .models import Campaign, CampaignKind, CampaignPhase, CampaignTarget


@admin.register(CampaignKind)
class CampaignKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # campaigns point at their kind: deactivate it instead


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class PhaseInline(_ReadOnlyInline):
    model = CampaignPhase
    fields = ["name", "start_on", "end_on", "tasks"]


class TargetInline(_ReadOnlyInline):
    model = CampaignTarget
    fields = ["metric", "sector", "target"]


@admin.register(Campaign)
class CampaignAdmin(RecordHistoryAdmin):
    list_display = ["name", "kind", "start_on", "end_on", "lead_department"]
    list_filter = ["kind"]
    search_fields = ["name", "document_number"]
    inlines = [PhaseInline, TargetInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


from . import admin_activities  # noqa: E402, F401  (活动台账 code tables and records)
