"""The home screen: every section read at once, each failing on its own.

`GET /v1/me/home` answers in one round trip what a subscriber's first screen shows. Each
section is one upstream call (see `SECTION_READS`); they run concurrently, each taking its
place in the subscriber's upstream budget (`store.budget`), which lets the first calls leave at
once and paces the others into the next window, so the upstream never refuses one. A section
whose read fails, budget refusals included, becomes a problem document in `problems` while the
others are served; when every section asked for failed, the first failure is the answer.

Sections are read through the subscriber's `UserReads`, so they share the per-subscriber
cache with the `/v1/me` routes: a home screen right after a page of the app costs no call.
Each section comes as JSON (`UserReads.queue_json`...): the body the cache stores, or the
readers' fields written by orjson, so no section passes through a model; the screen embeds
them as they are (`orjson.Fragment`), in `HomeScreen`'s field order and bytes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import orjson

from service.errors import InvalidInput, Problem, ServiceError, problem_json
from service.schemas.home_sections import HomeSection
from service.schemas.queues import QueueType
from service.schemas.rentals import RentalKind
from service.usecases.user_reads import UserReads

_log = logging.getLogger(__name__)
ALL_SECTIONS: tuple[HomeSection, ...] = tuple(HomeSection)
DEFAULT_HOME_PAGE_SIZE = 10
MAX_HOME_PAGE_SIZE = 100


SectionRead = Callable[[UserReads, int], Awaitable[bytes]]

# Each section and its read as JSON (one upstream call each, none when the subscriber's cache
# has it).
SECTION_READS: dict[HomeSection, SectionRead] = {
    HomeSection.PROFILE: lambda reads, _: reads.profile_json(),
    HomeSection.DISC_QUEUE: lambda reads, size: reads.queue_json(QueueType.DISC, max_results=size),
    HomeSection.INSTANT_QUEUE: lambda reads, size: reads.queue_json(
        QueueType.INSTANT, max_results=size
    ),
    HomeSection.AT_HOME: lambda reads, _: reads.at_home_json(),
    HomeSection.RENTAL_HISTORY: lambda reads, size: reads.rental_history_json(
        RentalKind.ALL, max_results=size
    ),
    HomeSection.RECOMMENDATIONS: lambda reads, size: reads.recommendations_json(max_results=size),
}


def parse_sections(values: Iterable[str] | None) -> tuple[HomeSection, ...]:
    """`sections=profile,at_home` (or repeated) as sections in screen order; all when absent."""
    if values is None:
        return ALL_SECTIONS
    names = [part.strip() for value in values for part in value.split(",") if part.strip()]
    known = {section.value for section in HomeSection}
    unknown = sorted({name for name in names if name not in known})
    if unknown:
        raise InvalidInput(
            f"sections: unknown section(s) {', '.join(unknown)}; "
            f"choose from {', '.join(known_names())}"
        )
    if not names:
        raise InvalidInput("sections: name at least one section, or leave the parameter out")
    wanted = set(names)
    return tuple(section for section in ALL_SECTIONS if section.value in wanted)


def known_names() -> list[str]:
    """The section names, in screen order."""
    return [section.value for section in ALL_SECTIONS]


async def home_screen(
    reads: UserReads, sections: Sequence[HomeSection], *, page_size: int
) -> bytes:
    """Every section asked for, read concurrently, as the JSON `HomeScreen` writes; failures
    become per-section problems."""
    outcomes = await asyncio.gather(
        *(_read(SECTION_READS[section], reads, page_size) for section in sections)
    )
    screen: dict[str, Any] = dict.fromkeys(known_names())
    failures: dict[str, ServiceError] = {}
    for section, outcome in zip(sections, outcomes, strict=True):
        if isinstance(outcome, ServiceError):
            failures[section.value] = outcome
        else:
            screen[section.value] = orjson.Fragment(outcome)
    if failures and len(failures) == len(sections):
        raise failures[sections[0].value]
    screen["problems"] = {name: _problem(error) for name, error in failures.items()}
    return orjson.dumps(screen)


def _problem(error: ServiceError) -> dict[str, Any]:
    """A section's problem as `Problem` writes it (every field, nulls too)."""
    return Problem.model_validate_json(problem_json(error)).model_dump(mode="json")


async def _read(read: SectionRead, reads: UserReads, page_size: int) -> bytes | ServiceError:
    """The section's data, or the error it failed with (never raises)."""
    try:
        return await read(reads, page_size)
    except ServiceError as error:
        return error
    except Exception:  # one broken section must not take the others down
        _log.exception("a home screen section failed unexpectedly")
        return ServiceError("The proxy failed unexpectedly")
