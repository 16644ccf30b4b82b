"""Session-wide set-up: a clean environment, and a private redis-server for the tests."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.servers import redis_server

# Settings come from the environment: a variable in a developer's shell (or a misspelled one,
# which the settings refuse) must not change what the tests see, in this process or in the
# servers it starts.
AMBIENT_PREFIXES = ("NFX_", "AUTHLIB_INSECURE_TRANSPORT", "FORWARDED_ALLOW_IPS")


def pytest_configure(config: pytest.Config) -> None:
    """Drop ambient settings before any test or child server reads them."""
    for name in list(os.environ):
        if name.startswith(AMBIENT_PREFIXES):
            del os.environ[name]


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """URL of a private, empty-at-start redis-server for this test session."""
    with redis_server() as server:
        yield server.url
