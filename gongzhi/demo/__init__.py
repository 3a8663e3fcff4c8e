"""The demo app (演示数据、规模数据): the seed estates everyone else's demo builds on, the demo logins,
and the district-scale data for measuring. No other app imports it except through ``kit``; the
registry, below every app, never does.

- ``sites``: the estates of the seed reports (劲松北、蓟门里、广安门北街20号院、老山东里北、团结公寓、
  太阳都市花园后期小区、南昌路168弄、富南大厦) and a few plain estates beside them, as data.
- ``population``: seeded, pure generation of buildings, units, households, ages and ID numbers.
- ``builder`` (with ``governance``): turns the sites into rows — governance bodies and places through
  the services, the thousands of units and people by bulk insert. Its ``build`` is this app's demo
  builder, the first that ``load_demo`` runs; each app's own (gongzhi/<app>/demo.py) follows.
- ``users``: the demo logins, one per role (``load_demo`` creates them, ``demo_logins`` prints them).
- ``kit``: the little the apps' own demo builders share with this app (the demo password).
- ``scale`` (with ``bulk``): a district-scale registry streamed in batches (``seed_scale``, ``make bench``).
"""
