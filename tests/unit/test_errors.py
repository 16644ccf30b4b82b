"""The error tree and its problem+json answers."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI, Query

from service.errors import (
    PROBLEM_BASE,
    PROBLEM_MEDIA_TYPE,
    PROBLEM_RESPONSES,
    AlreadyInQueue,
    BadUpstream,
    Conflict,
    Forbidden,
    InvalidInput,
    InvalidSession,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    RequestTimeout,
    ServiceError,
    SignInPending,
    StaleEtag,
    StoreUnavailable,
    UnknownTitle,
    UpstreamTimeout,
    install_error_handlers,
    problem_response,
    problem_responses,
)


@pytest.mark.parametrize(
    ("error", "status", "slug"),
    [
        (InvalidSession("x"), 401, "invalid-session"),
        (Forbidden("x"), 403, "forbidden"),
        (NotFound("x"), 404, "not-found"),
        (UnknownTitle("x"), 404, "unknown-title"),
        (Conflict("x"), 409, "conflict"),
        (AlreadyInQueue("x"), 409, "already-in-queue"),
        (StaleEtag("x"), 409, "stale-etag"),
        (InvalidInput("x"), 422, "invalid-input"),
        (RequestTimeout("x"), 408, "request-timeout"),
        (PayloadTooLarge("x"), 413, "payload-too-large"),
        (SignInPending("x"), 409, "sign-in-pending"),
        (RateLimited("x", retry_after=1), 429, "rate-limited"),
        (BadUpstream("x"), 502, "bad-upstream"),
        (StoreUnavailable("x"), 503, "store-unavailable"),
        (UpstreamTimeout("x"), 504, "upstream-timeout"),
        (ServiceError("x"), 500, "internal-error"),
    ],
)
def test_each_error_has_its_status_and_type(error: ServiceError, status: int, slug: str) -> None:
    response = problem_response(error)
    body = orjson.loads(response.body)
    assert response.status_code == status
    assert response.media_type == PROBLEM_MEDIA_TYPE
    assert body == {
        "type": PROBLEM_BASE + slug,
        "title": error.title,
        "status": status,
        "detail": "x",
    }


def test_upstream_codes_appear_in_the_document() -> None:
    error = AlreadyInQueue("Title is already in queue", upstream_status=412, upstream_sub_code=710)
    body = orjson.loads(problem_response(error).body)
    assert (body["status"], body["status_code"], body["sub_code"]) == (409, 412, 710)
    assert isinstance(error, Conflict)


@pytest.mark.parametrize(
    ("retry_after", "header"), [(0.2, "1"), (2.0, "2"), (2.01, "3"), (-5, "1")]
)
def test_rate_limited_sets_retry_after(retry_after: float, header: str) -> None:
    error = RateLimited("slow down", retry_after=retry_after)
    assert problem_response(error).headers["Retry-After"] == header
    assert error.retry_after >= 0


def test_invalid_session_asks_for_a_bearer_token() -> None:
    assert problem_response(InvalidSession("no")).headers["WWW-Authenticate"] == "Bearer"


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/fail/{kind}", responses=problem_responses(404, 429))
    async def fail(kind: str) -> dict[str, str]:
        if kind == "missing":
            raise NotFound("no such title", upstream_status=404)
        if kind == "limited":
            raise RateLimited("budget spent", retry_after=1.5)
        if kind == "bug":
            raise RuntimeError("secret=hunter2 leaked in a bug")
        return {"kind": kind}

    @app.get("/numbers", responses=PROBLEM_RESPONSES)
    async def numbers(count: int = Query(ge=1), token: str = Query()) -> dict[str, int]:
        return {"count": count}

    return app


async def _get(app: FastAPI, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path)


async def test_service_errors_become_problem_documents() -> None:
    response = await _get(_app(), "/fail/missing")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json()["detail"] == "no such title"
    limited = await _get(_app(), "/fail/limited")
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "2")


async def test_validation_errors_are_422_without_the_values() -> None:
    response = await _get(_app(), "/numbers?count=0&token=s3cr3t-value")
    body: dict[str, Any] = response.json()
    assert response.status_code == 422
    assert body["type"] == PROBLEM_BASE + "invalid-input"
    assert body["errors"][0]["loc"] == ["query", "count"]
    assert "s3cr3t-value" not in response.text
    assert body["detail"] == "Invalid input: count: must be at least 1"
    assert body["errors"][0]["msg"] == "must be at least 1"


async def test_unknown_routes_and_methods_are_problem_documents() -> None:
    missing = await _get(_app(), "/nowhere")
    assert (missing.status_code, missing.json()["type"]) == (404, PROBLEM_BASE + "not-found")
    assert missing.headers["content-type"] == PROBLEM_MEDIA_TYPE
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        wrong = await client.delete("/numbers")
    assert (wrong.status_code, wrong.json()["status"]) == (405, 405)
    assert wrong.headers["allow"] == "GET"


async def test_unexpected_errors_are_500_without_internals() -> None:
    response = await _get(_app(), "/fail/bug")
    assert response.status_code == 500
    assert response.json()["type"] == PROBLEM_BASE + "internal-error"
    assert "hunter2" not in response.text


def test_openapi_declares_problem_documents() -> None:
    schema = _app().openapi()
    assert "Problem" in schema["components"]["schemas"]
    responses = schema["paths"]["/fail/{kind}"]["get"]["responses"]
    assert set(responses) >= {"404", "429"}
    assert responses["404"]["content"][PROBLEM_MEDIA_TYPE]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    assert set(schema["paths"]["/numbers"]["get"]["responses"]) >= {
        "401",
        "403",
        "404",
        "409",
        "422",
        "429",
        "502",
        "503",
        "504",
    }


def test_problem_responses_refuse_unknown_statuses() -> None:
    with pytest.raises(ValueError, match="418"):
        problem_responses(418)
