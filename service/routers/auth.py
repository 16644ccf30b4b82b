"""Sign-in endpoints: HTTP in front of `service.usecases.sign_in`.

The workflow (binding each sign-in to the app or browser that started it, the upstream
exchange, sessions) lives in the use case; this module reads requests, sets the sign-in cookie
and answers JSON or redirects. Every answer under `/v1/auth/` is `Cache-Control: no-store`
(`service.edges.NoStoreLayer`), errors included.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import RedirectResponse

from service.deps import (
    BearerToken,
    ClientDep,
    CurrentSession,
    RequestTokensDep,
    SessionsDep,
    SettingsDep,
    limit_sign_in,
)
from service.errors import problem_responses
from service.schemas.auth import (
    MAX_TOKEN_LENGTH,
    MAX_URL_LENGTH,
    SessionGrant,
    SignInClaim,
    SignInDone,
    SignInLink,
    SignInStart,
    TokenImport,
    WhoAmI,
)
from service.schemas.patterns import RETURN_TO
from service.usecases.sign_in import SignIns

router = APIRouter(
    prefix="/v1/auth", tags=["auth"], responses=problem_responses(401, 422, 429, 502, 503, 504)
)

# Binds a sign-in started by a browser link to that browser (see `start_sign_in_redirect`).
SIGN_IN_COOKIE = "nfx_sign_in"
COOKIE_PATH = "/v1/auth"
# The endpoints that reach the upstream without a session spend the caller's sign-in budget
# first, so anonymous traffic cannot use up the consumer budget that catalog reads share.
SIGN_IN_LIMIT = (Depends(limit_sign_in),)
LIMIT_NOTE = (
    " Limited per client address (`NFX_SIGNIN_PER_MINUTE`): beyond it, 429 with Retry-After."
)


async def get_sign_ins(
    settings: SettingsDep, client: ClientDep, pending: RequestTokensDep, sessions: SessionsDep
) -> SignIns:
    """The sign-in use case over this app's client and stores."""
    return SignIns(settings, client, pending, sessions)


SignInsDep = Annotated[SignIns, Depends(get_sign_ins)]


@router.post(
    "/start",
    operation_id="start_sign_in",
    response_model=SignInLink,
    summary="Start a sign-in (apps)",
    description="Asks the upstream for a request token and answers the login URL to open in "
    "the subscriber's browser, with `sign_in_id` and a one-time `sign_in_secret` that only "
    "this app holds. After login the upstream redirects the browser to `/v1/auth/callback`, "
    "which completes the sign-in; the app then calls `POST /v1/auth/session` with the id and "
    "secret to receive the session token." + LIMIT_NOTE,
    responses=problem_responses(403),
    dependencies=SIGN_IN_LIMIT,
)
async def start_sign_in(sign_ins: SignInsDep, body: SignInStart | None = None) -> SignInLink:
    """Start an app sign-in and answer the login URL and the sign-in secret."""
    return await sign_ins.start_for_app(body.return_to if body else None)


@router.get(
    "/start",
    operation_id="start_sign_in_redirect",
    response_model=SignInLink,
    summary="Start a sign-in from a browser link",
    description="With `redirect=true` it answers 303 to the login page and binds the sign-in "
    "to this browser with a cookie: the callback then answers the session to that browser "
    "only. Without it, the same as `POST /v1/auth/start`." + LIMIT_NOTE,
    responses={
        303: {"description": "Redirect to the upstream login page."},
        **problem_responses(403),
    },
    dependencies=SIGN_IN_LIMIT,
)
async def start_sign_in_redirect(
    settings: SettingsDep,
    sign_ins: SignInsDep,
    redirect: Annotated[bool, Query(description="Answer 303 to the login page.")] = False,
    return_to: Annotated[
        str | None,
        Query(
            max_length=MAX_URL_LENGTH,
            pattern=RETURN_TO.regex,
            description="See `POST /v1/auth/start`.",
        ),
    ] = None,
) -> Response | SignInLink:
    """Start a sign-in; with `redirect=true`, a browser-bound one."""
    if not redirect:
        return await sign_ins.start_for_app(return_to)
    started = await sign_ins.start_for_browser(return_to)
    answer = RedirectResponse(started.login_url, status_code=status.HTTP_303_SEE_OTHER)
    answer.set_cookie(
        SIGN_IN_COOKIE,
        started.cookie,
        max_age=settings.request_token_ttl_s,
        path=COOKIE_PATH,
        secure=settings.public_url.startswith("https://"),
        httponly=True,
        samesite="lax",
    )
    return answer


