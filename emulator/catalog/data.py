"""The catalog one emulator instance serves: lookups, search, similars and filmographies.

`build_catalog` assembles it from the hand-entered titles and `size` seeded ones; the
result is read-only, so every request handler can share it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from html import escape
from urllib.parse import urlsplit

from emulator.catalog.generator import generate_family, generate_person, people_count
from emulator.catalog.model import (
    DISCS,
    MOVIES,
    PROGRAMS,
    SEASONS,
    SERIES,
    Availability,
    Award,
    Language,
    Person,
    ScreenFormat,
    Title,
)
from emulator.catalog.search import SearchIndex, normalize_term
from emulator.catalog.well_known import TITLES as WELL_KNOWN
from emulator.catalog.well_known import well_known_families, well_known_people

__all__ = [
    "Availability",
    "Award",
    "Catalog",
    "Language",
    "Person",
    "ScreenFormat",
    "Title",
    "build_catalog",
    "normalize_term",
]

_REF_RE = re.compile(
    r"^/catalog/titles/(?:(movies|series|programs|discs)/(\d{1,12})|series/(\d{1,12})/seasons/(\d{1,12}))/?$"
)
_KINDS_BY_ROUTE = {MOVIES: MOVIES, SERIES: SERIES, PROGRAMS: PROGRAMS, DISCS: DISCS}


class Catalog:
    """Titles and people of one instance, indexed by id, with Netflix-like search.

    Search goes through an inverted index per instance (`emulator.catalog.search`), built
    on the first search.
    """

    def __init__(
        self,
        *,
        seed: int,
        size: int,
        public_base: str,
        families: Iterable[Sequence[Title]],
        people: dict[int, Person],
    ) -> None:
        self.seed = seed
        self.size = size
        self.public_base = public_base
        top: list[Title] = []
        self._by_id: dict[int, Title] = {}
        for family in families:
            top.append(family[0])
            for title in family:
                if title.id in self._by_id:
                    raise ValueError(f"duplicate title id {title.id}")
                self._by_id[title.id] = title
        self._titles = tuple(top)
        self._filmography: dict[int, list[int]] = {}
        self._by_genre: dict[str, list[Title]] = {}
        for title in self._titles:
            for pid in dict.fromkeys((*title.cast, *title.directors)):
                self._filmography.setdefault(pid, []).append(title.id)
            self._by_genre.setdefault(title.genres[0], []).append(title)
        self._people = {pid: p for pid, p in people.items() if pid in self._filmography}
        self._search_keys = [
            (normalize_term(name), title)
            for title in self._titles
            for name in (title.title, *title.aliases)
        ]
        self._index_lock = threading.Lock()
        self._search_indexes: tuple[SearchIndex[Title], SearchIndex[Person]] | None = None

    @property
    def titles(self) -> Sequence[Title]:
        """Top-level titles (movies and series) in catalog order."""
        return self._titles

    def __len__(self) -> int:
        return len(self._titles)

    def all_titles(self) -> Iterator[Title]:
        """Every title, descendants included."""
        return iter(self._by_id.values())

    def get(self, kind: str, title_id: int) -> Title | None:
        """The title of this kind and id (`seasons` for seasons), or None."""
        title = self._by_id.get(title_id)
        return title if title is not None and title.kind == kind else None

    def get_by_id(self, title_id: int) -> Title | None:
        """The title with this id, whatever its kind (ids are unique across kinds)."""
        return self._by_id.get(title_id)

    def resolve_ref(self, ref: str) -> Title | None:
        """A title from its URL, on any host or host-less (`/catalog/titles/movies/123`)."""
        ref = ref.strip()
        path = urlsplit(ref).path if "://" in ref else ref.split("?", 1)[0]
        match = _REF_RE.match(path)
        if match is None:
            return None
        kind, title_id, series_id, season_id = match.groups()
        if season_id is not None:
            season = self.get(SEASONS, int(season_id))
            return season if season is not None and season.series_id == int(series_id) else None
        return self.get(_KINDS_BY_ROUTE[kind], int(title_id))

    def person(self, person_id: int) -> Person | None:
        """A credited person, or None."""
        return self._people.get(person_id)

    def people(self, ids: Iterable[int]) -> list[Person]:
        """The people with these ids, in order, skipping unknown ones."""
        return [p for p in (self._people.get(i) for i in ids) if p is not None]

    def filmography(self, person_id: int) -> list[Title]:
        """Top-level titles crediting this person, newest first."""
        titles = [self._by_id[i] for i in self._filmography.get(person_id, ())]
        return sorted(titles, key=lambda t: (-t.release_year, t.title, t.id))

    def children(self, ids: Iterable[int]) -> list[Title]:
        """Titles for a tuple of child ids (seasons, episodes, discs, bonus materials)."""
        return [self._by_id[i] for i in ids if i in self._by_id]

    def similars(self, title: Title, limit: int = 40) -> list[Title]:
        """Top-level titles sharing the main genre of the title's top-level ancestor."""
        root = title
        while not root.is_top_level and root.parent_id in self._by_id:
            root = self._by_id[root.parent_id]
        group = self._by_genre.get(root.genres[0], [])
        if root not in group:
            return []
        start = group.index(root)
        ordered = group[start + 1 :] + group[:start]
        return ordered[:limit]

    def search(self, term: str) -> list[Title]:
        """Top-level titles matching any word of the term, best first (`catalog.search`)."""
        return self._indexes()[0].search(term)

    def autocomplete(self, term: str, limit: int = 10) -> list[str]:
        """Short titles starting with the term (or with a word starting with it)."""
        needle = normalize_term(term)
        if not needle:
            return []
        found: dict[str, int] = {}
        for key, title in self._search_keys:
            if key.startswith(needle):
                found.setdefault(title.short_title, 0)
            elif f" {needle}" in key:
                found.setdefault(title.short_title, 1)
        return sorted(found, key=lambda name: (found[name], name.casefold()))[:limit]

    def search_people(self, term: str) -> list[Person]:
        """People whose name matches any word of the term, best first."""
        return self._indexes()[1].search(term)

    def _indexes(self) -> tuple[SearchIndex[Title], SearchIndex[Person]]:
        """The search indexes, built on first use and then shared by every request."""
        with self._index_lock:
            if self._search_indexes is None:
                titles = sorted(self._titles, key=lambda t: (t.title.casefold(), t.id))
                people = sorted(self._people.values(), key=lambda p: (p.name.casefold(), p.id))
                self._search_indexes = (
                    SearchIndex(titles, lambda t: (t.title, *t.aliases)),
                    SearchIndex(people, lambda p: (p.name,)),
                )
            return self._search_indexes


