"""``manage.py ingest_devices``: one MQTT ingest worker (run several: they share the subscription)."""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongzhi.devices.mqtt import GROUP, TOPIC, Broker, IngestWorker

logger = logging.getLogger("gongzhi.devices.mqtt")


class Command(BaseCommand):
    help = "接收智能终端的 MQTT 消息（持久会话，QoS 1，批量入库后确认）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--url", default=os.environ.get("MQTT_URL") or "mqtt://127.0.0.1:1883", help="MQTT 代理地址"
        )
        parser.add_argument("--worker", type=int, default=0, help="本机第几个接收进程（决定固定的客户端编号）")
        parser.add_argument("--client-id", default="", help="客户端编号，默认 gongzhi-ingest-<主机名>-<worker>")
        parser.add_argument(
            "--group",
            default=GROUP,
            help="共享订阅组名；默认不用共享订阅，每个接收进程一个持久会话，重复消息由数据库去重",
        )
        parser.add_argument("--topic", action="append", help=f"订阅的主题（可多次），默认 {TOPIC}")
        parser.add_argument("--max-batch", type=int, default=500, help="每批最多条数")
        parser.add_argument("--flush-ms", type=int, default=50, help="凑批最多等待毫秒数")
        parser.add_argument("--session-expiry", type=int, default=3600, help="会话保留秒数")
        parser.add_argument("--stats-seconds", type=int, default=60, help="每隔多少秒记录一次统计，0 不记录")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            broker = Broker.from_url(options["url"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        client_id = options["client_id"] or f"gongzhi-ingest-{socket.gethostname()}-{options['worker']}"
        worker = IngestWorker(
            broker=broker,
            client_id=client_id,
            group=options["group"],
            topics=tuple(options["topic"] or [TOPIC]),
            max_batch=options["max_batch"],
            flush_ms=options["flush_ms"],
            session_expiry=options["session_expiry"],
        )
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: worker.stop())
        try:
            worker.start()
        except OSError as exc:
            raise CommandError(f"无法连接 MQTT 代理 {broker.host}:{broker.port}：{exc}") from exc
        self.stdout.write(f"接收进程 {client_id} 已启动，订阅 {', '.join(worker.subscriptions)}")
        self.stdout.flush()
        if options["stats_seconds"]:
            self._report_every(worker, options["stats_seconds"])
        worker.run()
        worker.disconnect()
        self.stdout.write(f"接收进程 {client_id} 已停止：{worker.stats}")

    @staticmethod
    def _report_every(worker: IngestWorker, seconds: int) -> None:
        import threading

        def report() -> None:
            while not worker.stopping.wait(seconds):
                logger.info("ingest %s: %s", worker.client_id, worker.stats)
                time.sleep(0)

        threading.Thread(target=report, daemon=True).start()
