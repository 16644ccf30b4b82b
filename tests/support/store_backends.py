"""Store backends for the store tests: a real redis-server, the embedded store, a Redis Cluster.

`tests/integration/conftest.py` exposes the fixtures (`store`, `redis_cluster_url`,
`down_store`), so every store test runs against the three backends. The cluster is three
cluster-enabled redis-server processes started once per test session.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence

import pytest
from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster

from service.settings import Settings
from service.store.redis import RedisLike, connect, embedded
from tests.support.servers import free_port, wait_for_port

BACKENDS = ("redis", "embedded", "cluster")
# The store tests use their own database of the session's redis-server, so flushing it
# between tests never touches what other tests keep in database 0.
STORE_TEST_DB = 5
TEST_FERNET_KEY = "sJ8Y1w7W5uXo3T1bqV8mZx2kq0cA9H6fN4rL2pE7yUg="


@contextlib.contextmanager
def redis_cluster(nodes: int = 3) -> Iterator[list[int]]:
    """Start a cluster of `nodes` primaries on free ports; yield their ports."""
    server = shutil.which("redis-server")
    cli = shutil.which("redis-cli")
    if server is None or cli is None:
        raise RuntimeError("redis-server and redis-cli are needed for the cluster tests")
    ports = _cluster_ports(nodes)
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory() as workdir:
        try:
            for port in ports:
                processes.append(
                    subprocess.Popen(
                        [
                            server,
                            "--port",
                            str(port),
                            "--bind",
                            "127.0.0.1",
                            "--cluster-enabled",
                            "yes",
                            "--cluster-config-file",
                            f"{workdir}/nodes-{port}.conf",
                            "--dir",
                            workdir,
                            "--save",
                            "",
                            "--appendonly",
                            "no",
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
            for port, process in zip(ports, processes, strict=True):
                wait_for_port(port, process=process)
            subprocess.run(
                [
                    cli,
                    "--cluster",
                    "create",
                    *(f"127.0.0.1:{port}" for port in ports),
                    "--cluster-replicas",
                    "0",
                    "--cluster-yes",
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=60,
            )
            _wait_cluster_ok(cli, ports)
            yield ports
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()


def _cluster_ports(count: int) -> list[int]:
    """Free ports whose cluster-bus ports (port + 10000) are free too."""
    ports: list[int] = []
    while len(ports) < count:
        port = random.randint(20_000, 50_000)
        if port in ports or not (_bindable(port) and _bindable(port + 10_000)):
            continue
        ports.append(port)
    return ports


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait_cluster_ok(cli: str, ports: list[int], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = [
            subprocess.run(
                [cli, "-p", str(port), "cluster", "info"],
                check=False,
                capture_output=True,
                text=True,
                timeout=10,
            ).stdout
            for port in ports
        ]
        if all("cluster_state:ok" in state for state in states):
            return
        time.sleep(0.1)
    raise TimeoutError("the Redis Cluster did not reach cluster_state:ok")


@pytest.fixture(scope="session")
def redis_cluster_url() -> Iterator[str]:
    """URL of one node of a 3-primary Redis Cluster shared by the whole test session."""
    with redis_cluster() as ports:
        yield f"redis://127.0.0.1:{ports[0]}/0"


def settings_for(url: str | None, *, cluster: bool = False, **overrides: object) -> Settings:
    """Settings for a store test (a real key when a real Redis is named)."""
    extra: dict[str, object] = {"token_encryption_key": TEST_FERNET_KEY} if url else {}
    return Settings.model_validate(
        {"redis_url": url, "redis_cluster": cluster, **extra, **overrides}
    )


def store_url(backend: str, request: pytest.FixtureRequest) -> str | None:
    """The redis URL of a backend (None for the embedded store)."""
    if backend == "redis":
        url: str = request.getfixturevalue("redis_url")
        return url.rsplit("/", 1)[0] + f"/{STORE_TEST_DB}"
    if backend == "cluster":
        cluster_url: str = request.getfixturevalue("redis_cluster_url")
        return cluster_url
    return None


async def flush(client: RedisLike) -> None:
    """Empty the store (every primary of a cluster)."""
    if isinstance(client, RedisCluster):
        await client.flushall()
    else:
        await client.flushdb()


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest) -> AsyncIterator[RedisLike]:
    """An empty store of each backend, closed after the test."""
    backend: str = request.param
    url = store_url(backend, request)
    client: RedisLike = (
        embedded() if url is None else connect(settings_for(url, cluster=backend == "cluster"))
    )
    await flush(client)
    try:
        yield client
    finally:
        await client.aclose()


def second_client(client: RedisLike) -> RedisLike:
    """Another client on the same store (another replica's view); embedded stays shared."""
    if isinstance(client, RedisCluster):
        node = client.get_default_node()
        return connect(settings_for(f"redis://{node.host}:{node.port}/0", cluster=True))
    pool = client.connection_pool
    kwargs = pool.connection_kwargs
    if "server" in kwargs:  # the embedded store lives in this process: share its server
        return client
    return Redis(host=kwargs["host"], port=kwargs["port"], db=kwargs.get("db", 0))


@pytest.fixture
async def down_store() -> AsyncIterator[RedisLike]:
    """A client of a Redis that is not there (a closed port)."""
    client = connect(settings_for(f"redis://127.0.0.1:{free_port()}/0"))
    try:
        yield client
    finally:
        await client.aclose()


async def run_released_children(
    redis: RedisLike, script: str, args: Sequence[str], flag: str, *, wait_s: float
) -> list[bytes]:
    """Run 4 `python -c script *args` children at once; return their stdouts.

    Each child increments `<flag>:ready` and then waits for `<flag>:go`, which is set only
    once all are ready, so their work truly overlaps. A failing child fails the test.
    """
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            script,
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(4)
    ]
    try:
        deadline = time.monotonic() + 30
        while int(await redis.get(flag + ":ready") or 0) < len(processes):
            assert time.monotonic() < deadline, "children did not start"
            await asyncio.sleep(0.02)
        await redis.set(flag + ":go", b"1")
        outputs = await asyncio.wait_for(
            asyncio.gather(*(p.communicate() for p in processes)), wait_s
        )
        assert all(p.returncode == 0 for p in processes), [err for _, err in outputs]
        return [out for out, _ in outputs]
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()
