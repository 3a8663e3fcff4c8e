"""``manage.py audit_heads [--day YYYY-MM-DD] [--verify]``: the audit log's sealed batch heads of a day,
to publish (e.g. on the street's notice board) so an outsider can check the log against them later;
with ``--verify``, seal what is pending and check the whole chain first, naming the first bad row."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongzhi.core import audit


class Command(BaseCommand):
    help = "列出某日封存的审计批次头（可公示），可先校验整条审计链"

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--day", help="日期 YYYY-MM-DD，默认今天")
        parser.add_argument("--verify", action="store_true", help="先封存待封存的记录并校验整条链")

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        try:
            day = dt.date.fromisoformat(options["day"]) if options["day"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{options['day']}") from exc
        if options["verify"]:
            ok, bad = audit.verify_chain(seal=True)
            if not ok:
                raise CommandError(f"审计链校验失败：第一条不符的记录序号 {bad.seq}（编号 {bad.pk}）")
            self.stdout.write("审计链校验通过")
        heads = audit.published_heads(day)
        if not heads:
            self.stdout.write(f"{day:%Y-%m-%d} 没有封存的批次")
        for batch in heads:
            sealed = timezone.localtime(batch.sealed_at)
            self.stdout.write(f"{sealed:%Y-%m-%d %H:%M:%S}  序号 {batch.first_seq}–{batch.last_seq}  {batch.head_hash}")
