from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CheckItem, InspectionAction, InspectionKind, InspectionRecord


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
    model = InspectionRecord
    extra = 0
    autocomplete_fields = ["enterprise"]


@admin.register(InspectionAction)
class InspectionActionAdmin(SimpleHistoryAdmin):
    list_display = ["date", "number", "kind", "organizer", "person_count", "is_leader_led"]
    list_filter = ["kind", "is_leader_led", "organizer"]
    inlines = [RecordInline]
    readonly_fields = ["person_count", "created_by"]

    def has_add_permission(self, request) -> bool:
        return False  # actions are entered through the app, where the counting and team rules apply
