"""A published version is frozen in the database too: the trigger refuses to change its number, title,
content or figures, to change its PDF once written (it is written once, right after publishing), and to
delete it — except in a transaction that has run `SET LOCAL reports.purge = 'on'` (the demo's reset only).
TRUNCATE, used by the test database flush, fires no row trigger."""

from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION reports_version_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF coalesce(current_setting('reports.purge', true), '') = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION '已发布的工作总结版本不能删除 (report version % is frozen)', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.report_id <> OLD.report_id OR NEW.number <> OLD.number OR NEW.title <> OLD.title
       OR NEW.content::text <> OLD.content::text OR NEW.figures::text <> OLD.figures::text
       OR NEW.published_at <> OLD.published_at
       OR (OLD.pdf <> '' AND (NEW.pdf <> OLD.pdf OR NEW.pdf_sha256 <> OLD.pdf_sha256)) THEN
        RAISE EXCEPTION '已发布的工作总结版本不能修改 (report version % is frozen)', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS reports_version_guard ON reports_reportversion;
CREATE TRIGGER reports_version_guard BEFORE UPDATE OR DELETE ON reports_reportversion
    FOR EACH ROW EXECUTE FUNCTION reports_version_guard();
"""

REVERSE = """
DROP TRIGGER IF EXISTS reports_version_guard ON reports_reportversion;
DROP FUNCTION IF EXISTS reports_version_guard();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_reports_summaries")]

    operations = [migrations.RunPython(forwards, backwards)]
