"""Reading `/metrics` in tests: every sample by name and labels."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.support.proxy import Proxy

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(proxy: Proxy) -> Samples:
    """Every sample of the proxy's `/metrics`, by sample name and labels."""
    answer = await proxy.client.get("/metrics")
    assert answer.status_code == 200, answer.text
    return parse(answer.text)


def parse(exposition: str) -> Samples:
    """The samples of a text exposition."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value; 0 when it has not been written yet."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def reconciliations(samples: Samples, outcome: str) -> float:
    """How many queue reconciliations found `outcome`."""
    return value(samples, "nfx_queue_reconciliations_total", outcome=outcome)
