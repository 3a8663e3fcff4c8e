"""``manage.py simulate_devices --rate R --seconds S [--mqtt|--http]``: realistic device traffic."""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongzhi.devices import services
from gongzhi.devices.models import Device
from gongzhi.devices.mqtt import Broker
from gongzhi.devices.simulator import Backoff, HttpSender, Traffic, heartbeat_rate, sim_devices
from gongzhi.registry.models import Place


class Command(BaseCommand):
    help = "模拟智能终端上报：心跳、偶发报警及恢复、重复消息和少量格式错误的消息"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--rate", type=float, default=5.0, help="每秒消息数")
        parser.add_argument("--seconds", type=float, default=60.0, help="持续秒数，0 为一直运行")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--mqtt", action="store_true", help="经 MQTT 代理发布（默认）")
        mode.add_argument("--http", action="store_true", help="向 /devices/ingest/ 提交")
        parser.add_argument("--mqtt-url", default=os.environ.get("MQTT_URL") or "mqtt://127.0.0.1:1883")
        parser.add_argument("--http-url", default="http://127.0.0.1:8000", help="平台地址（HTTP 模式）")
        parser.add_argument("--place", type=int, help="只模拟该小区或街道下的设备")
        parser.add_argument("--devices", type=int, default=200, help="最多模拟多少台设备")
        parser.add_argument("--alarm-ratio", type=float, default=0.01)
        parser.add_argument("--duplicate-ratio", type=float, default=0.02)
        parser.add_argument("--malformed-ratio", type=float, default=0.005)
        parser.add_argument(
            "--rotate-secrets",
            action="store_true",
            help="HTTP 模式必需：重置所模拟设备的 HTTP 密钥（平台只存摘要，模拟器需要新密钥）",
        )
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        devices = Device.objects.filter(active=True).order_by("pk")
        if options["place"]:
            place = Place.objects.filter(pk=options["place"]).first()
            if place is None:
                raise CommandError(f"地点 {options['place']} 不存在")
            devices = devices.filter(estate__path__startswith=place.path)
        sims = sim_devices(devices[: options["devices"]])
        if not sims:
            raise CommandError("没有可模拟的设备：请先登记设备或运行 load_demo")
        http = options["http"]
        if http:
            if not options["rotate_secrets"]:
                raise CommandError("HTTP 模式会重置所模拟设备的 HTTP 密钥，请加 --rotate-secrets 确认")
            by_id = {d.pk: d for d in devices[: options["devices"]]}
            for sim in sims:
                sim.secret = services.device_rotate_credentials(device=by_id[sim.id], actor=None).http_secret
        traffic = Traffic(
            sims,
            alarm_ratio=options["alarm_ratio"],
            duplicate_ratio=options["duplicate_ratio"],
            malformed_ratio=options["malformed_ratio"],
            seed=options["seed"],
        )
        send = self._http_sender(options["http_url"]) if http else self._mqtt_sender(options["mqtt_url"])
        rate, seconds = max(options["rate"], 0.01), options["seconds"]
        need = heartbeat_rate(sims)
        if rate < need:  # fewer messages would let some devices look offline (a false offline wall)
            self.stdout.write(f"为保证每台设备按时心跳，速率由每秒 {rate:g} 条提高到 {need:.2f} 条")
            rate = need
        self.stdout.write(f"模拟 {len(sims)} 台设备，每秒 {rate:g} 条，{'HTTP' if http else 'MQTT'}")
        self.stdout.flush()
        counts: dict[str, int] = {}
        start = time.monotonic()
        sent = 0
        with contextlib.suppress(KeyboardInterrupt):
            while not seconds or time.monotonic() - start < seconds:
                out = traffic.next(timezone.now())
                send(out)
                sent += 1
                counts[out.kind] = counts.get(out.kind, 0) + 1
                delay = start + sent / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
        self.stdout.write(f"已发送 {sent} 条：{counts}")

    def _mqtt_sender(self, url: str) -> Any:
        import paho.mqtt.client as mqtt

        broker = Broker.from_url(url)
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=f"gongzhi-sim-{uuid.uuid4().hex[:8]}", protocol=mqtt.MQTTv5
        )
        if broker.username:
            client.username_pw_set(broker.username, broker.password)
        client.max_inflight_messages_set(1000)
        client.reconnect_delay_set(min_delay=1, max_delay=30)  # paho reconnects by itself once connected
        backoff = Backoff()
        while True:  # the broker may still be starting: wait for it rather than die
            try:
                client.connect(broker.host, broker.port)
                break
            except OSError as exc:
                delay = backoff.wait()
                self.stderr.write(f"无法连接 MQTT 代理 {broker.host}:{broker.port}：{exc}，{delay:.1f} 秒后重试")
        backoff.reset()
        client.loop_start()
        for _ in range(600):  # the broker's answer (CONNACK) before the clock starts
            if client.is_connected():
                break
            time.sleep(0.05)

        def send(out: Any) -> None:
            while True:
                if client.is_connected():
                    info = client.publish(out.device.topic, out.body, qos=1)
                    if info.rc == mqtt.MQTT_ERR_SUCCESS:
                        backoff.reset()
                        return
                backoff.wait()  # disconnected: paho is reconnecting; the message waits, it is not dropped

        return send

    def _http_sender(self, base: str) -> Any:
        return HttpSender(base, log=lambda message: self.stderr.write(message))
