"""manage.py verify_ballots <motion id>: check a motion's ballot chain and name the first bad ballot."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.voting.chain import verify
from gongzhi.voting.models import Motion


class Command(BaseCommand):
    help = "核验表决事项的选票哈希链：全部符合则输出链末哈希，否则指出第一张不符的选票"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("motion", type=int, help="表决事项编号")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            motion = Motion.objects.select_related("assembly").get(pk=options["motion"])
        except Motion.DoesNotExist as exc:
            raise CommandError(f"表决事项 {options['motion']} 不存在") from exc
        result = verify(motion)
        if result.ok:
            self.stdout.write(f"核验通过：「{motion.title}」共 {result.length} 条记录，链末哈希 {result.head}")
            return
        where = f"第{result.bad_seq}号选票" if result.bad_seq else "选票链"
        unit = f"（房屋编号 {result.bad_unit_id}）" if result.bad_unit_id else ""
        raise CommandError(f"核验失败：{where}{unit}：{result.problem}")
