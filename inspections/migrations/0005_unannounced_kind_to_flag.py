"""四不两直 becomes a flag any inspection may carry: actions of the old kind 四不两直 become 日常检查 with the
flag, drafts that chose it too, and the kind is deactivated (kept, not deleted: plans and history name it)."""

from django.db import migrations


def kind_to_flag(apps, schema_editor):
    InspectionKind = apps.get_model("inspections", "InspectionKind")
    InspectionAction = apps.get_model("inspections", "InspectionAction")
    InspectionDraft = apps.get_model("inspections", "InspectionDraft")
    old = InspectionKind.objects.filter(code="unannounced").first()
    if old is None:
        return
    routine, _created = InspectionKind.objects.get_or_create(
        code="routine", defaults={"name": "日常检查", "is_enforcement": True, "order": 10}
    )
    InspectionAction.objects.filter(kind=old).update(kind=routine, is_unannounced=True)
    for draft in InspectionDraft.objects.all():
        basics = (draft.data or {}).get("basics") or {}
        if str(basics.get("kind")) == str(old.pk):
            basics["kind"], basics["is_unannounced"] = routine.pk, True
            draft.save(update_fields=["data"])
    old.is_active = False
    old.save(update_fields=["is_active"])


def flag_to_kind(apps, schema_editor):
    """Back: the kind is offered again; the flagged 日常检查 stay as they are (a flag says more)."""
    InspectionKind = apps.get_model("inspections", "InspectionKind")
    InspectionKind.objects.filter(code="unannounced").update(is_active=True)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0004_unannounced_flag_cert_unverified")]
    operations = [migrations.RunPython(kind_to_flag, flag_to_kind)]
