"""The proxy's upstream client pointed at an emulator with its demo consumer.

The client tests all sign as the emulator's demo consumer and expect refs on the public
Netflix host; this keeps that setup in one place.
"""

from __future__ import annotations

from typing import Any

import httpx

from emulator.config import DEMO_CONSUMER_KEY, DEMO_CONSUMER_SECRET, EmulatorConfig
from service.netflix.client import NetflixClient

REF_BASE = "http://api-public.netflix.com"
UPSTREAM_CATALOG_SIZE = 300


def upstream_config(**overrides: Any) -> EmulatorConfig:
    """An emulator to stand behind the proxy: small catalog, no quotas, replays refused.

    Refusing replayed nonces (off by default, as on the live API) makes every test that runs
    the proxy against it prove that the proxy never signs two requests with one nonce.
    """
    settings: dict[str, Any] = {
        "catalog_size": UPSTREAM_CATALOG_SIZE,
        "rate_limits": False,
        "refuse_replayed_nonces": True,
    }
    return EmulatorConfig(**{**settings, **overrides})


def emulator_client(
    http: httpx.AsyncClient, base_url: str = "https://netflix.test", **options: Any
) -> NetflixClient:
    """A client of the emulator at `base_url` through `http`; `options` go to `NetflixClient`."""
    return NetflixClient(
        http,
        base_url=base_url,
        consumer_key=DEMO_CONSUMER_KEY,
        consumer_secret=DEMO_CONSUMER_SECRET,
        ref_base=REF_BASE,
        **options,
    )
