"""From a series found by search to one of its episodes, queued: as a new user would, over TCP.

Real processes: an emulator and a proxy on a real redis-server. Each step uses only what the
previous answer gave (ids, numbers), never a guessed URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import httpx
import pytest
from cryptography.fernet import Fernet
from redis import Redis

from tests.support.tcp_stack import (
    TIMEOUT_S,
    bearer,
    demo_tokens,
    emulator_twin,
    import_session,
    start_emulator,
    start_proxy,
)

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Stack:
    """The running proxy and the seeded demo token pairs."""

    proxy: str
    tokens: list[tuple[str, str, str]]


@pytest.fixture(scope="module")
def stack(redis_url: str) -> Iterator[Stack]:
    Redis.from_url(redis_url).flushdb()
    with ExitStack() as processes:
        emulator = start_emulator(processes)
        proxy = start_proxy(processes, emulator, redis_url, Fernet.generate_key().decode())
        yield Stack(proxy, demo_tokens(emulator_twin()))


def _ok(answer: httpx.Response, status: int = 200) -> object:
    assert answer.status_code == status, answer.text
    return answer.json()


def test_search_a_series_open_a_season_queue_an_episode(stack: Stack) -> None:
    with httpx.Client(base_url=stack.proxy, timeout=TIMEOUT_S) as client:
        found = _ok(client.get("/v1/titles", params={"term": "sarah connor chronicles"}))
        assert isinstance(found, dict)
        series = next(t for t in found["items"] if t["kind"] == "series")

        seasons = _ok(client.get(f"/v1/titles/{series['id']}/seasons"))
        assert isinstance(seasons, dict)
        assert seasons["page_size"] == 25 and seasons["total"] == len(seasons["items"]) >= 1
        season = seasons["items"][-1]
        assert season["season_number"] == len(seasons["items"])
        assert season["episode_count"] > 0

        opened = _ok(client.get(f"/v1/titles/{season['id']}", params={"include": "episodes"}))
        assert isinstance(opened, dict)
        assert opened["season_number"] == season["season_number"]
        assert len(opened["episodes"]) == season["episode_count"]
        episode = next(e for e in opened["episodes"] if e["episode_number"] == 3)

        details = _ok(client.get(f"/v1/titles/{episode['id']}", params={"include": "formats"}))
        assert isinstance(details, dict)
        assert details["kind"] == "program" and details["season"]["id"] == season["id"]
        assert "instant" in details["formats"]

        _user_id, token, secret = stack.tokens[0]
        session, _ = import_session(stack.proxy, token, secret)
        added = _ok(
            client.post(
                "/v1/me/queues/instant/entries",
                headers=bearer(session),
                json={"title": episode["id"], "position": 1},
            ),
            201,
        )
        assert isinstance(added, dict)
        assert added["title"]["id"] == episode["id"] and added["position"] == 1
        listed = _ok(client.get("/v1/me/queues/instant", headers=bearer(session)))
        assert isinstance(listed, dict)
        assert listed["items"][0]["title"]["id"] == episode["id"]
        assert listed["items"][0]["title"]["title"] == episode["title"]