def _with_bios(people: dict[int, Person], catalog_films: dict[int, list[Title]]) -> None:
    """Write a factual bio for hand-entered people from their credits in this catalog."""
    for pid, person in people.items():
        films = catalog_films.get(pid)
        if person.bio is None and films:
            credits = ", ".join(f"{escape(t.title)} ({t.release_year})" for t in films[:4])
            people[pid] = Person(
                person.id,
                person.ref,
                person.name,
                f"{escape(person.name)}'s credits in this catalog include {credits}.",
            )


def build_catalog(*, seed: int, size: int, public_base: str) -> Catalog:
    """The catalog for a seed: `size` top-level titles, the hand-entered ones first.

    The hand-entered titles are always present, so a `size` below their count still gets
    all of them. Descendants (seasons, episodes, discs, bonus programs) come on top.
    """
    if size < 0:
        raise ValueError(f"catalog size must be >= 0, got {size}")
    base = public_base.rstrip("/")
    families = well_known_families(seed, base)
    n_people = people_count(size)
    families.extend(
        generate_family(seed, base, index, n_people)
        for index in range(max(0, size - len(WELL_KNOWN)))
    )
    people = {p.id: p for p in (generate_person(seed, base, i) for i in range(n_people))}
    hand_entered = well_known_people(base)
    people.update(hand_entered)
    films: dict[int, list[Title]] = {}
    for family in families[: len(WELL_KNOWN)]:
        for pid in (*family[0].cast, *family[0].directors):
            films.setdefault(pid, []).append(family[0])
    _with_bios(people, films)
    return Catalog(seed=seed, size=size, public_base=base, families=families, people=people)
