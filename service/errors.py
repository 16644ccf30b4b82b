"""The service's error tree, and the one place where errors become HTTP responses.

Every failure a client can see is one of these classes, answered as an RFC 9457
`application/problem+json` document whose `type` is `PROBLEM_BASE` + the class slug::

    ServiceError                 500 internal-error    (base; also any unexpected exception)
    ├── InvalidSession           401 invalid-session   missing, unknown or expired bearer token
    ├── Forbidden                403 forbidden         admin endpoint without the admin token
    ├── NotFound                 404 not-found         unknown title, person, entry or route
    ├── RequestTimeout           408 request-timeout   the request body came too slowly
    ├── Conflict                 409 conflict          the queue kept changing under us
    │   ├── AlreadyInQueue       409 already-in-queue  upstream 412 with sub_code 710
    │   ├── StaleEtag            409 stale-etag        upstream 412 otherwise (retried inside)
    │   └── SignInPending        409 sign-in-pending   the subscriber is still at the login page
    ├── PayloadTooLarge          413 payload-too-large the request body is over the limit
    ├── InvalidInput             422 invalid-input     bad parameters, refs or bodies (also
    │                                                  malformed JSON: one status for all)
    ├── RateLimited              429 rate-limited      upstream budget spent (sets Retry-After)
    │   └── UpstreamThrottled    429 rate-limited      upstream over its per-second limit (retried)
    ├── BadUpstream              502 bad-upstream      upstream error or unreadable answer
    ├── StoreUnavailable         503 store-unavailable Redis down while it is required
    ├── QueueBusy                503 queue-busy        no turn to write the queue in time
    └── UpstreamTimeout          504 upstream-timeout  upstream too slow or unreachable

`upstream_status` / `upstream_sub_code` carry Netflix's `status_code` / `sub_code` when the
error came from upstream; they appear in the document as `status_code` and `sub_code`.
Details are written for clients: never put secrets, tokens or signatures in them.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any, ClassVar

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from service.field_errors import describe, summary
from service.openapi_components import declare_component
from service.request_context import current_request_id

PROBLEM_BASE = "https://netflix-proxy.example/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"

_log = logging.getLogger(__name__)


class ServiceError(Exception):
    """Base of every error the service answers with; unexpected exceptions map to it too."""

    status: int = 500
    slug: str = "internal-error"
    title: str = "Internal error"
    default_headers: ClassVar[Mapping[str, str]] = {}  # sent unless `headers` overrides them

    def __init__(
        self,
        detail: str,
        *,
        upstream_status: int | None = None,
        upstream_sub_code: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.upstream_status = upstream_status
        self.upstream_sub_code = upstream_sub_code
        self.headers: dict[str, str] = {**self.default_headers, **(headers or {})}

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.detail!r}, "
            f"upstream_status={self.upstream_status!r}, "
            f"upstream_sub_code={self.upstream_sub_code!r})"
        )


class InvalidSession(ServiceError):  # noqa: N818 - names are the public contract
    """The bearer token is missing, malformed, unknown, expired or revoked."""

    status = 401
    slug = "invalid-session"
    title = "Invalid session"
    default_headers: ClassVar[Mapping[str, str]] = {"WWW-Authenticate": "Bearer"}


class Forbidden(ServiceError):  # noqa: N818 - names are the public contract
    """The caller may not use this endpoint (admin endpoints without the admin token)."""

    status = 403
    slug = "forbidden"
    title = "Forbidden"


class NotFound(ServiceError):  # noqa: N818 - names are the public contract
    """The resource does not exist (upstream or here)."""

    status = 404
    slug = "not-found"
    title = "Not found"


class UnknownTitle(NotFound):
    """Netflix does not know the title (or no longer offers it)."""

    slug = "unknown-title"
    title = "Unknown title"


class RequestTimeout(ServiceError):  # noqa: N818 - names are the public contract
    """The client did not send its request body in time (`NFX_BODY_TIMEOUT_S`)."""

    status = 408
    slug = "request-timeout"
    title = "Request timeout"
    default_headers: ClassVar[Mapping[str, str]] = {"Connection": "close"}


class PayloadTooLarge(ServiceError):  # noqa: N818 - names are the public contract
    """The request body is larger than `NFX_MAX_BODY_BYTES`."""

    status = 413
    slug = "payload-too-large"
    title = "Payload too large"
    default_headers: ClassVar[Mapping[str, str]] = {"Connection": "close"}


class Conflict(ServiceError):  # noqa: N818 - names are the public contract
    """The request collides with concurrent state; retrying later may succeed."""

    status = 409
    slug = "conflict"
    title = "Conflict"


class AlreadyInQueue(Conflict):
    """The title is already in the queue (upstream 412, sub_code 710)."""

    slug = "already-in-queue"
    title = "Already in queue"


class StaleEtag(Conflict):
    """The queue changed since its etag was read; the queue use case re-reads and retries."""

    slug = "stale-etag"
    title = "Queue changed"


class SignInPending(Conflict):
    """An app claims a sign-in whose callback has not come yet; it may retry shortly."""

    slug = "sign-in-pending"
    title = "Sign-in not finished"
    default_headers: ClassVar[Mapping[str, str]] = {"Retry-After": "2"}


class InvalidInput(ServiceError):  # noqa: N818 - names are the public contract
    """A parameter, ref or body is invalid."""

    status = 422
    slug = "invalid-input"
    title = "Invalid input"


class RateLimited(ServiceError):  # noqa: N818 - names are the public contract
    """The upstream budget is spent; `retry_after` says when to try again (seconds)."""

    status = 429
    slug = "rate-limited"
    title = "Rate limited"

    def __init__(
        self,
        detail: str,
        *,
        retry_after: float,
        upstream_status: int | None = None,
        upstream_sub_code: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.retry_after = max(0.0, float(retry_after))
        super().__init__(
            detail,
            upstream_status=upstream_status,
            upstream_sub_code=upstream_sub_code,
            headers={**(headers or {}), "Retry-After": str(max(1, math.ceil(self.retry_after)))},
        )


class UpstreamThrottled(RateLimited):
    """The upstream refused a call as over its per-second limit (another application may share
    the key); the upstream client waits and retries it within `NFX_BUDGET_MAX_WAIT_S` first."""


class BadUpstream(ServiceError):  # noqa: N818 - names are the public contract
    """The upstream failed or answered something unreadable."""

    status = 502
    slug = "bad-upstream"
    title = "Bad upstream response"


class StoreUnavailable(ServiceError):  # noqa: N818 - names are the public contract
    """Redis is unreachable while the operation needs it (sessions, queue writes)."""

    status = 503
    slug = "store-unavailable"
    title = "Store unavailable"


class QueueBusy(ServiceError):  # noqa: N818 - names are the public contract
    """Other writes of the queue came first and held it past the wait bound: retry later."""

    status = 503
    slug = "queue-busy"
    title = "Queue busy"
    default_headers: ClassVar[Mapping[str, str]] = {"Retry-After": "1"}


class UpstreamTimeout(ServiceError):  # noqa: N818 - names are the public contract
    """The upstream did not answer in time, or could not be reached."""

    status = 504
    slug = "upstream-timeout"
    title = "Upstream timeout"


class FieldError(BaseModel):
    """One invalid input: where it was and what is wrong (never the value itself)."""

    loc: list[str | int] = Field(description="Path of the input, e.g. ['query', 'term'].")
    msg: str = Field(description="What is wrong with it.")
    type: str = Field(description="Machine-readable error type.")


class Problem(BaseModel):
    """An RFC 9457 problem document, the body of every error answer."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "type": PROBLEM_BASE + "not-found",
                "title": "Not found",
                "status": 404,
                "detail": "Title movies/1 not found",
                "status_code": 404,
                "sub_code": None,
                "request_id": "4f1c2a9e0b7d4e5f8a6b3c2d1e0f9a8b",
            }
        }
    )

    type: str = Field(description="URI naming the kind of problem.")
    title: str = Field(description="Short, constant summary of the kind of problem.")
    status: int = Field(description="HTTP status of this answer.")
    detail: str = Field(description="What went wrong with this request.")
    status_code: int | None = Field(None, description="Upstream HTTP status, if upstream failed.")
    sub_code: int | None = Field(None, description="Upstream Netflix sub_code, if any.")
    errors: list[FieldError] | None = Field(None, description="Invalid inputs (422 only).")
    request_id: str | None = Field(
        None,
        description="The id of the request (its `X-Request-ID` header): the client's when it "
        "sent an acceptable one, else made by the proxy. Quote it when reporting a problem.",
    )


