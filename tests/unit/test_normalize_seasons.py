"""Seasons, episodes and discs: expanded in place, from sub-resources, or named by links only."""

from __future__ import annotations

from emulator.document import Node, el
from service.netflix.normalize import seasons, titles
from service.schemas.titles import DiscSummary, EpisodeSummary, TitlePart
from tests.support.samples import rendered_both

BASE = "http://api-public.netflix.com"
SCHEMAS = "http://schemas.netflix.com"
SERIES = f"{BASE}/catalog/titles/series/70"


def _member(ref: str, name: str, *numbers: Node) -> Node:
    return el("catalog_title", None, el("id", ref), el("title", regular=name), *numbers)


def _collection(*items: Node, total: int | None = None) -> Node:
    header = [el("number_of_results", total if total is not None else len(items))]
    return el("catalog_titles", None, *header, el("start_index", 0), *items)


def _episodes(season_id: int, count: int, *, total: int | None = None) -> Node:
    return el(
        "link",
        None,
        _collection(
            *(
                _member(f"{BASE}/catalog/titles/programs/{season_id * 100 + n}", f"Ep {n}")
                for n in range(1, count + 1)
            ),
            total=total,
        ),
        href=f"{SERIES}/seasons/{season_id}/episodes",
        rel=f"{SCHEMAS}/catalog/titles.programs",
        title="episodes",
    )


def test_a_seasons_page_reads_numbers_years_and_episode_counts() -> None:
    page_node = el(
        "catalog_titles",
        None,
        el("number_of_results", 3),
        el("start_index", 0),
        el("results_per_page", 2),
        _member(
            f"{SERIES}/seasons/71",
            "S1",
            el("release_year", 2008),
            el("season_number", 1),
            _episodes(71, 2),
        ),
        # No season_number: the sequence stands in; the total counts the whole season.
        _member(f"{SERIES}/seasons/72", "S2", el("sequence", 2), _episodes(72, 1, total=13)),
    )
    for doc in rendered_both(page_node):
        page = seasons.seasons_page(doc, ref_base=BASE, page_size=2)
        assert [s.id for s in page.items] == ["series/70/seasons/71", "series/70/seasons/72"]
        assert [s.season_number for s in page.items] == [1, 2]
        assert [s.release_year for s in page.items] == [2008, None]
        assert [s.episode_count for s in page.items] == [2, 13]
        assert (page.total, page.page_size, page.next) == (3, 2, 2)


def test_members_named_only_by_links_keep_id_and_name_with_null_numbers() -> None:
    holder = el(
        "link",
        None,
        el(
            "link", href=f"{BASE}/catalog/titles/discs/9", rel=f"{SCHEMAS}/catalog/title", title="D"
        ),
        el("link", href="http://elsewhere/not/a/title", rel="x", title="skip"),
        href=f"{SERIES}/seasons/71/discs",
        rel=f"{SCHEMAS}/catalog/titles.discs",
        title="discs",
    )
    title_node = el(
        "catalog_title",
        None,
        el("id", f"{SERIES}/seasons/71"),
        el("title", regular="S1"),
        el("season_number", 1),
        holder,
        _episodes(71, 1),
    )
    for doc in rendered_both(title_node):
        title = titles.title_document(doc, ref_base=BASE)
        assert title.season_number == 1
        assert title.discs is not None and [
            (d.id, d.title, d.disc_number) for d in title.discs
        ] == [("discs/9", "D", None)]
        assert title.episodes is not None and [e.id for e in title.episodes] == ["programs/7101"]
        assert title.seasons is None  # no seasons link at all


def test_sub_resource_answers_fill_episodes_and_discs() -> None:
    answer = _collection(
        _member(
            f"{BASE}/catalog/titles/programs/5",
            "Pilot",
            el("season_number", 1),
            el("sequence", 1),
            el("runtime", 2640),
        )
    )
    for doc in rendered_both(answer):
        episodes = titles.part_fields(doc, TitlePart.EPISODES, ref_base=BASE)["episodes"]
        assert isinstance(episodes, list) and len(episodes) == 1
        episode = episodes[0]
        assert isinstance(episode, EpisodeSummary)
        assert (episode.id, episode.episode_number, episode.season_number, episode.runtime_s) == (
            "programs/5",
            1,
            1,
            2640,
        )
        discs = titles.part_fields(doc, TitlePart.DISCS, ref_base=BASE)["discs"]
        assert isinstance(discs, list)
        assert [d.disc_number for d in discs if isinstance(d, DiscSummary)] == [1]


def test_an_episode_names_its_season_and_series() -> None:
    node = el(
        "catalog_title",
        None,
        el("id", f"{BASE}/catalog/titles/programs/5"),
        el("title", regular="Pilot"),
        el("link", href=SERIES, rel=f"{SCHEMAS}/catalog/titles.series", title="The Show"),
        el(
            "link",
            href=f"{SERIES}/seasons/71",
            rel=f"{SCHEMAS}/catalog/titles.season",
            title="Season 1",
        ),
    )
    for doc in rendered_both(node):
        title = titles.title_document(doc, ref_base=BASE)
        assert title.series is not None and title.series.id == "series/70"
        assert title.season is not None and title.season.id == "series/70/seasons/71"
        assert title.season.title == "Season 1"
