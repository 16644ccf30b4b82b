"""The typed Netflix API v1 client: one async method per upstream call, schema models out.

Every call goes through `Upstream` (throttle, sign, send, cap, parse, translate errors) at its
named `Security` level; the modules per resource only know paths, parameters and which
normalizer reads each answer: `catalog_calls` (titles, people, index), `sign_in_calls` (the
OAuth token dance) and `subscriber` (a client bound to one signed-in subscriber, from
`for_subscriber`). Title URLs sent upstream are always rebuilt from validated `TitleRef`s
against the configured `ref_base`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from service.metrics import Metrics
from service.netflix.catalog_calls import CatalogCalls
from service.netflix.refs import TitleRef, host_of
from service.netflix.sign_in_calls import SignInCalls
from service.netflix.subscriber import Subscriber, SubscriberClient
from service.netflix.transport import AccessToken, Throttle, Upstream

__all__ = ["AccessToken", "NetflixClient", "SubscriberClient", "Throttle"]


class NetflixClient(CatalogCalls, SignInCalls):
    """Calls a Netflix-compatible API v1 host on behalf of the proxy."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        consumer_key: str,
        consumer_secret: str,
        ref_base: str,
        throttle: Throttle | None = None,
        prefer_json: bool = False,
        max_body_bytes: int = 20_000_000,
        clock: Callable[[], float] = time.time,
        metrics: Metrics | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._upstream = Upstream(
            http,
            base_url=base_url,
            consumer_key=consumer_key,
            consumer_secret=consumer_secret,
            throttle=throttle,
            prefer_json=prefer_json,
            max_body_bytes=max_body_bytes,
            clock=clock,
            metrics=metrics,
            transport=transport,
        )
        self._consumer_key = consumer_key
        self._ref_base = ref_base.rstrip("/")
        self._ref_hosts = frozenset({host_of(ref_base), host_of(base_url)})

    def parse_ref(self, text: str) -> TitleRef:
        """A client-supplied title ref, accepting URLs on the configured hosts too."""
        return TitleRef.parse(text, hosts=self._ref_hosts)

    def for_subscriber(self, subscriber: Subscriber) -> SubscriberClient:
        """A client of one subscriber's resources, signed with their access token.

        `InvalidInput` when the user id is not of the shape Netflix issues.
        """
        return SubscriberClient(
            self._upstream,
            ref_base=self._ref_base,
            token=subscriber.token,
            user_id=subscriber.user_id,
        )
