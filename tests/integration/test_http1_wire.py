"""The HTTP/1.1 transport over real TCP: the emulator, and servers scripted byte by byte."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack

import httpx
import pytest

from service.netflix.client import AccessToken, NetflixClient
from service.netflix.http1 import Http1Transport
from service.netflix.refs import TitleRef
from service.schemas.queues import QueueType
from tests.support.emulator_client import emulator_client
from tests.support.raw_http import (
    RawServer,
    Request,
    keep_alive,
    raw_server,
    read_request,
    response,
)
from tests.support.servers import free_port
from tests.support.tcp_stack import addable_titles, demo_tokens, emulator_twin, start_emulator

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    with ExitStack() as stack:
        yield start_emulator(stack)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=Http1Transport(), timeout=5.0) as http:
        yield http


@pytest.mark.parametrize("prefer_json", [False, True], ids=["xml", "json"])
async def test_signed_calls_to_the_emulator(emulator: str, prefer_json: bool) -> None:
    twin = emulator_twin()
    user_id, token, secret = demo_tokens(twin)[0]
    transport = Http1Transport()
    async with httpx.AsyncClient(transport=transport, timeout=10.0) as http:
        netflix: NetflixClient = emulator_client(
            http, emulator, transport=transport, prefer_json=prefer_json
        )
        found = await netflix.search_titles("a", max_results=5)
        assert found.items and found.total >= len(found.items)
        sign_in = await netflix.request_token(callback="http://127.0.0.1/done")
        assert sign_in.token
        me = netflix.for_subscriber(_Subscriber(user_id, AccessToken(token, secret)))
        _, etag = await me.queue(QueueType.DISC)
        title = TitleRef.parse(addable_titles(twin, user_id)[int(prefer_json)])
        entry, _ = await me.add_to_queue(QueueType.DISC, title, position=None, etag=etag)
        assert entry.title.id == title.short


class _Subscriber:
    def __init__(self, user_id: str, token: AccessToken) -> None:
        self.user_id = user_id
        self.token = token


async def test_sequential_calls_share_one_connection(client: httpx.AsyncClient) -> None:
    async with raw_server(keep_alive(lambda r: response(r.line))) as server:
        answers = [await client.get(server.url(f"/{n}")) for n in range(3)]
    assert [a.content for a in answers] == [b"GET /%d HTTP/1.1" % n for n in range(3)]
    assert server.connections == 1
    host = server.requests[0].headers[b"host"]
    assert host == b"127.0.0.1:%d" % server.port


async def test_chunked_body(client: httpx.AsyncClient) -> None:
    chunked = b"Transfer-Encoding: chunked"
    body = b"5\r\nhello\r\n1\r\n \r\n6\r\nworld!\r\n0\r\n\r\n"

    def answer(_: Request) -> bytes:
        return b"HTTP/1.1 200 OK\r\n" + chunked + b"\r\n\r\n" + body

    async with raw_server(keep_alive(answer)) as server:
        first = await client.get(server.url())
        second = await client.get(server.url())
    assert first.content == second.content == b"hello world!"
    assert server.connections == 1


async def test_body_until_the_server_closes(client: httpx.AsyncClient) -> None:
    async def handle(
        server: RawServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of ")
        await writer.drain()
        writer.write(b"it")

    async with raw_server(handle) as server:
        first = await client.get(server.url())
        assert (await client.get(server.url())).content == first.content == b"all of it"
    assert server.connections == 2
    assert first.http_version == "HTTP/1.1" and first.reason_phrase == "OK"


async def test_a_connection_the_server_closed_while_idle_is_not_reused(
    client: httpx.AsyncClient,
) -> None:
    async def handle(
        server: RawServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await read_request(reader)
        writer.write(response())
        await writer.drain()

    async with raw_server(handle) as server:
        await client.get(server.url())
        await asyncio.sleep(0.2)  # the server has closed the connection by now
        # A POST is never sent twice: on the closed connection it would fail.
        answer = await client.post(server.url(), data={"a": "1"})
    assert answer.status_code == 200
    assert server.connections == 2


@pytest.mark.parametrize("side", ["server", "client"])
async def test_connection_close_from_either_side(client: httpx.AsyncClient, side: str) -> None:
    closing = [b"Connection: close"] if side == "server" else []
    sent = {"Connection": "close"} if side == "client" else {}
    async with raw_server(keep_alive(lambda _: response(headers=closing))) as server:
        for _ in range(2):
            assert (await client.get(server.url(), headers=sent)).status_code == 200
    assert server.connections == 2


async def test_malformed_status_line(client: httpx.AsyncClient) -> None:
    async with raw_server(keep_alive(lambda _: b"HTTP/1.1 OK-ish\r\n\r\n")) as server:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get(server.url())


async def test_read_timeout() -> None:
    async def handle(
        server: RawServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await read_request(reader)
        await asyncio.sleep(30)

    async with (
        raw_server(handle) as server,
        httpx.AsyncClient(transport=Http1Transport(), timeout=0.3) as client,
    ):
        with pytest.raises(httpx.ReadTimeout):
            await client.get(server.url())


async def test_connect_error_on_a_closed_port(client: httpx.AsyncClient) -> None:
    with pytest.raises(httpx.ConnectError):
        await client.get(f"http://127.0.0.1:{free_port()}/")


async def test_form_post(client: httpx.AsyncClient) -> None:
    async with raw_server(keep_alive(lambda r: response(r.line + b"|" + r.body))) as server:
        answer = await client.post(
            server.url("/queues/disc"), data={"title_ref": "a b&c", "n": "1"}
        )
    form = b"title_ref=a+b%26c&n=1"
    assert answer.content == b"POST /queues/disc HTTP/1.1|" + form
    headers = server.requests[0].headers
    assert headers[b"content-type"] == b"application/x-www-form-urlencoded"
    assert headers[b"content-length"] == b"%d" % len(form)


async def test_streamed_request_body_is_chunked(client: httpx.AsyncClient) -> None:
    async def parts() -> AsyncIterator[bytes]:
        for part in (b"one ", b"", b"two"):
            yield part

    async with raw_server(keep_alive(lambda r: response(r.body))) as server:
        answer = await client.post(server.url(), content=parts())
        again = await client.get(server.url())
    assert answer.content == b"one two" and again.status_code == 200
    assert server.requests[0].headers[b"transfer-encoding"] == b"chunked"
    assert server.connections == 1


async def test_bodiless_answers_keep_the_connection(client: httpx.AsyncClient) -> None:
    answers = {
        b"HEAD": response(b"x" * 10)[:-10],  # the length a GET would have, no body
        b"PUT": b"HTTP/1.1 100 Continue\r\n\r\n" + response(b"after interim"),
        b"DELETE": b"HTTP/1.1 204 No Content\r\n\r\n",
        b"GET": b'HTTP/1.1 304 Not Modified\r\nETag: "1"\r\n\r\n',
    }
    async with raw_server(keep_alive(lambda r: answers[r.line.split()[0]])) as server:
        head = await client.head(server.url())
        put = await client.put(server.url(), content=b"x")
        deleted = await client.delete(server.url())
        cached = await client.get(server.url())
    assert (head.status_code, head.headers["content-length"], head.content) == (200, "10", b"")
    assert (put.status_code, put.content) == (200, b"after interim")
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert (cached.status_code, cached.content) == (304, b"")
    assert server.connections == 1


async def test_a_line_break_in_a_header_is_refused(client: httpx.AsyncClient) -> None:
    async with raw_server(keep_alive()) as server:
        with pytest.raises(httpx.LocalProtocolError):
            await client.get(server.url(), headers={"If-None-Match": '"a"\r\nX-Evil: 1'})
    assert server.requests == []


async def test_a_get_on_a_connection_closed_before_answering_is_resent(
    client: httpx.AsyncClient,
) -> None:
    async def handle(
        server: RawServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        server.requests.append(await read_request(reader))
        writer.write(response())
        await writer.drain()
        if server.connections == 1:
            await read_request(reader)  # the server drops the second request unanswered
            return
        await keep_alive()(server, reader, writer)

    async with raw_server(handle) as server:
        assert (await client.get(server.url())).status_code == 200
        assert (await client.get(server.url())).status_code == 200
    assert server.connections == 2
