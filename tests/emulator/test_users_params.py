"""Parameter parsing of the `/users/...` resources: paging, dates, sorts and positions."""

from __future__ import annotations

import pytest

from emulator.accounts import params
from emulator.http import NetflixError


def test_page_defaults_and_clamp() -> None:
    assert params.page({}) == params.Page(0, 25)
    assert params.page({"start_index": "5", "max_results": "500"}) == params.Page(5, 500)
    assert params.page({"max_results": "9999"}).max_results == 500
    assert params.page({"start_index": " 7 ", "max_results": "99999999999999999999"}) == (
        params.Page(7, 500)
    )


@pytest.mark.parametrize("value", ["0", "-1", "ten", "2.5", "", "+5", "\u0665", "9" * 5000])
def test_bad_max_results_is_400_120(value: str) -> None:
    with pytest.raises(NetflixError) as caught:
        params.page({"max_results": value})
    assert (caught.value.status_code, caught.value.sub_code) == (400, 120)
    assert caught.value.message == "Query parameter max_results must be a positive integer."


@pytest.mark.parametrize("value", ["-1", "x", "", "\u00b2", "1_000", "9" * 5000])
def test_bad_start_index_is_400(value: str) -> None:
    with pytest.raises(NetflixError) as caught:
        params.page({"start_index": value})
    assert (caught.value.status_code, caught.value.message) == (400, "start_index is invalid")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1300000000", 1300000000),
        ("2011-03-13T07:06:40Z", 1300000000),
        ("2011-03-13T08:06:40+01:00", 1300000000),
    ],
)
def test_updated_min_accepts_epoch_and_rfc3339(raw: str, expected: int) -> None:
    assert params.updated_min({"updated_min": raw}) == expected
    assert params.updated_min({}) is None


@pytest.mark.parametrize(
    "raw", ["yesterday", "2011-03-13", "2011-03-13T07:06:40", "\u00b2", "9" * 5000]
)
def test_updated_min_rejects_other_forms(raw: str) -> None:
    with pytest.raises(NetflixError) as caught:
        params.updated_min({"updated_min": raw})
    assert caught.value.message == "updated_min is invalid"


def test_queue_sort_and_position() -> None:
    assert params.queue_sort({}) == "queue_sequence"
    assert params.queue_sort({"sort": "alphabetical"}) == "alphabetical"
    with pytest.raises(NetflixError):
        params.queue_sort({"sort": "rating"})
    assert params.position(None) is None and params.position(" ") is None
    assert params.position("3") == 3
    for bad in ("0", "-2", "first"):
        with pytest.raises(NetflixError) as caught:
            params.position(bad)
        assert caught.value.message == "position is invalid"
