"""The full-catalog download (`/catalog/titles/index`, `/full`, `/streaming`, `/dvd`).

Netflix served these as prepared files (about 300 MB, "gzip recommended"), not as documents
built per request. Each download is written once per instance as a stream of
`title_index_item` fragments, gzip-compressed as it is written, and kept compressed
(`IndexFiles`): the XML never exists whole in memory, and a download costs the instance
no more than sending its bytes. `lazy_titles` derives the titles of a catalog of any size
from (seed, index) one at a time, without building the catalog first.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Callable, Iterable, Iterator
from xml.sax.saxutils import escape, quoteattr

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from emulator.catalog.data import Catalog
from emulator.catalog.generator import (
    PERSON_ID_BASE,
    generate_family,
    people_count,
    person_name,
)
from emulator.catalog.model import BLU_RAY, DVD, INSTANT, Title
from emulator.catalog.well_known import PEOPLE as WELL_KNOWN_PEOPLE
from emulator.catalog.well_known import TITLES as WELL_KNOWN
from emulator.catalog.well_known import well_known_families
from emulator.document import XML_PROLOG
from emulator.http import XML_MEDIA_TYPE

INDEX_NAMES = ("index", "full", "streaming", "dvd")
REL_ACTOR = "http://schemas.netflix.com/catalog/person.actor"
REL_DIRECTOR = "http://schemas.netflix.com/catalog/person.director"
BATCH = 200
# Decompressed bytes per chunk sent to a caller that refuses gzip.
PLAIN_CHUNK = 1 << 20
# Which titles each download holds: the streaming and DVD sets replaced the full index in 2012.
_FILTERS: dict[str, Callable[[Title], bool]] = {
    "index": lambda t: True,
    "full": lambda t: True,
    "streaming": lambda t: INSTANT in t.format_labels,
    "dvd": lambda t: DVD in t.format_labels or BLU_RAY in t.format_labels,
}


def lazy_titles(seed: int, size: int, public_base: str) -> Iterator[Title]:
    """The top-level titles `build_catalog(seed=seed, size=size, ...)` holds, one at a time.

    Generated titles carry only the fields the index shows (see `generate_family`).
    """
    base = public_base.rstrip("/")
    for family in well_known_families(seed, base):
        yield family[0]
    n_people = people_count(size)
    for index in range(max(0, size - len(WELL_KNOWN))):
        yield generate_family(seed, base, index, n_people, complete=False)[0]


def lazy_person_name(seed: int) -> Callable[[int], str]:
    """Person names without a built catalog: hand-entered ones, else derived from the seed."""

    def name(person_id: int) -> str:
        known = WELL_KNOWN_PEOPLE.get(person_id)
        return known if known is not None else person_name(seed, person_id - PERSON_ID_BASE)

    return name


def _catalog_person_name(catalog: Catalog) -> Callable[[int], str]:
    def name(person_id: int) -> str:
        person = catalog.person(person_id)
        return person.name if person is not None else ""

    return name


class IndexWriter:
    """Writes `title_index_item` text for one stream, reusing its few repeated fragments.

    Items are written as text rather than node trees: this runs once per title of a
    catalog that may hold 100,000 of them.
    """

    def __init__(self, public_base: str, name_of: Callable[[int], str]) -> None:
        self._base = public_base
        self._name_of = name_of
        # (scheme, label) -> category element; as many as distinct genres and ratings.
        self._categories: dict[tuple[str, str], str] = {}

    def _category(self, scheme: str, label: str) -> str:
        text = self._categories.get((scheme, label))
        if text is None:
            quoted = quoteattr(label)
            text = (
                f'<category scheme="{self._base}/categories/{scheme}" label={quoted} '
                f"term={quoted}/>"
            )
            self._categories[scheme, label] = text
        return text

    def item(self, title: Title) -> str:
        """One `title_index_item`."""
        base, name_of = self._base, self._name_of
        parts = [
            f"<title_index_item><id>{escape(title.ref)}</id><title>{escape(title.title)}</title>"
        ]
        parts.extend(
            f'<link href="{base}/catalog/people/{pid}" rel="{REL_ACTOR}" '
            f"title={quoteattr(name_of(pid))}/>"
            for pid in title.cast
        )
        parts.extend(
            f'<link href="{base}/catalog/people/{pid}" rel="{REL_DIRECTOR}" '
            f"title={quoteattr(name_of(pid))}/>"
            for pid in title.directors
        )
        parts.append(f"<release_year>{title.release_year}</release_year>")
        parts.append(self._category(title.rating_scheme, title.rating))
        parts.extend(self._category("genres", genre) for genre in title.genres)
        parts.append("<delivery_formats>")
        for window in title.formats:
            until = (
                ""
                if window.available_until is None
                else f' available_until="{window.available_until}"'
            )
            parts.append(
                f'<availability available_from="{window.available_from}"{until}>'
                f"{self._category('title_formats', window.label)}</availability>"
            )
        parts.append("</delivery_formats></title_index_item>")
        return "".join(parts)


def index_chunks(
    titles: Iterable[Title],
    public_base: str,
    name_of: Callable[[int], str],
    keep: Callable[[Title], bool] = _FILTERS["index"],
    batch: int = BATCH,
) -> Iterator[bytes]:
    """The whole `catalog_title_index` document, `batch` items per chunk."""
    writer = IndexWriter(public_base, name_of)
    yield (XML_PROLOG + "<catalog_title_index>").encode()
    parts: list[str] = []
    for title in titles:
        if keep(title):
            parts.append(writer.item(title))
            if len(parts) >= batch:
                yield "".join(parts).encode()
                parts.clear()
    parts.append("</catalog_title_index>")
    yield "".join(parts).encode()


def gzip_chunks(chunks: Iterable[bytes], level: int = 6) -> Iterator[bytes]:
    """Compress a stream incrementally into one gzip member."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)
    for chunk in chunks:
        out = compressor.compress(chunk)
        if out:
            yield out
    yield compressor.flush()