@router.get(
    "/callback",
    operation_id="finish_sign_in",
    response_model=SessionGrant | SignInDone,
    summary="Finish a sign-in (upstream redirect target)",
    description="The upstream login page sends the subscriber here; the proxy exchanges the "
    "request token for an access token. For a sign-in started by an app it answers "
    "`SignInDone` (or 303 to `return_to`) and keeps the session for the app to claim with "
    "`POST /v1/auth/session`. For a browser-link sign-in, from the browser holding its "
    "cookie, it answers the session; with `return_to`, 303 to that URL with "
    "`session_token`, `user_id`, `token_type` and `expires_in` in the fragment. A refused "
    "or failed exchange leaves the sign-in open." + LIMIT_NOTE,
    responses={303: {"description": "Redirect to the `return_to` given at start."}},
    dependencies=SIGN_IN_LIMIT,
)
async def finish_sign_in(
    sign_ins: SignInsDep,
    request: Request,
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
) -> Response | SessionGrant | SignInDone:
    """Exchange the request token; answer the session or that the app may claim it."""
    finished = await sign_ins.finish(
        oauth_token, oauth_verifier, request.cookies.get(SIGN_IN_COOKIE)
    )
    if finished.grant is None:
        if finished.return_to is None:
            return SignInDone()
        return RedirectResponse(finished.return_to, status_code=status.HTTP_303_SEE_OTHER)
    if finished.return_to is None:
        answer: Response = Response(finished.grant.model_dump_json(), media_type="application/json")
    else:
        fragment = urlencode(finished.grant.model_dump(mode="json"))
        answer = RedirectResponse(
            f"{finished.return_to}#{fragment}", status_code=status.HTTP_303_SEE_OTHER
        )
    answer.delete_cookie(SIGN_IN_COOKIE, path=COOKIE_PATH)
    return answer


@router.post(
    "/session",
    operation_id="claim_session",
    response_model=SessionGrant,
    summary="Receive the session of an app sign-in",
    description="The app that started a sign-in presents `sign_in_id` and `sign_in_secret` "
    "from `POST /v1/auth/start` once the callback has completed it, and receives the session "
    "token (once). 409 `sign-in-pending` with Retry-After while the subscriber is still at "
    "the login page; 401 for an unknown, used or expired sign-in or a wrong secret.",
    responses=problem_responses(409),
)
async def claim_session(body: SignInClaim, sign_ins: SignInsDep) -> SessionGrant:
    """Hand the session of a completed sign-in to the app holding its secret."""
    return await sign_ins.claim(body.sign_in_id, body.sign_in_secret)


@router.post(
    "/import",
    operation_id="import_token",
    response_model=SessionGrant,
    summary="Open a session from an existing access token",
    description="For clients that already hold a long-lived upstream access token pair: the "
    "pair is checked against the upstream (`users/current`) and, if accepted, stored "
    "encrypted behind a new session token. 401 when the upstream rejects it, with the same "
    "answer whichever half of the pair is wrong." + LIMIT_NOTE,
    dependencies=SIGN_IN_LIMIT,
)
async def import_token(body: TokenImport, sign_ins: SignInsDep) -> SessionGrant:
    """Check an access token pair upstream and open a session for it."""
    return await sign_ins.import_pair(body.access_token, body.access_token_secret)


@router.get(
    "/me",
    operation_id="get_me",
    response_model=WhoAmI,
    summary="Who am I",
    description="The subscriber behind the bearer session token, and when the session ends.",
)
async def get_me(session: CurrentSession, token: BearerToken, sign_ins: SignInsDep) -> WhoAmI:
    """Describe the current session."""
    return await sign_ins.who_am_i(session, token)


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
