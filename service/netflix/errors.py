"""Upstream failures -> the service's error tree, in one place.

Netflix answered errors as `status` documents (XML, or JSON with `output=json`) mirroring the
HTTP code, with an optional `sub_code`; the gateway in front of it (Mashery) answered some
failures itself as `text/plain` with an `X-Mashery-Error-Code` header. Both are read here and
raised as `service.errors` classes; raw status codes never leave `service.netflix`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NoReturn

from service.errors import (
    AlreadyInQueue,
    BadUpstream,
    Conflict,
    InvalidInput,
    InvalidSession,
    NotFound,
    RateLimited,
    ServiceError,
    StaleEtag,
    UnknownTitle,
    UpstreamThrottled,
    UpstreamTimeout,
)
from service.netflix.document import Doc
from service.netflix.netflix_json import is_json, parse_json
from service.netflix.normalize.common import to_int
from service.netflix.signing import Security
from service.netflix.xml import parse_xml

SUB_NOT_IN_QUEUE = 610
SUB_ALREADY_IN_QUEUE = 710
SUB_TITLE_NOT_FOUND = 130
SUB_MAX_RESULTS = 120
QUEUE_CONFLICTS = {
    620: "the title is saved and cannot be moved",
    650: "the queue is too large",
    660: "invalid title format",
    690: "the title is currently at home",
}
_MAX_ERROR_BODY = 65_536
_DAY_S = 86_400


@dataclass(frozen=True, slots=True)
class UpstreamStatus:
    """What an error answer said: HTTP code, Netflix sub_code and message, gateway code."""

    http_status: int
    status_code: int | None
    sub_code: int | None
    message: str
    gateway_code: str | None = None


def status_from_doc(http_status: int, doc: Doc) -> UpstreamStatus:
    """Read a `status` document (any root is tolerated: the message is then the text)."""
    return UpstreamStatus(
        http_status=http_status,
        status_code=to_int(doc.child_text("status_code")),
        sub_code=to_int(doc.child_text("sub_code")),
        message=(doc.child_text("message") or doc.text()).strip(),
    )


def read_status(http_status: int, headers: Mapping[str, str], body: bytes) -> UpstreamStatus:
    """Understand an error answer whatever its format; never raises on a malformed body."""
    gateway = headers.get("x-mashery-error-code") or headers.get("X-Mashery-Error-Code")
    content_type = (headers.get("content-type") or headers.get("Content-Type") or "").lower()
    body = body[:_MAX_ERROR_BODY]
    doc: Doc | None = None
    try:
        if is_json(content_type, body):
            doc = parse_json(body, max_bytes=_MAX_ERROR_BODY)
        elif "xml" in content_type or body.lstrip().startswith(b"<"):
            doc = parse_xml(body, max_bytes=_MAX_ERROR_BODY)
    except ServiceError:
        doc = None
    if doc is not None:
        status = status_from_doc(http_status, doc)
        return UpstreamStatus(
            status.http_status, status.status_code, status.sub_code, status.message, gateway
        )
    text = body.decode("utf-8", "replace").strip()[:300]
    return UpstreamStatus(http_status, None, None, text, gateway)


def _rate_limit(status: UpstreamStatus) -> RateLimited | None:
    text = f"{status.message} {status.gateway_code or ''}".lower()
    if "over_qps" in text or "queries per second" in text:
        return UpstreamThrottled(
            "the Netflix per-second request limit was reached",
            retry_after=1,
            upstream_status=status.http_status,
        )
    if "over_rate" in text or "per day" in text or "rate limit" in text:
        # The daily count restarts at the next UTC midnight (as the emulator counts days).
        return RateLimited(
            "the Netflix daily request limit was reached",
            retry_after=_DAY_S - time.time() % _DAY_S,
            upstream_status=status.http_status,
        )
    return None


def _clock_skew(status: UpstreamStatus) -> bool:
    """The gateway's "Timestamp Is Invalid": the signed timestamp is off, i.e. the clock is."""
    return "timestamp" in status.message.lower() or "TIMESTAMP" in (status.gateway_code or "")


def raise_for_status(
    status: UpstreamStatus, *, security: Security, subject: str = "resource"
) -> NoReturn:
    """Raise the service error for an upstream error answer.

    `security` is the call's level: on a `PROTECTED` call a 401 means the token that signed
    it was rejected; `subject` names what was asked for, for the detail.
    """
    code, sub = status.http_status, status.sub_code

    def err(cls: type[ServiceError], detail: str) -> ServiceError:
        return cls(detail, upstream_status=code, upstream_sub_code=sub)

    said = f" (Netflix said: {status.message})" if status.message else ""
    if code in (403, 420, 429):
        limited = _rate_limit(status)
        if limited is not None or code != 403:
            raise limited or RateLimited(
                f"Netflix rate limit{said}", retry_after=1, upstream_status=code
            )
    if code == 401:
        if _clock_skew(status):
            raise err(
                BadUpstream,
                "Netflix refused the request's timestamp: this host's clock differs too much "
                "from the upstream's; the operator must synchronize it (NTP). Retrying will "
                "not help until then",
            )
        if security is Security.PROTECTED and "consumer" not in status.message.lower():
            token = "request token" if subject == "request token" else "access token"
            raise err(InvalidSession, f"the Netflix {token} was rejected{said}")
        raise err(BadUpstream, f"Netflix rejected the proxy's consumer credentials{said}")
    if code == 403:
        raise err(BadUpstream, f"Netflix refused the request{said}")
    if code == 404:
        if sub == SUB_NOT_IN_QUEUE:
            raise err(NotFound, "the title is not in the queue")
        raise err(NotFound, f"{subject} not found")
    if code == 412:
        if sub == SUB_ALREADY_IN_QUEUE:
            raise err(AlreadyInQueue, "the title is already in the queue")
        raise err(StaleEtag, f"the queue changed meanwhile{said}")
    if code == 400:
        if sub == SUB_TITLE_NOT_FOUND:
            raise err(UnknownTitle, "title not found or not available")
        if sub in QUEUE_CONFLICTS:
            raise err(Conflict, QUEUE_CONFLICTS[sub])
        if "title_refs" in status.message:
            # The proxy checked the refs' shape: Netflix does not know one of the titles.
            raise err(UnknownTitle, f"Netflix does not know one of the titles{said}")
        if "title_ref" in status.message:
            raise err(UnknownTitle, f"Netflix does not know the title{said}")
        raise err(InvalidInput, f"Netflix refused the parameters{said}")
    if code in (408, 504):
        raise err(UpstreamTimeout, f"Netflix timed out{said}")
    raise err(BadUpstream, f"Netflix answered HTTP {code}{said}")
