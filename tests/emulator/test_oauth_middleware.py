"""The layer around every resource: `method=` override, `v=`, and errors as status documents."""

from __future__ import annotations

import orjson
import pytest

from tests.emulator.oauth_helpers import emulator, sign, status_of
from tests.support.oauth import TEST_BASE, asgi_client

BASE = TEST_BASE


@pytest.mark.parametrize(
    ("real", "override"), [("GET", "DELETE"), ("POST", "PUT"), ("GET", "post"), ("POST", "GET")]
)
async def test_method_override_routes_as_the_named_verb(real: str, override: str) -> None:
    async with asgi_client(emulator()) as client:
        response = await client.send(sign(real, f"{BASE}/probe/signed?method={override}"))
    assert response.status_code == 200, response.text
    assert response.json()["method"] == override.upper()


async def test_override_is_signed_with_the_real_method() -> None:
    signed_as_delete = sign("DELETE", f"{BASE}/probe/signed?method=DELETE")
    async with asgi_client(emulator()) as client:
        response = await client.get(
            "/probe/signed?method=DELETE",
            headers={"Authorization": signed_as_delete.headers["Authorization"]},
        )
    assert status_of(response) == (401, "Invalid Signature")


async def test_unknown_override_is_a_bad_request() -> None:
    async with asgi_client(emulator()) as client:
        response = await client.send(sign("GET", f"{BASE}/probe/signed?method=PATCH"))
    assert status_of(response) == (400, "method is invalid")


async def test_override_only_applies_to_get_and_post() -> None:
    async with asgi_client(emulator()) as client:
        response = await client.send(sign("PUT", f"{BASE}/probe/signed?method=DELETE"))
    assert response.json()["method"] == "PUT"


@pytest.mark.parametrize("version", ["1.0", "1.5"])
async def test_versions_one_and_one_five_are_served(version: str) -> None:
    async with asgi_client(emulator()) as client:
        response = await client.send(sign("GET", f"{BASE}/probe/signed?v={version}"))
    assert response.status_code == 200


async def test_other_versions_are_refused() -> None:
    async with asgi_client(emulator()) as client:
        response = await client.send(sign("GET", f"{BASE}/probe/signed?v=2.0"))
    assert status_of(response) == (400, "v is invalid")


@pytest.mark.parametrize(
    "path",
    [
        "/no/such/thing",
        "/catalog/titlez",
        "/oauth/request_token/x",
        "/oauth/request_token/",
        "/catalog/people/",
        "/catalog/titles/movies/60001220/",
    ],
)
async def test_unknown_paths_are_404_status_documents(path: str) -> None:
    async with asgi_client(emulator()) as client:
        response = await client.get(path)
    assert status_of(response) == (404, "Resource not found")
    assert response.headers["content-type"].startswith("application/xml")


async def test_errors_honour_output_json() -> None:
    async with asgi_client(emulator()) as client:
        response = await client.get("/no/such/thing", params={"output": "json"})
    assert response.status_code == 404
    assert orjson.loads(response.content) == {
        "status": {"status_code": "404", "message": "Resource not found"}
    }


async def test_wrong_method_is_a_status_document() -> None:
    async with asgi_client(emulator()) as client:
        response = await client.delete("/oauth/request_token")
    assert status_of(response)[0] == 405
