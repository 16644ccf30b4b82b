"""Validated catalog title references.

A ref is the only way a title reaches an upstream URL: clients and upstream documents supply
text, `TitleRef.parse` keeps only kind and numeric ids, and URLs are rebuilt from those against
a configured base. The proxy never fetches a URL a client (or a document) chose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from service.errors import InvalidInput, NotFound
from service.limits import ID_REGEX, KIND_REGEX, TitleCollection
from service.schemas.titles import TitleKind

# Routes hand over the path parameter's enum member; parsed refs a plain string.
Kind = TitleCollection | Literal["movies", "series", "programs", "discs"]

# Hosts whose title URLs are accepted whatever the configuration: the live API's two names.
NETFLIX_API_HOSTS = frozenset({"api.netflix.com", "api-public.netflix.com"})

MAX_REF_LENGTH = 300
# A plain absolute URL: its path is what follows the host, as `urlsplit` would find it.
_PLAIN_URL = re.compile(r"https?://[^/?#\s]*(/[^?#\s]*)?")


def _path_of(url: str) -> str:
    """The path of a URL; upstream ids are plain absolute URLs, read without `urlsplit`."""
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None:
        return plain[1] or ""
    return urlsplit(url).path


_SHORT = re.compile(
    rf"(?P<kind>{KIND_REGEX})/(?P<id>{ID_REGEX})(?:/seasons/(?P<season>{ID_REGEX}))?"
)
# A plain absolute title URL, as upstream documents write them: read in one match.
_TITLE_URL = re.compile(
    rf"https?://[^/?#\s]*/catalog/titles/(?P<kind>{KIND_REGEX})/(?P<id>{ID_REGEX})"
    rf"(?:/seasons/(?P<season>{ID_REGEX}))?/*"
)
_KIND_OF: dict[str, TitleKind] = {
    "movies": TitleKind.MOVIE,
    "series": TitleKind.SERIES,
    "programs": TitleKind.PROGRAM,
    "discs": TitleKind.DISC,
}


def title_id(url: str) -> tuple[str, TitleKind] | None:
    """`TitleRef.from_upstream(url)` as its short id and public kind, without building the ref
    when the URL has the usual shape (ids match `ID_REGEX`: the digits are the number)."""
    match = _TITLE_URL.fullmatch(url.strip())
    if match is not None and match["season"] is None:
        return f"{match['kind']}/{match['id']}", _KIND_OF[match["kind"]]
    ref = TitleRef.from_upstream(url)
    return None if ref is None else (ref.short, ref.title_kind)


def host_of(base_url: str) -> str:
    """The lower-cased host (with a non-default port) of a configured base URL."""
    return urlsplit(base_url).netloc.lower()


@dataclass(frozen=True, slots=True)
class TitleRef:
    """A catalog title: kind and id, plus the season id for `series/{id}/seasons/{season}`."""

    kind: Kind
    id: int
    season_id: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in _KIND_OF:
            raise InvalidInput(f"unknown title kind {self.kind!r}")
        if self.id <= 0 or (self.season_id is not None and self.season_id <= 0):
            raise InvalidInput("title ids are positive integers")
        if self.season_id is not None and self.kind != "series":
            raise InvalidInput("only series have seasons")

    @classmethod
    def parse(cls, text: str, *, hosts: Iterable[str] = ()) -> TitleRef:
        """Accept a short id (`movies/60010110`) or a title URL on a known host.

        Known hosts are api.netflix.com, api-public.netflix.com and `hosts` (the configured
        ref_base and upstream hosts, as `host` or `host:port`). Anything else is `InvalidInput`.
        """
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput("a title reference is required")
        text = text.strip()
        if len(text) > MAX_REF_LENGTH:
            raise InvalidInput("title reference is too long")
        if "://" in text:
            path = _path_of_url(text, hosts)
        elif text.startswith("/"):
            path = text
        else:
            return cls._from_short(text)
        prefix = "/catalog/titles/"
        if not path.startswith(prefix):
            raise InvalidInput(f"not a catalog title URL: {text!r}")
        return cls._from_short(path[len(prefix) :])

    @classmethod
    def _from_short(cls, short: str) -> TitleRef:
        match = _SHORT.fullmatch(short.rstrip("/"))
        if match is None:
            raise InvalidInput(
                f"not a title reference: {short!r} (expected e.g. movies/60010110 or "
                "series/70136120/seasons/70136130)"
            )
        season = match["season"]
        kind: Kind = match["kind"]  # type: ignore[assignment]  # the regex allows only Kinds
        return cls(kind, int(match["id"]), int(season) if season else None)

    @classmethod
    def from_upstream(cls, url: str) -> TitleRef | None:
        """Read a title URL found in an upstream document; None when it is not a title URL.

        Any host is accepted here because the result is used only as an identifier; the
        host never becomes a URL the proxy fetches. A URL naming no valid title (a season of
        a movie) is None too: the document is at fault, not the client.
        """
        url = url.strip()
        match = _TITLE_URL.fullmatch(url)
        if match is not None:  # the usual shape, without splitting the URL first
            season = match["season"]
            kind: Kind = match["kind"]  # type: ignore[assignment]  # the regex allows only Kinds
            return cls._or_none(kind, int(match["id"]), int(season) if season else None)
        path = _path_of(url)
        prefix = "/catalog/titles/"
        if not path.startswith(prefix):
            return None
        match = _SHORT.fullmatch(path[len(prefix) :].rstrip("/"))
        if match is None:
            return None
        season = match["season"]
        kind = match["kind"]  # type: ignore[assignment]
        return cls._or_none(kind, int(match["id"]), int(season) if season else None)

    @classmethod
    def _or_none(cls, kind: Kind, title_id: int, season_id: int | None) -> TitleRef | None:
        try:
            return cls(kind, title_id, season_id)
        except InvalidInput:
            return None

    @property
    def short(self) -> str:
        """The stable short id the proxy's clients see."""
        base = f"{self.kind}/{self.id}"
        return base if self.season_id is None else f"{base}/seasons/{self.season_id}"

    @property
    def own_id(self) -> int:
        """The title's own numeric id (a season's, for a season), as queue entries name it."""
        return self.id if self.season_id is None else self.season_id

    @property
    def title_kind(self) -> TitleKind:
        """The public kind: a series ref with a season id is a season."""
        return TitleKind.SEASON if self.season_id is not None else _KIND_OF[self.kind]

    @property
    def path(self) -> str:
        """The upstream path of this title, without host."""
        return f"/catalog/titles/{self.short}"

    def url(self, base: str) -> str:
        """The full title URL against a base such as `http://api-public.netflix.com`."""
        return base.rstrip("/") + self.path


def _path_of_url(text: str, hosts: Iterable[str]) -> str:
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidInput(f"malformed title URL: {text!r}") from exc
    if parts.scheme not in {"http", "https"}:
        raise InvalidInput(f"title URLs must be http or https: {text!r}")
    if parts.username is not None or parts.password is not None or parts.fragment:
        raise InvalidInput(f"title URLs carry no credentials or fragments: {text!r}")
    if parts.query:
        raise InvalidInput(f"title URLs carry no query: {text!r}")
    host = (parts.hostname or "").lower()
    allowed = {h.lower() for h in hosts} | NETFLIX_API_HOSTS
    netloc = host if port is None else f"{host}:{port}"
    if host not in allowed and netloc not in allowed:
        raise NotFound(f"no such title: titles are known only on Netflix API hosts, not {host!r}")
    return parts.path
