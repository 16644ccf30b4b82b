"""The outermost ASGI layer: a request id on every answer, the request metric and log line.

For each HTTP request `RequestLayer` accepts the client's `X-Request-ID` (1-128 characters of
`[A-Za-z0-9._:-]`; nginx sends its own) or makes one, opens the request's
`service.request_context.RequestRecord`, and echoes the id on the answer, whichever layer
answers (CORS preflights, body limits, front-tier hits, errors). When the last body part
is about to be sent it observes the request's latency and writes one log line on the
`service.requests` logger:

    method, route (template), status, duration_ms, cache (X-Cache), upstream_calls, client

Recording before that last part leaves means a client that has its answer finds it counted,
whichever worker it scrapes next. The route is the template the router matched (the scope's
`route`; the layers below share the scope, so it is visible here), the front tier's
`ROUTE_SCOPE_KEY`, or `unmatched`. `client` is the address `ClientAddressLayer` resolved.
Scrapes of `/metrics` are logged but not counted, so scraping does not move the counts.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import request_context
from service.metrics import METRICS_PATH, Metrics

UNMATCHED = "unmatched"
_log = logging.getLogger("service.requests")


class RequestLayer:
    """Pure ASGI middleware: request id, request latency metric, one JSON-ready log line."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        record = request_context.new_record(_header(scope, b"x-request-id"))
        token = request_context.enter(record)
        echo = (b"x-request-id", record.request_id.encode("latin-1"))
        started = time.perf_counter()
        status = 500
        cache: str | None = None
        done = False

        async def write(message: Message) -> None:
            nonlocal status, cache, done
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                for name, value in headers:
                    if name == b"x-cache":
                        cache = value.decode("latin-1")
                message = {**message, "headers": [*headers, echo]}
            elif (
                message["type"] == "http.response.body"
                and not message.get("more_body")
                and not done
            ):
                done = True
                finish_request(self.metrics, scope, record, status, cache, started)
            await send(message)

        try:
            await self.app(scope, receive, write)
        finally:
            if not done:  # no complete answer (the client went away, or the app failed)
                finish_request(self.metrics, scope, record, status, cache, started)
            request_context.leave(token)


def finish_request(
    metrics: Metrics,
    scope: Scope,
    record: request_context.RequestRecord,
    status: int,
    cache: str | None,
    started: float,
) -> None:
    """Observe one answered request's latency and write its log line."""
    seconds = time.perf_counter() - started
    route = route_of(scope)
    method = scope["method"]
    if route != METRICS_PATH:
        metrics.request(method, route, status, seconds)
    if _log.isEnabledFor(logging.INFO):
        client = scope.get("client")
        fields: dict[str, Any] = {
            "method": method,
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "cache": cache,
            "upstream_calls": record.upstream_calls,
            "client": client[0] if client else None,
        }
        _log.info(
            # No `=` in it: the redaction of each record skips its slowest pattern then.
            "%(method)s %(route)s %(status)s %(duration_ms)sms cache %(cache)s "
            "upstream_calls %(upstream_calls)s client %(client)s",
            fields,
        )


def route_of(scope: Scope) -> str:
    """The route template that answered, never the raw path (bounded label values)."""
    front = scope.get(request_context.ROUTE_SCOPE_KEY)
    if front is not None:
        return str(front)
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


def _header(scope: Scope, wanted: bytes) -> bytes | None:
    for name, value in scope["headers"]:
        if name == wanted:
            return bytes(value)
    return None
