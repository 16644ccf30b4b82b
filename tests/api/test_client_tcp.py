"""NetflixClient over real HTTP to an emulator process: gzip index, drops, timeouts."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from service.app import create_app
from service.errors import BadUpstream, UpstreamTimeout
from service.settings import Settings
from tests.support.emulator_client import emulator_client
from tests.support.proxy import PROXY_BASE
from tests.support.servers import free_port, python_server
from tests.support.store_backends import TEST_FERNET_KEY

pytestmark = pytest.mark.integration


def _serve(*flags: str) -> Iterator[str]:
    port = free_port()
    args = ["emulator", "--port", str(port), "--catalog-size", "300", "--no-rate-limits", *flags]
    with python_server(args, port):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def healthy() -> Iterator[str]:
    yield from _serve()


@pytest.fixture(scope="module")
def dropping() -> Iterator[str]:
    yield from _serve("--fault-drop-rate", "1.0")


@pytest.fixture(scope="module")
def slow() -> Iterator[str]:
    yield from _serve("--fault-latency-ms", "1500")


async def test_plain_http_catalog_calls_and_gzip_index(healthy: str) -> None:
    encodings: dict[str, str | None] = {}

    async def record(response: httpx.Response) -> None:
        encodings[response.url.path] = response.headers.get("content-encoding")

    async with httpx.AsyncClient(event_hooks={"response": [record]}) as http:
        client = emulator_client(http, healthy)
        page = await client.search_titles("the", max_results=5)
        assert page.items
        count = 0
        async for _ in client.stream_catalog_index():
            count += 1
        assert count == 300
    assert encodings["/catalog/titles/index"] == "gzip"


async def test_dropped_connections_are_bad_upstream(dropping: str) -> None:
    async with httpx.AsyncClient() as http:
        with pytest.raises(BadUpstream):
            await emulator_client(http, dropping).search_titles("the")


async def test_slow_upstream_is_a_timeout(slow: str) -> None:
    async with httpx.AsyncClient(timeout=httpx.Timeout(0.3)) as http:
        with pytest.raises(UpstreamTimeout):
            await emulator_client(http, slow).autocomplete("th")


async def test_the_app_routes_upstream_calls_through_a_proxy_the_environment_names(
    healthy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Upstream calls skip the client's layers, but not a proxy set in the environment."""
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(
        upstream_base_url=healthy, public_url=PROXY_BASE, token_encryption_key=TEST_FERNET_KEY
    )

    async def search() -> int:
        app = create_app(settings)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url=PROXY_BASE
            ) as client,
        ):
            answer = await client.get("/v1/titles", params={"term": "the"})
            return answer.status_code

    assert await search() == 200
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")  # nothing listens
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{free_port()}")
    assert await search() == 502
