"""`python -m emulator` over real TCP: flags, environment defaults, demo credentials, faults."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from emulator import create_emulator
from emulator.__main__ import build_parser, config_from_args, main
from emulator.config import DEMO_CONSUMER_KEY, EmulatorConfig
from tests.support.oauth import signer
from tests.support.servers import free_port, python_server


def _config(argv: list[str], environ: dict[str, str] | None = None) -> EmulatorConfig:
    parser = build_parser(EmulatorConfig.from_env(environ or {}))
    return config_from_args(parser.parse_args(argv))


def test_flags_cover_every_setting() -> None:
    config = _config(
        [
            "--host",
            "192.0.2.1",
            "--port",
            "9000",
            "--catalog-size",
            "50",
            "--seed",
            "9",
            "--public-base",
            "http://api.netflix.com",
            "--login-base",
            "https://login.test",
            "--consumer-key",
            "k",
            "--consumer-secret",
            "s",
            "--application-name",
            "App",
            "--timestamp-tolerance",
            "30",
            "--refuse-replayed-nonces",
            "--request-token-ttl",
            "60",
            "--lenient-signatures",
            "--no-rate-limits",
            "--per-second-limit",
            "9",
            "--per-day-limit",
            "99",
            "--queue-max-size",
            "10",
            "--fault-latency-ms",
            "5",
            "--fault-error-rate",
            "0.1",
            "--fault-malformed-rate",
            "0.1",
            "--fault-truncated-rate",
            "0.1",
            "--fault-drop-rate",
            "0.1",
            "--fault-gateway-error-rate",
            "0.1",
            "--fault-seed",
            "3",
        ]
    )
    assert config == EmulatorConfig(
        host="192.0.2.1",
        port=9000,
        catalog_size=50,
        seed=9,
        public_base="http://api.netflix.com",
        login_base="https://login.test",
        consumer_key="k",
        consumer_secret="s",
        application_name="App",
        timestamp_tolerance_s=30,
        refuse_replayed_nonces=True,
        request_token_ttl_s=60,
        lenient_signatures=True,
        rate_limits=False,
        per_second_limit=9,
        per_day_limit=99,
        queue_max_size=10,
        faults=config.faults,
    )
    assert (config.faults.latency_ms, config.faults.drop_rate, config.faults.seed) == (5, 0.1, 3)


def test_environment_gives_defaults_and_flags_win() -> None:
    environ = {
        "NFX_EMULATOR_SEED": "5",
        "NFX_EMULATOR_RATE_LIMITS": "off",
        "NFX_EMULATOR_FAULT_ERROR_RATE": "0.25",
    }
    assert _config([], environ).seed == 5
    assert _config([], environ).rate_limits is False
    assert _config([], environ).faults.error_rate == 0.25
    assert _config(["--seed", "6", "--rate-limits"], environ).seed == 6
    assert _config(["--rate-limits"], environ).rate_limits is True


def test_replayed_nonces_are_refused_only_when_asked() -> None:
    assert _config([]).refuse_replayed_nonces is False
    on = {"NFX_EMULATOR_REFUSE_REPLAYED_NONCES": "on"}
    assert _config([], on).refuse_replayed_nonces is True
    assert _config(["--no-refuse-replayed-nonces"], on).refuse_replayed_nonces is False


@pytest.mark.parametrize("argv", [["--port", "70000"], ["--catalog-size", "-1"]])
def test_impossible_values_are_refused(argv: list[str]) -> None:
    with pytest.raises(ValueError, match="must be"):
        _config(argv)


@pytest.mark.integration
def test_serves_signed_requests_over_tcp_and_prints_demo_credentials() -> None:
    port = free_port()
    args = [
        "emulator",
        "--port",
        str(port),
        "--catalog-size",
        "300",
        "--no-rate-limits",
        "--log-level",
        "warning",
    ]
    oauth = create_emulator(EmulatorConfig(catalog_size=300)).state.context.oauth
    demo, logins = oauth.demo_tokens(), oauth.demo_logins()
    base_url = f"http://127.0.0.1:{port}"
    with (
        python_server(args, port) as server,
        httpx.Client(base_url=base_url, auth=signer()) as client,
    ):
        response = client.get("/oauth/request_token")
        unsigned = client.get("/oauth/request_token", auth=None)
        user_id, token, secret = demo[0]
        user = client.get(f"/users/{user_id}", auth=signer(token, secret))
        # The banner is complete before the port opens.
        banner = server.log()
    assert response.status_code == 200, response.text
    assert "oauth_token_secret=" in response.text
    assert unsigned.status_code == 401
    assert user.status_code == 200 and user_id in user.text
    assert f"listening on http://127.0.0.1:{port}" in banner
    assert DEMO_CONSUMER_KEY in banner
    for user_id, token, secret in demo:
        assert f"{user_id}  {token}  {secret}" in banner
    for login in logins:
        assert f"    {login.email}  {login.password}\n" in banner


@pytest.mark.integration
def test_dropped_connections_over_tcp() -> None:
    port = free_port()
    args = [
        "emulator",
        "--port",
        str(port),
        "--catalog-size",
        "300",
        "--fault-drop-rate",
        "1",
        "--log-level",
        "warning",
    ]
    with (
        python_server(args, port),
        httpx.Client(base_url=f"http://127.0.0.1:{port}", auth=signer()) as client,
    ):
        with pytest.raises(httpx.RemoteProtocolError, match="without sending"):
            client.get("/oauth/request_token")
        # The server survives to drop the next one too.
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/oauth/request_token")


def test_bad_environment_is_reported(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NFX_EMULATOR_PORT", "eighty")
    assert main([]) == 2
    assert "NFX_EMULATOR_" in capsys.readouterr().err


def test_documented_demo_tokens_are_the_default_ones() -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "emulator.md"
    if not doc.exists():
        pytest.skip("docs/emulator.md is not present")
    text = doc.read_text()
    oauth = create_emulator(EmulatorConfig(catalog_size=300)).state.context.oauth
    for (user_id, token, secret), login in zip(
        oauth.demo_tokens(), oauth.demo_logins(), strict=True
    ):
        assert (
            f"| `{user_id}` | `{token}` | `{secret}` | `{login.email}` | `{login.password}` |"
            in text
        )
