"""Emulator settings: every knob has an `NFX_EMULATOR_*` environment variable and a CLI flag."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from typing import Any

# A documented demo consumer pair: public on purpose, it only opens the emulator.
DEMO_CONSUMER_KEY = "nfxdemoconsumerkey"
DEMO_CONSUMER_SECRET = "nfxdemoconsumersecret"  # noqa: S105 - published demo credential


@dataclass(frozen=True, slots=True)
class FaultConfig:
    """Fault injection; every rate is a probability in [0, 1]. All off by default."""

    latency_ms: int = 0
    error_rate: float = 0.0
    malformed_rate: float = 0.0
    truncated_rate: float = 0.0
    drop_rate: float = 0.0
    gateway_error_rate: float = 0.0
    write_drop_rate: float = 0.0
    seed: int | None = None

    @property
    def enabled(self) -> bool:
        """True when any fault can fire."""
        return bool(
            self.latency_ms
            or self.error_rate
            or self.malformed_rate
            or self.truncated_rate
            or self.drop_rate
            or self.gateway_error_rate
            or self.write_drop_rate
        )


@dataclass(frozen=True, slots=True)
class EmulatorConfig:
    """Everything an emulator instance needs; immutable, passed to `create_emulator`."""

    host: str = "127.0.0.1"
    port: int = 8081
    catalog_size: int = 3000
    seed: int = 1
    # Host written into ids and links, as the live API wrote its own name.
    public_base: str = "http://api-public.netflix.com"
    # Base of the sign-in page handed out as `login_url`; empty means "this server".
    login_base: str = ""
    consumer_key: str = DEMO_CONSUMER_KEY
    consumer_secret: str = DEMO_CONSUMER_SECRET
    application_name: str = "Netflix Proxy Demo"
    timestamp_tolerance_s: int = 300
    # The live API did not refuse repeated nonces (old clients repeat them within a second).
    refuse_replayed_nonces: bool = False
    request_token_ttl_s: int = 3600
    lenient_signatures: bool = False
    rate_limits: bool = True
    per_second_limit: int = 4
    per_day_limit: int = 5000
    # File the limiter appends each call's arrival to (for tests of clients' budgets); "" = off.
    arrivals_log: str = ""
    queue_max_size: int = 500
    faults: FaultConfig = field(default_factory=FaultConfig)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> EmulatorConfig:
        """Read `NFX_EMULATOR_<FIELD>` (and `NFX_EMULATOR_FAULT_<FIELD>`) variables."""
        env = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"NFX_EMULATOR_{f.name.upper()}")
            if raw is not None and f.name != "faults":
                values[f.name] = _coerce(raw, cls.__dataclass_fields__[f.name].default)
        fault_values: dict[str, Any] = {}
        for f in fields(FaultConfig):
            raw = env.get(f"NFX_EMULATOR_FAULT_{f.name.upper()}")
            if raw is not None:
                default = FaultConfig.__dataclass_fields__[f.name].default
                fault_values[f.name] = int(raw) if default is None else _coerce(raw, default)
        config = cls(**values, faults=FaultConfig(**fault_values))
        return replace(config, **overrides) if overrides else config


def _coerce(raw: str, default: object) -> object:
    if isinstance(default, bool):
        if raw.lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.lower() in {"0", "false", "no", "off"}:
            return False
        raise ValueError(f"expected a boolean, got {raw!r}")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw
