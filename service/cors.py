"""CORS for web front ends on other origins: an allow-list, answered before anything else.

`CorsLayer` is the outermost pure ASGI layer, so a preflight (`OPTIONS` with
`Access-Control-Request-Method`) from an allowed origin is answered before authentication,
routing and the front cache, and every answer to such an origin (errors and front-tier hits
included) carries `Access-Control-Allow-Origin` and the exposed headers. Requests from other
origins pass through untouched: they get no CORS header, so their browsers keep the answers
from their scripts. No credentials mode: the API authenticates with a bearer token, never a
cookie.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALLOWED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
ALLOWED_HEADERS = ("Authorization", "Content-Type", "Idempotency-Key", "If-None-Match")
EXPOSED_HEADERS = (
    "X-Cache",
    "Age",
    "Retry-After",
    "ETag",
    "Location",
    "Link",
    "RateLimit",
    "RateLimit-Policy",
    "X-Request-ID",
)
# How long a browser may reuse a preflight answer, in seconds.
PREFLIGHT_MAX_AGE_S = 600


class CorsLayer:
    """Answers preflights from allowed origins and marks their answers readable."""

    def __init__(self, app: ASGIApp, *, origins: Iterable[str]) -> None:
        self.app = app
        self.origins = frozenset(origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        allowed = origin is not None and origin in self.origins
        if allowed and scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(str(origin), send)
            return

        async def marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer = MutableHeaders(scope=message)
                answer.add_vary_header("Origin")  # shared caches must not mix origins
                if allowed:
                    answer["Access-Control-Allow-Origin"] = str(origin)
                    answer["Access-Control-Expose-Headers"] = ", ".join(EXPOSED_HEADERS)
            await send(message)

        await self.app(scope, receive, marked)

    @staticmethod
    async def _preflight(origin: str, send: Send) -> None:
        # The browser compares the requested method and headers with these lists itself.
        await send(
            {
                "type": "http.response.start",
                "status": 204,
                "headers": [
                    (b"access-control-allow-origin", origin.encode("latin-1")),
                    (b"access-control-allow-methods", ", ".join(ALLOWED_METHODS).encode()),
                    (b"access-control-allow-headers", ", ".join(ALLOWED_HEADERS).encode()),
                    (b"access-control-max-age", str(PREFLIGHT_MAX_AGE_S).encode()),
                    (b"vary", b"Origin"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})
