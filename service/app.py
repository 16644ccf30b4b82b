"""Assembly of the proxy: settings, lifespan-held clients, routers, error handlers, front tier.

Nothing happens at import. Run with `uvicorn --factory service.app:create_app`; tests pass an
`upstream_transport` (e.g. `httpx.ASGITransport` over the emulator) and a `redis` client.
"""

from __future__ import annotations

import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from service import conditional, log_redaction
from service.api_docs import install_api_docs
from service.clock import SYSTEM_CLOCK, Clock
from service.conditional import ConditionalLayer
from service.cors import CorsLayer
from service.deps import Runtime
from service.edge import CatalogEdge
from service.edges import BodyLimitLayer, ClientAddressLayer, NoStoreLayer
from service.errors import install_error_handlers
from service.front import FrontCache, FrontLayer
from service.metrics import Metrics, install_metrics
from service.netflix.client import NetflixClient
from service.netflix.http1 import Http1Transport
from service.openapi_components import declare_component
from service.ratelimit_headers import RateLimitHeaders, declare_in_openapi
from service.request_layer import RequestLayer
from service.responses import OrjsonResponse
from service.routers import admin, auth, catalog, health, home, queues, users
from service.schemas.titles import IndexTitle
from service.settings import Settings
from service.store.batched import BatchedGet
from service.store.breaker import Breaker
from service.store.budget import SignInThrottle, UpstreamBudget
from service.store.cache import ResponseCache
from service.store.etags import EtagStore
from service.store.redis import RedisLike, close, connect
from service.store.sessions import RequestTokenStore, SessionStore
from service.store.user_cache import UserCache
from service.webapp import install_web_app

API_TITLE = "netflix-proxy"
API_VERSION = "1.0.0"
API_DESCRIPTION = """\
A JSON REST proxy in front of the Netflix public API v1 (XML, OAuth 1.0a).

* **Catalog** endpoints need no session and are cached: every answer carries `X-Cache`
  (HIT, MISS, STALE, BYPASS) and `Age`.
* **Sign-in** (`/v1/auth/...`) turns the upstream OAuth dance, or an imported access token pair,
  into an opaque session token; send it as `Authorization: Bearer <session_token>` on the user
  and queue endpoints.
* **The subscriber's reads** are cached for that subscriber only, for seconds, and carry
  `X-Cache` (HIT, MISS, BYPASS) and `Cache-Control: private, no-cache`; a write made through
  the proxy shows in the next read.
* Every error is an RFC 9457 `application/problem+json` document.
"""
MAX_UPSTREAM_CONNECTIONS = 100


