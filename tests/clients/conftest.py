"""One running stack for the generated clients: a private redis-server, an emulator, a proxy.

Each client signs in as its own demo subscriber, so their queue writes never meet.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest
from cryptography.fernet import Fernet

from tests.support.servers import redis_server
from tests.support.tcp_stack import demo_tokens, emulator_twin, start_emulator, start_proxy


@dataclass(frozen=True)
class RunningProxy:
    """The proxy's URL, and the (user_id, access_token, access_token_secret) demo pairs."""

    url: str
    tokens: list[tuple[str, str, str]]


@pytest.fixture(scope="package")
def running_proxy() -> Iterator[RunningProxy]:
    with ExitStack() as processes:
        redis = processes.enter_context(redis_server())
        emulator = start_emulator(processes)
        proxy = start_proxy(processes, emulator, redis.url, Fernet.generate_key().decode())
        yield RunningProxy(proxy, demo_tokens(emulator_twin()))
