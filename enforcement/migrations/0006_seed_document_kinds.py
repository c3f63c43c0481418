"""Seed the 文书种类 code table with the documents the district issues; administrators may edit it.

Also a database guard: an issued document (state other than 草稿) refuses any UPDATE of its content,
number or links, and refuses DELETE; its PDF row refuses UPDATE and DELETE. The services and the model
refuse first with a readable message; this catches a bulk update or a hand-written SQL statement."""

from django.db import migrations

# code, name, short name (文号中的简称), layout, allowed without a case
KINDS = [
    ("inspection-record", "现场检查记录", "现检", "inspection_record", True),
    ("rectify-order", "责令限期整改指令书", "责改", "rectify_order", True),
    ("rectify-review", "整改复查意见书", "复查", "rectify_review", True),
    ("correct-notice", "责令改正通知书", "责通", "correct_notice", True),
    ("case-filing", "立案审批表", "立审", "case_filing", False),
    ("penalty-notice", "行政处罚告知书", "罚告", "penalty_notice", False),
    ("penalty-decision", "行政处罚决定书", "罚决", "penalty_decision", False),
    ("coercive-measure", "强制措施决定书", "强措", "coercive_measure", False),
    ("case-closing", "结案审批表", "结审", "case_closing", False),
]
# kind → kinds that must be issued first, and whether a 简易程序 case skips them
PREREQUISITES = {
    "rectify-review": (["rectify-order"], False),
    "penalty-decision": (["penalty-notice"], True),
}


def seed(apps, schema_editor):
    DocumentKind = apps.get_model("enforcement", "DocumentKind")
    kinds = {}
    for order, (code, name, short, layout, without_case) in enumerate(KINDS, start=1):
        kinds[code], created = DocumentKind.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": short,
                "layout": layout,
                "allowed_without_case": without_case,
                "order": order * 10,
            },
        )
    for code, (needs, simple_skips) in PREREQUISITES.items():
        kind = kinds[code]
        if not kind.prerequisites.exists():
            kind.prerequisites.set([kinds[n] for n in needs])
            kind.simple_procedure_skips_prerequisites = simple_skips
            kind.save(update_fields=["simple_procedure_skips_prerequisites"])


GUARD_SQL = """
CREATE OR REPLACE FUNCTION enforcement_document_locked() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.state <> 'draft' THEN
            RAISE EXCEPTION 'enforcement document % is issued and cannot be deleted', OLD.id
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.state <> 'draft' AND (
        NEW.state = 'draft'
        OR (NEW.kind_id, NEW.case_id, NEW.hazard_id, NEW.inspection_record_id, NEW.enterprise_id,
            NEW.issuing_unit_id, NEW.number, NEW.serial, NEW.year, NEW.content::text, NEW.issued_at,
            NEW.issued_by_id, NEW.supersedes_id, NEW.follows_id)
           IS DISTINCT FROM
           (OLD.kind_id, OLD.case_id, OLD.hazard_id, OLD.inspection_record_id, OLD.enterprise_id,
            OLD.issuing_unit_id, OLD.number, OLD.serial, OLD.year, OLD.content::text, OLD.issued_at,
            OLD.issued_by_id, OLD.supersedes_id, OLD.follows_id)
    ) THEN
        RAISE EXCEPTION 'enforcement document % is issued and locked', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER enforcement_document_locked
    BEFORE UPDATE OR DELETE ON enforcement_document
    FOR EACH ROW EXECUTE FUNCTION enforcement_document_locked();

CREATE OR REPLACE FUNCTION enforcement_documentpdf_locked() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'an issued document''s PDF is never changed or deleted'
        USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER enforcement_documentpdf_locked
    BEFORE UPDATE OR DELETE ON enforcement_documentpdf
    FOR EACH ROW EXECUTE FUNCTION enforcement_documentpdf_locked();
"""

UNGUARD_SQL = """
DROP TRIGGER IF EXISTS enforcement_documentpdf_locked ON enforcement_documentpdf;
DROP FUNCTION IF EXISTS enforcement_documentpdf_locked();
DROP TRIGGER IF EXISTS enforcement_document_locked ON enforcement_document;
DROP FUNCTION IF EXISTS enforcement_document_locked();
"""


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD_SQL, params=None)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("enforcement", "0005_documents")]
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(guard, unguard),
    ]
