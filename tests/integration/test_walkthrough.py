"""The classic walkthrough over TCP: find Jurassic Park, sign in, queue it first, see it first.

As a client of the proxy would do it, with real processes: an emulator, a proxy on a real
redis-server. No etag is sent by the client at any step, and none comes back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import httpx
import pytest
from cryptography.fernet import Fernet
from redis import Redis

from emulator.oauth.provider import DemoLogin
from tests.support.oauth import signer
from tests.support.tcp_stack import (
    TIMEOUT_S,
    bearer,
    demo_logins,
    demo_tokens,
    emulator_twin,
    import_session,
    sign_in_through_login_page,
    start_emulator,
    start_proxy,
)

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Stack:
    """The running emulator and proxy, and the seeded demo token pairs."""

    emulator: str
    proxy: str
    tokens: list[tuple[str, str, str]]
    logins: list[DemoLogin]


@pytest.fixture(scope="module")
def stack(redis_url: str) -> Iterator[Stack]:
    Redis.from_url(redis_url).flushdb()
    with ExitStack() as processes:
        emulator = start_emulator(processes)
        proxy = start_proxy(processes, emulator, redis_url, Fernet.generate_key().decode())
        twin = emulator_twin()
        yield Stack(emulator, proxy, demo_tokens(twin), demo_logins(twin))


def _find_jurassic_park(client: httpx.Client) -> str:
    found = client.get("/v1/titles", params={"term": "Jurassic Park"})
    assert found.status_code == 200, found.text
    titles = found.json()["items"]
    match = next(t for t in titles if t["title"] == "Jurassic Park")
    assert match["kind"] == "movie"
    return str(match["id"])


def _queue_first(client: httpx.Client, session: str, title_id: str) -> list[httpx.Response]:
    added = client.post(
        "/v1/me/queues/disc/entries",
        headers=bearer(session),
        json={"title": title_id, "position": 1},
    )
    assert added.status_code == 201, added.text
    assert added.json()["position"] == 1
    assert '"etag"' not in added.text.lower()
    assert "etag" not in {name.lower() for name in added.headers}
    listed = client.get(
        "/v1/me/queues/disc", headers=bearer(session), params={"state": "available"}
    )
    assert listed.status_code == 200, listed.text
    first = listed.json()["items"][0]
    assert first["title"]["id"] == title_id
    assert first["title"]["title"] == "Jurassic Park"
    assert first["position"] == 1
    assert '"etag"' not in listed.text.lower()
    again = client.post(
        "/v1/me/queues/disc/entries",
        headers=bearer(session),
        json={"title": title_id, "position": 1},
    )
    assert again.status_code == 409
    assert again.json()["title"] == "Already in queue"
    return [added, listed, again]


def _upstream_etag(stack: Stack, user_id: str, token: str, secret: str) -> str:
    with httpx.Client(
        base_url=stack.emulator, timeout=TIMEOUT_S, auth=signer(token, secret)
    ) as upstream:
        answer = upstream.get(f"/users/{user_id}/queues/disc")
    assert answer.status_code == 200, answer.text
    return answer.headers["etag"].strip('"')


def test_walkthrough_with_an_imported_token(stack: Stack) -> None:
    with httpx.Client(base_url=stack.proxy, timeout=TIMEOUT_S) as client:
        title_id = _find_jurassic_park(client)
        user_id, token, secret = stack.tokens[0]
        session, _ = import_session(stack.proxy, token, secret)
        answers = _queue_first(client, session, title_id)
    etag = _upstream_etag(stack, user_id, token, secret)
    for answer in answers:
        assert etag not in answer.text
        assert etag not in repr(dict(answer.headers))


def test_walkthrough_through_the_login_page(stack: Stack) -> None:
    user_id = stack.tokens[1][0]
    session = sign_in_through_login_page(stack.proxy, stack.emulator, stack.logins[1])
    with httpx.Client(base_url=stack.proxy, timeout=TIMEOUT_S) as client:
        me = client.get("/v1/me", headers=bearer(session))
        assert me.status_code == 200, me.text
        assert me.json()["user_id"] == user_id
        _queue_first(client, session, _find_jurassic_park(client))
