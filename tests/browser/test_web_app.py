"""The web app in a real browser: sign in, search, details, queue, reorder, rate, remove, sign out.

Headless Chromium drives the page the proxy serves at `/` against real processes over TCP (an
emulator, a proxy on a private redis-server), as a person would; what the page claims is then
checked through the API. A screenshot is kept after each step (under the test's tmp_path);
with `WEBAPP_README_SCREENSHOT=docs/screenshot.png` the queue step is also written there.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import Page, expect
from redis import Redis

from tests.support.browser import chromium, offline_page, screenshot
from tests.support.tcp_stack import (
    TIMEOUT_S,
    bearer,
    demo_logins,
    emulator_twin,
    start_emulator,
    start_proxy,
)

pytestmark = pytest.mark.integration

README_SCREENSHOT = "WEBAPP_README_SCREENSHOT"
RATE_LIMITED = re.compile(r"^Too many requests: .+[.!?] Try again in \d+ s\.$")
TITLE = "Jurassic Park"
STEP_TIMEOUT_MS = 15_000


@dataclass(frozen=True)
class Subscriber:
    """Who signs in at the emulator's login page."""

    user_id: str
    name: str
    email: str
    password: str


@dataclass(frozen=True)
class Stack:
    """The running emulator and proxy."""

    emulator: str
    proxy: str
    subscriber: Subscriber
    processes: ExitStack


@pytest.fixture(scope="module")
def stack(redis_url: str) -> Iterator[Stack]:
    Redis.from_url(redis_url).flushdb()
    twin = emulator_twin()
    first = twin.state.context.accounts.subscribers[0]
    login = demo_logins(twin)[0]
    with ExitStack() as processes:
        emulator = start_emulator(processes)
        proxy = start_proxy(processes, emulator, redis_url, Fernet.generate_key().decode())
        subscriber = Subscriber(
            first.user_id, f"{first.first_name} {first.last_name}", login.email, login.password
        )
        yield Stack(emulator, proxy, subscriber, processes)


def sign_in_at_emulator(page: Page, subscriber: Subscriber) -> None:
    """Complete the emulator's sign-in page as the subscriber (the one place that knows it):
    email and password, then allow the application."""
    page.get_by_label("Email").fill(subscriber.email)
    page.get_by_label("Password").fill(subscriber.password)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("button", name="Allow access").click()


def session_token(page: Page) -> str | None:
    """The session the page keeps in sessionStorage."""
    token = page.evaluate("() => sessionStorage.getItem('nfx.session')")
    return None if token is None else str(token)


def queue_titles(proxy: str, token: str) -> list[str]:
    """The available disc queue, first to last, as the API reports it."""
    answer = httpx.get(
        f"{proxy}/v1/me/queues/disc",
        params={"state": "available", "page_size": 500},
        headers=bearer(token),
        timeout=TIMEOUT_S,
    )
    assert answer.status_code == 200, answer.text
    return [entry["title"]["title"] for entry in answer.json()["items"]]


