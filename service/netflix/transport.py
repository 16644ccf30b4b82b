"""The one path every upstream call takes: throttle, sign, send, cap the body, parse, translate.

`Upstream` owns no connection pool: the app's pooled `httpx.AsyncClient` is passed in, and
with it, when given, the client's transport: calls then go straight to the transport, past
the client's per-request layers that upstream calls never use (auth and redirect handling,
its cookie jar, event hooks), with headers and timeouts taken from the client once. httpx
exceptions and upstream status codes are turned into `service.errors` classes here. Each call
sent is counted for the request being served (`service.request_context`) and, with its
status and the time until that status came, by resource (the call's `subject`) in `Metrics`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field, replace
from typing import Protocol

import httpx

from service import request_context
from service.errors import BadUpstream, UpstreamThrottled, UpstreamTimeout
from service.metrics import Metrics
from service.netflix.document import Doc
from service.netflix.errors import raise_for_status, read_status, status_from_doc
from service.netflix.netflix_json import is_json, parse_json
from service.netflix.signing import (
    Credentials,
    Security,
    authorization_header,
    default_nonce,
    sign,
)
from service.netflix.xml import parse_xml

Params = Sequence[tuple[str, str]]
# First pause after an upstream per-second refusal; doubled on each further one.
_FIRST_BACKOFF_S = 0.25


@contextmanager
def _reading_errors(subject: str) -> Iterator[None]:
    """httpx failures while an answer is being read, as service errors."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise UpstreamTimeout(f"Netflix stopped answering ({subject})") from exc
    except httpx.HTTPError as exc:
        raise BadUpstream("the Netflix answer broke off; retry later") from exc


