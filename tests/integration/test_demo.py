"""`python -m service.demo` (what `make run` runs) really starts both servers and answers."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from emulator import EmulatorConfig, create_emulator
from tests.support.servers import free_port, wait_for_port

pytestmark = pytest.mark.integration


def _closed(port: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
        except OSError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_demo_serves_the_proxy_wired_to_the_emulator_and_stops_both(
    stop_signal: signal.Signals,
) -> None:
    proxy_port, emulator_port = free_port(), free_port()
    demo = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "service.demo",
            "--port",
            str(proxy_port),
            "--emulator-port",
            str(emulator_port),
            "--catalog-size",
            "300",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(proxy_port, timeout=60, process=demo)
        base = f"http://127.0.0.1:{proxy_port}"
        with httpx.Client(base_url=base, timeout=10) as client:
            assert client.get("/healthz").status_code == 200
            found = client.get("/v1/titles", params={"term": "Jurassic Park"})
            assert found.status_code == 200, found.text
            assert "movies/60020435" in [item["id"] for item in found.json()["items"]]
            assert client.get("/readyz").json()["upstream"] is True
    finally:
        demo.send_signal(stop_signal)
        try:
            output = demo.communicate(timeout=20)[0].decode()
        except subprocess.TimeoutExpired:
            demo.kill()
            raise
    assert demo.returncode == 0, output
    assert f"http://127.0.0.1:{proxy_port}" in output
    assert f"http://127.0.0.1:{emulator_port}" in output
    assert "/v1/titles?term=Jurassic%20Park" in output
    for login in create_emulator(
        EmulatorConfig(catalog_size=300)
    ).state.context.oauth.demo_logins():
        assert f"    {login.email}  {login.password}\n" in output
    assert _closed(proxy_port)
    assert _closed(emulator_port)
