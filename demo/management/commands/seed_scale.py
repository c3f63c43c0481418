"""seed_scale: fill PostgreSQL with a city's years of records, loaded with COPY (docs/scale-data.md)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from demo.scale.build import SIZES, ScaleError, report_lines, scale_build
from demo.scale.city import DEPARTMENT_USER, LEADER, OFFICER, SCALE_DISTRICT, SCALE_PASSWORD, TOWNSHIP_USER
from demo.scale.reset import scale_exists, scale_reset


class Command(BaseCommand):
    help = (
        f"生成城市规模的测试数据（{SCALE_DISTRICT}）：街道/乡镇、部门、用户、生产经营单位，以及多年的检查、隐患、"
        "案件、事故和活动，用 COPY 批量写入（仅 PostgreSQL）。同一种子生成同样的数据。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--size",
            choices=sorted(SIZES),
            default="small",
            help="预设规模：small（1,000 家、2 年）或 city（50,000 家、5 年）；默认 small",
        )
        parser.add_argument("--enterprises", type=int, help="生产经营单位数量（覆盖预设）")
        parser.add_argument("--years", type=int, help="年数（覆盖预设），最后一年截至今天")
        parser.add_argument("--end-year", type=int, help="最后一年（默认今年）")
        parser.add_argument(
            "--seed", type=int, default=2026, help="随机种子；相同种子生成相同数据（默认 2026）"
        )
        parser.add_argument("--reset", action="store_true", help="先删除上次生成的规模数据")

    def handle(
        self, *args, size: str, enterprises, years, end_year, seed: int, reset: bool, **options
    ) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale 只支持 PostgreSQL（用 COPY 批量写入）。")
        preset = SIZES[size]
        enterprises = preset.enterprises if enterprises is None else enterprises
        years = preset.years if years is None else years
        end_year = end_year or timezone.localdate().year
        if enterprises < 1 or years < 1:
            raise CommandError("--enterprises 和 --years 须为正整数。")
        if end_year > timezone.localdate().year:
            raise CommandError("--end-year 不能晚于今年。")
        started = time.monotonic()
        if reset:
            with transaction.atomic():
                deleted = scale_reset()
            self.stdout.write(
                f"已删除上次的规模数据 {sum(deleted.values()):,} 行 … {time.monotonic() - started:.1f} s"
            )
        elif scale_exists():
            raise CommandError(
                f"规模数据已存在（{SCALE_DISTRICT} 或 scale_* 用户）。如需重建，请加 --reset。"
            )
        try:
            loader = scale_build(
                seed=seed, enterprises=enterprises, years=years, end_year=end_year, write=self.stdout.write
            )
        except ScaleError as exc:
            raise CommandError(f"{exc}（已写入的数据可用 --reset 删除）") from exc
        for line in report_lines(loader):
            self.stdout.write(line)
        total = sum(s.rows for s in loader.stats.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"规模数据已生成：{enterprises:,} 家单位、{years} 年（至 {end_year} 年），共 {total:,} 行，"
                f"用时 {time.monotonic() - started:.1f} 秒。登录：{OFFICER}、{LEADER}、{DEPARTMENT_USER}、"
                f"{TOWNSHIP_USER}，密码 {SCALE_PASSWORD}。"
            )
        )
