"""ETag, 304 and HEAD through a real uvicorn process, whose HTTP layer frames the answers."""

from __future__ import annotations

from contextlib import ExitStack

import httpx
import pytest
from cryptography.fernet import Fernet
from redis import Redis

from tests.support.tcp_stack import TIMEOUT_S, start_emulator, start_proxy

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("front_ttl", ["30", "0"])
def test_head_and_304_are_framed_right_over_tcp(redis_url: str, front_ttl: str) -> None:
    Redis.from_url(redis_url).flushdb()
    with ExitStack() as processes:
        emulator = start_emulator(processes)
        proxy = start_proxy(
            processes,
            emulator,
            redis_url,
            Fernet.generate_key().decode(),
            NFX_FRONT_CACHE_TTL_S=front_ttl,
        )
        with httpx.Client(base_url=proxy, timeout=TIMEOUT_S) as client:
            path = "/v1/titles?term=the&page_size=3"
            got = client.get(path)
            assert got.status_code == 200, got.text
            for _ in range(2):  # a miss, then a hit (of the front tier when it is on)
                head = client.head(path)
                assert head.status_code == 200
                assert head.content == b""
                assert head.headers["content-length"] == str(len(got.content))
                assert head.headers["etag"] == got.headers["etag"]
                same = client.get(path, headers={"If-None-Match": got.headers["etag"]})
                assert same.status_code == 304
                assert same.content == b""
                assert same.headers["link"].startswith("</v1/titles?term=the&page_size=3")
            again = client.get(path)  # the connection is still in step after both
            assert again.content == got.content
            assert again.headers["x-cache"] == "HIT"