def _problem_body(status: int, slug: str, title: str, detail: str, **extra: Any) -> bytes:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    body.update({key: value for key, value in extra.items() if value is not None})
    request_id = current_request_id()
    if request_id is not None:
        body["request_id"] = request_id
    return orjson.dumps(body)


def problem_json(exc: ServiceError) -> bytes:
    """The problem document of a service error, as JSON bytes."""
    return _problem_body(
        exc.status,
        exc.slug,
        exc.title,
        exc.detail,
        status_code=exc.upstream_status,
        sub_code=exc.upstream_sub_code,
    )


def problem_response(exc: ServiceError) -> Response:
    """The problem+json answer for a service error, with its headers (e.g. Retry-After)."""
    return Response(
        problem_json(exc),
        status_code=exc.status,
        headers=exc.headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def _validation_response(exc: RequestValidationError) -> Response:
    problems = describe(exc.errors())
    errors = [
        {"loc": list(problem.loc), "msg": problem.msg, "type": problem.type} for problem in problems
    ]
    body = _problem_body(
        InvalidInput.status, InvalidInput.slug, InvalidInput.title, summary(problems), errors=errors
    )
    return Response(body, status_code=InvalidInput.status, media_type=PROBLEM_MEDIA_TYPE)


# FastAPI's answer when a body cannot even be decoded (e.g. not UTF-8): answered as the
# malformed JSON it is, with the same status as every other invalid body.
_UNREADABLE_BODY = "There was an error parsing the body"


_HTTP_SLUGS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    401: (InvalidSession.slug, InvalidSession.title),
    403: (Forbidden.slug, Forbidden.title),
    404: (NotFound.slug, NotFound.title),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    413: ("payload-too-large", "Payload too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
}


def _http_response(request: Request, exc: StarletteHTTPException) -> Response:
    if exc.status_code < 400:  # e.g. 304 raised by a handler: no body allowed
        return Response(status_code=exc.status_code, headers=exc.headers)
    if exc.status_code == 400 and exc.detail == _UNREADABLE_BODY:
        return problem_response(InvalidInput("Invalid input: body: is not valid JSON (UTF-8)"))
    slug, title = _HTTP_SLUGS.get(exc.status_code, ("http-error", "HTTP error"))
    detail = exc.detail if isinstance(exc.detail, str) else title
    headers = dict(exc.headers or {})
    if exc.status_code == 404 and detail == "Not Found":
        detail = "No such resource"
        if request.url.path.endswith("/") and request.url.path != "/":
            detail += " (paths never end with a slash)"
    if exc.status_code == 405:
        allowed = allowed_methods(request.app, request.scope)
        headers["Allow"] = ", ".join(allowed)
        detail = f"{request.method} is not allowed here; use {' or '.join(allowed)}"
    body = _problem_body(exc.status_code, slug, title, detail)
    return Response(
        body, status_code=exc.status_code, headers=headers, media_type=PROBLEM_MEDIA_TYPE
    )


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(app: Any, scope: Mapping[str, Any]) -> list[str]:
    """Every method some route of `app` answers on this path, in the usual order.

    Starlette's own `Allow` names only the first route matching the path, while a path such
    as `/v1/auth/start` has one route per method; so each method is tried against the router.
    """
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**scope, "method": method})[0] is Match.FULL
            for route in app.router.routes
        )
    ]


