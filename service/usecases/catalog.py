"""Catalog reads through the response cache, keyed and timed by their declarations.

Each read's key and TTL come from its `CatalogRead` in `service.catalog_reads`, which the front
layer (`service.front`) also uses to recognize raw requests, so both tiers agree on the key. A
read goes front tier → Redis → upstream; the upstream answer is serialized once, to JSON bytes,
and those bytes are what every tier stores and serves.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel

from service import catalog_reads as reads
from service.catalog_reads import CatalogRead, normalize_parts, normalize_term
from service.errors import ServiceError, problem_json
from service.limits import AUTOCOMPLETE_SIZE
from service.netflix.client import NetflixClient
from service.netflix.normalize.common import dump_json
from service.netflix.normalize.title_fields import Fields
from service.netflix.refs import TitleRef
from service.schemas.titles import Suggestions, TitlePart
from service.settings import Settings
from service.store.cache import CacheResult, ResponseCache

if TYPE_CHECKING:
    from service.front import FrontCache

_log = logging.getLogger(__name__)


def _json(model: BaseModel) -> bytes:
    return model.model_dump_json().encode()


@dataclass(frozen=True, slots=True)
class CatalogReads:
    """The catalog use cases: cached reads, and the uncached index stream."""

    client: NetflixClient
    cache: ResponseCache
    front: FrontCache
    settings: Settings

    async def search_titles(
        self, *, term: str, start_index: int, page_size: int, include: Iterable[TitlePart]
    ) -> CacheResult:
        """A page of titles matching a term, with the asked parts inlined."""
        parts = normalize_parts(include)
        term = normalize_term(term)

        async def fetch() -> bytes:
            page = await self.client.search_titles_fields(
                term, start_index=start_index, max_results=page_size, expand=parts
            )
            return dump_json(page)

        return await self._read(
            reads.SEARCH_TITLES,
            fetch,
            term=term,
            start_index=start_index,
            page_size=page_size,
            include=parts,
        )

    async def autocomplete(self, *, term: str) -> CacheResult:
        """Short titles starting like the term, best first."""
        term = normalize_term(term)

        async def fetch() -> bytes:
            items = await self.client.autocomplete(term, max_results=AUTOCOMPLETE_SIZE)
            return _json(Suggestions(items=items))

        return await self._read(reads.AUTOCOMPLETE, fetch, term=term)

    async def get_title(self, *, ref: TitleRef, include: Iterable[TitlePart]) -> CacheResult:
        """One title (or season) with the asked parts gathered in the same answer."""
        parts = normalize_parts(include)

        async def fetch() -> bytes:
            return _json(await self.client.get_title(ref, expand=parts))

        if ref.season_id is not None:
            return await self._read(
                reads.GET_SEASON, fetch, series_id=ref.id, season_id=ref.season_id, include=parts
            )
        return await self._read(
            reads.GET_TITLE, fetch, kind=ref.kind, title_id=ref.id, include=parts
        )

    async def similar_titles(
        self, *, ref: TitleRef, start_index: int, page_size: int
    ) -> CacheResult:
        """A page of titles similar to one title."""

        async def fetch() -> bytes:
            page = await self.client.similar_titles_fields(
                ref, start_index=start_index, max_results=page_size
            )
            return dump_json(page)

        return await self._read(
            reads.LIST_SIMILAR,
            fetch,
            kind=ref.kind,
            title_id=ref.id,
            start_index=start_index,
            page_size=page_size,
        )

    async def list_seasons(
        self, *, series_id: int, start_index: int, page_size: int
    ) -> CacheResult:
        """A page of a series' seasons, with their numbers, years and episode counts."""

        async def fetch() -> bytes:
            page = await self.client.list_seasons(
                TitleRef("series", series_id), start_index=start_index, max_results=page_size
            )
            return _json(page)

        return await self._read(
            reads.LIST_SEASONS,
            fetch,
            series_id=series_id,
            start_index=start_index,
            page_size=page_size,
        )

    async def search_people(self, *, term: str, start_index: int, page_size: int) -> CacheResult:
        """A page of people matching a name."""
        term = normalize_term(term)

        async def fetch() -> bytes:
            page = await self.client.search_people(
                term, start_index=start_index, max_results=page_size
            )
            return _json(page)

        return await self._read(
            reads.SEARCH_PEOPLE, fetch, term=term, start_index=start_index, page_size=page_size
        )

    async def get_person(self, *, person_id: int) -> CacheResult:
        """One person with filmography."""

        async def fetch() -> bytes:
            return _json(await self.client.get_person(person_id, with_filmography=True))

        return await self._read(reads.GET_PERSON, fetch, person_id=person_id)

    async def index_lines(self) -> AsyncIterator[bytes]:
        """The whole catalog as NDJSON, streamed from the upstream index (not cached).

        Each part is the lines of the titles one upstream chunk completed, so the stream
        writes as it reads, in a few large writes. The first titles are read before this
        returns, so an upstream failure still becomes a problem document, not a truncated 200.
        """
        batches = aiter(self.client.stream_catalog_index_batches())
        first: list[Fields] | None = await anext(batches, None)
        return _ndjson(first, batches)

    async def _read(
        self, read: CatalogRead, fetch: Callable[[], Awaitable[bytes]], **values: object
    ) -> CacheResult:
        key, ttl_s = read.key(**values), read.ttl_s(self.settings)
        result = await self.cache.get_or_fetch(key, ttl_s, fetch)
        if result.status in ("HIT", "MISS"):
            self.front.put(key, result.body, age_s=result.age_s, fresh_for_s=ttl_s)
        return result


def _lines(batch: list[Fields]) -> bytes:
    return b"".join([dump_json(entry) + b"\n" for entry in batch])


async def _ndjson(
    first: list[Fields] | None, rest: AsyncIterator[list[Fields]]
) -> AsyncIterator[bytes]:
    """The lines of the stream; a failure past the first line ends it with an error record.

    The 200 status is sent by then, so the failure becomes a last line
    `{"error": <problem document>}` that clients detect (title lines never have `error`).
    """
    if not first:
        return
    yield _lines(first)
    sent = len(first)
    try:
        async for batch in rest:
            yield _lines(batch)
            sent += len(batch)
    except Exception as exc:  # every failure must end the stream readably
        error = exc if isinstance(exc, ServiceError) else ServiceError("the index stream failed")
        _log.warning("catalog index stream ended after %d titles: %s", sent, error.detail)
        yield b'{"error":' + problem_json(error) + b"}\n"
