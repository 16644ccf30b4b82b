"""Headless Chromium for browser tests: Debian's package, driven by Playwright, kept offline.

`playwright install` downloads its own browser builds, which this project cannot rely on, so
the browser is the system's `chromium` (`apt-get install chromium`; `make test` installs it).
Every request to a host other than the loopback is aborted (box art points at image hosts),
and the resolver maps every other name to nothing, so a test never reaches the network.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright

LOOPBACK = frozenset({"127.0.0.1", "localhost", "[::1]"})
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
)
VIEWPORT = {"width": 1280, "height": 800}


def chromium_path() -> str:
    """The system Chromium; an error (never a skip) when it is missing."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found is not None:
            return found
    raise RuntimeError("chromium is not installed: apt-get install chromium (make test does it)")


@dataclass
class OfflinePage:
    """A page whose requests to other hosts are aborted and counted."""

    page: Page
    blocked: list[str] = field(default_factory=list)


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium for the duration of the block."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def offline_page(browser: Browser) -> Iterator[OfflinePage]:
    """A fresh context and page that only reach the loopback."""
    context: BrowserContext = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    offline = OfflinePage(context.new_page())

    def guard(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            offline.blocked.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", guard)
    try:
        yield offline
    finally:
        context.close()


def screenshot(page: Page, folder: Path, name: str) -> Path:
    """Save what the page shows now as `folder/name.png`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
