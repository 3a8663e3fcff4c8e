"""Timing helpers shared by bench/run.py and the apps' bench plug-ins (``GongzhiAppConfig.bench``).

Figures are printed, never asserted: ``make bench`` reports, the tests never time anything.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def measure(fn: Callable[[], object], runs: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def fmt(samples: list[float] | None) -> str:
    if not samples:
        return "—"
    return f"{statistics.median(samples):.2f} / {percentile(samples, 95):.2f} ms"


def page(client, url_name: str, kwargs: dict, runs: int, headers: dict | None = None) -> dict:  # noqa: ANN001
    """Time a page; say 'page not available yet' instead of failing when it is not there (yet)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    try:
        url = reverse(url_name, kwargs=kwargs)
        response = client.get(url, headers=headers)  # warm the session and the caches first
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, headers=headers)
        queries = len(ctx.captured_queries)  # now: the log is cleared by the next request
        if response.status_code != 200:
            return {"error": f"page not available yet (HTTP {response.status_code})", "url": url}
        samples = measure(lambda: client.get(url, headers=headers), runs)
    except Exception as exc:  # noqa: BLE001 - a page still being written must not stop the bench
        return {"error": f"page not available yet ({type(exc).__name__}: {exc})"[:200], "url": url_name}
    return {"url": url, "queries": queries, "samples": samples, "bytes": len(response.content)}
