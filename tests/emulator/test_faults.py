"""Fault injection: each kind of misbehaviour, reproducible from its seed."""

from __future__ import annotations

import asyncio
import time

import pytest
from lxml import etree
from starlette.types import Message

from emulator import EmulatorConfig, create_emulator
from emulator.config import FaultConfig
from emulator.faults import Fault, FaultInjector
from tests.emulator.oauth_helpers import (
    SMALL_CATALOG,
    STALE_TIMESTAMP,
    emulator,
    gateway_refusal,
    sign,
    status_of,
)
from tests.support.oauth import TEST_BASE, asgi_client
from tests.support.samples import sample_path

XML_URL = f"{TEST_BASE}/probe/xml"


async def _get_xml(**faults: float | int) -> tuple[int, bytes, dict[str, str]]:
    app = emulator(faults=FaultConfig(**faults))  # type: ignore[arg-type]
    async with asgi_client(app) as client:
        response = await client.get("/probe/xml")
    return response.status_code, response.content, dict(response.headers)


async def test_no_faults_by_default() -> None:
    status, body, _ = await _get_xml()
    assert status == 200
    etree.fromstring(body)


async def test_error_rate_answers_500_status_documents() -> None:
    app = emulator(faults=FaultConfig(error_rate=1.0))
    async with asgi_client(app) as client:
        response = await client.get("/probe/xml")
    assert status_of(response) == (500, "Internal Server Error")


async def test_gateway_error_is_mashery_plain_text() -> None:
    app = emulator(faults=FaultConfig(gateway_error_rate=1.0))
    async with asgi_client(app) as client:
        response = await client.get("/probe/xml", params={"output": "json"})
    assert gateway_refusal(response) == STALE_TIMESTAMP


async def test_malformed_xml_keeps_the_status_and_breaks_the_document() -> None:
    status, body, headers = await _get_xml(malformed_rate=1.0)
    assert status == 200
    assert int(headers["content-length"]) == len(body)
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(body)


async def test_truncated_xml_is_cut_short() -> None:
    _, whole, _ = await _get_xml()
    status, body, headers = await _get_xml(truncated_rate=1.0)
    assert status == 200 and int(headers["content-length"]) == len(body)
    assert whole.startswith(body) and len(body) < len(whole)
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(body)


async def test_latency_is_added() -> None:
    app = emulator(faults=FaultConfig(latency_ms=150))
    async with asgi_client(app) as client:
        started = time.perf_counter()
        response = await client.get("/probe/xml")
    assert response.status_code == 200
    assert time.perf_counter() - started >= 0.15


async def test_seeded_faults_repeat_exactly() -> None:
    async def statuses(seed: int) -> list[int]:
        app = emulator(faults=FaultConfig(error_rate=0.5, seed=seed))
        async with asgi_client(app) as client:
            return [(await client.get("/probe/xml")).status_code for _ in range(30)]

    first = await statuses(7)
    assert first == await statuses(7)
    assert set(first) == {200, 500}


async def test_sign_in_pages_are_never_faulted() -> None:
    app = emulator(faults=FaultConfig(gateway_error_rate=1.0))
    async with asgi_client(app) as client:
        response = await client.get("/oauth/login", params={"oauth_token": "unknown"})
    assert status_of(response) == (401, "Expired or bad request token")


def test_draws_follow_the_configured_rates() -> None:
    injector = FaultInjector(FaultConfig(drop_rate=0.2, truncated_rate=0.3, seed=1))
    draws = [injector.draw() for _ in range(5000)]
    assert 0.17 < draws.count(Fault.DROP) / 5000 < 0.23
    assert 0.27 < draws.count(Fault.TRUNCATED) / 5000 < 0.33
    assert Fault.ERROR not in draws


@pytest.mark.parametrize(
    "faults",
    [
        FaultConfig(error_rate=1.5),
        FaultConfig(drop_rate=-0.1),
        FaultConfig(error_rate=0.6, drop_rate=0.6),
        FaultConfig(latency_ms=-1),
    ],
)
def test_bad_fault_settings_are_refused(faults: FaultConfig) -> None:
    with pytest.raises(ValueError, match="fault"):
        create_emulator(EmulatorConfig(catalog_size=SMALL_CATALOG, faults=faults))


@pytest.mark.parametrize("faults", [FaultConfig(), FaultConfig(latency_ms=1)])
async def test_streaming_responses_still_stream(faults: FaultConfig) -> None:
    app = emulator(faults=faults)
    request = sign("GET", f"{TEST_BASE}/probe/stream")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "https",
        "path": "/probe/stream",
        "raw_path": b"/probe/stream",
        "query_string": b"",
        "root_path": "",
        "server": ("netflix.test", 443),
        "client": ("127.0.0.1", 1),
        "headers": [(k.lower().encode(), v.encode()) for k, v in request.headers.items()],
    }
    bodies: list[bytes] = []

    async def receive() -> Message:
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.body":
            bodies.append(message.get("body", b""))
            app.state.stream_gate.set()  # the first chunk arrived before the stream ended

    await asyncio.wait_for(app(scope, receive, send), timeout=5)
    assert b"".join(bodies) == b"<first/><second/>"


def test_gateway_error_matches_the_recording() -> None:
    recording = sample_path("status", "http-401-timestamp-is-invalid-mashery-cheald.http")
    head, _, body = recording.read_bytes().replace(b"\r\n", b"\n").partition(b"\n\n")
    status_line, *header_lines = head.decode().split("\n")
    headers = {
        k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in header_lines)
    }
    status, emitted_body, emitted = asyncio.run(_get_xml(gateway_error_rate=1.0))
    assert status == int(status_line.split()[1])
    assert emitted_body == body.strip()
    for name in ("content-type", "x-mashery-error-code"):
        assert emitted[name] == headers[name]
