"""The home screen: every section read at once, each failing on its own.

`GET /v1/me/home` answers in one round trip what a subscriber's first screen shows. Each
section is one upstream call (see `SECTION_READS`); they run concurrently, each taking its
place in the subscriber's upstream budget (`store.budget`), which lets the first calls leave at
once and paces the others into the next window, so the upstream never refuses one. A section
whose read fails, budget refusals included, becomes a problem document in `problems` while the
others are served; when every section asked for failed, the first failure is the answer.

`UserReads` is the one place that says where each section's data comes from.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from service.errors import InvalidInput, Problem, ServiceError, problem_json
from service.netflix.client import NetflixClient
from service.schemas.home import HomeScreen
from service.schemas.home_sections import HomeSection
from service.schemas.queues import QueuePage, QueueType
from service.schemas.rentals import RentalEntry, RentalKind, RentalPage
from service.schemas.titles import TitlePage
from service.schemas.users import User
from service.store.sessions import Session
from service.usecases.queue_writes import QueueWrites

_log = logging.getLogger(__name__)
ALL_SECTIONS: tuple[HomeSection, ...] = tuple(HomeSection)
DEFAULT_HOME_PAGE_SIZE = 10
MAX_HOME_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class UserReads:
    """The subscriber reads a home screen is made of: one method per section, one call each."""

    client: NetflixClient
    queues: QueueWrites

    async def profile(self, session: Session) -> User:
        """The profile (`/users/{id}`)."""
        return await self.client.get_user(session.token, session.user_id)

    async def queue(self, session: Session, queue: QueueType, page_size: int) -> QueuePage:
        """The queue's first page; its etag is kept for the next write, as any queue read."""
        return await self.queues.read(
            session, queue, state=None, sort=None, start_index=0, max_results=page_size
        )

    async def at_home(self, session: Session) -> list[RentalEntry]:
        """Discs at home (`/users/{id}/at_home`)."""
        return await self.client.at_home(session.token, session.user_id)

    async def rental_history(self, session: Session, page_size: int) -> RentalPage:
        """The newest page of the whole rental history."""
        return await self.client.rental_history(
            session.token, session.user_id, RentalKind.ALL, start_index=0, max_results=page_size
        )

    async def recommendations(self, session: Session, page_size: int) -> TitlePage:
        """The first page of recommendations."""
        return await self.client.recommendations(
            session.token, session.user_id, start_index=0, max_results=page_size
        )


SectionRead = Callable[[UserReads, Session, int], Awaitable[Any]]

# Each section and its read (one upstream call each).
SECTION_READS: dict[HomeSection, SectionRead] = {
    HomeSection.PROFILE: lambda reads, session, _: reads.profile(session),
    HomeSection.DISC_QUEUE: lambda reads, session, size: reads.queue(session, QueueType.DISC, size),
    HomeSection.INSTANT_QUEUE: lambda reads, session, size: reads.queue(
        session, QueueType.INSTANT, size
    ),
    HomeSection.AT_HOME: lambda reads, session, _: reads.at_home(session),
    HomeSection.RENTAL_HISTORY: lambda reads, session, size: reads.rental_history(session, size),
    HomeSection.RECOMMENDATIONS: lambda reads, session, size: reads.recommendations(session, size),
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
    reads: UserReads, session: Session, sections: Sequence[HomeSection], *, page_size: int
) -> HomeScreen:
    """Every section asked for, read concurrently; failures become per-section problems."""
    outcomes = await asyncio.gather(
        *(_read(SECTION_READS[section], reads, session, page_size) for section in sections)
    )
    served: dict[str, Any] = {}
    failures: dict[HomeSection, ServiceError] = {}
    for section, outcome in zip(sections, outcomes, strict=True):
        if isinstance(outcome, ServiceError):
            failures[section] = outcome
        else:
            served[section.value] = outcome
    if failures and not served:
        raise failures[sections[0]]
    problems = {
        section: Problem.model_validate_json(problem_json(error))
        for section, error in failures.items()
    }
    return HomeScreen(**served, problems=problems)


async def _read(read: SectionRead, reads: UserReads, session: Session, page_size: int) -> Any:
    """The section's data, or the error it failed with (never raises)."""
    try:
        return await read(reads, session, page_size)
    except ServiceError as error:
        return error
    except Exception:  # one broken section must not take the others down
        _log.exception("a home screen section failed unexpectedly")
        return ServiceError("The proxy failed unexpectedly")
