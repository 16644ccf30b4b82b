"""What one request is, for code deep inside it: its id, and how many upstream calls it made.

`service.request_layer.RequestLayer`, the outermost ASGI layer, opens a `RequestRecord` per
HTTP request in a context variable; problem documents read the id from it
(`service.errors`), the upstream transport counts its calls into it, and the log formatter
stamps the id on every line written while the request runs. Outside a request (tests calling
components directly, startup) `current()` is None and reporting does nothing. Context
variables are copied into tasks, and the record is one mutable object, so a streamed answer
or a background task of the request counts into the same record.
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
from contextvars import ContextVar, Token
from dataclasses import dataclass

REQUEST_ID_HEADER = "X-Request-ID"
# The ASGI scope key where a layer answering before routing (the front tier) names the route
# template of its answer; the router's own `route` names it otherwise.
ROUTE_SCOPE_KEY = "nfx.route"
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Made ids are 32 hex digits: a random prefix drawn once per process, then a counter. Unique
# across processes and replicas as uuid4s are, without a random draw (a system call) for
# every request, which cost 8% of a front-tier hit; nor a `getpid` per request to notice a
# fork (another system call, 11% of a hit): a forked child forgets the prefix and draws its own.
_ids: tuple[str, itertools.count[int]] | None = None


def _forget_ids() -> None:
    global _ids
    _ids = None


os.register_at_fork(after_in_child=_forget_ids)


def _fresh_id() -> str:
    global _ids
    if _ids is None:
        _ids = (secrets.token_hex(8), itertools.count())
    prefix, counter = _ids
    return f"{prefix}{next(counter) & 0xFFFF_FFFF_FFFF_FFFF:016x}"


@dataclass(slots=True)
class RequestRecord:
    """One request's id (`generated` when the proxy made it) and its upstream call count."""

    request_id: str
    generated: bool
    upstream_calls: int = 0


_current: ContextVar[RequestRecord | None] = ContextVar("request_record", default=None)


def new_record(offered: bytes | None) -> RequestRecord:
    """A record with the client's `X-Request-ID` when acceptable, else a fresh id."""
    if offered is not None:
        text = offered.decode("latin-1")
        if _ACCEPTED_ID.fullmatch(text):
            return RequestRecord(text, generated=False)
    return RequestRecord(_fresh_id(), generated=True)


def current() -> RequestRecord | None:
    """The record of the request being served, or None outside a request."""
    return _current.get()


def current_request_id() -> str | None:
    """The id of the request being served, or None outside a request."""
    record = _current.get()
    return None if record is None else record.request_id


def count_upstream_call() -> None:
    """One more upstream call for the request being served (nothing outside a request)."""
    record = _current.get()
    if record is not None:
        record.upstream_calls += 1


def enter(record: RequestRecord) -> Token[RequestRecord | None]:
    """Make `record` current; returns the token `leave` needs."""
    return _current.set(record)


def leave(token: Token[RequestRecord | None]) -> None:
    """Restore what was current before `enter`."""
    _current.reset(token)
