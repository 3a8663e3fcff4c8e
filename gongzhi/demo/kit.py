"""What the apps' own demo builders (gongzhi/<app>/demo.py) share with the demo app.

Plain values and no imports, on purpose: a flow app's builder takes these without pulling in the
demo's sites, population or builders (and the registry, below every app, never imports the demo).
"""

DEMO_PASSWORD = "gongzhi2026"  # noqa: S105 - the published demo password, shared by every demo login
