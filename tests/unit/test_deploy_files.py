"""The deployment files stay valid and agree with each other (offline checks, no Docker engine)."""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from cryptography.fernet import Fernet
from ruamel.yaml import YAML  # comes with check-jsonschema, a dev dependency

from service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
IMAGE_ROLES = ("emulator", "proxy")


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load((ROOT / "docker-compose.yml").read_text())
    return loaded


def _services() -> dict[str, Any]:
    services: dict[str, Any] = _compose()["services"]
    return services


def _flag(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def _published(service: dict[str, Any]) -> list[tuple[int, int]]:
    """(host port, container port) of each published port."""
    pairs = []
    for spec in service.get("ports", []):
        *_, host, container = str(spec).split(":")
        pairs.append((int(host), int(container)))
    return pairs


def _proxy_settings() -> Settings:
    environment = dict(_services()["proxy"]["environment"])
    environment["NFX_TOKEN_ENCRYPTION_KEY"] = Fernet.generate_key().decode()  # given at run time
    settings = {
        name.removeprefix("NFX_").lower(): value
        for name, value in environment.items()
        if name.startswith("NFX_")
    }
    return Settings.model_validate(settings)


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


def test_every_service_is_checked_and_waits_for_healthy_dependencies() -> None:
    for name, service in _services().items():
        assert "healthcheck" in service, name
        for dependency, condition in service.get("depends_on", {}).items():
            assert condition == {"condition": "service_healthy"}, (name, dependency)
    assert set(_services()["nginx"]["depends_on"]) == {"proxy"}
    assert set(_services()["proxy"]["depends_on"]) == {"redis", "emulator"}


def test_one_image_is_built_once_and_shared() -> None:
    services = _services()
    built = [name for name, service in services.items() if "build" in service]
    assert built == ["emulator"]
    assert {services[role]["image"] for role in IMAGE_ROLES} == {"netflix-proxy:local"}
    assert services["proxy"]["pull_policy"] == "never"


def test_three_proxy_replicas_behind_nginx_on_one_published_port() -> None:
    services = _services()
    assert services["proxy"]["deploy"]["replicas"] == 3
    assert "ports" not in services["proxy"]  # reached only through nginx
    [(host_port, nginx_port)] = _published(services["nginx"])
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert f"listen {nginx_port};" in conf
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in services["nginx"]["volumes"]
    proxy_port = int(_flag(services["proxy"]["command"], "--port"))
    assert re.search(rf"server proxy:{proxy_port};", conf)
    # nginx's address is the only one whose X-Forwarded-For the replicas believe.
    nginx_address = services["nginx"]["networks"]["backend"]["ipv4_address"]
    assert _proxy_settings().trusted_proxies == [nginx_address]
    public = urlsplit(str(_proxy_settings().public_url))
    assert (public.hostname, public.port) == ("127.0.0.1", host_port)


def test_the_proxy_settings_agree_with_the_emulator_and_redis() -> None:
    services = _services()
    settings = _proxy_settings()
    upstream = urlsplit(settings.upstream_base_url)
    emulator_command = services["emulator"]["command"]
    assert upstream.hostname == "emulator"
    assert upstream.port == int(_flag(emulator_command, "--port"))
    assert urlsplit(str(settings.redis_url)).hostname == "redis"
    # The emulator refuses past its limit; the proxy must budget within it.
    emulator_limit = float(services["emulator"]["environment"]["NFX_EMULATOR_PER_SECOND_LIMIT"])
    assert settings.budget_consumer_per_s <= emulator_limit
    assert settings.budget_user_per_s <= emulator_limit
    # The sign-in page is opened by a browser on the host: its port must be published.
    login = urlsplit(services["emulator"]["environment"]["NFX_EMULATOR_LOGIN_BASE"])
    assert (login.port, upstream.port) in _published(services["emulator"])


def test_compose_keeps_redis_data_on_a_named_volume_with_the_append_only_file() -> None:
    compose = _compose()
    redis = compose["services"]["redis"]
    command = list(redis["command"])
    assert _flag(command, "--appendonly") == "yes"
    volume, _, target = next(iter(redis["volumes"])).partition(":")
    assert target == "/data"  # the image's working folder, where the append-only file goes
    assert volume in compose["volumes"]


def test_dockerfile_installs_runtime_locks_before_the_source_and_drops_root() -> None:
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    lock = next(i for i, line in enumerate(lines) if "-r requirements.lock" in line)
    source = next(i for i, line in enumerate(lines) if line.startswith("COPY service"))
    assert lock < source
    installs = [line for line in lines if line.startswith("RUN pip install")]
    assert not [line for line in installs if "requirements-dev" in line or "embedded" in line]
    user = next(i for i, line in enumerate(lines) if line.startswith("USER "))
    assert lines[user] != "USER root"


def test_dockerfile_healthcheck_serves_both_roles() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert 'CMD netflix-proxy probe "$HEALTHCHECK_URL"' in text
    assert "ENV HEALTHCHECK_URL=http://127.0.0.1:8080/readyz" in text
    emulator = _services()["emulator"]["environment"]["HEALTHCHECK_URL"]
    assert urlsplit(emulator).port == int(_flag(_services()["emulator"]["command"], "--port"))


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


def test_the_load_balancer_does_not_publish_metrics() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    block = re.search(r"location = /metrics \{([^}]*)\}", conf)
    assert block is not None
    assert block.group(1).split() == ["return", "404;"]
