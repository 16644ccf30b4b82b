"""The proxy's upstream client pointed at an emulator with its demo consumer.

The client tests all sign as the emulator's demo consumer and expect refs on the public
Netflix host; this keeps that setup in one place.
"""

from __future__ import annotations

from typing import Any

import httpx

from emulator.config import DEMO_CONSUMER_KEY, DEMO_CONSUMER_SECRET
from service.netflix.client import NetflixClient

REF_BASE = "http://api-public.netflix.com"


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
