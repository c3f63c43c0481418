"""seed_demo: build the demo district and a year of its records, step by step (demo.steps)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo.district import DEMO_PASSWORD, DISTRICT_NAME, DemoConflict, demo_exists
from demo.steps import demo_build, demo_reset


class Command(BaseCommand):
    help = (
        f"建立演示区（{DISTRICT_NAME}）：街道/乡镇/管理处、社区/村、安委会成员单位、专委会、生产经营单位、"
        f"演示用户（密码 {DEMO_PASSWORD}），以及一年的检查、隐患等演示记录。同一种子生成同样的数据。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--seed", type=int, default=2026, help="随机种子；相同种子生成相同数据（默认 2026）"
        )
        parser.add_argument("--enterprises", type=int, default=3000, help="生产经营单位数量（默认 3000）")
        parser.add_argument("--reset", action="store_true", help="先删除已有的演示数据再重建（只用于演示库）")

    def handle(self, *args, seed: int, enterprises: int, reset: bool, **options) -> None:
        if enterprises < 0:
            raise CommandError("--enterprises 不能为负数。")
        if demo_exists() and not reset:
            self.stdout.write(
                f"演示数据已存在（{DISTRICT_NAME} 或用户 officer），未做改动。如需重建，请加 --reset。"
            )
            return
        started = time.monotonic()
        try:
            # One transaction: a rebuild that fails leaves the old demo in place.
            with transaction.atomic():
                if reset:
                    demo_reset()
                lines = demo_build(seed=seed, enterprises=enterprises)
        except DemoConflict as exc:
            raise CommandError(str(exc)) from exc
        for line in lines:
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(f"演示数据已生成（种子 {seed}，用时 {time.monotonic() - started:.1f} 秒）。")
        )
