"""How the client fails: emulator faults, rate limits, throttling and transport errors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from emulator import create_emulator
from emulator.config import DEMO_CONSUMER_KEY, FaultConfig
from service.errors import BadUpstream, RateLimited, ServiceError, UpstreamTimeout
from service.netflix.client import AccessToken, NetflixClient
from service.store.sessions import Session
from tests.support.emulator_client import REF_BASE, emulator_client, upstream_config


@pytest.fixture
async def faulty() -> AsyncIterator[Callable[..., NetflixClient]]:
    clients: list[httpx.AsyncClient] = []

    def make(faults: FaultConfig, **options: Any) -> NetflixClient:
        app = create_emulator(upstream_config(faults=faults))
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
        clients.append(http)
        return emulator_client(http, **options)

    yield make
    for http in clients:
        await http.aclose()


@pytest.mark.parametrize("prefer_json", [False, True], ids=["xml", "json"])
@pytest.mark.parametrize(
    "faults",
    [
        FaultConfig(malformed_rate=1.0),
        FaultConfig(truncated_rate=1.0),
        FaultConfig(error_rate=1.0),
        FaultConfig(gateway_error_rate=1.0),
    ],
    ids=["malformed", "truncated", "error", "gateway"],
)
async def test_upstream_faults_are_bad_upstream(
    faulty: Callable[..., NetflixClient], faults: FaultConfig, prefer_json: bool
) -> None:
    client = faulty(faults, prefer_json=prefer_json)
    with pytest.raises(BadUpstream):
        await client.search_titles("the")


async def test_truncated_catalog_index_is_a_bad_upstream(
    faulty: Callable[..., NetflixClient],
) -> None:
    client = faulty(FaultConfig(truncated_rate=1.0))
    with pytest.raises(BadUpstream):
        async for _ in client.stream_catalog_index():
            pass


async def test_over_limit_403_becomes_rate_limited() -> None:
    app: Starlette = create_emulator(upstream_config(rate_limits=True, per_second_limit=2))
    user_id, token, secret = app.state.context.oauth.demo_tokens()[0]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        client = emulator_client(http)
        with pytest.raises(RateLimited) as caught:
            for _ in range(10):
                await client.for_subscriber(Session("", user_id, AccessToken(token, secret))).user()
    assert caught.value.retry_after >= 1
    assert caught.value.headers["Retry-After"]


async def test_throttle_is_asked_before_every_call_and_can_refuse() -> None:
    asked: list[tuple[str, str | None]] = []

    class RefusingSecondCall:
        max_wait_s = 0.0

        async def __call__(
            self, *, consumer_key: str, access_token: str | None, max_wait_s: float | None = None
        ) -> None:
            asked.append((consumer_key, access_token))
            if len(asked) > 1:
                raise RateLimited("budget spent", retry_after=0.5)

    throttle = RefusingSecondCall()

    app = create_emulator(upstream_config())
    user_id, token, secret = app.state.context.oauth.demo_tokens()[0]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        client = emulator_client(http, throttle=throttle)
        await client.for_subscriber(Session("", user_id, AccessToken(token, secret))).user()
        with pytest.raises(RateLimited):
            await client.search_titles("the")
    assert asked == [(DEMO_CONSUMER_KEY, token), (DEMO_CONSUMER_KEY, None)]


def _mock(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (httpx.ReadTimeout("slow"), UpstreamTimeout),
        (httpx.ConnectTimeout("slow"), UpstreamTimeout),
        (httpx.ConnectError("refused"), BadUpstream),
        (httpx.RemoteProtocolError("dropped"), BadUpstream),
    ],
)
async def test_transport_failures_never_escape_as_httpx_errors(
    failure: httpx.HTTPError, expected: type[ServiceError]
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise failure

    async with _mock(handler) as http:
        with pytest.raises(expected):
            await emulator_client(http).autocomplete("th")


async def test_oversized_answers_are_refused() -> None:
    body = b"<autocomplete>" + b"<autocomplete_item/>" * 1000 + b"</autocomplete>"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "application/xml"})

    async with _mock(handler) as http:
        with pytest.raises(BadUpstream, match="exceeds"):
            await emulator_client(http, max_body_bytes=1000).autocomplete("th")
        assert await emulator_client(http, max_body_bytes=len(body)).autocomplete("th") == []


async def test_unexpected_content_and_status_documents_in_200s() -> None:
    answers = iter(
        [
            httpx.Response(
                200, content=b"<html>hello</html>", headers={"content-type": "text/html"}
            ),
            httpx.Response(200, text="plain words", headers={"content-type": "text/plain"}),
            httpx.Response(
                200,
                content=b"<status><status_code>500</status_code><message>x</message></status>",
                headers={"content-type": "application/xml"},
            ),
        ]
    )

    def handler(request: httpx.Request) -> httpx.Response:
        return next(answers)

    async with _mock(handler) as http:
        client = emulator_client(http)
        for _ in range(3):
            with pytest.raises(BadUpstream):
                await client.autocomplete("th")


async def test_requests_are_signed_for_plain_http_hosts_and_use_the_configured_base() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        root = b"<autocomplete/>" if "autocomplete" in request.url.path else b"<catalog_titles/>"
        return httpx.Response(200, content=root, headers={"content-type": "application/xml"})

    async with _mock(handler) as http:
        client = NetflixClient(
            http,
            base_url="http://emulator:8081/",
            consumer_key="k",
            consumer_secret="s",
            ref_base=REF_BASE,
            prefer_json=True,
        )
        await client.autocomplete("star wars")
        await client.search_titles("star wars")
    consumer_only, signed = seen
    assert str(consumer_only.url).startswith("http://emulator:8081/catalog/titles/autocomplete?")
    assert consumer_only.url.params["term"] == "star wars"
    assert consumer_only.url.params["output"] == "json"
    # Autocomplete is a consumer-key-only call: the key in the query, nothing signed.
    assert consumer_only.url.params["oauth_consumer_key"] == "k"
    assert "Authorization" not in consumer_only.headers
    assert str(signed.url).startswith("http://emulator:8081/catalog/titles?")
    assert "oauth_consumer_key" not in signed.url.params
    assert signed.headers["Authorization"].startswith('OAuth oauth_consumer_key="k"')
    assert "oauth_signature=" in signed.headers["Authorization"]


async def test_a_catalog_index_stalling_midway_is_a_timeout_not_a_bad_answer() -> None:
    item = b"<title_index_item><id>http://api.netflix.com/catalog/titles/movies/%d</id></title_index_item>"

    async def stalling() -> AsyncIterator[bytes]:
        yield b"<catalog_titles>" + item % 1
        raise httpx.ReadTimeout("stalled")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=stalling(), headers={"content-type": "text/xml"})

    seen: list[str] = []
    async with _mock(handler) as http:
        with pytest.raises(UpstreamTimeout):
            async for title in emulator_client(http).stream_catalog_index():
                seen.append(title.id)
    assert seen == ["movies/1"]


async def test_json_labelled_text_javascript_reads_like_application_json() -> None:
    """The live API labelled its JSON `text/javascript`: the same body reads the same."""
    emulator = httpx.ASGITransport(app=create_emulator(upstream_config(catalog_size=300)))
    label = "application/json"

    async def handler(request: httpx.Request) -> httpx.Response:
        answer = await emulator.handle_async_request(request)
        body = await answer.aread()
        assert answer.headers["content-type"].startswith("application/json")
        return httpx.Response(answer.status_code, content=body, headers={"content-type": label})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = emulator_client(http, prefer_json=True)
        as_json = await client.search_titles("Jurassic Park", max_results=3)
        label = "text/javascript;charset=UTF-8"
        as_javascript = await client.search_titles("Jurassic Park", max_results=3)
    assert as_javascript == as_json
    assert as_json.items
