"""The Dockerfile's own commands, replayed in a clean virtual environment (no Docker engine here).

The files it copies go to a fresh folder, its `RUN pip install` lines run there with a new
venv's pip, and its start command and healthcheck run as the container would run them (on a
free loopback port instead of 8080), for both roles compose gives the image. What the image
would lack (a file not copied, a dependency missing from the lock) fails here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from ruamel.yaml import YAML

from tests.support.servers import free_port, redis_server, wait_for_port

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
INSTALL_LIMIT_S = 600


def _instructions(name: str) -> list[str]:
    """Each instruction of the Dockerfile with that name, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    return [line.split(None, 1)[1] for line in text.splitlines() if line.startswith(name + " ")]


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The image's /app folder and virtual environment, built by the Dockerfile's commands."""
    root = tmp_path_factory.mktemp("image")
    app = root / "app"
    app.mkdir()
    for copy in _instructions("COPY"):
        *sources, target = copy.split()
        for source in sources:
            origin = ROOT / source
            destination = app / target if target not in ("./", ".") else app / origin.name
            if origin.is_dir():
                shutil.copytree(origin, destination, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy(origin, app / origin.name)
    venv.create(root / "venv", with_pip=True)
    for run in _instructions("RUN"):
        if not run.startswith("pip install"):
            continue  # creating the system user is the container's business
        subprocess.run(
            ["bash", "-c", run],
            cwd=app,
            env=_image_env(root),
            check=True,
            timeout=INSTALL_LIMIT_S,
            capture_output=True,
        )
    return root


def _image_env(root: Path, **extra: str) -> dict[str, str]:
    """The container's environment: its venv first on PATH, no setting from the test run."""
    base = {name: value for name, value in os.environ.items() if not name.startswith("NFX_")}
    path = f"{root / 'venv' / 'bin'}{os.pathsep}{base.get('PATH', '')}"
    return {**base, "PATH": path, "VIRTUAL_ENV": str(root / "venv"), **extra}


@contextmanager
def _running(command: list[str], port: int, env: dict[str, str], cwd: Path) -> Iterator[None]:
    log = cwd.parent / f"server-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=output, stderr=output)
    try:
        try:
            wait_for_port(port, process=process)
        except (RuntimeError, TimeoutError) as exc:
            raise AssertionError(log.read_text(errors="replace")) from exc
        yield
    finally:
        process.terminate()
        process.wait(10)


def _on(command: list[str], port: int) -> list[str]:
    """The command on a loopback address and a free port instead of the container's."""
    moved = list(command)
    moved[moved.index("--port") + 1] = str(port)
    moved[moved.index("--host") + 1] = "127.0.0.1"
    return moved


def _healthy(root: Path, url: str) -> bool:
    check = _instructions("HEALTHCHECK")[0].split("CMD", 1)[1].strip()
    result = subprocess.run(
        ["bash", "-c", check],
        env=_image_env(root, HEALTHCHECK_URL=url),
        capture_output=True,
        timeout=30,
        check=False,
    )
    return result.returncode == 0


def test_the_image_holds_the_runtime_only(image: Path) -> None:
    python = str(image / "venv" / "bin" / "python")
    check = subprocess.run([python, "-m", "pip", "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    for absent in ("fakeredis", "pytest", "mypy"):
        probe = subprocess.run([python, "-c", f"import {absent}"], capture_output=True)
        assert probe.returncode != 0, f"{absent} is in the image"


def test_the_image_serves_both_roles_and_passes_its_healthcheck(image: Path) -> None:
    services = YAML(typ="safe").load((ROOT / "docker-compose.yml").read_text())["services"]
    start = json.loads(_instructions("CMD")[-1])
    app = image / "app"
    emulator_port, proxy_port = free_port(), free_port()
    with redis_server() as redis, ExitStack() as stack:
        emulator_env = _image_env(image, NFX_EMULATOR_CATALOG_SIZE="200")
        stack.enter_context(
            _running(
                _on(services["emulator"]["command"], emulator_port),
                emulator_port,
                emulator_env,
                app,
            )
        )
        proxy_env = _image_env(
            image,
            NFX_UPSTREAM_BASE_URL=f"http://127.0.0.1:{emulator_port}",
            NFX_REDIS_URL=redis.url,
            NFX_TOKEN_ENCRYPTION_KEY=Fernet.generate_key().decode(),
            NFX_PUBLIC_URL=f"http://127.0.0.1:{proxy_port}",
        )
        stack.enter_context(_running(_on(start, proxy_port), proxy_port, proxy_env, app))
        ready = httpx.get(f"http://127.0.0.1:{proxy_port}/readyz", timeout=10)
        assert ready.status_code == 200, ready.text
        assert _healthy(image, f"http://127.0.0.1:{proxy_port}/readyz")
        assert _healthy(image, f"http://127.0.0.1:{emulator_port}/")
        found = httpx.get(
            f"http://127.0.0.1:{proxy_port}/v1/titles", params={"term": "Jurassic Park"}, timeout=10
        )
        assert found.status_code == 200, found.text
    # With nothing listening any more, the healthcheck fails.
    assert not _healthy(image, f"http://127.0.0.1:{proxy_port}/readyz")


def test_the_image_without_redis_says_so_in_one_line(image: Path) -> None:
    start = json.loads(_instructions("CMD")[-1])
    result = subprocess.run(
        _on(start, free_port()),
        env=_image_env(image),
        cwd=image / "app",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "NFX_REDIS_URL" in result.stderr and result.stderr.count("\n") == 1
    assert sys.executable not in result.stderr
