"""Catalog resources: title and people search, autocomplete, titles, facets, people, index.

Every handler authenticates first (signed consumer requests; autocomplete needs only the
consumer key), then renders one document through `emulator.http.respond`.

Shapes no recording shows, chosen here: `/seasons`, `/episodes`, `/discs` and
`/bonus_materials` answer a paged `catalog_titles` (no links, no url_template); a person's
`/filmography` answers `filmography` → paging header → `filmography_item`s holding the
`catalog_title` children, and `expand=filmography` nests the same element in the link.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from emulator.catalog import facets, index, params, render
from emulator.catalog.data import Catalog
from emulator.catalog.model import DISCS, MOVIES, PROGRAMS, SEASONS, SERIES, Title
from emulator.context import EmulatorContext
from emulator.document import Node, el
from emulator.http import NetflixError, respond
from emulator.oauth.provider import Level

_ROUTE_KINDS = {"movies": MOVIES, "series": SERIES, "programs": PROGRAMS, "discs": DISCS}
AUTOCOMPLETE_DEFAULT = 10


class CatalogResources:
    """Handlers bound to one emulator instance's context."""

    def __init__(self, ctx: EmulatorContext) -> None:
        self.ctx = ctx
        self._index_files = index.IndexFiles(ctx.catalog)

    @property
    def catalog(self) -> Catalog:
        """The instance's catalog."""
        return self.ctx.catalog

    async def search_titles(self, request: Request) -> Response:
        """`GET /catalog/titles`: paged title search."""
        await self.ctx.oauth.authenticate(request, Level.SIGNED)
        term = params.term(request)
        start, max_results = params.paging(request)
        expand = render.parse_expand(request.query_params.get("expand"))
        found = self.catalog.search(term)
        base = self.catalog.public_base
        doc = el(
            "catalog_titles",
            None,
            el(
                "link",
                href=f"{base}/catalog/titles/index",
                rel=f"{facets.SCHEMAS}/catalog/titles/index",
                title="index",
            ),
            el(
                "link",
                href=f"{base}/catalog/titles/autocomplete",
                rel=f"{facets.SCHEMAS}/catalog/titles/autocomplete",
                title="autocomplete",
            ),
            el("url_template", f"{base}/catalog/titles?{{-join|&|term|start_index|max_results}}"),
            *facets.paging(len(found), start, max_results),
        )
        doc.extend(
            render.catalog_title(self.catalog, t, expand=expand)
            for t in found[start : start + max_results]
        )
        return respond(request, doc)

    async def autocomplete(self, request: Request) -> Response:
        """`GET /catalog/titles/autocomplete`: short titles for a prefix."""
        await self.ctx.oauth.authenticate(request, Level.CONSUMER)
        term = params.term(request)
        start, max_results = params.paging(request, default=AUTOCOMPLETE_DEFAULT)
        names = self.catalog.autocomplete(term, limit=start + max_results)[start:]
        doc = el(
            "autocomplete",
            None,
            el(
                "url_template",
                f"{self.catalog.public_base}/catalog/titles/autocomplete?{{-join|&|term}}",
            ),
        )
        doc.extend(el("autocomplete_item", None, el("title", short=name)) for name in names)
        return respond(request, doc)

    async def title_index(self, request: Request) -> Response:
        """`GET /catalog/titles/index` (and `/full`, `/streaming`, `/dvd`): a prepared file."""
        await self.ctx.oauth.authenticate(request, Level.SIGNED)
        return await index.index_response(request, self._index_files)

    def _title(self, request: Request) -> Title:
        path = request.path_params
        if "season_id" in path:
            series_id = params.numeric_id(path["series_id"])
            season = self.catalog.get(SEASONS, params.numeric_id(path["season_id"]))
            if season is None or season.series_id != series_id:
                raise NetflixError(404, "Resource not found")
            return season
        kind = _ROUTE_KINDS.get(path["kind"])
        title_id = params.numeric_id(path["title_id"])
        title = self.catalog.get(kind, title_id) if kind is not None else None
        if title is None:
            raise NetflixError(404, "Resource not found")
        return title

    async def get_title(self, request: Request) -> Response:
        """`GET /catalog/titles/{kind}/{id}` and seasons: one `catalog_title`."""
        await self.ctx.oauth.authenticate(request, Level.SIGNED)
        title = self._title(request)
        expand = render.parse_expand(request.query_params.get("expand"))
        return respond(request, render.catalog_title(self.catalog, title, expand=expand))

    async def get_title_facet(self, request: Request) -> Response:
        """`GET <title>/{facet}`: synopsis, cast, formats, similars, seasons, episodes..."""
        await self.ctx.oauth.authenticate(request, Level.SIGNED)
        title = self._title(request)
        return respond(request, self._facet(request, title, request.path_params["facet"]))

    def _facet(self, request: Request, title: Title, name: str) -> Node:
        catalog = self.catalog
        if name == "similars":
            start, max_results = params.paging(request)
            return render.similars(catalog, title, start, max_results)
        collections = {
            "seasons": title.seasons,
            "episodes": title.episodes,
            "discs": title.discs,
            "bonus_materials": title.bonus_materials,
        }
        if name in collections:
            start, max_results = params.paging(request)
            expand = render.parse_expand(request.query_params.get("expand"))
            return render.child_titles(
                catalog,
                catalog.children(collections[name]),
                start_index=start,
                max_results=max_results,
                expand=expand,
            )
        documents = {
            "synopsis": lambda: facets.synopsis(title),
            "synopsis.short": lambda: facets.short_synopsis(title),
            "cast": lambda: facets.people_document(catalog, title.cast),
            "directors": lambda: facets.people_document(catalog, title.directors),
            "format_availability": lambda: facets.delivery_formats(catalog, title),
            "screen_formats": lambda: facets.screen_formats(catalog, title),
            "languages_and_audio": lambda: facets.languages_and_audio(catalog, title),
            "awards": lambda: facets.awards(catalog, title),
        }
        builder = documents.get(name)
        if builder is None:
            raise NetflixError(404, "Resource not found")
        return builder()

    async def search_people(self, request: Request) -> Response:
        """`GET /catalog/people`: paged people search (`expand=filmography` nests titles)."""
        await self.ctx.oauth.authenticate(request, Level.SIGNED)
        term = params.term(request)
        start, max_results = params.paging(request)
        expand = render.parse_expand(request.query_params.get("expand"))
        found = self.catalog.search_people(term)
        base = self.catalog.public_base
        doc = el(
            "people",
            None,
            el("url_template", f"{base}/catalog/people?{{-join|&|term|start_index|max_results}}"),
            *facets.paging(len(found), start, max_results),
        )
        for person in found[start : start + max_results]:
            doc.add(self._person(person.id, expand))
        return respond(request, doc)

    def _person(self, person_id: int, expand: frozenset[str]) -> Node:
        person = self.catalog.person(person_id)
        if person is None:
            raise NetflixError(404, "Resource not found")
        node = facets.person_node(person)
        if "filmography" in expand:
            link = next(c for c in node.children if c.attrs.get("rel") == facets.REL_FILMOGRAPHY)
            link.add(self._filmography(person_id, 0, None))
        return node

    def _filmography(self, person_id: int, start: int, max_results: int | None) -> Node:
        return render.child_titles(
            self.catalog,
            self.catalog.filmography(person_id),
            "filmography",
            start_index=start,
            max_results=max_results,
            item="filmography_item",
        )

    async def get_person(self, request: Request) -> Response:
        """`GET /catalog/people/{id}`: one `person`."""
        await self.ctx.oauth.authenticate(request, Level.SIGNED)
        person_id = params.numeric_id(request.path_params["person_id"])
        expand = render.parse_expand(request.query_params.get("expand"))
        return respond(request, self._person(person_id, expand))

    async def get_filmography(self, request: Request) -> Response:
        """`GET /catalog/people/{id}/filmography`: the person's titles, paged."""
        await self.ctx.oauth.authenticate(request, Level.SIGNED)
        person_id = params.numeric_id(request.path_params["person_id"])
        if self.catalog.person(person_id) is None:
            raise NetflixError(404, "Resource not found")
        start, max_results = params.paging(request)
        return respond(request, self._filmography(person_id, start, max_results))


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    """The catalog's routes for one instance."""
    h = CatalogResources(ctx)
    get = ["GET"]
    return [
        Route("/catalog/titles", h.search_titles, methods=get),
        Route("/catalog/titles/autocomplete", h.autocomplete, methods=get),
        *(
            Route(f"/catalog/titles/{name}", h.title_index, methods=get)
            for name in index.INDEX_NAMES
        ),
        Route("/catalog/titles/series/{series_id}/seasons/{season_id}", h.get_title, methods=get),
        Route(
            "/catalog/titles/series/{series_id}/seasons/{season_id}/{facet}",
            h.get_title_facet,
            methods=get,
        ),
        Route("/catalog/titles/{kind}/{title_id}", h.get_title, methods=get),
        Route("/catalog/titles/{kind}/{title_id}/{facet}", h.get_title_facet, methods=get),
        Route("/catalog/people", h.search_people, methods=get),
        Route("/catalog/people/{person_id}", h.get_person, methods=get),
        Route("/catalog/people/{person_id}/filmography", h.get_filmography, methods=get),
    ]