class ProxyApp(FastAPI):
    """FastAPI behind the catalog edge (`service.edge`), which sees every request first."""

    edge: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.edge is None:
            await self.serve(scope, receive, send)
        else:
            await self.edge(scope, receive, send)

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The app without the edge: FastAPI, its middleware stack and the routes."""
        await super().__call__(scope, receive, send)


def create_app(
    settings: Settings | None = None,
    *,
    upstream_transport: httpx.AsyncBaseTransport | None = None,
    redis: RedisLike | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> FastAPI:
    """Build one proxy app; its lifespan opens (and closes) the upstream and Redis clients."""
    settings = settings if settings is not None else Settings()
    log_redaction.install()  # before the first request: the access log would write tokens
    front = FrontCache(
        ttl_s=settings.front_cache_ttl_s, max_entries=settings.front_cache_size, clock=clock.wall
    )
    metrics = Metrics.from_environment()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        limits = httpx.Limits(
            max_connections=MAX_UPSTREAM_CONNECTIONS,
            max_keepalive_connections=MAX_UPSTREAM_CONNECTIONS // 5,
        )
        # Upstream calls go straight to this transport (see `service.netflix.transport`),
        # unless the environment names an HTTP proxy: then the client routes them.
        transport = upstream_transport
        if transport is None and not _environment_proxies():
            transport = Http1Transport(limits=limits)
        http = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(
                settings.upstream_timeout_s, connect=settings.upstream_connect_timeout_s
            ),
            limits=limits,
            follow_redirects=False,
        )
        store = redis if redis is not None else connect(settings)
        try:
            app.state.runtime = _runtime(settings, http, transport, store, front, metrics, clock)
            yield
        finally:
            app.state.runtime = None
            await http.aclose()
            if redis is None:
                await close(store)

    app = ProxyApp(
        title=API_TITLE,
        version=API_VERSION,
        description=API_DESCRIPTION,
        lifespan=lifespan,
        # Metrics are ours (Prometheus, `/metrics`); FastAPI's OpenTelemetry hooks, unconfigured
        # here, still looked up their providers on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        default_response_class=OrjsonResponse,
        # Starlette would redirect `/path/` to `/path` on a URL built from the Host header,
        # which the client chooses; such paths answer 404 instead (see README).
        redirect_slashes=False,
        docs_url=None,  # served from local assets by install_api_docs
        redoc_url=None,
        openapi_tags=[
            {"name": "catalog", "description": "Titles and people; no session needed; cached."},
            {"name": "auth", "description": "Sign-in and sessions."},
            {
                "name": "users",
                "description": "The signed-in subscriber: profile, feeds, title "
                "states, rental history, ratings, "
                "recommendations.",
            },
            {"name": "queues", "description": "The subscriber's disc and instant queues."},
            {"name": "admin", "description": "Operator endpoints (admin token)."},
            {"name": "health", "description": "Probes."},
        ],
    )
    app.state.runtime = None
    install_error_handlers(app)
    for module in (health, catalog, auth, users, home, queues, admin):
        app.include_router(module.router)
    install_api_docs(app)
    install_web_app(app)
    install_metrics(app, metrics)
    # Innermost first: budget headers, ETag/304/Link/HEAD of routed reads, the front tier (its
    # hits spend no budget and answer their own ETag/304/HEAD), then the
    # body limits, the client address, no-store; CORS, then the request layer outermost
    # (request ids on every answer, preflights included; the request metric and log line).
    app.add_middleware(RateLimitHeaders)
    app.add_middleware(ConditionalLayer)
    app.add_middleware(FrontLayer, cache=front, metrics=metrics)
    app.add_middleware(
        BodyLimitLayer, max_bytes=settings.max_body_bytes, timeout_s=settings.body_timeout_s
    )
    app.add_middleware(ClientAddressLayer, trusted=settings.trusted_proxies)
    app.add_middleware(NoStoreLayer)
    if settings.cors_origins:
        app.add_middleware(CorsLayer, origins=settings.cors_origins)
    app.add_middleware(RequestLayer, metrics=metrics)
    # Outside everything, FastAPI's own wrappers included: cache hits of plain anonymous GETs
    # need none of the layers above.
    app.edge = CatalogEdge(
        app.serve,
        state=app.state,
        front=front,
        metrics=metrics,
        cors=bool(settings.cors_origins),
        trusted_proxies=bool(settings.trusted_proxies),
    )
    # The NDJSON stream's lines refer to it.
    declare_component(app, IndexTitle, mode="serialization")
    declare_in_openapi(app)
    conditional.declare_in_openapi(app)
    return app


def _environment_proxies() -> bool:
    """Whether the environment names a proxy for http or https (httpx's clients use it)."""
    proxies = urllib.request.getproxies()
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))


def _runtime(
    settings: Settings,
    http: httpx.AsyncClient,
    transport: httpx.AsyncBaseTransport | None,
    store: RedisLike,
    front: FrontCache,
    metrics: Metrics,
    clock: Clock,
) -> Runtime:
    # One memory of outages for every store use.
    breaker = Breaker(settings.redis_retry_after_s, metrics=metrics, clock=clock.monotonic)
    client = NetflixClient(
        http,
        base_url=settings.upstream_base_url,
        consumer_key=settings.consumer_key,
        consumer_secret=settings.consumer_secret.get_secret_value(),
        ref_base=settings.ref_base,
        throttle=UpstreamBudget(store, settings, breaker=breaker, metrics=metrics),
        max_body_bytes=settings.upstream_max_body_bytes,
        metrics=metrics,
        transport=transport,
    )
    return Runtime(
        settings=settings,
        http=http,
        redis=store,
        breaker=breaker,
        batched_get=BatchedGet(store, breaker),
        client=client,
        cache=ResponseCache(store, settings, breaker=breaker, metrics=metrics, clock=clock.wall),
        front=front,
        sessions=SessionStore(store, settings, breaker=breaker),
        request_tokens=RequestTokenStore(store, settings, breaker=breaker),
        etags=EtagStore(store, settings, breaker=breaker),
        user_cache=UserCache(store, breaker),
        sign_ins=SignInThrottle(store, settings, breaker=breaker, metrics=metrics),
        metrics=metrics,
    )
