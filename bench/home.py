"""Figure 8: the home screen (`GET /v1/me/home`) against its slowest section called directly.

Each round asks the proxy for a whole home screen, then makes the six upstream calls it is
made of directly, signed with the same subscriber's token and all at once (as the proxy makes
them); the round's slowest direct call is what the screen cannot beat. The emulator logs every
call it receives (`--arrivals-log`), which counts the upstream calls per screen. The proxy's
budget is out of the way here (as in every figure), so no call waits for the next second,
and its per-subscriber read cache is off, so every screen is a cold one.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from bench.context import CATALOG_SIZE, Run
from bench.latency import median
from bench.processes import emulator, proxy
from bench.report import Check
from emulator import create_emulator
from tests.support.emulator_client import upstream_config
from tests.support.oauth import signer

PAGE = {"start_index": "0", "max_results": "10"}


def _sections(user_id: str) -> list[tuple[str, dict[str, str]]]:
    """The upstream calls of one home screen (`service.usecases.home`, page size 10)."""
    base = f"/users/{user_id}"
    return [
        (base, {}),
        (f"{base}/queues/disc", PAGE),
        (f"{base}/queues/instant", PAGE),
        (f"{base}/at_home", {}),
        (f"{base}/rental_history", PAGE),
        (f"{base}/recommendations", PAGE),
    ]


async def _timed(client: httpx.AsyncClient, path: str, params: dict[str, str]) -> float:
    started = time.perf_counter()
    answer = await client.get(path, params=params)
    elapsed = (time.perf_counter() - started) * 1000
    if answer.status_code != 200:
        raise RuntimeError(f"{path}: {answer.status_code} {answer.text[:300]}")
    return elapsed


async def _measure(
    proxy_url: str, emulator_url: str, rounds: int, log: Path
) -> tuple[float, float, float]:
    """(home p50 ms, slowest direct section p50 ms, upstream calls per home screen)."""
    user_id, token, secret = create_emulator(
        upstream_config(catalog_size=CATALOG_SIZE)
    ).state.context.oauth.demo_tokens()[0]
    timeout = httpx.Timeout(30.0)
    async with (
        httpx.AsyncClient(base_url=proxy_url, timeout=timeout) as through,
        httpx.AsyncClient(
            base_url=emulator_url, auth=signer(token, secret), timeout=timeout
        ) as direct,
    ):
        signed_in = await through.post(
            "/v1/auth/import", json={"access_token": token, "access_token_secret": secret}
        )
        signed_in.raise_for_status()
        through.headers["Authorization"] = f"Bearer {signed_in.json()['session_token']}"
        sections = _sections(user_id)
        home_ms: list[float] = []
        slowest_ms: list[float] = []
        calls = 0
        for number in range(rounds + 1):
            before = _lines(log)
            screen = await _timed(through, "/v1/me/home", {})
            gained = _lines(log) - before
            alone = await asyncio.gather(*(_timed(direct, p, q) for p, q in sections))
            if number == 0:
                continue  # the first round opens the connections
            home_ms.append(screen)
            slowest_ms.append(max(alone))
            calls += gained
    return median(home_ms), median(slowest_ms), calls / rounds


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def home(run: Run) -> list[Check]:
    """Figure 8."""
    rounds = run.scaled(100, 20)
    log = run.workdir / "home-arrivals.log"
    with (
        emulator(catalog_size=CATALOG_SIZE, arrivals_log=log) as upstream,
        # The subscriber's read cache off: every screen is read upstream, as a cold one is.
        proxy(
            upstream.url,
            run.redis_url,
            run.key,
            NFX_USER_CACHE_TTL_S="0",
            NFX_USER_CACHE_TTL_PROFILE_S="0",
        ) as server,
    ):
        home_p50, slowest_p50, calls = asyncio.run(_measure(server.url, upstream.url, rounds, log))
    return [
        Check(
            "8. Home screen p50 vs its slowest section called directly",
            home_p50 / slowest_p50,
            "<=",
            1.2,
            "x",
            f"{home_p50:.1f} vs {slowest_p50:.1f} ms, {rounds} screens of 6 sections",
        ),
        Check(
            "8. Upstream calls per home screen",
            calls,
            "==",
            6.0,
            " upstream calls",
            "one per section: profile, 2 queues, at home, rental history, recommendations",
        ),
    ]
