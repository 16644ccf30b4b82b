"""Sign-in endpoints: the OAuth 1.0a dance with the upstream, and the proxy's own sessions.

A client starts a sign-in, sends the subscriber to the upstream's login page, and the upstream
sends the subscriber back to `/v1/auth/callback`, where the proxy trades the request token for a
long-lived access token, stores it encrypted, and hands out an opaque session token. A client
that already holds an access token pair can import it instead. The access token never reaches
the client again; the session token is all it needs.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from service.deps import (
    BearerToken,
    ClientDep,
    CurrentSession,
    RedisDep,
    RequestTokensDep,
    SessionsDep,
    SettingsDep,
    limit_sign_in,
)
from service.errors import (
    BadUpstream,
    InvalidInput,
    InvalidSession,
    RateLimited,
    UpstreamTimeout,
    problem_responses,
)
from service.netflix.client import AccessToken
from service.settings import Settings
from service.store import keys
from service.store.redis import STORE_DOWN

router = APIRouter(
    prefix="/v1/auth", tags=["auth"], responses=problem_responses(401, 422, 429, 502, 503, 504)
)

MAX_URL_LENGTH = 2000
MAX_TOKEN_LENGTH = 500
# Answers carrying a session token must not be kept by browsers or shared caches (as for
# OAuth 2 token answers, RFC 6749 section 5.1).
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
# Binds a sign-in started by a browser link to that browser (see `start_sign_in_redirect`).
SIGN_IN_COOKIE = "nfx_sign_in"
# The endpoints that reach the upstream without a session spend the caller's sign-in budget
# first, so anonymous traffic cannot use up the consumer budget that catalog reads share.
SIGN_IN_LIMIT = (Depends(limit_sign_in),)
LIMIT_NOTE = (
    " Limited per client address (`NFX_SIGNIN_PER_MINUTE`): beyond it, 429 with Retry-After."
)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SignInStart(_Body):
    """Where to send the subscriber once the sign-in is done (optional)."""

    return_to: str | None = Field(
        None,
        max_length=MAX_URL_LENGTH,
        description="Absolute URL under one of the configured allowed return URLs. When given, "
        "the callback answers 303 to it with the session in the URL fragment.",
    )


class SignInLink(_Body):
    """The upstream login page to send the subscriber to."""

    login_url: str = Field(description="Open this in the subscriber's browser.")
    expires_in: int = Field(description="Seconds this sign-in stays valid.")


class SessionGrant(_Body):
    """A proxy session: send `Authorization: Bearer <session_token>` on user endpoints."""

    session_token: str
    user_id: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - an OAuth token type, not a secret
    expires_in: int = Field(description="Seconds until the session expires.")


class TokenImport(_Body):
    """An access token pair obtained elsewhere (long-lived, as the upstream issued them)."""

    access_token: str = Field(min_length=1, max_length=MAX_TOKEN_LENGTH)
    access_token_secret: str = Field(min_length=1, max_length=MAX_TOKEN_LENGTH, repr=False)


class WhoAmI(_Body):
    """The subscriber behind a session."""

    user_id: str
    session_expires_in: int | None = Field(
        description="Seconds until the session expires; null if unknown."
    )
    session_expires_at: datetime | None = Field(
        description="When the session expires (UTC); null if unknown."
    )


def _checked_return_to(settings: Settings, return_to: str | None) -> str | None:
    """Accept a return URL only under a configured prefix (no open redirects)."""
    if return_to is None:
        return None
    if "#" in return_to:
        raise InvalidInput("return_to must not carry a fragment: the session goes there")
    if not settings.is_allowed_return_url(return_to):
        raise InvalidInput("return_to is not under an allowed return URL (NFX_ALLOWED_RETURN_URLS)")
    return return_to


async def _begin(
    settings: Settings,
    client: ClientDep,
    pending: RequestTokensDep,
    return_to: str | None,
    browser_cookie: str | None = None,
) -> SignInLink:
    checked = _checked_return_to(settings, return_to)
    token = await client.request_token(callback=f"{settings.public_url}/v1/auth/callback")
    await pending.put(
        token.token,
        token.secret,
        settings.request_token_ttl_s,
        checked,
        browser_cookie=browser_cookie,
    )
    return SignInLink(login_url=token.login_url, expires_in=settings.request_token_ttl_s)


@router.post(
    "/start",
    operation_id="start_sign_in",
    response_model=SignInLink,
    summary="Start a sign-in",
    description="Asks the upstream for a request token and answers the login URL to open in "
    "the subscriber's browser. After login the upstream redirects to "
    "`/v1/auth/callback`, which creates the session." + LIMIT_NOTE,
    dependencies=SIGN_IN_LIMIT,
)
async def start_sign_in(
    settings: SettingsDep,
    client: ClientDep,
    pending: RequestTokensDep,
    body: SignInStart | None = None,
) -> SignInLink:
    """Start a sign-in and answer the login URL."""
    return await _begin(settings, client, pending, body.return_to if body else None)


@router.get(
    "/start",
    operation_id="start_sign_in_redirect",
    response_model=SignInLink,
    summary="Start a sign-in from a browser link",
    description="Like `POST /v1/auth/start`, for a plain link: with `redirect=true` it answers "
    "303 to the login page, otherwise the same JSON." + LIMIT_NOTE,
    responses={303: {"description": "Redirect to the upstream login page."}},
    dependencies=SIGN_IN_LIMIT,
)
async def start_sign_in_redirect(
    settings: SettingsDep,
    client: ClientDep,
    pending: RequestTokensDep,
    redirect: Annotated[bool, Query(description="Answer 303 to the login page.")] = False,
    return_to: Annotated[
        str | None, Query(max_length=MAX_URL_LENGTH, description="See `POST /v1/auth/start`.")
    ] = None,
) -> Response | SignInLink:
    """Start a sign-in; optionally redirect the browser to the login page."""
    if not redirect:
        return await _begin(settings, client, pending, return_to)
    # A browser flow: bind the sign-in to this browser, so that a callback link made by
    # someone else's sign-in cannot log this browser into their account (login CSRF).
    cookie = secrets.token_urlsafe(32)
    link = await _begin(settings, client, pending, return_to, cookie)
    answer = RedirectResponse(link.login_url, status_code=status.HTTP_303_SEE_OTHER)
    answer.set_cookie(
        SIGN_IN_COOKIE,
        cookie,
        max_age=settings.request_token_ttl_s,
        path="/v1/auth",
        secure=settings.public_url.startswith("https://"),
        httponly=True,
        samesite="lax",
    )
    return answer


@router.get(
    "/callback",
    operation_id="finish_sign_in",
    response_model=SessionGrant,
    summary="Finish a sign-in (upstream redirect target)",
    description="The upstream login page sends the subscriber here. The proxy exchanges the "
    "request token for an access token, stores it encrypted and answers a session "
    "token; when the sign-in was started with `return_to`, it answers 303 to that "
    "URL with `session_token`, `user_id`, `token_type` and `expires_in` in the "
    "fragment instead." + LIMIT_NOTE,
    responses={303: {"description": "Redirect to the `return_to` given at start."}},
    dependencies=SIGN_IN_LIMIT,
)
async def finish_sign_in(
    settings: SettingsDep,
    client: ClientDep,
    pending: RequestTokensDep,
    sessions: SessionsDep,
    request: Request,
    response: Response,
    oauth_token: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_TOKEN_LENGTH,
            description="The request token the login page sends back.",
        ),
    ],
    oauth_verifier: Annotated[
        str | None,
        Query(
            max_length=MAX_TOKEN_LENGTH,
            description="The verifier the login page sends back (older hosts send none).",
        ),
    ] = None,
) -> Response | SessionGrant:
    """Exchange the request token and open a session."""
    response.headers.update(NO_STORE)
    started = await pending.pop(oauth_token)
    if started is None:
        raise InvalidSession("unknown, used or expired sign-in; start again at /v1/auth/start")
    browser_cookie = request.cookies.get(SIGN_IN_COOKIE)
    if not started.finished_by(browser_cookie):
        raise InvalidSession("this sign-in was started in another browser; start again here")
    return_to = started.return_to
    try:
        access, user_id = await client.access_token(oauth_token, started.secret, oauth_verifier)
    except (BadUpstream, UpstreamTimeout, RateLimited):
        # The upstream did not judge the token: keep the sign-in open so a retry can finish it.
        await pending.put(
            oauth_token,
            started.secret,
            settings.request_token_ttl_s,
            return_to,
            browser_cookie=browser_cookie,
        )
        raise
    grant = SessionGrant(
        session_token=await sessions.create(user_id, access),
        user_id=user_id,
        expires_in=settings.session_ttl_s,
    )
    if return_to is None:
        response.delete_cookie(SIGN_IN_COOKIE, path="/v1/auth")
        return grant
    fragment = urlencode(grant.model_dump(mode="json"))
    answer = RedirectResponse(
        f"{return_to}#{fragment}", status_code=status.HTTP_303_SEE_OTHER, headers=NO_STORE
    )
    answer.delete_cookie(SIGN_IN_COOKIE, path="/v1/auth")
    return answer


@router.post(
    "/import",
    operation_id="import_token",
    response_model=SessionGrant,
    summary="Open a session from an existing access token",
    description="For clients that already hold a long-lived upstream access token pair: the "
    "pair is checked against the upstream (`users/current`) and, if accepted, "
    "stored encrypted behind a new session token. 401 when the upstream rejects it." + LIMIT_NOTE,
    dependencies=SIGN_IN_LIMIT,
)
async def import_token(
    body: TokenImport,
    settings: SettingsDep,
    client: ClientDep,
    sessions: SessionsDep,
    response: Response,
) -> SessionGrant:
    """Check an access token pair upstream and open a session for it."""
    response.headers.update(NO_STORE)
    access = AccessToken(body.access_token, body.access_token_secret)
    user_id = await client.current_user_id(access)
    return SessionGrant(
        session_token=await sessions.create(user_id, access),
        user_id=user_id,
        expires_in=settings.session_ttl_s,
    )


@router.get(
    "/me",
    operation_id="get_me",
    response_model=WhoAmI,
    summary="Who am I",
    description="The subscriber behind the bearer session token, and when the session ends.",
)
async def get_me(session: CurrentSession, token: BearerToken, redis: RedisDep) -> WhoAmI:
    """Describe the current session."""
    try:
        remaining = int(await redis.ttl(keys.session(token)))
    except STORE_DOWN:
        remaining = -1
    if remaining < 0:
        return WhoAmI(user_id=session.user_id, session_expires_in=None, session_expires_at=None)
    expires_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=remaining)
    return WhoAmI(
        user_id=session.user_id, session_expires_in=remaining, session_expires_at=expires_at
    )


@router.post(
    "/sign-out",
    operation_id="sign_out",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Sign out",
    description="Revokes the bearer session token; later calls with it get "
    "401. The upstream access token is forgotten too.",
    response_class=Response,
)
async def sign_out(session: CurrentSession, token: BearerToken, sessions: SessionsDep) -> Response:
    """Revoke the current session."""
    del session  # resolved only so that an unknown token answers 401
    await sessions.revoke(token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
