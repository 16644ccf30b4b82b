"""The `RateLimit-Policy` and `RateLimit` headers of answers that spent (or were refused) budget.

Syntax of draft-ietf-httpapi-ratelimit-headers-11 (Structured Field lists of named policies):

    RateLimit-Policy: "user";q=4;w=1, "user-day";q=5000;w=86400
    RateLimit: "user";r=2;t=1, "user-day";r=4990;t=43200

`q` is the quota, `w` its window in seconds, `r` the quota available now and `t` the
effective window: whole seconds (rounded up) within which no more than `r` can be used. For
the sliding one-second budgets `t` is when the oldest call still counted leaves the window;
for the daily ones, the next UTC midnight. On a 429, Retry-After is never earlier than the
`t` of the policy that refused (the draft's rule).

The budget runs deep inside a request (the upstream client), so it reports through a
per-request `BudgetReport` held in a context variable that `RateLimitHeaders`, a pure ASGI
middleware, sets for each request and reads when the response starts. Context variables are
copied into tasks and threads, and the report is one mutable object, so every copy writes
to the same report. Answers that spent no budget (cache hits) carry no such headers.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.openapi_components import extend_openapi
from service.store.reservations import BudgetState, whole_seconds

POLICY_HEADER = "RateLimit-Policy"
STATE_HEADER = "RateLimit"
RETRY_HEADER = "Retry-After"
_DRAFT = "draft-ietf-httpapi-ratelimit-headers-11"
_HEADERS: dict[str, dict[str, Any]] = {
    POLICY_HEADER: {
        "description": f"The upstream budget policies this answer spent from ({_DRAFT}): "
        '`"user"` and `"consumer"` per sliding second, `"user-day"` and `"consumer-day"` per '
        'UTC day, `"signin"` per sliding minute. Only on answers that spent or were refused '
        "upstream budget.",
        "schema": {"type": "string"},
        "example": '"user";q=4;w=1, "user-day";q=5000;w=86400',
    },
    STATE_HEADER: {
        "description": f"What remains of each policy (`r`) and the whole seconds until more "
        f"of it frees (`t`), as of this answer ({_DRAFT}).",
        "schema": {"type": "string"},
        "example": '"user";r=2;t=1, "user-day";r=4990;t=43200',
    },
    RETRY_HEADER: {
        "description": "Whole seconds (rounded up) after which the request can succeed.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    },
}


class BudgetReport:
    """The latest state of each budget policy one request spent from."""

    def __init__(self) -> None:
        self._states: dict[str, BudgetState] = {}

    def record(self, states: Iterable[BudgetState]) -> None:
        """Keep these states, replacing earlier ones of the same policies."""
        for state in states:
            self._states[state.budget.policy] = state

    def headers(self) -> dict[str, str]:
        """The two headers, or nothing when no budget was spent."""
        if not self._states:
            return {}
        policies: list[str] = []
        current: list[str] = []
        for name, state in self._states.items():
            budget = state.budget
            policies.append(f'"{name}";q={budget.limit};w={budget.advertised_window_s}')
            current.append(f'"{name}";r={state.remaining};t={whole_seconds(state.reset_s)}')
            if state.day_remaining is not None:
                policies.append(f'"{name}-day";q={budget.per_day};w=86400')
                current.append(
                    f'"{name}-day";r={state.day_remaining};t={whole_seconds(state.day_reset_s)}'
                )
        return {POLICY_HEADER: ", ".join(policies), STATE_HEADER: ", ".join(current)}


_current: ContextVar[BudgetReport | None] = ContextVar("budget_report", default=None)


def record(states: Iterable[BudgetState]) -> None:
    """Report budget states to the request being served (nothing outside a request)."""
    report = _current.get()
    if report is not None:
        report.record(states)


class RateLimitHeaders:
    """Pure ASGI middleware: one `BudgetReport` per HTTP request, its headers on the answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        report = BudgetReport()
        token = _current.set(report)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (name.lower().encode(), value.encode())
                    for name, value in report.headers().items()
                ]
                if extra:
                    message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            _current.reset(token)


def declare_in_openapi(app: FastAPI) -> None:
    """Declare the headers on every operation that can answer 429 (those spend budget)."""

    def add(schema: dict[str, Any]) -> None:
        schema.setdefault("components", {})["headers"] = _HEADERS
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.get("responses", {})
                if "429" not in responses:
                    continue
                for status, response in responses.items():
                    names = [POLICY_HEADER, STATE_HEADER]
                    if status == "429":
                        names.append(RETRY_HEADER)
                    elif not status.startswith("2"):
                        continue
                    response["headers"] = {
                        **response.get("headers", {}),
                        **{name: {"$ref": f"#/components/headers/{name}"} for name in names},
                    }

    extend_openapi(app, add)
