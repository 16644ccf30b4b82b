"""Catalog calls of the Netflix client: titles, people, the full index (`Security.SIGNED`,
autocomplete `Security.CONSUMER`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

from service.errors import InvalidInput, NotFound
from service.limits import MAX_INLINED_SEASONS, MAX_INLINED_SIMILARS, MAX_PAGE_SIZE
from service.netflix.normalize import index as index_normalizer
from service.netflix.normalize import people, seasons, titles
from service.netflix.normalize.title_fields import Fields
from service.netflix.params import page, search_term
from service.netflix.refs import TitleRef
from service.netflix.signing import Security
from service.netflix.transport import Call, Upstream
from service.netflix.xml import StreamParser
from service.schemas.people import Person, PersonPage
from service.schemas.titles import IndexTitle, SeasonPage, Title, TitlePage, TitlePart

# How each inlinable part is named in `expand`, and as the title's own sub-resource path.
EXPAND_NAMES: dict[TitlePart, str] = {
    TitlePart.SYNOPSIS: "synopsis",
    TitlePart.CAST: "cast",
    TitlePart.DIRECTORS: "directors",
    TitlePart.FORMATS: "format_availability",
    TitlePart.SCREEN_FORMATS: "screen_formats",
    TitlePart.LANGUAGES: "languages_and_audio",
    TitlePart.AWARDS: "awards",
    TitlePart.SEASONS: "seasons",
    TitlePart.EPISODES: "episodes",
    TitlePart.DISCS: "discs",
    TitlePart.SIMILARS: "similars",
}
# Parts that are lists of titles: their sub-resources are pages, asked for whole.
_COLLECTION_PARTS = frozenset({TitlePart.SEASONS, TitlePart.EPISODES, TitlePart.DISCS})
INDEX_PATH = "/catalog/titles/index"


def _expand(parts: Sequence[TitlePart]) -> list[tuple[str, str]]:
    names = sorted({EXPAND_NAMES[TitlePart(p)] for p in parts})
    return [("expand", ",".join(names))] if names else []


def _part_fields(parts: Sequence[TitlePart]) -> list[str]:
    """The `Title` fields of the parts asked for."""
    fields = [titles.PART_FIELDS[p] for p in map(TitlePart, parts) if p in titles.PART_FIELDS]
    return [*fields, "formats"] if TitlePart.FORMATS in parts else fields


def _with_parts(title: Title, parts: Sequence[TitlePart]) -> Title:
    """Parts asked for but not linked upstream (a title without awards) become []."""
    missing: dict[str, list[object]] = {
        f: [] for f in _part_fields(parts) if getattr(title, f) is None
    }
    return title.model_copy(update=missing) if missing else title


def _page_with_parts(page: Fields, parts: Sequence[TitlePart]) -> Fields:
    """`_with_parts` over the titles of a page of `TitlePage` fields, in place."""
    fields = _part_fields(parts)
    for item in page["items"]:
        for field in fields:
            if item[field] is None:
                item[field] = []
    return page


class CatalogCalls:
    """The catalog part of `NetflixClient` (which sets `_upstream` and `_ref_base`)."""

    _upstream: Upstream
    _ref_base: str

    async def search_titles(
        self,
        term: str,
        *,
        start_index: int = 0,
        max_results: int = 25,
        expand: Sequence[TitlePart] = (),
    ) -> TitlePage:
        """Search movies and series by title."""
        found = await self.search_titles_fields(
            term, start_index=start_index, max_results=max_results, expand=expand
        )
        return TitlePage.model_validate(found)

    async def search_titles_fields(
        self,
        term: str,
        *,
        start_index: int = 0,
        max_results: int = 25,
        expand: Sequence[TitlePart] = (),
    ) -> Fields:
        """`search_titles` as `TitlePage` fields, for answers written without a model."""
        params = [("term", search_term(term)), *page(start_index, max_results), *_expand(expand)]
        answer = await self._upstream.document(
            Call("GET", "/catalog/titles", params, subject="titles")
        )
        found = titles.title_page_fields(answer.doc, ref_base=self._ref_base, page_size=max_results)
        return _page_with_parts(found, expand) if expand else found

    async def autocomplete(self, term: str, *, max_results: int = 10) -> list[str]:
        """Title suggestions for a prefix (a consumer-key-only call, as Netflix had it)."""
        params = [
            ("term", search_term(term)),
            ("max_results", str(max(1, min(max_results, MAX_PAGE_SIZE)))),
        ]
        answer = await self._upstream.document(
            Call(
                "GET",
                "/catalog/titles/autocomplete",
                params,
                security=Security.CONSUMER,
                subject="suggestions",
            )
        )
        return titles.autocomplete(answer.doc).items[:max_results]

    async def get_title(self, ref: TitleRef, *, expand: Sequence[TitlePart] = ()) -> Title:
        """One title, with the asked-for parts inlined.

        Parts the host linked but did not expand are fetched from their own sub-resources,
        concurrently, so the answer is complete whatever `expand` names the host honours.
        A series' seasons always come from its `/seasons` page, which counts their episodes.
        """
        parts = [TitlePart(p) for p in expand]
        inline = [p for p in parts if p is not TitlePart.SEASONS]
        answer = await self._upstream.document(
            Call("GET", ref.path, _expand(inline), subject="title")
        )
        title = titles.title_document(answer.doc, ref_base=self._ref_base)
        pending = titles.unexpanded_parts(answer.doc, inline)
        if TitlePart.SEASONS in parts and ref.kind == "series" and ref.season_id is None:
            pending.append(TitlePart.SEASONS)
        if pending:
            found = await asyncio.gather(*(self._title_part(ref, part) for part in pending))
            title = titles.fill_parts(title, {k: v for part in found for k, v in part.items()})
        return _with_parts(title, parts)

    async def _title_part(self, ref: TitleRef, part: TitlePart) -> dict[str, object]:
        """One part from its sub-resource (`{title}/awards`...); none when it is missing."""
        if part is TitlePart.SEASONS:
            seasons_page = await self.list_seasons(ref, max_results=MAX_INLINED_SEASONS)
            return {"seasons": seasons_page.items}
        params = [("max_results", str(MAX_PAGE_SIZE))] if part in _COLLECTION_PARTS else []
        if part is TitlePart.SIMILARS:
            params = [("max_results", str(MAX_INLINED_SIMILARS))]
        try:
            answer = await self._upstream.document(
                Call("GET", f"{ref.path}/{EXPAND_NAMES[part]}", params, subject="title")
            )
        except NotFound:
            return {}
        return titles.part_fields(answer.doc, part, ref_base=self._ref_base)

    async def list_seasons(
        self, ref: TitleRef, *, start_index: int = 0, max_results: int = 25
    ) -> SeasonPage:
        """A page of a series' seasons, each with its episode count."""
        if ref.kind != "series" or ref.season_id is not None:
            raise InvalidInput("only a series has seasons")
        params = [*page(start_index, max_results), ("expand", "episodes")]
        answer = await self._upstream.document(
            Call("GET", f"{ref.path}/seasons", params, subject="title")
        )
        return seasons.seasons_page(answer.doc, ref_base=self._ref_base, page_size=max_results)

    async def similar_titles(
        self, ref: TitleRef, *, start_index: int = 0, max_results: int = 25
    ) -> TitlePage:
        """Titles Netflix deems similar to one title."""
        found = await self.similar_titles_fields(
            ref, start_index=start_index, max_results=max_results
        )
        return TitlePage.model_validate(found)

    async def similar_titles_fields(
        self, ref: TitleRef, *, start_index: int = 0, max_results: int = 25
    ) -> Fields:
        """`similar_titles` as `TitlePage` fields, for answers written without a model."""
        answer = await self._upstream.document(
            Call("GET", ref.path + "/similars", page(start_index, max_results), subject="title")
        )
        return titles.title_page_fields(
            answer.doc,
            ref_base=self._ref_base,
            page_size=max_results,
            root="similars",
            item="similars_item",
        )

    async def search_people(
        self, term: str, *, start_index: int = 0, max_results: int = 25
    ) -> PersonPage:
        """Search cast and directors by name."""
        params = [("term", search_term(term)), *page(start_index, max_results)]
        answer = await self._upstream.document(
            Call("GET", "/catalog/people", params, subject="people")
        )
        return people.people_page(answer.doc, ref_base=self._ref_base, page_size=max_results)

    async def get_person(self, person_id: int, *, with_filmography: bool = True) -> Person:
        """One person, with the filmography inlined unless told otherwise."""
        if person_id <= 0:
            raise InvalidInput("person ids are positive integers")
        params = [("expand", "filmography")] if with_filmography else []
        answer = await self._upstream.document(
            Call("GET", f"/catalog/people/{person_id}", params, subject="person")
        )
        return people.person_document(answer.doc, ref_base=self._ref_base)

    async def stream_catalog_index(self) -> AsyncIterator[IndexTitle]:
        """Every catalog title, streamed (gzip from upstream) in constant memory."""
        async for batch in self.stream_catalog_index_batches():
            for entry in batch:
                yield IndexTitle.model_validate(entry)

    async def stream_catalog_index_batches(self) -> AsyncIterator[list[Fields]]:
        """The catalog titles, as `IndexTitle` fields, as each upstream chunk completes them
        (never an empty batch).

        One batch per chunk lets a stream write the titles of a chunk in one go.
        """
        parser = StreamParser("title_index_item")
        call = Call("GET", INDEX_PATH, subject="catalog index", negotiate=False)
        read = index_normalizer.index_fields
        ref_base = self._ref_base
        # `open` translates a failure while reading (timeout or drop) like any other call.
        async with self._upstream.open(call, headers={"Accept-Encoding": "gzip"}) as response:
            async for chunk in response.aiter_bytes():
                batch = [read(doc.node(), ref_base=ref_base) for doc in parser.feed(chunk)]
                if batch:
                    yield batch
            batch = [read(doc.node(), ref_base=ref_base) for doc in parser.close()]
            if batch:
                yield batch
