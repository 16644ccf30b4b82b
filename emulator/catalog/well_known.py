"""A handful of real, well-known titles, entered by hand from public facts.

They are present in every catalog whatever its size or seed, so walkthroughs such as a
search for "Jurassic Park" always find something. Only facts are recorded (title, year,
rating, runtime, credits, awards); synopses are written here, not copied.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from html import escape

from emulator.catalog.draw import between, seeded
from emulator.catalog.generator import FOREVER, facets
from emulator.catalog.model import (
    BLU_RAY,
    DVD,
    INSTANT,
    MOVIES,
    SERIES,
    Availability,
    Award,
    Person,
    Title,
    person_ref,
    title_ref,
    web_person_url,
)
from emulator.catalog.series import bonus_programs, series_children

_SALT_WELL_KNOWN = 4
# Hand-entered people use ids below the generated range (PERSON_ID_BASE).
PEOPLE: dict[int, str] = {
    87835: "Steven Spielberg",
    30001: "Sam Neill",
    23978: "Laura Dern",
    30003: "Jeff Goldblum",
    30004: "Richard Attenborough",
    30005: "Julianne Moore",
    30006: "Joe Johnston",
    30007: "William H. Macy",
    30008: "Téa Leoni",
    82729: "Roy Scheider",
    20000031: "Robert Shaw",
    25823: "Richard Dreyfuss",
    33466: "Lorraine Gary",
    13724: "James Cameron",
    30014: "Arnold Schwarzenegger",
    30015: "Linda Hamilton",
    30016: "Michael Biehn",
    30017: "Edward Furlong",
    20000904: "Jonathan Mostow",
    30019: "Nick Stahl",
    30020: "Claire Danes",
    30021: "Kristanna Loken",
    20009911: "McG",
    30023: "Christian Bale",
    30024: "Sam Worthington",
    30025: "Lena Headey",
    30026: "Thomas Dekker",
    30027: "Summer Glau",
    56779: "George Lucas",
    30029: "Mark Hamill",
    30030: "Harrison Ford",
    30031: "Carrie Fisher",
    30032: "Alec Guinness",
    30033: "Liam Neeson",
    30034: "Ewan McGregor",
    30035: "Natalie Portman",
    30036: "Irvin Kershner",
    20004974: "Alejandro Amenábar",
    20001338: "Javier Bardem",
    30009945: "Belén Rueda",
    20042060: "Lola Dueñas",
    30041: "Joyce Chopra",
    99725: "Treat Williams",
    30043: "Anne Fletcher",
    30044: "Channing Tatum",
    30045: "Jenna Dewan",
}


@dataclass(frozen=True, slots=True)
class WellKnown:
    """The facts recorded for one hand-entered title."""

    id: int
    kind: str
    title: str
    year: int
    rating: str
    runtime_min: int | None
    genres: tuple[str, ...]
    directors: tuple[int, ...]
    cast: tuple[int, ...]
    logline: str
    awards: tuple[Award, ...] = ()
    average_rating: float = 3.9
    language: str = "English"
    official_url: str | None = None
    bonus: int = 0
    seasons: tuple[int, ...] = ()
    aliases: tuple[str, ...] = ()
    blu_ray: bool = False


def _oscar(category: str, year: int, won: bool = True, person: int | None = None) -> Award:
    return Award("Academy Award", category, year, won, person)


TITLES: tuple[WellKnown, ...] = (
    WellKnown(
        60020435,
        MOVIES,
        "Jurassic Park",
        1993,
        "PG-13",
        127,
        ("Action & Adventure", "Sci-Fi & Fantasy", "Action Sci-Fi & Fantasy", "Blockbusters"),
        (87835,),
        (30001, 23978, 30003, 30004),
        "On a remote island park, cloned dinosaurs break loose during a storm and a few "
        "visitors have to survive the night.",
        (
            _oscar("Best Visual Effects", 1994),
            _oscar("Best Sound", 1994),
            _oscar("Best Sound Effects Editing", 1994),
        ),
        3.8,
        bonus=2,
        blu_ray=True,
    ),
    WellKnown(
        60000870,
        MOVIES,
        "The Lost World: Jurassic Park",
        1997,
        "PG-13",
        129,
        ("Action & Adventure", "Sci-Fi & Fantasy", "Action Sci-Fi & Fantasy"),
        (87835,),
        (30003, 30005),
        "A second island, a second expedition, and dinosaurs that do not stay put.",
        (_oscar("Best Visual Effects", 1998, won=False),),
        3.2,
    ),
    WellKnown(
        60021740,
        MOVIES,
        "Jurassic Park III",
        2001,
        "PG-13",
        92,
        ("Action & Adventure", "Sci-Fi & Fantasy"),
        (30006,),
        (30001, 30007, 30008),
        "A paleontologist is talked into a flight over a forbidden island.",
        (),
        3.1,
    ),
    WellKnown(
        60001220,
        MOVIES,
        "Jaws",
        1975,
        "PG",
        124,
        ("Thrillers", "Classic Thrillers", "Action Thrillers", "Suspense", "Blockbusters"),
        (87835,),
        (82729, 20000031, 25823, 33466),
        "A great white shark hunts off a summer resort town, and its police chief goes "
        "to sea to stop it.",
        (
            _oscar("Best Original Score", 1976),
            _oscar("Best Film Editing", 1976),
            _oscar("Best Sound", 1976),
            _oscar("Best Picture", 1976, won=False),
        ),
        3.9,
        bonus=1,
    ),
    WellKnown(
        1032625,
        MOVIES,
        "The Terminator",
        1984,
        "R",
        107,
        ("Sci-Fi & Fantasy", "Action Sci-Fi & Fantasy", "Sci-Fi Thrillers", "Action Thrillers"),
        (13724,),
        (30014, 30015, 30016),
        "A cyborg is sent back in time to kill a young woman whose son will lead a war "
        "against the machines.",
        (),
        3.9,
    ),
    WellKnown(
        60028202,
        MOVIES,
        "Terminator 2: Judgment Day",
        1991,
        "R",
        137,
        ("Sci-Fi & Fantasy", "Action Sci-Fi & Fantasy", "Action Thrillers", "Blockbusters"),
        (13724,),
        (30014, 30015, 30017),
        "A reprogrammed cyborg protects a boy from a shape-shifting assassin.",
        (
            _oscar("Best Visual Effects", 1992),
            _oscar("Best Makeup", 1992),
            _oscar("Best Sound", 1992),
            _oscar("Best Sound Effects Editing", 1992),
        ),
        3.9,
        bonus=1,
    ),
    WellKnown(
        60029154,
        MOVIES,
        "Terminator 3: Rise of the Machines",
        2003,
        "R",
        109,
        ("Sci-Fi & Fantasy", "Action Sci-Fi & Fantasy", "Action Thrillers"),
        (20000904,),
        (30014, 30019, 30020, 30021),
        "A grown John Connor is hunted by a newer, deadlier machine.",
        (),
        3.5,
        official_url="http://www.terminator3.com/",
        bonus=1,
    ),
    WellKnown(
        70103524,
        MOVIES,
        "Terminator Salvation",
        2009,
        "PG-13",
        115,
        ("Sci-Fi & Fantasy", "Action Sci-Fi & Fantasy", "Sci-Fi Thrillers"),
        (20009911,),
        (30023, 30024),
        "In 2018, John Connor leads the human resistance against the machines.",
        (),
        3.6,
        blu_ray=True,
    ),
    WellKnown(
        70157234,
        SERIES,
        "Terminator: The Sarah Connor Chronicles",
        2008,
        "TV-14",
        None,
        ("Television", "TV Sci-Fi & Fantasy", "TV Action & Adventure"),
        (),
        (30025, 30026, 30027),
        "Sarah Connor and her teenage son stay on the run from machines sent from the future.",
        (),
        3.9,
        seasons=(9, 22),
    ),
    WellKnown(
        60010932,
        MOVIES,
        "Star Wars: Episode IV: A New Hope",
        1977,
        "PG",
        121,
        (
            "Sci-Fi & Fantasy",
            "Action Sci-Fi & Fantasy",
            "Sci-Fi Adventure",
            "Children & Family Movies",
        ),
        (56779,),
        (30029, 30030, 30031, 30032),
        "A farm boy joins a smuggler and a princess against a galactic empire.",
        (
            _oscar("Best Original Score", 1978),
            _oscar("Best Visual Effects", 1978),
            _oscar("Best Picture", 1978, won=False),
        ),
        4.3,
        bonus=2,
    ),
    WellKnown(
        60011152,
        MOVIES,
        "Star Wars: Episode V: The Empire Strikes Back",
        1980,
        "PG",
        124,
        ("Sci-Fi & Fantasy", "Action Sci-Fi & Fantasy", "Sci-Fi Adventure"),
        (30036,),
        (30029, 30030, 30031),
        "The rebels scatter after a defeat while Luke seeks out a Jedi master.",
        (_oscar("Best Sound", 1981),),
        4.4,
        blu_ray=True,
    ),
    WellKnown(
        70003791,
        MOVIES,
        "Star Wars: Episode I: The Phantom Menace",
        1999,
        "PG",
        136,
        ("Sci-Fi & Fantasy", "Action Sci-Fi & Fantasy", "Children & Family Movies"),
        (56779,),
        (30033, 30034, 30035),
        "Two Jedi protect a young queen and meet a gifted slave boy.",
        (),
        3.3,
    ),
    WellKnown(
        70018295,
        MOVIES,
        "The Sea Inside",
        2004,
        "PG-13",
        125,
        ("Foreign", "Foreign Dramas", "Spanish Language"),
        (20004974,),
        (20001338, 30009945, 20042060),
        "A Galician fisherman paralysed in an accident fights for the right to end his life.",
        (_oscar("Best Foreign Language Film", 2005),),
        3.9,
        language="Spanish",
        official_url="http://www.mar-adentro.com/",
        aliases=("Mar adentro",),
    ),
    WellKnown(
        60033213,
        MOVIES,
        "Smooth Talk",
        1985,
        "PG-13",
        92,
        ("Dramas", "Independent", "Independent Dramas"),
        (30041,),
        (23978, 99725),
        "A restless teenager draws the attention of an older stranger one summer.",
        (Award("Sundance Film Festival", "Grand Jury Prize", 1986, True, 30041),),
        3.3,
    ),
    WellKnown(
        70044894,
        MOVIES,
        "Step Up",
        2006,
        "PG-13",
        104,
        ("Dramas", "Romantic Dramas"),
        (30043,),
        (30044, 30045),
        "A street dancer doing community service at an arts school partners with a ballet student.",
        (),
        3.6,
    ),
)


def well_known_people(public_base: str) -> dict[int, Person]:
    """The hand-entered people; bios are added by the catalog from their filmographies."""
    return {
        pid: Person(pid, person_ref(public_base, pid), name, None) for pid, name in PEOPLE.items()
    }


def _formats(rng: random.Random, fact: WellKnown) -> tuple[Availability, ...]:
    """Instant (open-ended or not, with the seed), Blu-ray for some, and DVD, always."""
    start = 1_230_768_000 + between(rng, 0, 1_400) * 86_400  # from 2009 on
    until = FOREVER if rng.random() < 0.7 else start + between(rng, 400, 1_200) * 86_400
    disc_from = calendar.timegm((max(fact.year, 1998), 1, 1, 0, 0, 0))
    disc_from += between(rng, 0, 600) * 86_400
    formats = [Availability(INSTANT, start, until)]
    if fact.blu_ray:
        formats.append(Availability(BLU_RAY, disc_from))
    formats.append(Availability(DVD, disc_from))
    return tuple(formats)


def well_known_families(seed: int, public_base: str) -> list[list[Title]]:
    """Each hand-entered title followed by its descendants; formats vary with the seed."""
    families: list[list[Title]] = []
    for position, fact in enumerate(TITLES):
        rng = seeded(seed, _SALT_WELL_KNOWN, fact.id)
        formats = _formats(rng, fact)
        screens, languages = facets(rng, formats, fact.language)
        links = {
            pid: f'<a href="{web_person_url(pid, PEOPLE[pid])}">{escape(PEOPLE[pid])}</a>'
            for pid in (*fact.cast, *fact.directors)
        }
        synopsis = fact.logline
        if fact.cast:
            synopsis += " With " + ", ".join(links[p] for p in fact.cast[:3]) + "."
        if fact.directors:
            synopsis += " Directed by " + " and ".join(links[p] for p in fact.directors) + "."
        top = Title(
            kind=fact.kind,
            id=fact.id,
            ref=title_ref(public_base, fact.kind, fact.id),
            title=fact.title,
            short_title=fact.title,
            release_year=fact.year,
            runtime_s=None if fact.runtime_min is None else fact.runtime_min * 60,
            average_rating=fact.average_rating,
            rating=fact.rating,
            rating_scheme="tv_ratings" if fact.kind == SERIES else "mpaa_ratings",
            genres=fact.genres,
            formats=formats,
            screen_formats=screens,
            languages=languages,
            awards=fact.awards,
            cast=fact.cast,
            directors=fact.directors,
            synopsis=synopsis,
            short_synopsis=fact.logline,
            official_url=fact.official_url,
            aliases=fact.aliases,
        )
        id_base = 79_000_000 + position * 100
        if fact.seasons:
            families.append(series_children(rng, top, fact.seasons, id_base, public_base))
        elif fact.bonus:
            families.append(bonus_programs(rng, top, fact.bonus, id_base, public_base))
        else:
            families.append([top])
    return families
