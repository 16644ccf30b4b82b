"""Real processes over TCP for integration tests: one emulator, proxy replicas, sign-ins.

The emulator runs in a child process; an in-process twin built from the same config (the
catalog, subscribers and demo tokens are deterministic from the seed) tells tests the demo
tokens and the seeded library without reaching into the child.
"""

from __future__ import annotations

from contextlib import ExitStack

import httpx
from starlette.applications import Starlette

from emulator import create_emulator
from emulator.oauth.provider import DemoLogin
from tests.support.emulator_client import upstream_config
from tests.support.proxy import approval_form, form_action, sign_in_form
from tests.support.servers import free_port, python_server

CATALOG_SIZE = 300
TIMEOUT_S = 20.0


def start_emulator(stack: ExitStack, **env: str) -> str:
    """An emulator process (small catalog, no rate limits, replayed nonces refused, `env` on
    top); returns its URL."""
    port = free_port()
    stack.enter_context(
        python_server(
            ["emulator", "--host", "127.0.0.1", "--port", str(port)],
            port,
            env={
                "NFX_EMULATOR_CATALOG_SIZE": str(CATALOG_SIZE),
                "NFX_EMULATOR_RATE_LIMITS": "false",
                "NFX_EMULATOR_REFUSE_REPLAYED_NONCES": "true",
                **env,
            },
        )
    )
    return f"http://127.0.0.1:{port}"


def emulator_twin() -> Starlette:
    """An in-process emulator identical at start to the one `start_emulator` runs."""
    return create_emulator(upstream_config(catalog_size=CATALOG_SIZE))


def demo_tokens(twin: Starlette) -> list[tuple[str, str, str]]:
    """(user_id, access_token, access_token_secret) of each seeded subscriber."""
    tokens: list[tuple[str, str, str]] = twin.state.context.oauth.demo_tokens()
    return tokens


def start_proxy(
    stack: ExitStack, upstream: str, redis_url: str | None, key: str, **env: str
) -> str:
    """A proxy replica (uvicorn process) on a real Redis (embedded store when None)."""
    port = free_port()
    if redis_url is not None:
        env = {"NFX_REDIS_URL": redis_url, **env}
    stack.enter_context(
        python_server(
            [
                "uvicorn",
                "--factory",
                "service.app:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
            ],
            port,
            env={
                "NFX_UPSTREAM_BASE_URL": upstream,
                "NFX_PUBLIC_URL": f"http://127.0.0.1:{port}",
                "NFX_TOKEN_ENCRYPTION_KEY": key,
                **env,
            },
        )
    )
    return f"http://127.0.0.1:{port}"


def import_session(proxy: str, token: str, secret: str) -> tuple[str, str]:
    """Open a session from an access token pair; returns (session_token, user_id)."""
    with httpx.Client(base_url=proxy, timeout=TIMEOUT_S) as client:
        answer = client.post(
            "/v1/auth/import", json={"access_token": token, "access_token_secret": secret}
        )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return str(body["session_token"]), str(body["user_id"])


def demo_logins(twin: Starlette) -> list[DemoLogin]:
    """The sign-in page's email and password of each seeded subscriber."""
    logins: list[DemoLogin] = twin.state.context.oauth.demo_logins()
    return logins


def approve_at_login_page(browser: httpx.Client, login_url: str, login: DemoLogin) -> str:
    """Sign in at the emulator's page as a browser and allow; returns the callback URL."""
    page = browser.get(login_url)
    assert page.status_code == 200, page.text
    approval = browser.post(form_action(page.text), data=sign_in_form(page.text, login))
    assert approval.status_code == 200, approval.text
    approved = browser.post(form_action(approval.text), data=approval_form(approval.text))
    assert approved.status_code == 303, approved.text
    return approved.headers["location"]


def sign_in_through_login_page(proxy: str, emulator: str, login: DemoLogin) -> str:
    """The full OAuth dance: start, the emulator's sign-in page as a browser, the callback.

    Returns the session token the proxy hands out at the end.
    """
    with (
        httpx.Client(base_url=proxy, timeout=TIMEOUT_S) as client,
        httpx.Client(base_url=emulator, timeout=TIMEOUT_S) as browser,
    ):
        start = client.post("/v1/auth/start", json={})
        assert start.status_code == 200, start.text
        callback = approve_at_login_page(browser, start.json()["login_url"], login)
        grant = client.get(callback)
    assert grant.status_code == 200, grant.text
    assert grant.json()["user_id"] == login.user_id
    return str(grant.json()["session_token"])


def bearer(session: str) -> dict[str, str]:
    """The Authorization header of a session."""
    return {"Authorization": f"Bearer {session}"}
