"""Prometheus metrics of one app: what the proxy does, per route, cache tier, upstream resource.

How components report: each app builds one `Metrics` in `create_app` (nothing at import time:
tests build many apps in one process) on a private `CollectorRegistry`, and hands it to the
components at construction (the front tier, the shared cache, the upstream client, the
budgets, the outage breaker, the queue writes), which call its typed methods. A component
built without one (tests, tools) gets `None` and reports nothing. Per-request facts (the
upstream calls a request made) go through `service.request_context` instead.

Label values are bounded: route templates (never raw paths), cache tiers and outcomes,
upstream call subjects, budget scopes. Children of the hot paths are resolved once here
(`.labels()` costs a lock and a dict lookup), so the front tier's hit is one increment.

Several worker processes (`netflix-proxy serve --workers N`) share one folder named by
`PROMETHEUS_MULTIPROC_DIR`, which `service.cli.serving` creates before the workers start;
when it is set the registry collects every worker's files through `MultiProcessCollector`,
so a scrape answered by any worker shows the sums of all of them.
"""

from __future__ import annotations

import os
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
METRICS_PATH = "/metrics"
CacheTier = Literal["front", "redis", "user"]
CacheOutcome = Literal["HIT", "MISS", "STALE", "BYPASS"]
BudgetScope = Literal["user", "consumer", "day", "signin"]
Reconciliation = Literal["applied", "not_applied", "unknown"]
# Request latency: a front-tier hit takes well under a millisecond, an upstream call may
# wait for budget up to NFX_BUDGET_MAX_WAIT_S and then for the upstream's timeout.
_REQUEST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
_UPSTREAM_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class Metrics:
    """Every metric of one app, and the calls components report through."""

    def __init__(self, *, multiprocess_dir: str | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        if multiprocess_dir:
            # Values live in the folder's files, written by every worker; the metric objects
            # themselves are not registered (the collector reads the files).
            MultiProcessCollector(self.registry, path=multiprocess_dir)  # type: ignore[no-untyped-call]
            target: CollectorRegistry | None = None
        else:
            target = self.registry
        self._requests = Histogram(
            "nfx_http_request_duration_seconds",
            "Time to answer a request, by method, route template and status.",
            ["method", "route", "status"],
            buckets=_REQUEST_BUCKETS,
            registry=target,
        )
        self._cache = Counter(
            "nfx_cache_lookups",
            "Cache lookups by tier (front, redis: catalog; user: a subscriber's reads) and "
            "outcome (HIT, MISS, STALE, BYPASS).",
            ["tier", "outcome"],
            registry=target,
        )
        self._upstream = Histogram(
            "nfx_upstream_request_duration_seconds",
            "Upstream calls by resource and status (or timeout, error), until the status came.",
            ["resource", "status"],
            buckets=_UPSTREAM_BUCKETS,
            registry=target,
        )
        self._budget_waits = Counter(
            "nfx_budget_waits",
            "Upstream calls that waited for budget, by the narrowest budget they spent from.",
            ["scope"],
            registry=target,
        )
        self._budget_wait_seconds = Counter(
            "nfx_budget_wait_seconds",
            "Seconds upstream calls waited for budget.",
            ["scope"],
            registry=target,
        )
        self._budget_refusals = Counter(
            "nfx_budget_refusals",
            "Calls refused for budget (429), by scope: user, consumer, day, signin.",
            ["scope"],
            registry=target,
        )
        self._etag_retries = Counter(
            "nfx_queue_etag_retries",
            "Queue writes retried after a stale etag (the queue changed outside the proxy).",
            registry=target,
        )
        self._reconciliations = Counter(
            "nfx_queue_reconciliations",
            "Queue writes of uncertain outcome checked against the queue, by what was found.",
            ["outcome"],
            registry=target,
        )
        self._store_errors = Counter(
            "nfx_store_errors",
            "Redis calls that failed, by error class.",
            ["error"],
            registry=target,
        )
        self._breaker_open = Gauge(
            "nfx_store_breaker_open",
            "1 while the outage memory skips the store (any live worker), else 0.",
            registry=target,
            multiprocess_mode="livemax",
        )
        self._breaker_open.set(0)
        self._front_hit = self._cache.labels("front", "HIT")
        self._front_miss = self._cache.labels("front", "MISS")
        self._request_children: dict[tuple[str, str, int], Histogram] = {}
        self._upstream_children: dict[tuple[str, str], Histogram] = {}

    @classmethod
    def from_environment(cls) -> Metrics:
        """Multiprocess collection when `PROMETHEUS_MULTIPROC_DIR` names a folder."""
        return cls(multiprocess_dir=os.environ.get(MULTIPROC_ENV) or None)

    def render(self) -> bytes:
        """The exposition text of every metric (all workers' in multiprocess mode)."""
        return generate_latest(self.registry)

    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        """One answered request."""
        key = (method, route, status)
        child = self._request_children.get(key)
        if child is None:
            label = method if method in _METHODS else "other"
            child = self._request_children[key] = self._requests.labels(label, route, str(status))
        child.observe(seconds)

    def front_hit(self) -> None:
        """The front tier answered from its memory."""
        self._front_hit.inc()

    def front_miss(self) -> None:
        """A cacheable GET the front tier did not hold."""
        self._front_miss.inc()

    def cache(self, tier: CacheTier, outcome: CacheOutcome) -> None:
        """A cache lookup's outcome."""
        self._cache.labels(tier, outcome).inc()

    def upstream(self, resource: str, status: str, seconds: float) -> None:
        """One upstream call; `resource` is the call's subject, never a raw path."""
        key = (resource, status)
        child = self._upstream_children.get(key)
        if child is None:
            child = self._upstream_children[key] = self._upstream.labels(resource, status)
        child.observe(seconds)

    def budget_wait(self, scope: BudgetScope, seconds: float) -> None:
        """An upstream call waited `seconds` for its reserved time."""
        self._budget_waits.labels(scope).inc()
        self._budget_wait_seconds.labels(scope).inc(seconds)

    def budget_refusal(self, scope: BudgetScope) -> None:
        """A call was refused for budget."""
        self._budget_refusals.labels(scope).inc()

    def etag_retry(self) -> None:
        """A queue write is retried with a fresh etag."""
        self._etag_retries.inc()

    def reconciliation(self, outcome: Reconciliation) -> None:
        """A queue write of unknown outcome was checked against the queue."""
        self._reconciliations.labels(outcome).inc()

    def store_error(self, error: BaseException) -> None:
        """A Redis call failed."""
        self._store_errors.labels(type(error).__name__).inc()

    def breaker(self, is_open: bool) -> None:
        """The outage memory opened (True) or closed (False)."""
        self._breaker_open.set(1 if is_open else 0)


def install_metrics(app: FastAPI, metrics: Metrics) -> None:
    """Serve `metrics` at `/metrics` (not in the OpenAPI document, never cached).

    Keep it internal: the load balancer answers it 404 (deploy/nginx.conf); Prometheus
    scrapes each replica directly.
    """
    app.state.metrics = metrics

    @app.get(METRICS_PATH, include_in_schema=False)
    async def prometheus_metrics(request: Request) -> Response:
        current: Metrics = request.app.state.metrics
        return Response(
            current.render(),
            media_type=CONTENT_TYPE_LATEST,
            headers={"Cache-Control": "no-store"},
        )
