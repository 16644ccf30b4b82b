"""The catalog's value types: titles, people and their facets, all immutable.

Kept apart from generation and lookup so that the users part, the renderer and the
streaming index can share them without importing either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Kinds as they appear in title URLs; seasons are addressed under their series.
MOVIES = "movies"
SERIES = "series"
SEASONS = "seasons"
PROGRAMS = "programs"
DISCS = "discs"
TITLE_KINDS = frozenset({MOVIES, SERIES, SEASONS, PROGRAMS, DISCS})
TOP_LEVEL_KINDS = frozenset({MOVIES, SERIES})

INSTANT = "instant"
DVD = "DVD"
BLU_RAY = "Blu-ray"

_SLUG_RE = re.compile(r"[^0-9A-Za-z]+")


def slug(text: str) -> str:
    """The underscore form Netflix used in web page URLs (`The_Sea_Inside`)."""
    return _SLUG_RE.sub("_", text).strip("_")


def web_person_url(person_id: int, name: str) -> str:
    """A person's www.netflix.com page, also used inside synopsis HTML."""
    return f"http://www.netflix.com/RoleDisplay/{slug(name)}/{person_id}"


@dataclass(frozen=True, slots=True)
class Availability:
    """One delivery format and its window (Unix epoch seconds; no end means open-ended)."""

    label: str
    available_from: int
    available_until: int | None = None


@dataclass(frozen=True, slots=True)
class Language:
    """A spoken language and the audio formats it comes in."""

    language: str
    audio: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScreenFormat:
    """A picture format offered for one delivery format (e.g. DVD, Widescreen 2.35:1)."""

    title_format: str
    screen_format: str


@dataclass(frozen=True, slots=True)
class Award:
    """A nomination or a win; `person_id` names the honoured person when there is one."""

    award: str
    category: str
    year: int
    won: bool
    person_id: int | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """An actor or director; the filmography is held by the catalog (it is a reverse index)."""

    id: int
    ref: str
    name: str
    bio: str | None

    @property
    def web_url(self) -> str:
        """The person's www.netflix.com page."""
        return web_person_url(self.id, self.name)


@dataclass(frozen=True, slots=True)
class Title:
    """One catalog entry: a movie, series, season, episode (program) or disc.

    Ids are unique across kinds. `parent_id` links a season to its series and an episode
    or disc to its season (or a bonus program to its movie); `series_id` names the series
    of any descendant.
    """

    kind: str
    id: int
    ref: str
    title: str
    short_title: str
    release_year: int
    runtime_s: int | None
    average_rating: float
    rating: str
    rating_scheme: str
    genres: tuple[str, ...]
    formats: tuple[Availability, ...]
    screen_formats: tuple[ScreenFormat, ...] = ()
    languages: tuple[Language, ...] = ()
    awards: tuple[Award, ...] = ()
    cast: tuple[int, ...] = ()
    directors: tuple[int, ...] = ()
    synopsis: str = ""
    short_synopsis: str = ""
    official_url: str | None = None
    parent_id: int | None = None
    series_id: int | None = None
    season_number: int | None = None
    sequence: int | None = None
    seasons: tuple[int, ...] = ()
    episodes: tuple[int, ...] = ()
    discs: tuple[int, ...] = ()
    bonus_materials: tuple[int, ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def format_labels(self) -> tuple[str, ...]:
        """Delivery format labels (`instant`, `DVD`, `Blu-ray`) in catalog order."""
        return tuple(a.label for a in self.formats)

    @property
    def box_art(self) -> dict[str, str]:
        """Box shot URLs keyed by the v1 `box_art` attribute names."""
        base = f"http://cdn-{self.id % 10}.nflximg.com/us/boxshots"
        return {
            "small": f"{base}/tiny/{self.id}.jpg",
            "medium": f"{base}/small/{self.id}.jpg",
            "large": f"{base}/large/{self.id}.jpg",
        }

    @property
    def web_url(self) -> str:
        """The title's www.netflix.com page (`rel="alternate"`)."""
        return f"http://www.netflix.com/Movie/{slug(self.title)}/{self.id}"

    @property
    def is_top_level(self) -> bool:
        """Movies and series are what search, `size` and the index count."""
        return self.kind in TOP_LEVEL_KINDS


def title_ref(public_base: str, kind: str, title_id: int, series_id: int | None = None) -> str:
    """The canonical URL of a title; seasons live under their series."""
    if kind == SEASONS:
        return f"{public_base}/catalog/titles/series/{series_id}/seasons/{title_id}"
    return f"{public_base}/catalog/titles/{kind}/{title_id}"


def person_ref(public_base: str, person_id: int) -> str:
    """The canonical URL of a person."""
    return f"{public_base}/catalog/people/{person_id}"