async def _on_service_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    if exc.status >= 500:
        _log.warning("%s %s -> %s: %s", request.method, request.url.path, exc.status, exc.detail)
    return problem_response(exc)


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return _validation_response(exc)


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return _http_response(request, exc)


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    _log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(ServiceError("The proxy failed unexpectedly"))


def install_error_handlers(app: FastAPI) -> None:
    """Map every error to problem+json on `app`, and declare `Problem` in its OpenAPI.

    Covers `ServiceError` and subclasses, request validation (422), Starlette HTTP errors
    such as unknown routes (404) and wrong methods (405), and anything unexpected (500,
    without internals in the answer).
    """
    app.add_exception_handler(ServiceError, _on_service_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)
    declare_component(app, Problem)  # `PROBLEM_RESPONSES` refer to it


_ALL_ERRORS: tuple[type[ServiceError], ...] = (
    InvalidSession,
    Forbidden,
    NotFound,
    RequestTimeout,
    Conflict,
    PayloadTooLarge,
    InvalidInput,
    RateLimited,
    BadUpstream,
    StoreUnavailable,
    UpstreamTimeout,
)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries (problem+json) for the given statuses, all when none."""
    wanted = set(statuses) or {cls.status for cls in _ALL_ERRORS}
    unknown = wanted - {cls.status for cls in _ALL_ERRORS}
    if unknown:
        raise ValueError(f"no service error has status {sorted(unknown)}")
    responses: dict[int | str, dict[str, Any]] = {}
    for cls in _ALL_ERRORS:
        if cls.status in wanted:
            responses[cls.status] = {
                "description": cls.title,
                "content": {
                    PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
                },
            }
    return responses


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = problem_responses()
