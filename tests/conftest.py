"""Session-wide fixtures: a private redis-server for the tests that need a real one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.servers import redis_server


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """URL of a private, empty-at-start redis-server for this test session."""
    with redis_server() as server:
        yield server.url
