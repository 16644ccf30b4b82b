"""`/metrics` of `netflix-proxy serve --workers 2`: every worker's counts, whoever answers.

Each request and each scrape opens its own connection, so the kernel hands them to either
worker; every scrape must show the sum of both workers' requests, and the private folder
that holds the workers' metric files must exist only while the proxy runs.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from prometheus_client.parser import text_string_to_metric_families

from tests.support.tcp_stack import TIMEOUT_S, proxy_process, start_emulator

pytestmark = pytest.mark.integration

REQUESTS = ["/v1/titles?term=love", "/healthz", "/v1/no-such-thing", "/v1/people?term=ann"]
ROUNDS = 8
SCRAPES = 6


def request_count(exposition: str) -> float:
    """The sum of the request histogram's `_count` samples over every label set."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(exposition)
        if family.name == "nfx_http_request_duration_seconds"
        for sample in family.samples
        if sample.name.endswith("_count")
    )


def fresh_get(url: str) -> httpx.Response:
    """A GET on a connection of its own (no keep-alive: any worker may accept it)."""
    with httpx.Client(timeout=TIMEOUT_S) as client:
        return client.get(url, headers={"Connection": "close"})


def test_every_scrape_counts_the_requests_of_both_workers(redis_url: str, tmp_path: Path) -> None:
    metrics_home = tmp_path  # the proxy's TMPDIR, where its metric files go
    with ExitStack() as processes:
        emulator = start_emulator(processes)
        proxy, _ = proxy_process(
            processes,
            emulator,
            redis_url,
            Fernet.generate_key().decode(),
            env={"TMPDIR": str(metrics_home)},
            serve=["--workers", "2"],
        )
        statuses = [fresh_get(proxy + path).status_code for _ in range(ROUNDS) for path in REQUESTS]
        assert sorted(set(statuses)) == [200, 404]
        scrapes = [fresh_get(proxy + "/metrics") for _ in range(SCRAPES)]
        folders = [entry.name for entry in metrics_home.iterdir()]
    assert all(scrape.status_code == 200 for scrape in scrapes)
    assert [request_count(scrape.text) for scrape in scrapes] == [len(statuses)] * SCRAPES
    assert len(folders) == 1 and folders[0].startswith("nfx-metrics-")
    assert list(metrics_home.iterdir()) == []  # removed when the proxy stopped
