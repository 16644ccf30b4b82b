"""People in the catalog: cast and directors, with biographies and filmographies."""

from __future__ import annotations

from pydantic import Field

from service.schemas.common import Page, Schema


class PersonRef(Schema):
    """A person named by a title (cast, directors) or an award."""

    id: str = Field(description="Short stable id, e.g. people/30001.")
    ref: str
    name: str


class FilmographyEntry(Schema):
    """A title a person appears in."""

    id: str
    ref: str
    title: str | None = None


class Person(Schema):
    """A person; `filmography` is null when it was not asked for."""

    id: str = Field(description="Short stable id, e.g. people/30001 (`GET /v1/people/30001`).")
    ref: str
    name: str
    bio_html: str | None = None
    bio_text: str | None = None
    web_page: str | None = None
    filmography: list[FilmographyEntry] | None = Field(default=None)


class PersonPage(Page[Person]):
    """A page of people search results."""
