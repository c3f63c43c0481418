"""Admin pieces every app uses: history that can be looked at but never reverted; import jobs."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from .models import ImportJob


class RecordHistoryAdmin(SimpleHistoryAdmin):
    """History shown, never reverted: simple_history saves a POSTed old version whatever
    has_change_permission says, which would move a ledger record around its rules (a hazard's
    closed loop, a published draw, an inspection's numbers). Looking at an old version is fine."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "created",
        "kind",
        "filename",
        "user",
        "status",
        "attempts",
        "created_rows",
        "updated_rows",
    ]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
