"""The issued-document guard (0006) lets one deliberate purge through: a transaction that has run
`SET LOCAL enforcement.purge = 'on'` may delete issued documents and their PDFs. Only the demo's reset
does this (demo/enforcement.py), on its own demo district; nothing in the app sets it. Updates of an
issued document stay refused even then."""

from django.db import migrations

GUARD_SQL = """
CREATE OR REPLACE FUNCTION enforcement_document_locked() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.state <> 'draft' AND coalesce(current_setting('enforcement.purge', true), '') <> 'on' THEN
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

CREATE OR REPLACE FUNCTION enforcement_documentpdf_locked() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND coalesce(current_setting('enforcement.purge', true), '') = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'an issued document''s PDF is never changed or deleted'
        USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;
"""


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("enforcement", "0009_document_number_blank")]
    operations = [migrations.RunPython(guard, migrations.RunPython.noop)]
