"""Documents for a title's facets, shared by sub-resources and by `expand`.

Each builder returns the element Netflix nested inside the matching `<link>` when expanded,
which is also the root of the standalone sub-resource (`/format_availability` and friends).

Recorded responses show `synopsis`, `people` (full `person`s as a resource, person links
when expanded) and `delivery_formats`. The others are not in any recording, so their
shapes here are a choice, kept close to the known conventions (categories with a scheme):
`screen_formats` → `screen_format` → title_formats + screen_formats categories;
`languages_and_audio` → `language_audio_format` → languages + audio_formats categories;
`awards` → `award_winner` | `award_nominee` (`year`) → award category [+ person link].
"""

from __future__ import annotations

from emulator.catalog.data import Catalog
from emulator.catalog.model import Person, Title
from emulator.document import Node, el

SCHEMAS = "http://schemas.netflix.com"
REL_PERSON = f"{SCHEMAS}/catalog/person"
REL_FILMOGRAPHY = f"{SCHEMAS}/catalog/titles.filmography"


def category(catalog: Catalog, scheme: str, label: str, term: str | None = None) -> Node:
    """A `category` under `{public_base}/categories/{scheme}`; term defaults to the label."""
    return el(
        "category",
        scheme=f"{catalog.public_base}/categories/{scheme}",
        label=label,
        term=label if term is None else term,
    )


def synopsis(title: Title) -> Node:
    """`synopsis`: Netflix-style HTML in CDATA."""
    return el("synopsis", title.synopsis, cdata=True)


def short_synopsis(title: Title) -> Node:
    """`short_synopsis`: the one-line version, also HTML in CDATA."""
    return el("short_synopsis", title.short_synopsis, cdata=True)


def people_links(catalog: Catalog, ids: tuple[int, ...]) -> Node:
    """`people` of person links, the shape of an expanded cast or directors link."""
    return el(
        "people",
        None,
        *(el("link", href=p.ref, rel=REL_PERSON, title=p.name) for p in catalog.people(ids)),
    )


def person_node(person: Person, *extra: Node) -> Node:
    """`person`: id, name, bio (CDATA, when known), filmography and web page links."""
    node = el("person", None, el("id", person.ref), el("name", person.name))
    if person.bio is not None:
        node.add(el("bio", person.bio, cdata=True))
    node.add(el("link", href=f"{person.ref}/filmography", rel=REL_FILMOGRAPHY, title="filmography"))
    node.extend(extra)
    node.add(el("link", href=person.web_url, rel="alternate", title="web page"))
    return node


def people_document(catalog: Catalog, ids: tuple[int, ...]) -> Node:
    """`people` of full `person` elements: the `/cast` and `/directors` resources."""
    return el("people", None, *(person_node(p) for p in catalog.people(ids)))


def delivery_formats(catalog: Catalog, title: Title) -> Node:
    """`delivery_formats` → `availability` (epoch window) → title_formats `category`."""
    node = el("delivery_formats")
    for item in title.formats:
        node.add(
            el(
                "availability",
                None,
                category(catalog, "title_formats", item.label),
                available_from=item.available_from,
                available_until=item.available_until,
            )
        )
    return node


def screen_formats(catalog: Catalog, title: Title) -> Node:
    """`screen_formats` → `screen_format` → title format and screen format categories."""
    return el(
        "screen_formats",
        None,
        *(
            el(
                "screen_format",
                None,
                category(catalog, "title_formats", s.title_format),
                category(catalog, "screen_formats", s.screen_format),
            )
            for s in title.screen_formats
        ),
    )


def languages_and_audio(catalog: Catalog, title: Title) -> Node:
    """`languages_and_audio` → `language_audio_format` → language and audio categories."""
    return el(
        "languages_and_audio",
        None,
        *(
            el(
                "language_audio_format",
                None,
                category(catalog, "languages", lang.language),
                *(category(catalog, "audio_formats", audio) for audio in lang.audio),
            )
            for lang in title.languages
        ),
    )


def awards(catalog: Catalog, title: Title) -> Node:
    """`awards` → `award_winner` / `award_nominee` (with year) → award category [+ person]."""
    node = el("awards")
    for award in title.awards:
        scheme = "award_types/" + award.award.lower().replace(" ", "_")
        item = el(
            "award_winner" if award.won else "award_nominee",
            None,
            category(catalog, scheme, award.category),
            year=award.year,
        )
        person = catalog.person(award.person_id) if award.person_id is not None else None
        if person is not None:
            item.add(el("link", href=person.ref, rel=REL_PERSON, title=person.name))
        node.add(item)
    return node


def paging(number_of_results: int, start_index: int, results_per_page: int) -> list[Node]:
    """The collection header Netflix wrote before the items."""
    return [
        el("number_of_results", number_of_results),
        el("start_index", start_index),
        el("results_per_page", results_per_page),
    ]
