"""Typed FastAPI dependencies: the long-lived objects the lifespan built, and the caller's session.

Handlers declare what they need with the `Annotated` aliases below (`ClientDep`, `CacheDep`,
`CurrentSession`...). Everything comes from `app.state.runtime`, filled by the lifespan in
`service.app`, so nothing is created per request and nothing exists at import time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import httpx
from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.errors import InvalidSession, StoreUnavailable
from service.front import FrontCache
from service.metrics import Metrics
from service.netflix.client import NetflixClient
from service.responses import PRIVATE_READ
from service.settings import Settings
from service.store.batched import BatchedGet
from service.store.breaker import Breaker
from service.store.budget import SignInThrottle
from service.store.cache import ResponseCache
from service.store.etags import EtagStore
from service.store.redis import RedisLike
from service.store.sessions import RequestTokenStore, Session, SessionStore
from service.store.user_cache import ReadStatus, UserCache
from service.usecases.user_reads import UserReads


@dataclass(frozen=True, slots=True)
class Runtime:
    """Everything one app instance holds between startup and shutdown."""

    settings: Settings
    http: httpx.AsyncClient
    redis: RedisLike
    breaker: Breaker
    batched_get: BatchedGet
    client: NetflixClient
    cache: ResponseCache
    front: FrontCache
    sessions: SessionStore
    request_tokens: RequestTokenStore
    etags: EtagStore
    user_cache: UserCache
    sign_ins: SignInThrottle
    metrics: Metrics


async def get_runtime(request: Request) -> Runtime:
    """The runtime of the app serving this request (set by the lifespan)."""
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    if runtime is None:
        raise StoreUnavailable("the service is starting or stopping; retry shortly")
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def limit_sign_in(request: Request, runtime: RuntimeDep) -> None:
    """Gate a sign-in before any upstream call: 429 when the client's address spent its budget,
    503 while the store (where the sign-in must end) is known to be down.

    The address is the ASGI `client`, which `service.edges.ClientAddressLayer` sets from
    `X-Forwarded-For` when the peer is one of `NFX_TRUSTED_PROXIES`.
    """
    client = request.client
    await runtime.sign_ins(client.host if client is not None else None)
    # A sign-in ends by storing a token: with the store known to be down, the upstream call
    # it would make first is refused before it is spent.
    runtime.breaker.refuse_while_open("sign-in needs the store, which is unreachable; retry soon")


async def get_settings(runtime: RuntimeDep) -> Settings:
    """The settings this app was created with."""
    return runtime.settings


async def get_client(runtime: RuntimeDep) -> NetflixClient:
    """The upstream client (one pooled httpx client, throttled through Redis)."""
    return runtime.client


async def get_cache(runtime: RuntimeDep) -> ResponseCache:
    """The shared response cache."""
    return runtime.cache


async def get_front(runtime: RuntimeDep) -> FrontCache:
    """The in-process front tier of the response cache."""
    return runtime.front


async def get_sessions(runtime: RuntimeDep) -> SessionStore:
    """The session store (hashed bearer tokens, encrypted access tokens)."""
    return runtime.sessions


async def get_request_tokens(runtime: RuntimeDep) -> RequestTokenStore:
    """The store of pending sign-ins (request-token secrets, single use)."""
    return runtime.request_tokens


async def get_etags(runtime: RuntimeDep) -> EtagStore:
    """The store of the last known queue etags."""
    return runtime.etags


SettingsDep = Annotated[Settings, Depends(get_settings)]
ClientDep = Annotated[NetflixClient, Depends(get_client)]
CacheDep = Annotated[ResponseCache, Depends(get_cache)]
FrontDep = Annotated[FrontCache, Depends(get_front)]
SessionsDep = Annotated[SessionStore, Depends(get_sessions)]
RequestTokensDep = Annotated[RequestTokenStore, Depends(get_request_tokens)]
EtagsDep = Annotated[EtagStore, Depends(get_etags)]

_bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="session",
    description="The session token from `/v1/auth/callback` or `/v1/auth/import`.",
)


async def bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer_scheme)],
) -> str:
    """The raw bearer token of `Authorization: Bearer ...`; 401 problem when absent."""
    if credentials is None or not credentials.credentials:
        raise InvalidSession("missing session: send `Authorization: Bearer <session_token>`")
    return credentials.credentials


BearerToken = Annotated[str, Depends(bearer_token)]


async def require_session(token: BearerToken, sessions: SessionsDep) -> Session:
    """The session behind the bearer token; 401 problem when unknown, revoked or expired."""
    session = await sessions.resolve(token)
    if session is None:
        raise InvalidSession(
            "invalid or expired session token; sign in again",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return session


CurrentSession = Annotated[Session, Depends(require_session)]


async def get_user_reads(
    session: CurrentSession, runtime: RuntimeDep, response: Response
) -> UserReads:
    """The caller's reads through the per-subscriber cache. The answer is marked
    `Cache-Control: private, no-cache` and gets `X-Cache` (the worst status of its reads)."""
    response.headers["Cache-Control"] = PRIVATE_READ

    def observe(status: ReadStatus) -> None:
        response.headers["X-Cache"] = status

    return UserReads(
        runtime.client.for_subscriber(session),
        runtime.user_cache,
        runtime.etags,
        runtime.settings,
        observe=observe,
        metrics=runtime.metrics,
    )


UserReadsDep = Annotated[UserReads, Depends(get_user_reads)]