def accepts_gzip(request: Request) -> bool:
    """True when `Accept-Encoding` lists gzip with a non-zero quality (`q=0` refuses it)."""
    for part in request.headers.get("accept-encoding", "").lower().split(","):
        coding, *options = part.split(";")
        if coding.strip() in {"gzip", "x-gzip"} and _quality(options) > 0:
            return True
    return False


def _quality(options: list[str]) -> float:
    for option in options:
        name, _, value = option.strip().partition("=")
        if name.strip() == "q":
            try:
                return float(value.strip())
            except ValueError:
                return 0.0
    return 1.0


class IndexFiles:
    """The instance's downloads, each prepared on its first request and kept gzip-compressed.

    Concurrent first requests wait for the one preparation, which runs in a worker thread so
    the instance keeps answering other calls meanwhile.
    """

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._prepared: dict[str, bytes] = {}
        self._locks = {name: asyncio.Lock() for name in INDEX_NAMES}

    async def gzipped(self, name: str) -> bytes:
        """The download `name` (one of `INDEX_NAMES`) as one gzip member."""
        found = self._prepared.get(name)
        if found is None:
            async with self._locks[name]:
                found = self._prepared.get(name)
                if found is None:
                    found = await asyncio.to_thread(self._prepare, name)
                    self._prepared[name] = found
        return found

    def _prepare(self, name: str) -> bytes:
        catalog = self._catalog
        chunks = index_chunks(
            catalog.titles, catalog.public_base, _catalog_person_name(catalog), _FILTERS[name]
        )
        return b"".join(gzip_chunks(chunks))


def gunzip_chunks(data: bytes, size: int = PLAIN_CHUNK) -> Iterator[bytes]:
    """A gzip member decompressed in chunks of at most `size` bytes."""
    inflater = zlib.decompressobj(31)
    view = memoryview(data)
    for start in range(0, len(view), 1 << 16):
        pending: bytes | memoryview = view[start : start + (1 << 16)]
        while pending:
            out = inflater.decompress(pending, size)
            pending = inflater.unconsumed_tail
            if out:
                yield out
    tail = inflater.flush()
    if tail:
        yield tail


async def index_response(request: Request, files: IndexFiles) -> Response:
    """The download named by the last path segment: its gzip bytes when the caller allows."""
    name = request.url.path.rstrip("/").rsplit("/", 1)[-1]
    gzipped = await files.gzipped(name)
    headers = {"Vary": "Accept-Encoding"}
    if accepts_gzip(request):
        headers["Content-Encoding"] = "gzip"
        return Response(gzipped, media_type=XML_MEDIA_TYPE, headers=headers)
    return StreamingResponse(gunzip_chunks(gzipped), media_type=XML_MEDIA_TYPE, headers=headers)
