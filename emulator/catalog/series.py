"""Descendants of a top-level title: seasons, episodes (programs), discs and bonus programs.

Shared by generated and hand-entered titles so both have the same shape; ids come from a
block reserved for the parent (`id_base + k`).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from typing import Any

from emulator.catalog.draw import between
from emulator.catalog.model import DISCS, INSTANT, PROGRAMS, SEASONS, Title, title_ref

_EPISODES_PER_DISC = 4


def series_children(
    rng: random.Random,
    series: Title,
    episodes_per_season: Sequence[int],
    id_base: int,
    public_base: str,
) -> list[Title]:
    """The series (with its child ids filled in) followed by its seasons, episodes and discs."""
    next_id = iter(range(id_base, id_base + 10_000))
    disc_formats = tuple(a for a in series.formats if a.label != INSTANT)
    seasons: list[Title] = []
    descendants: list[Title] = []
    for number, n_episodes in enumerate(episodes_per_season, start=1):
        season_id = next(next_id)
        year = min(2013, series.release_year + number - 1)
        name = f"{series.title}: Season {number}"
        episodes: list[Title] = []
        for sequence in range(1, n_episodes + 1):
            episode_id = next(next_id)
            episodes.append(
                _part(
                    series,
                    PROGRAMS,
                    episode_id,
                    public_base,
                    title=f"{name}: Episode {sequence}",
                    short_title=f"Episode {sequence}",
                    release_year=year,
                    runtime_s=between(rng, 22, 60) * 60,
                    average_rating=_near(rng, series.average_rating),
                    parent_id=season_id,
                    season_number=number,
                    sequence=sequence,
                    synopsis=series.short_synopsis,
                )
            )
        discs: list[Title] = []
        if disc_formats:
            for disc_no, start in enumerate(range(0, n_episodes, _EPISODES_PER_DISC), start=1):
                disc_id = next(next_id)
                on_disc = episodes[start : start + _EPISODES_PER_DISC]
                discs.append(
                    _part(
                        series,
                        DISCS,
                        disc_id,
                        public_base,
                        title=f"{name}: Disc {disc_no}",
                        short_title=f"Disc {disc_no}",
                        release_year=year,
                        runtime_s=sum(e.runtime_s or 0 for e in on_disc),
                        formats=disc_formats,
                        screen_formats=tuple(
                            s for s in series.screen_formats if s.title_format != INSTANT
                        ),
                        parent_id=season_id,
                        season_number=number,
                        sequence=disc_no,
                        episodes=tuple(e.id for e in on_disc),
                    )
                )
        seasons.append(
            _part(
                series,
                SEASONS,
                season_id,
                public_base,
                title=name,
                short_title=name,
                release_year=year,
                runtime_s=sum(e.runtime_s or 0 for e in episodes),
                average_rating=_near(rng, series.average_rating),
                parent_id=series.id,
                season_number=number,
                sequence=number,
                episodes=tuple(e.id for e in episodes),
                discs=tuple(d.id for d in discs),
            )
        )
        descendants.extend(episodes)
        descendants.extend(discs)
    top = dataclasses.replace(
        series,
        # Subscriber lists showed a series' runtime: the whole of its episodes.
        runtime_s=sum(s.runtime_s or 0 for s in seasons),
        seasons=tuple(s.id for s in seasons),
        episodes=tuple(t.id for t in descendants if t.kind == PROGRAMS),
        discs=tuple(t.id for t in descendants if t.kind == DISCS),
    )
    return [top, *seasons, *descendants]


def _part(series: Title, kind: str, part_id: int, public_base: str, **fields: Any) -> Title:
    """A season, episode or disc: the series' details under the part's own id and ref.

    A part never inherits the series' awards, site or child lists; its own come in `fields`.
    """
    changes: dict[str, Any] = {
        "awards": (),
        "official_url": None,
        "series_id": series.id,
        "seasons": (),
        "episodes": (),
        "discs": (),
        "bonus_materials": (),
        **fields,
    }
    ref = title_ref(public_base, kind, part_id, series.id)
    return dataclasses.replace(series, kind=kind, id=part_id, ref=ref, **changes)


def bonus_programs(
    rng: random.Random, movie: Title, count: int, id_base: int, public_base: str
) -> list[Title]:
    """A movie (with its bonus ids filled in) followed by short bonus programs."""
    labels = ("The Making of", "Behind the Scenes:", "A Conversation About")
    extras = []
    for k in range(count):
        extra_id = id_base + k
        name = f"{labels[k % len(labels)]} {movie.title}"
        extras.append(
            dataclasses.replace(
                movie,
                kind=PROGRAMS,
                id=extra_id,
                ref=title_ref(public_base, PROGRAMS, extra_id),
                title=name,
                short_title=name,
                runtime_s=between(rng, 8, 45) * 60,
                average_rating=_near(rng, movie.average_rating),
                awards=(),
                official_url=None,
                parent_id=movie.id,
                sequence=k + 1,
                synopsis=movie.short_synopsis,
                bonus_materials=(),
            )
        )
    return [dataclasses.replace(movie, bonus_materials=tuple(e.id for e in extras)), *extras]


def _near(rng: random.Random, rating: float) -> float:
    return round(min(5.0, max(1.0, rating + rng.uniform(-0.4, 0.4))), 1)
