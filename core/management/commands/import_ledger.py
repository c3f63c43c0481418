"""manage.py import_ledger KIND FILE.xlsx [--user USERNAME] [--dry-run]

The same importer the upload page uses, for the initial load of a district's ledgers and for
scripted re-imports. Any error: every one on stderr, nothing imported, a non-zero exit.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from core.imports import UnknownLedgerKind, get_importer, unlisted_errors


class Command(BaseCommand):
    help = "从 Excel 台账导入数据（与网页上传使用同一套校验）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="台账类型，如 enterprises")
        parser.add_argument("file", type=Path, help=".xlsx 文件路径")
        parser.add_argument("--user", dest="username", help="以哪个账号导入（默认：第一个启用的超级管理员）")
        parser.add_argument("--dry-run", action="store_true", help="只校验并统计，不保存")

    def handle(self, *args, kind: str, file: Path, username: str | None, dry_run: bool, **options) -> None:
        try:
            importer = get_importer(kind)
        except UnknownLedgerKind as exc:
            raise CommandError(str(exc)) from exc
        if not file.is_file():
            raise CommandError(_("文件不存在：{path}").format(path=file))
        user = _acting_user(username)

        result = importer.run(user=user, file=file, dry_run=dry_run)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            if result.errors_hidden:
                self.stderr.write(unlisted_errors(result.errors_hidden))
            raise CommandError(_("发现 {n} 处错误，未导入任何数据").format(n=result.error_count))
        summary = _("新增 {created} 条，更新 {updated} 条").format(
            created=result.created, updated=result.updated
        )
        if dry_run:
            summary = _("（试运行，未保存）") + summary
        self.stdout.write(summary)


def _acting_user(username: str | None):
    """The named active user, or the first active superuser: history records who imported."""
    User = get_user_model()
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("没有启用的用户「{name}」").format(name=username))
        return user
    user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError(_("没有启用的管理员账号，请用 --user 指定导入人"))
    return user
