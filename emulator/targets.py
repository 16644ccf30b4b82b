"""Absolute-form request targets (RFC 9112 section 3.2.2), as clients behind an HTTP proxy sent.

A client configured to reach the API through a proxy writes the whole URL on its request
line: `GET http://api.netflix.com/catalog/titles?term=jaws HTTP/1.1`. Servers must accept
that form. The HTTP server hands the whole URL over as the path, so this layer routes by the
URL's path and records the scheme and authority the client addressed: the OAuth signature
was computed over that URL, which then wins over the `Host` header (as RFC 9112 says).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from starlette.types import ASGIApp, Receive, Scope, Send

# Where the scheme and authority of an absolute-form target are kept for the signature check.
ABSOLUTE_BASE_KEY = "netflix.absolute_base"
_ABSOLUTE_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]+)(/[^?#]*)?$")


def split_absolute(target: str) -> tuple[str, str, str] | None:
    """`(scheme, authority, path)` of an absolute URL without its query, else None."""
    match = _ABSOLUTE_RE.match(target)
    if match is None:
        return None
    scheme, authority, path = match.groups()
    if scheme.lower() not in {"http", "https"}:
        return None
    return scheme.lower(), authority, path or "/"


class AbsoluteTargetMiddleware:
    """Rewrites an absolute-form target into origin form before routing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = absolute_to_origin(scope)
        await self.app(scope, receive, send)


def absolute_to_origin(scope: Scope) -> Scope:
    """The same scope with an origin-form path, or the scope unchanged when already so."""
    raw = scope.get("raw_path")
    target = raw.decode("latin-1") if isinstance(raw, bytes) and raw else str(scope["path"])
    if target.startswith("/"):
        return scope
    parts = split_absolute(target)
    if parts is None:
        return scope
    scheme, authority, raw_path = parts
    return {
        **scope,
        "path": unquote(raw_path),
        "raw_path": raw_path.encode("latin-1"),
        ABSOLUTE_BASE_KEY: (scheme, authority),
    }
