"""The `netflix-proxy` command as operators run it: real processes, a real emulator and Redis."""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from service.openapi_export import render
from tests.support.servers import free_port, python_server
from tests.support.tcp_stack import CATALOG_SIZE, start_emulator

pytestmark = pytest.mark.integration

KEEP_ALIVE_REQUESTS = 12
FRESH_CONNECTIONS = 5


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    with ExitStack() as processes:
        yield start_emulator(processes)


def test_a_bad_setting_is_one_line_and_status_2() -> None:
    result = _cli("check", env={"NFX_BUDGET_USER_PER_S": "-4"})
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "NFX_BUDGET_USER_PER_S" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_reaches_redis_and_the_upstream_with_a_signed_call(
    emulator: str, redis_url: str
) -> None:
    env = {
        "NFX_UPSTREAM_BASE_URL": emulator,
        "NFX_REDIS_URL": redis_url,
        "NFX_TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    }
    result = _cli("check", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = [line.split()[:2] for line in result.stdout.splitlines()]
    assert rows == [["settings", "ok"], ["redis", "ok"], ["upstream", "ok"], ["signed", "call"]]
    assert "ok" in result.stdout.splitlines()[-1]
    # A Redis that does not answer is a failed check; its password is not printed.
    secret = "redis-password-never-printed"
    nowhere = f"redis://:{secret}@127.0.0.1:{free_port()}/0"
    refused = _cli("check", env={**env, "NFX_REDIS_URL": nowhere, "NFX_REDIS_TIMEOUT_S": "0.3"})
    assert refused.returncode == 1
    assert "redis        FAIL" in refused.stdout
    assert secret not in refused.stdout + refused.stderr


def test_check_fails_the_signed_call_with_wrong_consumer_credentials(emulator: str) -> None:
    secret = "not-the-consumer-secret"
    result = _cli("check", env={"NFX_UPSTREAM_BASE_URL": emulator, "NFX_CONSUMER_SECRET": secret})
    assert result.returncode == 1
    last = result.stdout.splitlines()[-1]
    assert last.startswith("signed call") and "FAIL" in last
    assert secret not in result.stdout + result.stderr


def test_serve_on_a_port_in_use_is_one_line_and_status_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _cli("serve", "--port", str(port))
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert result.stderr.count("\n") == 1


def _request_ms(connection: http.client.HTTPConnection) -> float:
    started = time.perf_counter()
    connection.request("GET", "/healthz")
    answer = connection.getresponse()
    answer.read()
    assert answer.status == 200
    return (time.perf_counter() - started) * 1000


def test_several_workers_answer_later_requests_on_a_connection_as_fast_as_the_first(
    emulator: str,
) -> None:
    port = free_port()
    command = ["service.cli", "serve", "--port", str(port), "--workers", "2"]
    with python_server(command, port, env={"NFX_UPSTREAM_BASE_URL": emulator}):
        firsts = []
        for _ in range(FRESH_CONNECTIONS):
            fresh = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            firsts.append(_request_ms(fresh))
            fresh.close()
        kept = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        _request_ms(kept)
        later = [_request_ms(kept) for _ in range(KEEP_ALIVE_REQUESTS)]
        kept.close()
    # Without TCP_NODELAY each later request waits for a delayed ACK (tens of times slower).
    assert statistics.median(later) < 5 * statistics.median(firsts), (firsts, later)


def test_export_index_writes_every_title_as_ndjson(emulator: str, tmp_path: Path) -> None:
    target = tmp_path / "index.ndjson"
    result = _cli("export-index", str(target), env={"NFX_UPSTREAM_BASE_URL": emulator})
    assert result.returncode == 0, result.stderr
    lines = target.read_text().splitlines()
    assert len(lines) == CATALOG_SIZE
    assert all(json.loads(line)["id"] for line in lines)
    assert f"{CATALOG_SIZE:,} titles" in result.stderr
    assert [path.name for path in tmp_path.iterdir()] == ["index.ndjson"]  # no leftovers


def test_export_index_into_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    result = _cli("export-index", str(tmp_path / "missing" / "index.ndjson"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr and result.stderr.count("\n") == 1


def test_openapi_writes_the_committed_document(tmp_path: Path) -> None:
    target = tmp_path / "openapi.json"
    result = _cli("openapi", "--output", str(target))
    assert result.returncode == 0, result.stderr
    assert target.read_text() == render()


def test_export_index_of_a_stream_broken_off_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "index.ndjson"
    with ExitStack() as processes:
        emulator = start_emulator(processes, NFX_EMULATOR_FAULT_TRUNCATED_RATE="1.0")
        result = _cli("export-index", str(target), env={"NFX_UPSTREAM_BASE_URL": emulator})
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].startswith(
        "netflix-proxy: the index could not be exported"
    )
    assert list(tmp_path.iterdir()) == []
