"""manage.py build_report --kind annual|quarterly|campaign|departments --year Y [--quarter Q]
[--campaign ID] [--scope CODE] --out FILE.pdf [--format pdf|docx] [--as-is | --published N]

Prints a work summary (工作总结) to a file from the command line, on the records as they are: the
report of that kind, period and scope is rebuilt from fresh figures first (the narrative staff wrote
stays), or created and built as a new draft when there is none. A draft prints with its 「草稿」
watermark. `--as-is` prints the draft as it stands without rebuilding; `--published N` prints published
version N (its stored PDF: the same bytes as the web's download).
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from reports.models import ReportKind, ReportVersion
from reports.scopes import scope_parse
from reports.services_report_files import report_file, report_for_command
from reports.summaries import period_for


class Command(BaseCommand):
    help = "按现有记录生成工作总结（年度、季度、专项行动、成员单位）的 PDF 或 Word 文件。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, help="annual、quarterly、campaign 或 departments")
        parser.add_argument("--year", type=int, help="年度，如 2026（专项行动报告不需要）")
        parser.add_argument("--quarter", type=int, help="季度 1–4（季度报告）")
        parser.add_argument("--campaign", type=int, help="专项行动编号（专项行动报告）")
        parser.add_argument(
            "--scope", default="district", help="统计范围：district（默认）、单位编号或单位名称"
        )
        parser.add_argument("--out", required=True, help="输出文件，如 总结.pdf")
        parser.add_argument(
            "--format", dest="fmt", choices=["pdf", "docx"], help="pdf 或 docx（默认按文件扩展名）"
        )
        parser.add_argument("--as-is", action="store_true", help="不重新统计，按草稿现状输出")
        parser.add_argument("--published", dest="version_number", type=int, help="输出已发布的第 N 版")

    def handle(self, *args, **options) -> None:
        kind = options["kind"]
        if kind not in ReportKind.values:
            raise CommandError(
                _("报告类型“%(kind)s”不存在，可选：%(kinds)s。")
                % {"kind": kind, "kinds": "、".join(ReportKind.values)}
            )
        out = Path(options["out"])
        fmt = options["fmt"] or ("docx" if out.suffix.lower() == ".docx" else "pdf")
        if out.suffix.lower() not in ("", f".{fmt}"):
            raise CommandError(
                _("输出文件扩展名“%(ext)s”与格式 %(fmt)s 不符。") % {"ext": out.suffix, "fmt": fmt}
            )
        if not out.parent.exists():
            raise CommandError(_("输出目录“%(dir)s”不存在。") % {"dir": out.parent})
        try:
            stats_scope = scope_parse(options["scope"])
        except ValueError as error:
            raise CommandError(str(error)) from error

        period = campaign = None
        if kind == ReportKind.CAMPAIGN:
            if not options["campaign"]:
                raise CommandError(_("专项行动工作报告须用 --campaign 指定专项行动编号。"))
            campaign = Campaign.objects.filter(pk=options["campaign"]).first()
            if campaign is None:
                raise CommandError(_("专项行动 %(id)s 不存在。") % {"id": options["campaign"]})
        else:
            year = options["year"]
            if year is None or not 2000 <= year <= 2100:
                raise CommandError(_("请用 --year 指定年度（2000–2100）。"))
            if kind != ReportKind.QUARTERLY and options["quarter"]:
                raise CommandError(_("只有季度报告（--kind quarterly）需要 --quarter。"))
            try:
                period = period_for(kind, year=year, quarter=options["quarter"])
            except ValueError as error:
                raise CommandError(str(error)) from error

        version_number = options["version_number"]
        try:
            report, created = report_for_command(
                kind=kind,
                stats_scope=stats_scope,
                period=period,
                campaign=campaign,
                rebuild=not options["as_is"] and version_number is None,
                create=version_number is None,
            )
        except ValidationError as error:
            raise CommandError(_("模板有误，未能生成：%(e)s") % {"e": "；".join(error.messages)}) from error
        version = None
        if version_number is not None:
            version = (
                ReportVersion.objects.filter(report=report, number=version_number).first() if report else None
            )
            if version is None:
                if report is None:
                    raise CommandError(_("这份工作总结还没有建立，也就没有已发布的版本。"))
                raise CommandError(
                    _("“%(title)s”没有第 %(n)s 版。") % {"title": report.title, "n": version_number}
                )

        data = report_file(report=report, fmt=fmt, version=version)
        out.write_bytes(data)
        what = (
            _("第%(n)s版") % {"n": version.number} if version else (_("新建草稿") if created else _("草稿"))
        )
        self.stdout.write(
            _("已写出 %(out)s（%(title)s，%(what)s，%(fmt)s，%(size)s 字节）")
            % {"out": out, "title": report.title, "what": what, "fmt": fmt.upper(), "size": len(data)}
        )
