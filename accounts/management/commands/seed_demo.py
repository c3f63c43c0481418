from django.core.management.base import BaseCommand

from accounts.demo import demo_build, demo_exists, demo_reset


class Command(BaseCommand):
    help = "建立演示区：街道/乡镇、社区/村、成员单位、生产经营单位和五个演示用户（密码 demo12345）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="随机种子；相同种子生成相同数据")
        parser.add_argument("--enterprises", type=int, default=3000, help="生产经营单位数量")
        parser.add_argument("--reset", action="store_true", help="先删除已有的演示数据再重建")

    def handle(self, *args, seed: int, enterprises: int, reset: bool, **options) -> None:
        if demo_exists():
            if not reset:
                self.stdout.write("演示数据已存在，未做改动（如需重建请加 --reset）。")
                return
            demo_reset()
        for line in demo_build(seed=seed, enterprises=enterprises):
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("演示数据已生成。"))
