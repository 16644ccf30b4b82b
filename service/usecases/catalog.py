"""Catalog reads through the response cache: one key function per read, shared by every tier.

Each read has a pure `*_key` function of its normalized parameters (built with
`service.store.keys`), used by the routers here and by the front layer (`service.front`) when it
recognizes a raw request, so both tiers agree on the key. A read goes front tier → Redis →
upstream; the upstream answer is serialized once, to JSON bytes, and those bytes are what every
tier stores and serves.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel

from service.errors import InvalidInput, ServiceError, problem_json
from service.netflix.client import NetflixClient
from service.netflix.refs import TitleRef
from service.schemas.titles import IndexTitle, Suggestions, TitlePart
from service.settings import Settings
from service.store import keys
from service.store.cache import CacheResult, ResponseCache

if TYPE_CHECKING:
    from service.front import FrontCache

_log = logging.getLogger(__name__)
MAX_TERM_LENGTH = 200
MAX_PAGE_SIZE = 100
MAX_START_INDEX = 100_000
DEFAULT_PAGE_SIZE = 25
_PARTS = {part.value: part for part in TitlePart}
AUTOCOMPLETE_SIZE = 10


def normalize_term(term: str) -> str:
    """Collapse whitespace; the key function case-folds on top of this."""
    return " ".join(term.split())


def normalize_parts(parts: Iterable[TitlePart]) -> tuple[TitlePart, ...]:
    """Inlined parts in one canonical order, without duplicates."""
    return tuple(sorted(set(parts), key=lambda part: part.value))


def parse_include(raw: str | None) -> tuple[TitlePart, ...]:
    """Parse `include=synopsis,cast`: known part names, comma-separated, blanks ignored."""
    if raw is None:
        return ()
    names = [name.strip() for name in raw.split(",") if name.strip()]
    unknown = sorted({name for name in names if name not in _PARTS})
    if unknown:
        raise InvalidInput(
            f"unknown include part(s) {', '.join(unknown)}; choose from {', '.join(_PARTS)}"
        )
    return normalize_parts(_PARTS[name] for name in names)


def search_key(term: str, start_index: int, page_size: int, include: Iterable[TitlePart]) -> str:
    """Cache key of a title search."""
    return keys.catalog(
        "titles.search",
        term=normalize_term(term),
        start_index=start_index,
        page_size=page_size,
        include=_joined(include),
    )


def autocomplete_key(term: str) -> str:
    """Cache key of an autocomplete lookup."""
    return keys.catalog("titles.autocomplete", term=normalize_term(term))


def title_key(ref: TitleRef, include: Iterable[TitlePart]) -> str:
    """Cache key of one title (or season) with its inlined parts."""
    return keys.catalog("titles.get", ref=ref.short, include=_joined(include))


def similar_key(ref: TitleRef, start_index: int, page_size: int) -> str:
    """Cache key of a page of similar titles."""
    return keys.catalog(
        "titles.similar", ref=ref.short, start_index=start_index, page_size=page_size
    )


def people_search_key(term: str, start_index: int, page_size: int) -> str:
    """Cache key of a people search."""
    return keys.catalog(
        "people.search", term=normalize_term(term), start_index=start_index, page_size=page_size
    )


def person_key(person_id: int) -> str:
    """Cache key of one person with filmography."""
    return keys.catalog("people.get", person_id=person_id)


# The setting holding each read's freshness, by the resource its key names.
_TTL_SETTINGS = {
    "titles.search": "cache_ttl_search_s",
    "titles.autocomplete": "cache_ttl_autocomplete_s",
    "titles.get": "cache_ttl_title_s",
    "titles.similar": "cache_ttl_title_s",
    "people.search": "cache_ttl_people_s",
    "people.get": "cache_ttl_people_s",
}


def ttl_of(key: str, settings: Settings) -> float:
    """How long the entry under a catalog key is fresh (the TTL its read stores it with)."""
    name = _TTL_SETTINGS.get(keys.catalog_resource(key) or "")
    if name is None:
        raise ValueError(f"not the key of a cached catalog read: {key!r}")
    ttl: float = getattr(settings, name)
    return ttl


def _joined(parts: Iterable[TitlePart]) -> str:
    return ",".join(part.value for part in normalize_parts(parts))


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
            page = await self.client.search_titles(
                term, start_index=start_index, max_results=page_size, expand=parts
            )
            return _json(page)

        return await self._read(
            search_key(term, start_index, page_size, parts), self.settings.cache_ttl_search_s, fetch
        )

    async def autocomplete(self, *, term: str) -> CacheResult:
        """Short titles starting like the term, best first."""
        term = normalize_term(term)

        async def fetch() -> bytes:
            items = await self.client.autocomplete(term, max_results=AUTOCOMPLETE_SIZE)
            return _json(Suggestions(items=items))

        return await self._read(
            autocomplete_key(term), self.settings.cache_ttl_autocomplete_s, fetch
        )

    async def get_title(self, *, ref: TitleRef, include: Iterable[TitlePart]) -> CacheResult:
        """One title (or season) with the asked parts gathered in the same answer."""
        parts = normalize_parts(include)

        async def fetch() -> bytes:
            return _json(await self.client.get_title(ref, expand=parts))

        return await self._read(title_key(ref, parts), self.settings.cache_ttl_title_s, fetch)

    async def similar_titles(
        self, *, ref: TitleRef, start_index: int, page_size: int
    ) -> CacheResult:
        """A page of titles similar to one title."""

        async def fetch() -> bytes:
            page = await self.client.similar_titles(
                ref, start_index=start_index, max_results=page_size
            )
            return _json(page)

        return await self._read(
            similar_key(ref, start_index, page_size), self.settings.cache_ttl_title_s, fetch
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
            people_search_key(term, start_index, page_size), self.settings.cache_ttl_people_s, fetch
        )

    async def get_person(self, *, person_id: int) -> CacheResult:
        """One person with filmography."""

        async def fetch() -> bytes:
            return _json(await self.client.get_person(person_id, with_filmography=True))

        return await self._read(person_key(person_id), self.settings.cache_ttl_people_s, fetch)

    async def index_lines(self) -> AsyncIterator[bytes]:
        """The whole catalog as NDJSON, streamed from the upstream index (not cached).

        Each part is the lines of the titles one upstream chunk completed, so the stream
        writes as it reads, in a few large writes. The first titles are read before this
        returns, so an upstream failure still becomes a problem document, not a truncated 200.
        """
        batches = aiter(self.client.stream_catalog_index_batches())
        first: list[IndexTitle] | None = await anext(batches, None)
        return _ndjson(first, batches)

    async def _read(
        self, key: str, ttl_s: float, fetch: Callable[[], Awaitable[bytes]]
    ) -> CacheResult:
        result = await self.cache.get_or_fetch(key, ttl_s, fetch)
        if result.status in ("HIT", "MISS"):
            self.front.put(key, result.body, age_s=result.age_s, fresh_for_s=ttl_s)
        return result


def _lines(batch: list[IndexTitle]) -> bytes:
    dump = IndexTitle.__pydantic_serializer__.to_json
    return b"".join([dump(entry) + b"\n" for entry in batch])


async def _ndjson(
    first: list[IndexTitle] | None, rest: AsyncIterator[list[IndexTitle]]
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
