"""Catalog titles: search results, title details with inlined parts, autocomplete, index."""

from __future__ import annotations

import enum
from datetime import datetime

from pydantic import Field

from service.schemas.common import Page, Schema
from service.schemas.people import PersonRef


class TitleKind(enum.StrEnum):
    """What a catalog title is; seasons live under a series (`series/1/seasons/2`)."""

    MOVIE = "movie"
    SERIES = "series"
    SEASON = "season"
    PROGRAM = "program"
    DISC = "disc"


class TitlePart(enum.StrEnum):
    """Linked parts of a title that can be inlined in the same answer (`expand`)."""

    SYNOPSIS = "synopsis"
    CAST = "cast"
    DIRECTORS = "directors"
    FORMATS = "formats"
    SCREEN_FORMATS = "screen_formats"
    LANGUAGES = "languages"
    AWARDS = "awards"
    SEASONS = "seasons"
    EPISODES = "episodes"
    DISCS = "discs"
    SIMILARS = "similars"


class TitleFormat(enum.StrEnum):
    """How a title is delivered, named so whatever casing the upstream used (`Instant`...)."""

    INSTANT = "instant"
    DVD = "DVD"
    BLU_RAY = "Blu-ray"


class RatingSystem(enum.StrEnum):
    """The scale of a maturity rating: the MPAA's (films) or the TV Parental Guidelines."""

    MPAA = "mpaa"
    TV = "tv"


class MaturityRating(Schema):
    """A rating from one rating system: `mpaa` (PG-13, R...) or `tv` (TV-MA...)."""

    system: RatingSystem
    value: str = Field(
        description="Upper case, as the system writes it: G, PG, PG-13, R, NC-17, NR, UR "
        "(mpaa); TV-Y, TV-Y7, TV-G, TV-PG, TV-14, TV-MA (tv).",
        examples=["PG-13"],
    )


class Availability(Schema):
    """When a title is offered in one format (instant, DVD, Blu-ray)."""

    format: TitleFormat
    available_from: datetime | None = None
    available_until: datetime | None = None


class LanguageAudio(Schema):
    """One spoken language of a title format and its audio tracks."""

    format: TitleFormat | None = None
    language: str
    audio: list[str] = Field(default_factory=list)


class ScreenFormat(Schema):
    """A picture format offered for one delivery format (e.g. DVD, Widescreen 2.35:1)."""

    format: TitleFormat | None = None
    screen_format: str


class Award(Schema):
    """An award nomination or win."""

    name: str
    year: int | None = None
    category: str | None = None
    won: bool
    person: PersonRef | None = None


class TitleLink(Schema):
    """A reference to another title (similars, the parent series or season)."""

    id: str
    ref: str
    title: str | None = None


class SeasonSummary(Schema):
    """One season of a series, as listed under it (`include=seasons`, `.../seasons`)."""

    id: str = Field(description="Short id, e.g. series/70157234/seasons/70157235.")
    ref: str
    title: str | None = None
    season_number: int | None = None
    release_year: int | None = None
    episode_count: int | None = Field(
        default=None, description="Episodes in the season; null when the upstream did not say."
    )


class EpisodeSummary(Schema):
    """One episode of a season (`include=episodes`); its id is a `programs/...` title id."""

    id: str = Field(description="Short id, e.g. programs/70157236.")
    ref: str
    title: str | None = None
    episode_number: int | None = None
    season_number: int | None = None
    runtime_s: int | None = None


class DiscSummary(Schema):
    """One disc of a season (`include=discs`); its id is a `discs/...` title id."""

    id: str = Field(description="Short id, e.g. discs/70157240.")
    ref: str
    title: str | None = None
    disc_number: int | None = None
    season_number: int | None = None


class Title(Schema):
    """A catalog title; parts not asked for (cast, synopsis...) are null, never empty lists."""

    id: str = Field(description="Short stable id, e.g. movies/60010110.")
    ref: str = Field(description="Full Netflix title URL, usable as title_ref.")
    kind: TitleKind
    title: str
    short_title: str
    release_year: int | None = None
    runtime_s: int | None = None
    average_rating: float | None = None
    predicted_rating: float | None = None
    box_art: dict[str, str] = Field(default_factory=dict, description="Image URL by size.")
    genres: list[str] = Field(default_factory=list)
    maturity_rating: MaturityRating | None = None
    formats: list[TitleFormat] | None = Field(
        default=None,
        description="Formats the title is offered in (`include=formats`, with `availability`); "
        "null when not asked for.",
    )
    web_page: str | None = None
    season_number: int | None = Field(
        default=None, description="For a season, and an episode or disc of one."
    )
    series: TitleLink | None = None
    season: TitleLink | None = Field(
        default=None, description="The season an episode or disc belongs to."
    )
    synopsis_html: str | None = None
    synopsis_text: str | None = None
    # Not `cast`: generated Python clients import typing's `cast` into every model module.
    cast_members: list[PersonRef] | None = Field(
        default=None, description="The actors (`include=cast`)."
    )
    directors: list[PersonRef] | None = None
    availability: list[Availability] | None = None
    screen_formats: list[ScreenFormat] | None = None
    languages: list[LanguageAudio] | None = None
    awards: list[Award] | None = None
    similars: list[TitleLink] | None = None
    seasons: list[SeasonSummary] | None = Field(
        default=None, description="A series' seasons (`include=seasons`)."
    )
    episodes: list[EpisodeSummary] | None = Field(
        default=None, description="A season's episodes (`include=episodes`)."
    )
    discs: list[DiscSummary] | None = Field(
        default=None, description="A season's discs (`include=discs`)."
    )


class TitlePage(Page[Title]):
    """A page of titles (search, similars, recommendations)."""


class SeasonPage(Page[SeasonSummary]):
    """A page of a series' seasons, in order."""


class Suggestions(Schema):
    """Autocomplete suggestions: short titles, best first."""

    items: list[str]


class IndexTitle(Schema):
    """One entry of the full catalog index, streamed."""

    id: str
    ref: str
    kind: TitleKind
    title: str
    release_year: int | None = None
    genres: list[str] = Field(default_factory=list)
    maturity_rating: MaturityRating | None = None
    availability: list[Availability] = Field(default_factory=list)
    cast_members: list[PersonRef] = Field(default_factory=list, description="The actors.")
