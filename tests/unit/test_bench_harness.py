"""The benchmark harness's pure parts: wrk's summary, the verdict table, the chart, and the
xmltodict normalizer it compares with (which must produce exactly the proxy's output)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.chart import write_chart
from bench.coalescing import zipf_draws
from bench.parsing import PAGE_SIZE, ours, theirs
from bench.report import Check, Verdict, render_markdown, render_text, skipped
from bench.wrk import parse_wrk
from emulator import EmulatorConfig, create_emulator
from service.netflix.catalog_calls import EXPAND_NAMES
from tests.support.oauth import asgi_client, signer
from tests.support.samples import sample_path

WRK_OUTPUT = """\
Running 5s test @ http://127.0.0.1:41234/title
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   471.35us  120.06us   6.10ms   91.20%
    Req/Sec    68.51k     3.02k   72.44k    82.00%
  Latency Distribution
     50%  452.00us
     75%  501.00us
     90%  577.00us
     99%    1.02ms
  340915 requests in 5.00s, 701.39MB read
Requests/sec:  68180.12
Transfer/sec:    140.27MB
"""


def test_wrk_summary_is_read_with_latency_in_milliseconds() -> None:
    result = parse_wrk(WRK_OUTPUT)
    assert result.requests == 340915
    assert result.requests_per_s == pytest.approx(68180.12)
    assert result.p50_ms == pytest.approx(0.452)
    assert result.p99_ms == pytest.approx(1.02)
    assert result.errors == 0


def test_wrk_failures_are_counted() -> None:
    failing = WRK_OUTPUT.replace(
        "Requests/sec:",
        "  Socket errors: connect 0, read 2, write 0, timeout 3\n"
        "  Non-2xx or 3xx responses: 7\nRequests/sec:",
    )
    assert parse_wrk(failing).errors == 12


def test_wrk_output_without_a_latency_distribution_is_refused() -> None:
    cut = WRK_OUTPUT.split("  Latency Distribution")[0]
    with pytest.raises(ValueError, match="wrk --latency"):
        parse_wrk(cut)


def test_verdicts_follow_the_measured_values() -> None:
    assert Check("a", 2.6, ">=", 2.5, "x", "").verdict is Verdict.MET
    assert Check("a", 2.4, ">=", 2.5, "x", "").verdict is Verdict.MISSED
    assert Check("a", 1.3, "<=", 1.25, "x", "").verdict is Verdict.MISSED
    assert Check("a", 1.2, "<=", 1.25, "x", "").verdict is Verdict.MET
    assert Check("a", 64.0, "<", 64.0, " MB", "").verdict is Verdict.MISSED
    assert Check("a", 908.0, "==", 908.0, " calls", "").verdict is Verdict.MET
    assert Check("a", 909.0, "==", 908.0, " calls", "").verdict is Verdict.MISSED
    assert skipped("8. Home screen", "no endpoint").verdict is Verdict.SKIPPED


def test_a_miss_smaller_than_the_rounding_shows_its_digits() -> None:
    assert Check("8. Home", 1.20024, "<=", 1.2, "x", "").measured == "1.2002x"
    assert Check("8. Home", 1.19996, "<=", 1.2, "x", "").measured == "1.20x"
    assert Check("7. Scaling", 1.304, ">=", 1.3, "x", "").measured == "1.30x"


def test_tables_show_each_figure_with_target_and_result() -> None:
    checks = [
        Check("1. Front-tier hit vs bare FastAPI", 1.8, ">=", 2.5, "x", "3,400 vs 1,900 req/s"),
        Check("3. Miss p50", 1.1, "<=", 1.25, "x", "4.8 vs 4.4 ms"),
        skipped("8. Home screen", "not measured: no /v1/me/home endpoint"),
    ]
    text = render_text(checks).splitlines()
    assert len(text) == 4
    assert "1.80x" in text[1] and "≥ 2.50x" in text[1] and "FAIL" in text[1]
    assert "1.10x" in text[2] and "≤ 1.25x" in text[2] and "pass" in text[2]
    assert "skip" in text[3] and "no /v1/me/home endpoint" in text[3]
    markdown = render_markdown(checks).splitlines()
    assert markdown[1] == "| --- | --- | --- | --- | --- |"
    assert all(line.count(" | ") == 4 for line in markdown)


def test_the_chart_is_a_png(tmp_path: Path) -> None:
    target = tmp_path / "chart.png"
    checks = [Check("1. hit", 1.8, ">=", 2.5, "x", ""), skipped("8. home", "none")]
    write_chart(target, {"nginx": 70000.0, "proxy": 3000.0}, checks, "test")
    assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_zipf_draws_favour_the_first_keys() -> None:
    draws = zipf_draws(10_000, 1_000)
    assert all(0 <= key < 1_000 for key in draws)
    assert draws.count(0) > draws.count(1) > draws.count(10) > 0


async def _emulator_search(**params: str) -> bytes:
    emulator = create_emulator(EmulatorConfig(catalog_size=300, rate_limits=False))
    async with asgi_client(emulator, auth=signer()) as client:
        answer = await client.get("/catalog/titles", params=params)
    assert answer.status_code == 200, answer.text[:300]
    return answer.content


@pytest.mark.parametrize(("term", "start"), [("a", 0), ("a", 25), ("the", 0), ("a", 50), ("s", 0)])
async def test_the_xmltodict_normalizer_matches_ours_on_emulator_searches(
    term: str, start: int
) -> None:
    body = await _emulator_search(term=term, start_index=str(start), max_results=str(PAGE_SIZE))
    found = json.loads(ours(body))
    assert found["items"] and found["total"] > 0
    assert theirs(body) == ours(body)


@pytest.mark.parametrize(
    "name", ["search-annamayya-10-of-371-agavvala.xml", "search-jaws-1-of-291-flix4r.xml"]
)
def test_the_xmltodict_normalizer_matches_ours_on_recorded_searches(name: str) -> None:
    body = sample_path("catalog_titles", name).read_bytes()
    assert json.loads(ours(body))["items"]
    assert theirs(body) == ours(body)


async def test_the_xmltodict_normalizer_refuses_expanded_parts() -> None:
    body = await _emulator_search(term="a", expand=",".join(EXPAND_NAMES.values()))
    assert json.loads(ours(body))["items"][0]["cast_members"] is not None
    with pytest.raises(ValueError, match="expanded part"):
        theirs(body)
