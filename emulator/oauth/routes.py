"""`/oauth/request_token`, `/oauth/login` (alias `/oauth/authenticate`) and `/oauth/access_token`.

Token answers are form-encoded `text/plain` bodies, as Netflix's were; the sign-in page is the
emulator's stand-in for `https://api-user.netflix.com/oauth/login`.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from emulator.context import EmulatorContext
from emulator.oauth.login_page import (
    render_approval,
    render_failed,
    render_login,
    render_verifier,
)
from emulator.oauth.provider import check_callback
from emulator.oauth.transport import client_base_url

_FORM_TEXT_MEDIA_TYPE = "text/plain"
WRONG_CREDENTIALS = "Incorrect email or password. Please try again."
# Added to the callback when the subscriber denies the application (as OAuth 1.0 extensions
# name it); the request token is spent.
USER_REFUSED = "user_refused"


def _with_query(url: str, extra: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(extra.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def _form_text(value: object) -> str:
    return value if isinstance(value, str) else ""


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    """The OAuth endpoints of one emulator instance."""
    oauth = ctx.oauth
    config = ctx.config

    async def request_token(request: Request) -> Response:
        issued = await oauth.issue_request_token(request)
        base = config.login_base.rstrip("/") or client_base_url(request)
        login_url = f"{base}/oauth/login?" + urlencode({"oauth_token": issued.token})
        body = urlencode(
            {
                "oauth_token": issued.token,
                "oauth_token_secret": issued.secret,
                "application_name": config.application_name,
                "login_url": login_url,
            }
        )
        return Response(body, media_type=_FORM_TEXT_MEDIA_TYPE)

    async def access_token(request: Request) -> Response:
        access = await oauth.exchange_request_token(request)
        body = urlencode(
            {
                "oauth_token": access.token,
                "oauth_token_secret": access.secret,
                "user_id": access.user_id,
            }
        )
        return Response(body, media_type=_FORM_TEXT_MEDIA_TYPE)

    def login_form(
        request: Request, hidden: dict[str, str], login: str = "", error: str | None = None
    ) -> Response:
        page = render_login(
            application_name=config.application_name,
            hidden=hidden,
            action=request.url.path,
            demo=oauth.demo_logins(),
            login=login,
            error=error,
        )
        return HTMLResponse(page)

    async def show_login(request: Request) -> Response:
        query = request.query_params
        pending = oauth.pending_request_token(
            query.get("oauth_token", ""),
            consumer_key=query.get("oauth_consumer_key"),
            application_name=query.get("application_name"),
        )
        callback = check_callback(query.get("oauth_callback")) or pending.callback
        hidden = {"oauth_token": pending.token}
        if callback:
            hidden["oauth_callback"] = callback
        return login_form(request, hidden)

    async def submit_login(request: Request) -> Response:
        form = await request.form()
        token = _form_text(form.get("oauth_token"))
        pending = oauth.pending_request_token(token)
        callback = check_callback(_form_text(form.get("oauth_callback")) or None)
        callback = callback or pending.callback
        hidden = {"oauth_token": token, **({"oauth_callback": callback} if callback else {})}
        if "decision" in form:
            return decide(_form_text(form.get("decision")), form, token, callback)
        login = _form_text(form.get("login"))
        code = oauth.sign_in(token, login, _form_text(form.get("password")))
        if code is None:
            return login_form(request, hidden, login, WRONG_CREDENTIALS)
        page = render_approval(
            application_name=config.application_name,
            hidden={**hidden, "approval_code": code},
            action=request.url.path,
            who=login.strip(),
        )
        return HTMLResponse(page)

    def decide(decision: str, form: FormData, token: str, callback: str | None) -> Response:
        if decision != "allow":
            oauth.decline_request_token(token)
            if callback:
                refused = {"oauth_token": token, "oauth_problem": USER_REFUSED}
                return RedirectResponse(_with_query(callback, refused), status_code=303)
            return HTMLResponse(render_failed(application_name=config.application_name))
        verifier = oauth.approve_sign_in(token, _form_text(form.get("approval_code")))
        if callback:
            target = _with_query(callback, {"oauth_token": token, "oauth_verifier": verifier})
            return RedirectResponse(target, status_code=303)
        return HTMLResponse(
            render_verifier(application_name=config.application_name, verifier=verifier)
        )

    async def login(request: Request) -> Response:
        if request.method == "POST":
            return await submit_login(request)
        return await show_login(request)

    return [
        Route("/oauth/request_token", request_token, methods=["GET", "POST"]),
        Route("/oauth/access_token", access_token, methods=["GET", "POST"]),
        Route("/oauth/login", login, methods=["GET", "POST"]),
        Route("/oauth/authenticate", login, methods=["GET", "POST"]),
    ]
