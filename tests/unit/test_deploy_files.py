"""The deployment files stay valid and keep their promises (offline checks, no Docker engine)."""

from __future__ import annotations

import fnmatch
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from ruamel.yaml import YAML  # comes with check-jsonschema, a dev dependency

ROOT = Path(__file__).resolve().parents[2]


def test_compose_file_matches_the_compose_spec() -> None:
    checker = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    if checker is None:
        pytest.skip("check-jsonschema is not installed (a dev dependency: `make setup`)")
    result = subprocess.run(
        [checker, "--builtin-schema", "vendor.compose-spec", str(ROOT / "docker-compose.yml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_services_wait_for_healthy_dependencies() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    for service in ("redis:", "emulator:", "proxy:"):
        assert service in text
    assert text.count("healthcheck:") == 3
    assert text.count("condition: service_healthy") == 2


def test_dockerfile_installs_locked_dependencies_before_the_source_and_drops_root() -> None:
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    lock = next(i for i, line in enumerate(lines) if "-r requirements.lock" in line)
    source = next(i for i, line in enumerate(lines) if line.startswith("COPY service"))
    assert lock < source
    user = next(i for i, line in enumerate(lines) if line.startswith("USER "))
    assert lines[user] != "USER root"
    assert any("service.app:create_app" in line and "--factory" in line for line in lines)


def test_dockerfile_declares_a_healthcheck_of_the_proxy() -> None:
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    check = next(i for i, line in enumerate(lines) if line.startswith("HEALTHCHECK"))
    instruction = lines[check] + lines[check + 1]  # continued on the next line
    assert "CMD" in instruction and "127.0.0.1:8080/healthz" in instruction


def test_compose_keeps_redis_data_on_a_named_volume_with_the_append_only_file() -> None:
    compose = YAML(typ="safe").load((ROOT / "docker-compose.yml").read_text())
    redis = compose["services"]["redis"]
    command = list(redis["command"])
    assert command[command.index("--appendonly") + 1] == "yes"
    volume, _, target = next(iter(redis["volumes"])).partition(":")
    assert target == "/data"  # the image's working folder, where the append-only file goes
    assert volume in compose["volumes"]


def test_the_web_app_files_are_packaged() -> None:
    # The image installs the package (`pip install .`): files outside package-data would be
    # missing from it while an editable install still finds them.
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["service"]
    web = ROOT / "service" / "web"
    files = [path.relative_to(ROOT / "service").as_posix() for path in web.iterdir()]
    assert "web/index.html" in files
    for name in files:
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name
