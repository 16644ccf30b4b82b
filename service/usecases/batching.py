"""Client-supplied title lists: split, validated one by one, deduplicated, bounded.

The user endpoints that take many titles at once (`titles=movies/1,movies/2,...`) and the
queue reorder body accept short ids or full title URLs on the known Netflix hosts, the
configured `ref_base` or the upstream host. Each one becomes a `TitleRef`, so no URL a client
chose is ever fetched; the upstream client then splits long lists into upstream-sized chunks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from service.errors import InvalidInput
from service.netflix.refs import TitleRef, host_of
from service.settings import Settings

# How many titles one request may name (the upstream took up to 500 refs per call).
MAX_TITLES_PER_REQUEST = 500


def ref_hosts(settings: Settings) -> tuple[str, ...]:
    """Hosts whose title URLs are accepted besides Netflix's own: ref_base and the upstream."""
    return host_of(settings.ref_base), host_of(settings.upstream_base_url)


def parse_ref(text: str, settings: Settings) -> TitleRef:
    """One title reference; `InvalidInput` naming what is wrong."""
    return TitleRef.parse(text, hosts=ref_hosts(settings))


def parse_ref_list(
    texts: Iterable[str],
    settings: Settings,
    *,
    what: str = "titles",
    limit: int = MAX_TITLES_PER_REQUEST,
    allow_duplicates: bool = True,
    allow_empty: bool = False,
) -> list[TitleRef]:
    """Every reference of a list, in order; duplicates dropped (or refused), size bounded."""
    refs: list[TitleRef] = []
    seen: set[TitleRef] = set()
    for index, text in enumerate(texts):
        try:
            ref = parse_ref(text, settings)
        except InvalidInput as exc:
            raise InvalidInput(f"{what}[{index}]: {exc.detail}") from exc
        if ref in seen:
            if not allow_duplicates:
                raise InvalidInput(f"{what}[{index}]: {ref.short} is listed twice")
            continue
        seen.add(ref)
        refs.append(ref)
        if len(refs) > limit:
            raise InvalidInput(f"{what}: at most {limit} titles per request")
    if not refs and not allow_empty:
        raise InvalidInput(f"{what}: name at least one title")
    return refs


def split_title_param(values: Sequence[str]) -> list[str]:
    """`titles=a,b&titles=c` as `[a, b, c]`: commas and repeats both separate titles."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]
