"""Seeded generation of titles and people, each derivable from (seed, index) alone.

Every top-level title and every person has its own `random.Random` seeded from the catalog
seed and its index, so one entry can be produced without producing the others: the catalog
builds them all, while the streaming index walks a catalog of any size in constant memory.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from html import escape

from emulator.catalog import vocabulary as vocab
from emulator.catalog.draw import between, mix, pick, seeded
from emulator.catalog.model import (
    BLU_RAY,
    DVD,
    INSTANT,
    MOVIES,
    SERIES,
    Availability,
    Award,
    Language,
    Person,
    ScreenFormat,
    Title,
    person_ref,
    slug,
    title_ref,
    web_person_url,
)
from emulator.catalog.series import bonus_programs, series_children

PERSON_ID_BASE = 21_000_000
GENERATED_ID_OFFSET = 200_000
# Descendants (seasons, episodes, discs, bonus programs) of top-level title i get ids
# CHILD_ID_BASE + i * CHILD_ID_SLOTS + k.
CHILD_ID_BASE = 80_000_000
CHILD_ID_SLOTS = 100
FOREVER = 4_102_444_800  # 2100-01-01, what Netflix wrote for open-ended windows
_YEAR_S = 31_556_952
_SALT_PERSON, _SALT_BIO, _SALT_TITLE, _SALT_TV = 1, 2, 3, 4
_MAIN_GENRES = tuple(sorted(vocab.MOVIE_GENRES))
_AWARD_NAMES = tuple(sorted(vocab.AWARDS))


def people_count(size: int) -> int:
    """How many generated people a catalog of `size` top-level titles draws its credits from."""
    return max(60, size // 2)


def person_id(pidx: int) -> int:
    """The id of generated person number `pidx`."""
    return PERSON_ID_BASE + pidx


def person_name(seed: int, pidx: int) -> str:
    """The name of generated person number `pidx` (cheap: a hash, no generator)."""
    x = mix(seed, _SALT_PERSON, pidx)
    first = vocab.FIRST_NAMES[x % len(vocab.FIRST_NAMES)]
    last = vocab.LAST_NAMES[(x >> 16) % len(vocab.LAST_NAMES)]
    if (x >> 32) % 3:
        return f"{first} {last}"
    return f"{first} {chr(65 + (x >> 40) % 26)}. {last}"


def generate_person(seed: int, public_base: str, pidx: int) -> Person:
    """Generated person number `pidx`, with a short invented bio for about half of them."""
    name = person_name(seed, pidx)
    rng = seeded(seed, _SALT_BIO, pidx)
    bio = None
    if rng.random() < 0.5:
        first = name.split()[0]
        bio = (
            f"Born in {rng.choice(vocab.CITIES)} in {rng.randint(1920, 1990)}, {escape(name)} "
            f"began in regional theatre before moving to the screen.<p>{escape(first)} is "
            f"known for {rng.choice(('quiet', 'fearless', 'wry', 'physical'))} performances "
            f"and has worked on both sides of the camera."
        )
    pid = person_id(pidx)
    return Person(pid, person_ref(public_base, pid), name, bio)


def _person_link(seed: int, pidx: int) -> str:
    name = person_name(seed, pidx)
    return f'<a href="{web_person_url(person_id(pidx), name)}">{escape(name)}</a>'


def _title_text(rng: random.Random, kind: str) -> str:
    adj, noun = pick(rng, vocab.ADJECTIVES), pick(rng, vocab.NOUNS)
    if kind == SERIES:
        shape = between(rng, 0, 2)
        if shape == 0:
            return f"The {noun} {pick(rng, vocab.SERIES_WORDS)}"
        if shape == 1:
            place = pick(rng, vocab.PLACES).removeprefix("the ")
            return f"{place[0].upper()}{place[1:]} {pick(rng, vocab.SERIES_WORDS)}"
        return f"{adj} {noun}"
    shape = between(rng, 0, 5)
    if shape == 0:
        return f"The {adj} {noun}"
    if shape == 1:
        return f"{noun} of {pick(rng, vocab.PLACES)}"
    if shape == 2:
        return f"{adj} {noun}"
    if shape == 3:
        return f"{noun} {between(rng, 2, 4)}"
    if shape == 4:
        return f"A {noun} in {pick(rng, vocab.PLACES)}"
    return f"{pick(rng, vocab.FIRST_NAMES)}'s {noun}"


def _tv_rated(seed: int, index: int, main_genre: str) -> bool:
    """Whether movie `index` is rated on the TV scale (a hash: no draw from its generator)."""
    share = vocab.TV_RATED_MOVIE_SHARE.get(main_genre, vocab.OTHER_TV_RATED_SHARE)
    return mix(seed, _SALT_TV, index) % 10_000 < share * 10_000


def movie_rating(rng: random.Random, main_genre: str, *, tv_rated: bool) -> tuple[str, str]:
    """`(scheme, rating)` of a movie: MPAA mostly, the TV scale for a genre-dependent share.

    Exactly one draw either way, so the rest of the title does not depend on the choice.
    """
    if not tv_rated:
        return "mpaa_ratings", pick(rng, vocab.MPAA_RATINGS)
    kids = main_genre == "Children & Family Movies"
    return "tv_ratings", pick(rng, vocab.KIDS_TV_RATINGS if kids else vocab.TV_RATINGS)


def availability(rng: random.Random, year: int, kind: str) -> tuple[Availability, ...]:
    """Delivery formats with windows: DVD nearly always, instant often, Blu-ray for newer titles."""
    disc_from = (max(year, 1998) - 1970) * _YEAR_S + between(rng, 0, 300) * 86_400
    formats: list[Availability] = []
    if rng.random() < 0.6 or kind == SERIES:
        start = (between(rng, 2008, 2012) - 1970) * _YEAR_S + between(rng, 0, 360) * 86_400
        until = FOREVER if rng.random() < 0.8 else start + between(rng, 200, 900) * 86_400
        formats.append(Availability(INSTANT, start, until))
    if year >= 2006 and rng.random() < 0.5:
        formats.append(Availability(BLU_RAY, disc_from))
    if rng.random() < 0.95 or not formats:
        formats.append(Availability(DVD, disc_from))
    return tuple(formats)


def facets(
    rng: random.Random,
    formats: Sequence[Availability],
    language: str,
) -> tuple[tuple[ScreenFormat, ...], tuple[Language, ...]]:
    """Screen formats per delivery format, and languages with their audio formats."""
    picture = pick(rng, vocab.SCREEN_FORMATS)
    screens = tuple(ScreenFormat(a.label, picture) for a in formats)
    first = between(rng, 0, len(vocab.AUDIO_FORMATS) - 1)
    audio = tuple(
        sorted({vocab.AUDIO_FORMATS[first], vocab.AUDIO_FORMATS[(first + between(rng, 0, 1)) % 4]})
    )
    languages = [Language(language, audio)]
    if rng.random() < 0.3:
        other = "Spanish" if language == "English" else "English"
        languages.append(Language(other, ("Dolby Digital 2.0",)))
    return screens, tuple(languages)


def _awards(
    rng: random.Random,
    year: int,
    cast: Sequence[int],
    directors: Sequence[int],
) -> tuple[Award, ...]:
    if rng.random() > 0.12:
        return ()
    result: list[Award] = []
    for _ in range(between(rng, 1, 3)):
        award = pick(rng, _AWARD_NAMES)
        category = pick(rng, vocab.AWARDS[award])
        person = None
        if "Director" in category and directors:
            person = directors[0]
        elif ("Actor" in category or "Actress" in category) and cast:
            person = cast[0]
        result.append(Award(award, category, year + 1, rng.random() < 0.4, person))
    return tuple(result)


def generate_family(
    seed: int, public_base: str, index: int, n_people: int, *, complete: bool = True
) -> list[Title]:
    """Generated top-level title number `index`, followed by all its descendants.

    With `complete=False` only the top-level title comes back, holding just what the
    catalog index shows (ids, names, year, ratings, genres, credits, formats); those fields
    are drawn first, so they equal the complete title's.
    """
    rng = seeded(seed, _SALT_TITLE, index)
    kind = SERIES if rng.random() < 0.15 else MOVIES
    name = _title_text(rng, kind)
    if kind == SERIES:
        year = between(rng, 1990, 2013)
    else:
        year = min(2013, int(rng.triangular(1930, 2014, 2010)))
    title_id = (70_000_000 if year >= 2006 else 60_000_000) + GENERATED_ID_OFFSET + index
    subs: tuple[str, ...]
    if kind == SERIES:
        main, scheme, rating = "Television", "tv_ratings", pick(rng, vocab.TV_RATINGS)
        subs = vocab.TV_GENRES[main]
    else:
        main = pick(rng, _MAIN_GENRES)
        scheme, rating = movie_rating(rng, main, tv_rated=_tv_rated(seed, index, main))
        subs = vocab.MOVIE_GENRES[main]
    genres = tuple(dict.fromkeys((main, *(pick(rng, subs) for _ in range(between(rng, 1, 3))))))
    language = pick(rng, vocab.FOREIGN_LANGUAGES) if main == "Foreign" else "English"
    cast_idx = list(dict.fromkeys(between(rng, 0, n_people - 1) for _ in range(between(rng, 2, 6))))
    director_idx = [between(rng, 0, n_people - 1)] if kind == MOVIES or rng.random() < 0.5 else []
    cast = tuple(person_id(i) for i in cast_idx)
    directors = tuple(person_id(i) for i in director_idx)
    formats = availability(rng, year, kind)
    runtime_s = None if kind == SERIES else between(rng, 75, 170) * 60
    average_rating = round(1.8 + rng.random() * 3.0, 1)
    ref = title_ref(public_base, kind, title_id)
    if not complete:
        return [
            Title(
                kind,
                title_id,
                ref,
                name,
                name,
                year,
                runtime_s,
                average_rating,
                rating,
                scheme,
                genres,
                formats,
                cast=cast,
                directors=directors,
            )
        ]
    screens, languages = facets(rng, formats, language)
    words = {
        "adj": pick(rng, vocab.ADJECTIVES).lower(),
        "noun": pick(rng, vocab.NOUNS).lower(),
        "place": pick(rng, vocab.PLACES),
        "cast0": _person_link(seed, cast_idx[0]),
        "cast1": _person_link(seed, cast_idx[-1]),
    }
    synopsis = pick(rng, vocab.SYNOPSIS_OPENINGS).format(**words)
    if director_idx:
        words["director"] = _person_link(seed, director_idx[0])
        synopsis += " " + pick(rng, vocab.SYNOPSIS_CLOSINGS).format(**words)
    top = Title(
        kind=kind,
        id=title_id,
        ref=ref,
        title=name,
        short_title=name,
        release_year=year,
        runtime_s=runtime_s,
        average_rating=average_rating,
        rating=rating,
        rating_scheme=scheme,
        genres=genres,
        formats=formats,
        screen_formats=screens,
        languages=languages,
        awards=_awards(rng, year, cast, directors),
        cast=cast,
        directors=directors,
        synopsis=synopsis,
        short_synopsis=vocab.SYNOPSIS_OPENINGS[0].format(**words),
        official_url=f"http://www.{slug(name).lower()}.example/" if rng.random() < 0.1 else None,
    )
    id_base = CHILD_ID_BASE + index * CHILD_ID_SLOTS
    if kind == SERIES:
        seasons = [between(rng, 3, 8) for _ in range(between(rng, 1, 4))]
        return series_children(rng, top, seasons, id_base, public_base)
    if rng.random() < 0.2:
        return bonus_programs(rng, top, between(rng, 1, 2), id_base, public_base)
    return [top]
