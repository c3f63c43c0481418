"""The administrator's code tables and users. Ordinary staff work in the app's own pages."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import RecordHistoryAdmin

from .models import (
    Delivery,
    DeliveryChannel,
    DutyList,
    Enterprise,
    LetterKind,
    OrgUnit,
    ResponsibilityLetter,
    RiskGrade,
    Sector,
    User,
    WorkList,
)


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "parent", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active", "parent"]
    search_fields = ["name", "code"]


@admin.register(RiskGrade)
class RiskGradeAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "color", "order"]
    list_editable = ["label", "color", "order"]

    def has_add_permission(self, request) -> bool:
        return False  # the four grades are fixed; only their labels and colours change

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OrgUnit)
class OrgUnitAdmin(SimpleHistoryAdmin):
    list_display = ["indented_name", "kind", "short_name", "order", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name"]
    filter_horizontal = ["supervised_sectors"]
    autocomplete_fields = ["parent"]
    ordering = ["path"]

    @admin.display(description=_("名称"), ordering="path")
    def indented_name(self, obj: OrgUnit) -> str:
        return "\u3000" * obj.depth + obj.name

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # units are deactivated, never deleted: records point at them


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    list_display = ["username", "name", "role", "org_unit", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "name", "phone"]
    autocomplete_fields = ["org_unit"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("name", "phone", "email")}),
        (_("角色与单位"), {"fields": ("role", "org_unit")}),
        (_("状态"), {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "name", "role", "org_unit", "password1", "password2"),
            },
        ),
    )


@admin.register(Enterprise)
class EnterpriseAdmin(SimpleHistoryAdmin):
    list_display = ["name", "uscc", "jurisdiction", "risk_grade", "status"]
    list_filter = ["status", "risk_grade", "sectors"]
    search_fields = ["name", "uscc"]
    autocomplete_fields = ["jurisdiction", "supervising_department"]
    list_select_related = ["jurisdiction", "risk_grade"]

    def save_model(self, request, obj, form, change) -> None:
        if change:
            obj.version += 1  # a save like any other: pages and API clients that loaded the unit are stale
        super().save_model(request, obj, form, change)


class DeliveryChannelForm(forms.ModelForm):
    class Meta:
        model = DeliveryChannel
        fields = ["org_unit", "user", "kind", "address", "secret", "active"]
        widgets = {"secret": forms.PasswordInput(render_value=True)}  # not shown over a shoulder


@admin.register(DeliveryChannel)
class DeliveryChannelAdmin(admin.ModelAdmin):
    """通知推送通道: the administrator sets up e-mail and group robots per unit or per user."""

    form = DeliveryChannelForm

    list_display = ["__str__", "kind", "address_shown", "active", "updated"]
    list_filter = ["kind", "active"]
    search_fields = ["org_unit__name", "user__username", "user__name", "address"]
    autocomplete_fields = ["org_unit", "user"]
    list_select_related = ["org_unit", "user"]
    fields = ["org_unit", "user", "kind", "address", "secret", "active"]

    @admin.display(description=_("地址"))
    def address_shown(self, obj: DeliveryChannel) -> str:
        return obj.address.split("?")[0]  # a robot's access token stays out of lists


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """推送记录: read-only; filter 发送失败 to see what did not go and why."""

    list_display = ["created", "notification", "kind", "target", "status", "attempts", "last_error"]
    list_filter = ["status", "kind"]
    search_fields = ["notification__title", "target", "last_error"]
    list_select_related = ["notification"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# ---------------------------------------------------------------- 安全责任


@admin.register(LetterKind)
class LetterKindAdmin(admin.ModelAdmin):
    """责任书类型: a code table the administrator edits (a kind in use is deactivated, not deleted)."""

    list_display = ["name", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]


class _ReadOnlyLedger(RecordHistoryAdmin):
    """Lists and letters are written in the app (scope and rules); the admin shows them and their history."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DutyList)
class DutyListAdmin(_ReadOnlyLedger):
    list_display = ["title", "unit", "holder_post", "holder_name", "year", "updated"]
    search_fields = ["title", "holder_name", "unit__name"]


@admin.register(WorkList)
class WorkListAdmin(_ReadOnlyLedger):
    list_display = ["title", "unit", "year", "updated"]
    list_filter = ["year"]


@admin.register(ResponsibilityLetter)
class ResponsibilityLetterAdmin(_ReadOnlyLedger):
    list_display = ["signed_on", "kind", "year", "issuer", "signer_unit", "signer_enterprise"]
    list_filter = ["kind", "year"]
    search_fields = ["title", "signer_enterprise__name", "signer_unit__name"]
