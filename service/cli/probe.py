"""`netflix-proxy probe URL`: the container healthcheck, for both roles of the one image.

The proxy's `/readyz` answers 503 while Redis or the upstream is away, so it counts as
unhealthy; the emulator has no probe route of its own (it serves only the Netflix API), so any
answer below 500 from it, such as the 404 of its root, proves it serves.
"""

from __future__ import annotations

import urllib.error
import urllib.request

PROBE_TIMEOUT_S = 2.0


def answers_below_500(url: str, timeout_s: float = PROBE_TIMEOUT_S) -> bool:
    """The URL answered HTTP with a status below 500 within the timeout."""
    if not url.startswith(("http://", "https://")):
        return False
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as answer:  # noqa: S310 - http(s) only
            return int(answer.status) < 500
    except urllib.error.HTTPError as error:
        return error.code < 500
    except (urllib.error.URLError, OSError):
        return False
