"""The committed OpenAPI document is current, and /docs documents every endpoint."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx

from service.app import create_app
from service.openapi_export import openapi_document, render
from service.settings import Settings

COMMITTED = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
SNAKE_CASE = r"[a-z][a-z0-9]*(_[a-z0-9]+)*"


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def test_committed_openapi_document_is_current() -> None:
    assert COMMITTED.exists(), "openapi/openapi.json is missing: run `make openapi`"
    assert json.loads(COMMITTED.read_text()) == json.loads(render()), (
        "openapi/openapi.json is stale: run `make openapi` and commit the result"
    )


def test_every_route_is_one_documented_operation() -> None:
    document = openapi_document()
    operations = _operations(document)
    ids = [operation["operationId"] for _, _, operation in operations]
    assert len(ids) == len(set(ids))
    for path, method, operation in operations:
        # Generated clients name their functions after it: a plain snake_case identifier.
        assert re.fullmatch(SNAKE_CASE, operation["operationId"]), (path, method)
        assert operation.get("tags"), (path, method)
        assert operation.get("summary"), (path, method)
        assert operation.get("description"), (path, method)
    for required in (
        "/v1/titles",
        "/v1/titles/autocomplete",
        "/v1/titles/{kind}/{title_id}",
        "/v1/titles/series/{series_id}/seasons/{season_id}",
        "/v1/titles/{kind}/{title_id}/similar",
        "/v1/people",
        "/v1/people/{person_id}",
        "/v1/catalog/index",
        "/v1/auth/start",
        "/v1/auth/callback",
        "/v1/auth/import",
        "/v1/auth/me",
        "/v1/auth/sign-out",
        "/v1/admin/cache/purge",
        "/v1/me",
        "/v1/me/feeds",
        "/v1/me/title-states",
        "/v1/me/rental-history",
        "/v1/me/at-home",
        "/v1/me/ratings",
        "/v1/me/ratings/{kind}/{title_id}",
        "/v1/me/recommendations",
        "/v1/me/queues/{queue}",
        "/v1/me/queues/{queue}/entries",
        "/v1/me/queues/{queue}/entries/{kind}/{title_id}",
        "/v1/me/queues/{queue}/order",
        "/healthz",
        "/readyz",
    ):
        assert required in document["paths"], required


def test_errors_are_declared_as_problem_documents() -> None:
    document = openapi_document()
    for path, method, operation in _operations(document):
        if path.startswith("/v1/"):
            for code in ("422", "502"):
                assert code in operation["responses"], (path, method, code)
    assert "IndexTitle" in document["components"]["schemas"]


def test_budgeted_operations_declare_rate_limit_headers() -> None:
    document = openapi_document()
    assert {"RateLimit", "RateLimit-Policy", "Retry-After"} <= set(
        document["components"]["headers"]
    )
    me = document["paths"]["/v1/me"]["get"]["responses"]
    assert set(me["429"]["headers"]) == {"RateLimit", "RateLimit-Policy", "Retry-After"}
    assert set(me["200"]["headers"]) == {
        "RateLimit",
        "RateLimit-Policy",
        "X-Cache",
        "Cache-Control",
        "ETag",
    }
    for path, method, operation in _operations(document):
        for status, response in operation["responses"].items():
            if status == "429":
                assert "Retry-After" in response["headers"], (path, method)
    assert set(document["paths"]["/healthz"]["get"]["responses"]["200"]["headers"]) == {"ETag"}


async def test_docs_page_and_schema_are_served() -> None:
    app = create_app(Settings.model_construct())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://proxy.test"
    ) as client:
        docs = await client.get("/docs")
        served = await client.get("/openapi.json")
    assert docs.status_code == 200
    assert "/openapi.json" in docs.text
    assert served.json() == openapi_document()


def test_each_operation_declares_the_problems_it_can_answer() -> None:
    """Catalog reads need no session and never conflict; only writes (queues, ratings) answer
    409 (a conflict, or a request with the same Idempotency-Key still in progress)."""
    for path, method, operation in _operations(openapi_document()):
        tag, codes = operation["tags"][0], set(operation["responses"])
        if tag == "catalog":
            assert not codes & {"401", "409", "503"}, (path, method)
        if tag in ("users", "queues"):
            assert "401" in codes, (path, method)
            assert ("409" in codes) == (method != "get"), (path, method)
        if tag in ("catalog", "users", "queues"):
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), (path, method, parameter["name"])
