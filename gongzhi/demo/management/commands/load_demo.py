"""manage.py load_demo: the seed reports' estates with their public figures, and demo logins for every role."""

import logging

from django.core.management.base import BaseCommand, CommandError

from gongzhi.core.plugins import demo_builders
from gongzhi.demo.builder import demo_loaded
from gongzhi.registry.choices import PlaceKind
from gongzhi.registry.models import Place


class Command(BaseCommand):
    help = "加载演示数据：劲松北、蓟门里、广安门北街20号院、老山东里北、团结公寓、富南大厦等小区及各角色演示账号。"

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument(
            "--if-empty", action="store_true", help="库里已有任何小区时什么也不做（make run 每次启动时调用）"
        )
        parser.add_argument("--seed", type=int, default=2026, help="随机种子：同一种子、同一天生成相同的数据")

    def handle(self, *args, **options):  # noqa: ANN002, ANN003, ANN201
        if options["if_empty"] and Place.objects.filter(kind=PlaceKind.ESTATE).exists():
            self.stdout.write("库里已有小区数据，跳过演示数据加载。")
            return
        if demo_loaded():
            raise CommandError(
                "演示数据已经加载过了（劲松一区已存在）。如需重新加载，请先清空数据库（嵌入模式：make clean-db）。"
            )
        self.stdout.write("正在加载演示数据……")
        # The demo's months of orders and alarms notify people as they go; the logging SMS/WeChat
        # sender would print hundreds of lines. Inbox messages are still written.
        senders = logging.getLogger("gongzhi.notifications")
        level = senders.level
        senders.setLevel(logging.WARNING)
        try:
            self._build(options)
        finally:
            senders.setLevel(level)

    def _build(self, options):  # noqa: ANN001, ANN202
        # Each app declares its builder (gongzhi.core.plugins); this app's seed estates come first,
        # votes before money (a fund campaign starts from an approved motion).
        for _config, module in demo_builders():
            module.build(seed=options["seed"], log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("演示数据已加载。"))
