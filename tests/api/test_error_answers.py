"""Errors that explain without exposing: malformed bodies, field messages, 405, slashes, streams."""

from __future__ import annotations

from collections.abc import AsyncIterator

import orjson
import pytest

from emulator import EmulatorConfig
from emulator.config import FaultConfig
from tests.support.proxy import CATALOG_SIZE, Proxy, running_proxy

ADMIN_TOKEN = "an-admin-token-for-tests-only"
JURASSIC_PARK = "movies/60020435"
INTERNALS = ("JSON decode error", "constrained-int", "literal[", "Expecting", "body.", "pydantic")


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[Proxy]:
    async with running_proxy(redis_url, admin_token=ADMIN_TOKEN) as running:
        yield running


def assert_readable_422(text: str, status: int) -> None:
    assert status == 422, text
    for internal in INTERNALS:
        assert internal not in text, internal


async def test_malformed_json_is_the_same_422_on_every_endpoint(proxy: Proxy) -> None:
    session, _ = await proxy.sign_in()
    user = {"Authorization": f"Bearer {session}"}
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    targets = [
        ("POST", "/v1/auth/start", {}),
        ("POST", "/v1/auth/import", {}),
        ("POST", "/v1/auth/session", {}),
        ("PUT", f"/v1/me/ratings/{JURASSIC_PARK}", user),
        ("POST", "/v1/me/queues/disc/entries", user),
        ("POST", "/v1/admin/cache/purge", admin),
    ]
    for body in (b'{"access_token": "t",', b"\xff\xfe not utf-8"):
        for method, path, headers in targets:
            answer = await proxy.client.request(
                method, path, content=body, headers={**headers, "Content-Type": "application/json"}
            )
            assert_readable_422(answer.text, answer.status_code)
            problem = answer.json()
            assert problem["type"].endswith("/invalid-input"), (path, problem)
            assert problem["detail"].startswith("Invalid input: body: is not valid JSON"), path


async def test_a_bad_rating_says_what_a_rating_is(proxy: Proxy) -> None:
    session, _ = await proxy.sign_in()
    for value in (7, "x", 2.5, None):
        answer = await proxy.client.put(
            f"/v1/me/ratings/{JURASSIC_PARK}",
            json={"rating": value},
            headers={"Authorization": f"Bearer {session}"},
        )
        assert_readable_422(answer.text, answer.status_code)
        problem = answer.json()
        expected = 'rating: must be an integer from 1 to 5 or "not_interested"'
        assert problem["detail"] == f"Invalid input: {expected}", value
        assert problem["errors"] == [
            {
                "loc": ["body", "rating"],
                "msg": 'must be an integer from 1 to 5 or "not_interested"',
                "type": "rating",
            }
        ]


async def test_each_invalid_field_is_listed_with_a_human_message(proxy: Proxy) -> None:
    answer = await proxy.client.post("/v1/auth/import", json={"access_token": "", "surprise": 1})
    assert_readable_422(answer.text, answer.status_code)
    messages = {".".join(map(str, e["loc"])): e["msg"] for e in answer.json()["errors"]}
    assert messages == {
        "body.access_token": "must be at least 1 characters long",
        "body.access_token_secret": "is required",
        "body.surprise": "is not a known field",
    }
    search = await proxy.client.get("/v1/titles", params={"term": "x", "page_size": "many"})
    assert_readable_422(search.text, search.status_code)
    assert search.json()["detail"] == "Invalid input: page_size: must be an integer"


async def test_405_names_every_method_the_path_allows(proxy: Proxy) -> None:
    answer = await proxy.client.delete("/v1/auth/start")
    assert answer.status_code == 405, answer.text
    assert answer.headers["allow"] == "GET, POST"
    assert answer.headers["content-type"].startswith("application/problem+json")
    title = await proxy.client.post(f"/v1/titles/{JURASSIC_PARK}")
    assert (title.status_code, title.headers["allow"]) == (405, "GET")


async def test_a_trailing_slash_is_404_and_never_a_redirect_built_from_host(proxy: Proxy) -> None:
    answer = await proxy.client.get("/v1/titles/", headers={"Host": "evil.example"})
    assert answer.status_code == 404, answer.text
    assert "location" not in answer.headers
    assert "evil.example" not in answer.text
    assert "slash" in answer.json()["detail"]


async def test_a_failure_in_the_middle_of_the_index_ends_with_an_error_record(
    redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    cut_short = EmulatorConfig(
        catalog_size=CATALOG_SIZE, rate_limits=False, faults=FaultConfig(truncated_rate=1.0)
    )
    async with running_proxy(redis_url, emulator_config=cut_short) as proxy:
        answer = await proxy.client.get("/v1/catalog/index")
    assert answer.status_code == 200
    lines = answer.content.splitlines()
    assert len(lines) > 1
    last = orjson.loads(lines[-1])
    assert set(last) == {"error"}
    assert last["error"]["status"] == 502
    assert last["error"]["type"].endswith("/bad-upstream")
    for line in lines[:-1]:
        assert "error" not in orjson.loads(line)
    warnings = [r for r in caplog.records if "index stream" in r.getMessage()]
    assert [r.levelname for r in warnings] == ["WARNING"]


async def test_upstream_failures_say_what_happened_without_library_names(
    proxy: Proxy, redis_url: str
) -> None:
    proxy.upstream.down = True
    unreachable = await proxy.client.get("/v1/titles", params={"term": "unreachable"})
    assert unreachable.status_code == 502, unreachable.text
    assert unreachable.json()["detail"] == "Netflix could not be reached; retry later"
    garbled = EmulatorConfig(
        catalog_size=CATALOG_SIZE, rate_limits=False, faults=FaultConfig(malformed_rate=1.0)
    )
    async with running_proxy(redis_url, emulator_config=garbled) as broken:
        answer = await broken.client.get("/v1/titles", params={"term": "garbled"})
    assert answer.status_code == 502, answer.text
    assert answer.json()["detail"].startswith("the upstream sent malformed")
    for internal in ("Error", "line ", "column", "lxml", "orjson"):
        assert internal not in answer.json()["detail"], internal
