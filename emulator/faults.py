"""Fault injection, so clients can be tested against a misbehaving upstream.

Each request draws once from a per-instance `random.Random(config.faults.seed)`, so a seeded
run misbehaves the same way every time. At most one fault fires per request; latency is added
to every request when configured.

`write_drop` fires on writes only (POST, PUT and DELETE, after `method=` overrides): the write
is applied, its answer discarded, and the connection closed, so a client cannot tell it from
a write that never arrived. A read drawing it is served normally.
"""

from __future__ import annotations

import enum
import random
import threading
from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.config import FaultConfig

# What `write_drop` applies before dropping: the methods that change the emulator's state.
WRITE_METHODS = frozenset({"POST", "PUT", "DELETE"})


class Fault(enum.Enum):
    """What happens to one request."""

    NONE = "none"
    DROP = "drop"  # the connection closes without a response
    GATEWAY = "gateway"  # the gateway's text/plain 401 "Timestamp Is Invalid"
    ERROR = "error"  # a 500 status document
    MALFORMED = "malformed"  # the real body with broken XML
    TRUNCATED = "truncated"  # the real body cut short (with a matching Content-Length)
    WRITE_DROP = "write_drop"  # a write applied, then the connection closed without a response


class FaultInjector:
    """Draws faults for one emulator instance; thread-safe."""

    def __init__(self, config: FaultConfig) -> None:
        rates = {
            Fault.DROP: config.drop_rate,
            Fault.GATEWAY: config.gateway_error_rate,
            Fault.ERROR: config.error_rate,
            Fault.MALFORMED: config.malformed_rate,
            Fault.TRUNCATED: config.truncated_rate,
            Fault.WRITE_DROP: config.write_drop_rate,
        }
        for fault, rate in rates.items():
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{fault.value} fault rate must be within [0, 1], got {rate}")
        if sum(rates.values()) > 1.0 + 1e-9:
            raise ValueError("fault rates must add up to at most 1")
        if config.latency_ms < 0:
            raise ValueError(f"fault latency must be >= 0 ms, got {config.latency_ms}")
        self.enabled = config.enabled
        self.latency_s = config.latency_ms / 1000
        self._rates = [(fault, rate) for fault, rate in rates.items() if rate > 0]
        self._random = random.Random(config.seed)  # noqa: S311 - reproducible faults, not crypto
        self._lock = threading.Lock()

    def draw(self) -> Fault:
        """The fault for the next request (one draw, whatever the outcome)."""
        if not self._rates:
            return Fault.NONE
        with self._lock:
            roll = self._random.random()
        for fault, rate in self._rates:
            if roll < rate:
                return fault
            roll -= rate
        return Fault.NONE


def malformed(body: bytes) -> bytes:
    """The document with its closing tag replaced by an unclosed tag and a bare `&`."""
    cut = body.rfind(b"</")
    head = body[:cut] if cut > 0 else body
    return head + b"<unclosed attr=broken & >"


def truncated(body: bytes) -> bytes:
    """The first half of the document (at least one byte is cut)."""
    return body[: max(0, min(len(body) // 2, len(body) - 1))]


def applies_then_drops(fault: Fault, scope: Scope) -> bool:
    """True when `fault` is a write drop and the request is a write."""
    return fault is Fault.WRITE_DROP and scope.get("method") in WRITE_METHODS


async def apply_then_drop(
    app: ASGIApp,
    scope: Scope,
    receive: Receive,
    send: Send,
    drop: Callable[[Receive, Send], Awaitable[None]],
) -> None:
    """Serve the request (the write takes effect), discard the answer, then `drop`."""

    async def discard(message: Message) -> None:
        return None

    await app(scope, receive, discard)
    await drop(receive, send)
