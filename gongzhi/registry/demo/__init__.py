"""Demo and scale data (演示数据、规模数据).

- ``sites``: the estates of the seed reports (劲松北、蓟门里、广安门北街20号院、老山东里北、团结公寓、
  太阳都市花园后期小区、南昌路168弄、富南大厦) and a few plain estates beside them, as data.
- ``population``: seeded, pure generation of buildings, units, households, ages and ID numbers.
- ``builder``: turns the sites into rows — governance bodies and places through the services, the
  thousands of units and people by bulk insert (``load_demo``).
- ``users``: the demo logins, one per role (``load_demo`` creates them, ``demo_logins`` prints them).
- ``scale``: a district-scale registry streamed in batches (``seed_scale``, ``make bench``).
"""

from typing import Any


def build(*, seed: int, log: Any) -> None:
    """The seed estates, their people and the demo logins (the first demo builder: every other builds on it)."""
    from django.utils import timezone

    from gongzhi.registry.demo.builder import build_demo

    counts = build_demo(seed=seed, today=timezone.localdate(), log=log)
    log(
        f"台账：新增地点 {counts['places']} 个、房屋 {counts['units']} 套、人员 {counts['people']} 人、"
        f"产权 {counts['ownerships']} 条、居住 {counts['residencies']} 条，用时 {counts['seconds']} 秒。"
    )
