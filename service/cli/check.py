"""`netflix-proxy check`: does this configuration work here, before traffic depends on it?

Runs the app's own wiring (its lifespan builds the same clients a server would), then checks
in order: the settings load, the store answers PING, the upstream answers HTTP, and one call
signed with the consumer key is accepted (a one-title catalog search). Each line says what
was found; secrets and URL credentials are never printed.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable
from dataclasses import dataclass
from urllib.parse import urlsplit

from service.app import create_app
from service.deps import Runtime
from service.errors import ServiceError
from service.probes import store_answers, upstream_answers
from service.settings import Settings


@dataclass(frozen=True, slots=True)
class Finding:
    """One line of the report."""

    name: str
    ok: bool
    detail: str


def _where(url: str) -> str:
    """A URL without its credentials, path or query: scheme, host and port only."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


async def run_checks(settings: Settings) -> list[Finding]:
    """Every check, in order; later ones still run when an earlier one fails."""
    store = _where(settings.redis_url) if settings.redis_url else "embedded (one process only)"
    findings = [
        Finding(
            "settings",
            True,
            f"upstream {_where(settings.upstream_base_url)}, store {store}",
        )
    ]
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        runtime: Runtime = app.state.runtime
        findings.append(await _timed("redis", store_answers(runtime.redis), "PING answered"))
        findings.append(
            await _timed(
                "upstream",
                upstream_answers(runtime.http, settings.upstream_base_url),
                "answered HTTP",
            )
        )
        findings.append(await _signed_call(runtime))
    return findings


async def _timed(name: str, probe: Awaitable[bool], success: str) -> Finding:
    started = time.perf_counter()
    ok = await probe
    took_ms = (time.perf_counter() - started) * 1000
    return Finding(name, ok, f"{success} in {took_ms:.0f} ms" if ok else "no answer")


async def _signed_call(runtime: Runtime) -> Finding:
    name = "signed call"
    try:
        page = await runtime.client.search_titles("a", max_results=1)
    except ServiceError as exc:
        return Finding(name, False, f"{exc.title}: {exc.detail}")
    return Finding(name, True, f"catalog search with the consumer key: {page.total} titles")


def render(findings: list[Finding]) -> str:
    """The report as an aligned table."""
    width = max(len(finding.name) for finding in findings)
    lines = [
        f"{finding.name:<{width}}  {'ok' if finding.ok else 'FAIL':<4}  {finding.detail}"
        for finding in findings
    ]
    return "\n".join(lines)
