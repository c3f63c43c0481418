"""manage.py rollup_build --year Y [--sync]

(Re)build the stored figures of a whole year — 12 months, 4 quarters, 2 halves and the year — for the
district and every township and department: after loading a closed year's ledgers in bulk, or to
build the history the dashboard compares with. By default the work is queued as one small task per
(period, scope) for the workers (reports.tasks.rollup_build_year); `--sync` computes here, one by one.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from kombu.exceptions import KombuError

from reports.rollups import rollup_compute
from reports.scopes import rollup_scopes
from reports.tasks import rollup_build_year, year_periods


class Command(BaseCommand):
    help = "重新计算一整年（各月、季度、半年和全年）全区及各街镇、部门的统计快照。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="年度，如 2026")
        parser.add_argument("--sync", action="store_true", help="在本进程中逐个计算，不交给 Celery worker")

    def handle(self, *args, year: int, sync: bool, **options) -> None:
        if not 2000 <= year <= 2100:
            raise CommandError(_("年度 {year} 超出范围").format(year=year))
        if not sync:
            try:
                queued = rollup_build_year.delay(year)
            except (KombuError, OSError) as exc:
                raise CommandError(
                    _("无法连接任务队列，可加 --sync 在本进程中计算：{error}").format(error=exc)
                ) from exc
            self.stdout.write(
                _("{year} 年的统计快照已交给 worker 计算（{id}）").format(year=year, id=queued.id)
            )
            return
        periods, scopes = year_periods(year), rollup_scopes()
        for period in periods:
            for scope in scopes:
                rollup_compute(period=period, stats_scope=scope)
            self.stdout.write(_("{label}：{n} 个统计范围已计算").format(label=period.label, n=len(scopes)))
        self.stdout.write(_("完成：{n} 个统计快照").format(n=len(periods) * len(scopes)))
