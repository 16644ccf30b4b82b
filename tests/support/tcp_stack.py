"""Real processes over TCP for integration tests: one emulator, proxy replicas, sign-ins.

The emulator runs in a child process; an in-process twin built from the same config (the
catalog, subscribers and demo tokens are deterministic from the seed) tells tests the demo
tokens and the seeded library without reaching into the child.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import ExitStack

import httpx
from starlette.applications import Starlette

from emulator import create_emulator
from emulator.accounts.formats import disc_formats
from emulator.oauth.provider import DemoLogin
from tests.support.emulator_client import upstream_config
from tests.support.oauth import signer
from tests.support.proxy import approval_form, form_action, sign_in_form
from tests.support.servers import ServerProcess, free_port, python_server

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
    """A proxy replica (uvicorn process, run as the image runs it) on a real Redis (or embedded)."""
    url, _ = proxy_process(stack, upstream, redis_url, key, env=env)
    return url


def proxy_process(
    stack: ExitStack,
    upstream: str,
    redis_url: str | None,
    key: str,
    *,
    env: dict[str, str] | None = None,
    access_log: bool = False,
    serve: Sequence[str] | None = None,
) -> tuple[str, ServerProcess]:
    """Like `start_proxy`, also giving the process (whose log file holds its logs).

    With `serve` (its extra arguments, e.g. `["--workers", "2"]`) the proxy runs as
    `netflix-proxy serve` does, with its own logging (JSON request lines on stdout, kept).
    """
    port = free_port()
    env = dict(env or {})
    if redis_url is not None:
        env = {"NFX_REDIS_URL": redis_url, **env}
    if serve is not None:
        command = ["service.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *serve]
    else:
        command = [
            "uvicorn",
            "--factory",
            "service.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-proxy-headers",
            *([] if access_log else ["--no-access-log"]),
        ]
    server = stack.enter_context(
        python_server(
            command,
            port,
            env={
                "NFX_UPSTREAM_BASE_URL": upstream,
                "NFX_PUBLIC_URL": f"http://127.0.0.1:{port}",
                "NFX_TOKEN_ENCRYPTION_KEY": key,
                **env,
            },
            capture_stdout=access_log or serve is not None,
        )
    )
    return f"http://127.0.0.1:{port}", server


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
    """The full OAuth dance of an app: start, the emulator's sign-in page as a browser, the
    callback, then the app claims the session with its sign-in secret.

    Returns the session token the proxy hands out at the end.
    """
    with (
        httpx.Client(base_url=proxy, timeout=TIMEOUT_S) as client,
        httpx.Client(base_url=emulator, timeout=TIMEOUT_S) as browser,
    ):
        start = client.post("/v1/auth/start", json={})
        assert start.status_code == 200, start.text
        link = start.json()
        callback = approve_at_login_page(browser, link["login_url"], login)
        done = client.get(callback)
        assert done.status_code == 200, done.text
        assert done.json()["status"] == "complete"
        claim = {"sign_in_id": link["sign_in_id"], "sign_in_secret": link["sign_in_secret"]}
        grant = client.post("/v1/auth/session", json=claim)
    assert grant.status_code == 200, grant.text
    assert grant.json()["user_id"] == login.user_id
    return str(grant.json()["session_token"])


def bearer(session: str) -> dict[str, str]:
    """The Authorization header of a session."""
    return {"Authorization": f"Bearer {session}"}


def addable_titles(twin: Starlette, user_id: str) -> list[str]:
    """Movies on disc neither in the subscriber's disc queue nor at home, at start."""
    context = twin.state.context
    subscriber = context.accounts.get(user_id)
    assert subscriber is not None
    queue = subscriber.queue("disc")
    taken = {e.title.id for e in queue.available + queue.saved} | subscriber.history.at_home_ids()
    return [
        f"movies/{t.id}"
        for t in context.catalog.titles
        if t.kind == "movies" and disc_formats(t) and t.id not in taken
    ]


def upstream_disc_queue(
    emulator: str, user_id: str, token: str, secret: str
) -> tuple[list[str], str]:
    """The available disc queue as the emulator process holds it (ids in order), and its etag."""
    with httpx.Client(base_url=emulator, timeout=TIMEOUT_S, auth=signer(token, secret)) as upstream:
        answer = upstream.get(
            f"/users/{user_id}/queues/disc/available", params={"max_results": "500"}
        )
    assert answer.status_code == 200, answer.text
    ids = re.findall(r"/queues/disc/available/\d+/(\d+)</id>", answer.text)
    return [f"movies/{i}" for i in ids], answer.headers["etag"].strip('"')
