"""`python -m emulator`: serve one emulator over HTTP with uvicorn.

Every `EmulatorConfig` knob has a flag; defaults come from `NFX_EMULATOR_*` variables. At
start-up it prints where it listens, the demo consumer pair and each demo subscriber's
access token pair and sign-in email and password: all published demo credentials that only
open this emulator.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from typing import Any, TextIO

import uvicorn

from emulator.app import create_emulator
from emulator.config import DEMO_CONSUMER_SECRET, EmulatorConfig, FaultConfig
from emulator.oauth.provider import DemoLogin

_HELP = {
    "host": "interface to listen on",
    "port": "TCP port to listen on",
    "catalog_size": "number of generated catalog titles",
    "seed": "seed of the catalog, the subscribers and their demo tokens",
    "public_base": "scheme and host written into ids and links",
    "login_base": "base of the sign-in page handed out as login_url (default: this server)",
    "consumer_key": "the one consumer key accepted",
    "consumer_secret": "its secret",
    "application_name": "application_name returned with request tokens",
    "timestamp_tolerance_s": "accepted oauth_timestamp skew, seconds",
    "refuse_replayed_nonces": "refuse a nonce repeated within the timestamp tolerance",
    "request_token_ttl_s": "lifetime of request tokens, seconds",
    "lenient_signatures": "also accept the PHP library's signature quirks",
    "rate_limits": "enforce the per-second and per-day limits",
    "per_second_limit": "calls per second per access token or consumer key",
    "per_day_limit": "calls per day per access token or consumer key",
    "arrivals_log": "append each limited call (time, hashed caller, outcome) to this file",
    "queue_max_size": "most titles a queue holds",
}
_FAULT_HELP = {
    "latency_ms": "latency added to every response, milliseconds",
    "error_rate": "share of requests answered with a 500 status document",
    "malformed_rate": "share of responses with broken XML",
    "truncated_rate": "share of responses cut short",
    "drop_rate": "share of connections closed without a response",
    "gateway_error_rate": "share of requests refused by the gateway (text/plain 401)",
    "write_drop_rate": "share of writes applied, then their connections closed without a response",
    "seed": "seed of the fault draws (default: unseeded)",
}
_NON_NEGATIVE = {
    "catalog_size",
    "timestamp_tolerance_s",
    "request_token_ttl_s",
    "per_second_limit",
    "per_day_limit",
    "queue_max_size",
}


def _flag(name: str) -> str:
    return "--" + name.removesuffix("_s").replace("_", "-")


def _add(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup,
    flag: str,
    dest: str,
    default: Any,
    help_text: str,
) -> None:
    if isinstance(default, bool):
        parser.add_argument(
            flag, dest=dest, default=default, help=help_text, action=argparse.BooleanOptionalAction
        )
        return
    kind = type(default) if default is not None else int
    parser.add_argument(
        flag, dest=dest, default=default, type=kind, help=help_text, metavar=kind.__name__.upper()
    )


def build_parser(defaults: EmulatorConfig) -> argparse.ArgumentParser:
    """Flags for every setting, defaulting to `defaults` (the environment)."""
    parser = argparse.ArgumentParser(
        prog="python -m emulator",
        description="Serve the Netflix API v1 emulator.",
        epilog="Every flag defaults to its NFX_EMULATOR_* variable (faults: NFX_EMULATOR_FAULT_*).",
    )
    for name, help_text in _HELP.items():
        _add(parser, _flag(name), name, getattr(defaults, name), help_text)
    faults = parser.add_argument_group("fault injection")
    for name, help_text in _FAULT_HELP.items():
        _add(
            faults,
            "--fault-" + name.replace("_", "-"),
            "fault_" + name,
            getattr(defaults.faults, name),
            help_text,
        )
    parser.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    parser.add_argument("--access-log", action="store_true", help="log every request")
    return parser


def config_from_args(args: argparse.Namespace) -> EmulatorConfig:
    """The EmulatorConfig the parsed flags describe; ValueError on impossible values."""
    values = {name: getattr(args, name) for name in _HELP}
    for name in _NON_NEGATIVE:
        if values[name] < 0:
            raise ValueError(f"{_flag(name)} must be >= 0, got {values[name]}")
    if not 0 <= values["port"] <= 65535:
        raise ValueError(f"--port must be within 0..65535, got {values['port']}")
    faults = FaultConfig(
        **{f.name: getattr(args, "fault_" + f.name) for f in dataclasses.fields(FaultConfig)}
    )
    return EmulatorConfig(**values, faults=faults)


def announce(
    config: EmulatorConfig,
    demo_tokens: Sequence[tuple[str, str, str]],
    out: TextIO,
    demo_logins: Sequence[DemoLogin] = (),
) -> None:
    """Tell the operator where to point clients and which demo credentials open the emulator."""
    secret = (
        config.consumer_secret
        if config.consumer_secret == DEMO_CONSUMER_SECRET
        else "(custom, not shown)"
    )
    lines = [
        f"Netflix API v1 emulator listening on http://{config.host}:{config.port}",
        f"  ids and links use {config.public_base}",
        f"  consumer key: {config.consumer_key}",
        f"  consumer secret: {secret}",
        "  demo subscribers (user_id  access_token  access_token_secret):",
        *(
            f"    {user_id}  {token}  {token_secret}"
            for user_id, token, token_secret in demo_tokens
        ),
    ]
    if demo_logins:
        lines.append("  sign-in logins (email  password):")
        lines += [f"    {login.email}  {login.password}" for login in demo_logins]
    if not config.rate_limits:
        lines.append("  rate limits: off")
    if config.refuse_replayed_nonces:
        lines.append("  replayed nonces: refused")
    if config.faults.enabled:
        lines.append(f"  fault injection: {config.faults}")
    out.write("\n".join(lines) + "\n")
    out.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse flags, build the app, print the demo credentials, serve until interrupted."""
    try:
        defaults = EmulatorConfig.from_env()
    except (TypeError, ValueError) as error:
        print(f"python -m emulator: bad NFX_EMULATOR_* variable: {error}", file=sys.stderr)
        return 2
    parser = build_parser(defaults)
    args = parser.parse_args(argv)
    try:
        config = config_from_args(args)
        app = create_emulator(config)
    except ValueError as error:
        parser.error(str(error))
    oauth = app.state.context.oauth
    announce(config, oauth.demo_tokens(), sys.stderr, oauth.demo_logins())
    uvicorn.run(
        app,
        host=config.host,
        port=config.port,
        log_level=args.log_level,
        access_log=args.access_log,
        # h11 hands the request target over as sent; httptools keeps only its path, which
        # would lose the scheme and host of absolute-form targets (`GET http://api...`).
        http="h11",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