def test_a_person_queues_reorders_and_rates_in_the_browser(stack: Stack, tmp_path: Path) -> None:
    shots = tmp_path / "screenshots"
    with chromium() as browser, offline_page(browser) as offline:
        page = offline.page
        page.set_default_timeout(STEP_TIMEOUT_MS)
        expect.set_options(timeout=STEP_TIMEOUT_MS)
        bearer_sent: dict[str, bool] = {}  # API path -> the request carried the session
        page.on(
            "request",
            lambda request: bearer_sent.update(
                {urlsplit(request.url).path: "authorization" in request.headers}
            ),
        )

        # Signed out: search is offered, and the sign-in link starts the browser flow.
        page.goto(f"{stack.proxy}/")
        sign_in = page.get_by_role("link", name="Sign in with Netflix")
        expect(sign_in).to_be_visible()
        assert "return_to=" in (sign_in.get_attribute("href") or "")
        screenshot(page, shots, "01-signed-out")

        # Sign in through the emulator's login page; the session comes back in the fragment.
        sign_in.click()
        page.wait_for_url(f"{stack.emulator}/**")
        screenshot(page, shots, "02-login-page")
        sign_in_at_emulator(page, stack.subscriber)
        page.wait_for_url(f"{stack.proxy}/#/home")
        expect(page.get_by_text(f"Signed in as {stack.subscriber.user_id}")).to_be_visible()
        expect(page.locator(".profile .name")).to_have_text(stack.subscriber.name)
        expect(page.get_by_role("heading", name="Recommended for you")).to_be_visible()
        expect(page.locator(".panel .error-text")).to_have_count(0)
        token = session_token(page)
        assert token is not None and token not in page.url
        screenshot(page, shots, "03-home")

        # Search with autocomplete, then the results.
        box = page.get_by_role("combobox", name="Search titles")
        box.press_sequentially("Jurassic", delay=30)
        suggestions = page.get_by_role("listbox", name="Suggestions")
        expect(suggestions).to_be_visible()
        expect(suggestions.get_by_role("option", name=TITLE, exact=True)).to_be_visible()
        screenshot(page, shots, "04-autocomplete")
        suggestions.get_by_role("option", name=TITLE, exact=True).click()
        expect(page.get_by_role("heading", name=f"Results for “{TITLE}”")).to_be_visible()
        card = page.locator(".card a").filter(has_text=re.compile(f"^{TITLE}"))
        expect(card.first).to_be_visible()
        screenshot(page, shots, "05-results")

        # Details with box art (its image host is unreachable here: the stand-in shows).
        card.first.click()
        expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
        expect(page.locator(".synopsis")).not_to_be_empty()
        expect(page.locator(".details .art")).to_be_visible()
        screenshot(page, shots, "06-details")

        # Add it to the disc queue: it goes last.
        before = queue_titles(stack.proxy, token)
        assert TITLE not in before
        page.get_by_role("button", name="Add to disc queue").click()
        expect(page.get_by_role("status")).to_have_text(
            f"Added to the disc queue at position {len(before) + 1}."
        )
        assert queue_titles(stack.proxy, token) == [*before, TITLE]
        screenshot(page, shots, "07-added")

        # Reorder by drag and drop: last to first.
        page.get_by_role("link", name="Disc queue").click()
        rows = page.locator(".queue-row")
        expect(rows).to_have_count(len(before) + 1)
        rows.last.drag_to(rows.first)
        expect(page.get_by_role("status")).to_contain_text("Queue order saved")
        expect(rows.first.locator(".queue-title")).to_have_text(TITLE)
        assert queue_titles(stack.proxy, token) == [TITLE, *before]

        # The keyboard alternative: one step down.
        page.get_by_role("button", name=f"Move {TITLE} down").click()
        expect(page.get_by_role("status")).to_contain_text("Queue order saved")
        expect(rows.nth(1).locator(".queue-title")).to_have_text(TITLE)
        assert queue_titles(stack.proxy, token) == [before[0], TITLE, *before[1:]]
        queue_shot = screenshot(page, shots, "08-reordered")

        # Rate it four stars from its page.
        page.locator(".queue-title", has_text=TITLE).click()
        expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
        page.locator("label.star", has_text="4 stars").click()
        expect(page.get_by_role("radio", name="4 stars")).to_be_checked()
        expect(page.locator(".rating")).to_contain_text("Your rating: 4")
        title_id = page.evaluate("() => location.hash.split('#/title/')[1]")
        rated = httpx.get(
            f"{stack.proxy}/v1/me/ratings",
            params={"titles": title_id, "kind": "actual"},
            headers=bearer(token),
            timeout=TIMEOUT_S,
        )
        assert rated.status_code == 200, rated.text
        assert rated.json()[0]["user_rating"] == 4
        screenshot(page, shots, "09-rated")

        # Remove it from the disc queue again.
        page.get_by_role("link", name="Disc queue").click()
        expect(rows).to_have_count(len(before) + 1)
        page.get_by_role("button", name=f"Remove {TITLE}").click()
        expect(page.get_by_role("status")).to_have_text(f"Removed {TITLE}.")
        expect(rows).to_have_count(len(before))
        assert queue_titles(stack.proxy, token) == before
        screenshot(page, shots, "10-removed")

        # Sign out: the session is revoked and forgotten.
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("status")).to_have_text("Signed out.")
        expect(page.get_by_role("link", name="Sign in with Netflix")).to_be_visible()
        assert session_token(page) is None
        revoked = httpx.get(f"{stack.proxy}/v1/me", headers=bearer(token), timeout=TIMEOUT_S)
        assert revoked.status_code == 401
        screenshot(page, shots, "11-signed-out")

        # The session went only where it is needed: catalog reads stay cacheable.
        assert bearer_sent["/v1/me/home"] and bearer_sent["/v1/me/queues/disc/order"]
        assert not bearer_sent["/v1/titles"] and not bearer_sent["/v1/titles/autocomplete"]

        # Box art was asked of its image hosts, and nothing left the machine.
        assert offline.blocked, "no request to an image host was made"
        assert all("nflximg" in url for url in offline.blocked), offline.blocked

    if target := os.environ.get(README_SCREENSHOT):
        shutil.copyfile(queue_shot, target)


def test_errors_and_rate_limits_read_as_messages(stack: Stack, tmp_path: Path) -> None:
    # A proxy of its own (embedded store) with a sign-in budget of two calls per minute.
    proxy = start_proxy(
        stack.processes,
        stack.emulator,
        None,
        Fernet.generate_key().decode(),
        NFX_SIGNIN_PER_MINUTE="2",
    )
    shots = tmp_path / "screenshots"
    with chromium() as browser, offline_page(browser) as offline:
        page = offline.page
        page.set_default_timeout(STEP_TIMEOUT_MS)
        page.goto(f"{proxy}/")
        page.get_by_text("Import an access token pair").click()
        page.get_by_label("Access token", exact=True).fill("not-a-token")
        page.get_by_label("Access token secret").fill("not-a-secret")
        submit = page.get_by_role("button", name="Open a session")
        message = page.get_by_role("status")

        # The upstream refuses the pair: the problem document's detail is shown.
        refused = httpx.post(
            f"{proxy}/v1/auth/import",
            json={"access_token": "not-a-token", "access_token_secret": "not-a-secret"},
            timeout=TIMEOUT_S,
        )
        assert refused.status_code == 401
        submit.click()
        expect(message).to_have_text(refused.json()["detail"])
        expect(message).to_have_class(re.compile(r"\berror\b"))
        screenshot(page, shots, "01-refused")

        # The sign-in budget is spent: 429, and when to try again.
        submit.click()
        expect(message).to_have_text(
            re.compile(r"^Too many requests: .+[.!?] Try again in \d+ s\.$")
        )
        screenshot(page, shots, "02-rate-limited")
        assert session_token(page) is None
