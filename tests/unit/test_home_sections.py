"""Which sections a home screen reads: `sections=` parsed, in screen order, bad names refused."""

from __future__ import annotations

import pytest

from service.errors import InvalidInput, ServiceError
from service.schemas.home_sections import HomeSection
from service.usecases.home import ALL_SECTIONS, SECTION_READS, _read, parse_sections


def test_every_section_has_its_read() -> None:
    assert set(SECTION_READS) == set(HomeSection)


def test_no_parameter_means_every_section_in_screen_order() -> None:
    assert parse_sections(None) == ALL_SECTIONS == tuple(HomeSection)


def test_sections_come_back_in_screen_order_without_repeats() -> None:
    picked = parse_sections(["recommendations, profile", "profile,,at_home"])
    assert picked == (HomeSection.PROFILE, HomeSection.AT_HOME, HomeSection.RECOMMENDATIONS)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["profile,wishlist,zzz"], "unknown section(s) wishlist, zzz; choose from profile,"),
        ([" , "], "name at least one section"),
    ],
)
def test_bad_sections_are_refused_by_name(values: list[str], message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_sections(values)
    assert message in refused.value.detail


async def test_an_unexpected_failure_stays_in_its_section() -> None:
    async def broken(*_: object) -> object:
        raise RuntimeError("a bug")

    outcome = await _read(broken, None, 10)  # type: ignore[arg-type]
    assert isinstance(outcome, ServiceError)
    assert outcome.status == 500