class Throttle(Protocol):
    """Waits for upstream budget before a call; may raise `RateLimited` instead.

    It waits up to `max_wait_s` by default; a retry after upstream back-pressure passes what
    is left of that time instead.
    """

    @property
    def max_wait_s(self) -> float: ...

    async def __call__(
        self, *, consumer_key: str, access_token: str | None, max_wait_s: float | None = None
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A subscriber's long-lived Netflix access token."""

    token: str
    secret: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class AuthorizedRequestToken:
    """A request token the subscriber approved, signing the one call that trades it."""

    token: str
    secret: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Answer:
    """A successful upstream answer: parsed document and response headers."""

    doc: Doc
    headers: Mapping[str, str]
    status_code: int


@dataclass(frozen=True, slots=True)
class Call:
    """One upstream request, described before it is signed."""

    method: str
    path: str
    params: Params = ()
    form: Params = ()
    security: Security = Security.SIGNED
    # The token of a `PROTECTED` call; an access token's calls are budgeted per token too.
    token: AccessToken | AuthorizedRequestToken | None = None
    callback: str | None = None
    verifier: str | None = None
    subject: str = "resource"
    negotiate: bool = True

    def __post_init__(self) -> None:
        if (self.security is Security.PROTECTED) != (self.token is not None):
            raise ValueError("a call carries a token exactly when it is PROTECTED")


class Upstream:
    """Signs and sends calls to one Netflix-compatible base URL."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        consumer_key: str,
        consumer_secret: str,
        throttle: Throttle | None = None,
        prefer_json: bool = False,
        max_body_bytes: int = 20_000_000,
        clock: Callable[[], float] = time.time,
        metrics: Metrics | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._metrics = metrics
        self._http = http
        self._transport = transport
        self._headers = httpx.Headers(http.headers)
        self._timeout = http.timeout.as_dict()
        self._base = base_url.rstrip("/")
        self._consumer_key = consumer_key
        self._consumer_secret = consumer_secret
        self._throttle = throttle
        self._prefer_json = prefer_json
        self._max_body = max_body_bytes
        self._clock = clock

    @asynccontextmanager
    async def open(
        self, call: Call, *, headers: Mapping[str, str] | None = None
    ) -> AsyncIterator[httpx.Response]:
        """Send a call and yield the streaming response once its status is known to be good.

        An upstream "over queries per second" refusal is back-pressure (another application
        may share the key; the refused call did not count): the call waits for budget again
        and is retried until the throttle's `max_wait_s` since the first refusal is spent.
        """
        deadline: float | None = None
        backoff_s = _FIRST_BACKOFF_S
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            await self._admit(call, max_wait_s=left)
            try:
                response = await self._send(call, headers)
                break
            except UpstreamThrottled:
                if deadline is None:
                    deadline = time.monotonic() + self._back_pressure_s
                if time.monotonic() + backoff_s > deadline:
                    raise
                await asyncio.sleep(backoff_s)
                backoff_s *= 2
        try:
            with _reading_errors(call.subject):
                yield response
        finally:
            await response.aclose()

    @property
    def _back_pressure_s(self) -> float:
        return self._throttle.max_wait_s if self._throttle is not None else 0.0

    async def _admit(self, call: Call, *, max_wait_s: float | None) -> None:
        if self._throttle is not None:
            await self._throttle(
                consumer_key=self._consumer_key,
                access_token=call.token.token if isinstance(call.token, AccessToken) else None,
                max_wait_s=max_wait_s,
            )

    async def _send(self, call: Call, headers: Mapping[str, str] | None) -> httpx.Response:
        """Sign and send; the open response when its status is good, else the service error."""
        params = list(call.params)
        if call.negotiate and self._prefer_json:
            params.append(("output", "json"))
        url = self._base + call.path
        form = dict(call.form)
        sent = self._headers.copy()
        if headers:
            sent.update(headers)
        if call.security is Security.CONSUMER:
            params.append(("oauth_consumer_key", self._consumer_key))
        else:
            # Signed here rather than by an `httpx.Auth`: the parameters are known (no parse
            # of the URL built from them), and httpx's auth flow is skipped for every call.
            credentials = Credentials(
                self._consumer_key,
                self._consumer_secret,
                token=call.token.token if call.token else None,
                token_secret=call.token.secret if call.token else None,
                callback=call.callback,
                verifier=call.verifier,
            )
            signed = sign(
                credentials,
                call.method,
                url,
                [*params, *form.items()],
                timestamp=int(self._clock()),
                nonce=default_nonce(),
            )
            sent["Authorization"] = authorization_header(signed)
        request = httpx.Request(
            call.method,
            url,
            params=tuple(params),
            data=form or None,
            headers=sent,
            extensions={"timeout": self._timeout},
        )
        request_context.count_upstream_call()
        started = time.perf_counter()
        try:
            if self._transport is not None:
                response = await self._transport.handle_async_request(request)
            else:
                response = await self._http.send(request, stream=True)
        except httpx.TimeoutException as exc:
            self._observe(call, "timeout", started)
            raise UpstreamTimeout(f"Netflix did not answer in time ({call.subject})") from exc
        except httpx.HTTPError as exc:
            self._observe(call, "error", started)
            raise BadUpstream("Netflix could not be reached; retry later") from exc
        self._observe(call, str(response.status_code), started)
        if response.status_code < 400:
            return response
        try:
            with _reading_errors(call.subject):
                body = await self._read(response, limit=65_536, truncate=True)
        finally:
            await response.aclose()
        raise_for_status(
            read_status(response.status_code, response.headers, body),
            security=call.security,
            subject=call.subject,
        )

    def _observe(self, call: Call, status: str, started: float) -> None:
        if self._metrics is not None:
            self._metrics.upstream(call.subject, status, time.perf_counter() - started)

    async def _read(self, response: httpx.Response, *, limit: int, truncate: bool = False) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                if truncate:
                    chunks.append(chunk[: len(chunk) - (size - limit)])
                    break
                raise BadUpstream(f"the Netflix answer exceeds {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    async def raw(self, call: Call) -> bytes:
        """A successful answer's body, unparsed (OAuth endpoints answer form-encoded text)."""
        async with self.open(call) as response:
            return await self._read(response, limit=self._max_body)

    async def document(self, call: Call) -> Answer:
        """A successful answer parsed as XML or Netflix JSON, whichever the upstream sent."""
        async with self.open(call) as response:
            body = await self._read(response, limit=self._max_body)
            doc = self.parse(response.headers.get("content-type", ""), body)
            headers, status_code = response.headers, response.status_code
        if doc.tag == "status":
            status = status_from_doc(status_code, doc)
            if status.status_code is not None and status.status_code >= 400:
                raise_for_status(
                    replace(status, http_status=status.status_code),
                    security=call.security,
                    subject=call.subject,
                )
        return Answer(doc, headers, status_code)

    def parse(self, content_type: str, body: bytes) -> Doc:
        """Parse by content type; a body that is neither XML nor JSON is a bad answer."""
        if is_json(content_type, body):
            return parse_json(body, max_bytes=self._max_body)
        if "xml" in content_type.lower() or body.lstrip().startswith(b"<"):
            return parse_xml(body, max_bytes=self._max_body)
        raise BadUpstream(f"Netflix answered an unexpected content type {content_type!r}")
