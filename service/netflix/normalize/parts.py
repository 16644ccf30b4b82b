"""The parts a title can inline (or serve as sub-resources): formats, screens, languages, awards."""

from __future__ import annotations

from typing import Any

from service.netflix.document import Doc, Node
from service.netflix.normalize.common import (
    FORMAT_SCHEMES,
    categories,
    epoch,
    first_link,
    format_labels,
    format_name,
    labels,
    scheme_is,
    to_int,
)
from service.netflix.normalize.people import person_id, person_ref
from service.schemas.titles import Award, LanguageAudio, ScreenFormat, TitleFormat

_FORMATS_BY_CATEGORY: dict[tuple[str, str], TitleFormat | None] = {}
_MAX_MEMO = 4096


def _format_of(node: Node) -> TitleFormat | None:
    """The first delivery format named by a node's categories (`format_labels(...)[0]`)."""
    for category in node:
        if category.tag != "category":
            continue
        label = (category.get("label") or category.get("term") or category.text or "").strip()
        key = (category.get("scheme") or "", label)
        if key in _FORMATS_BY_CATEGORY:
            found = _FORMATS_BY_CATEGORY[key]
        else:  # a small vocabulary: each (scheme, label) is judged once
            named = label and any(scheme_is(key[0], s) for s in FORMAT_SCHEMES)
            found = format_name(label) if named else None
            if len(_FORMATS_BY_CATEGORY) >= _MAX_MEMO:
                _FORMATS_BY_CATEGORY.clear()
            _FORMATS_BY_CATEGORY[key] = found
        if found is not None:
            return found
    return None


def availability(node: Node) -> list[dict[str, Any]]:
    """A `delivery_formats` element: one entry per `availability`, as `Availability` fields."""
    found: list[dict[str, Any]] = []
    for item in node:
        if item.tag != "availability":
            continue
        format_ = _format_of(item)
        if format_ is None:
            continue  # a format the proxy does not name: nothing a client could use
        found.append(
            {
                "format": format_,
                "available_from": epoch(item.get("available_from")),
                "available_until": epoch(item.get("available_until")),
            }
        )
    return found


def screen_formats(container: Doc) -> list[ScreenFormat]:
    """A `screen_formats` element: per `screen_format`, its delivery and picture format."""
    found: list[ScreenFormat] = []
    for node in container.children("screen_format"):
        cats = categories(node)
        formats = format_labels(cats)
        pictures = labels(cats, "screen_formats") or [
            c.label for c in cats if not labels([c], *FORMAT_SCHEMES)
        ]
        found.extend(
            ScreenFormat(format=formats[0] if formats else None, screen_format=p) for p in pictures
        )
    return found


def languages(container: Doc) -> list[LanguageAudio]:
    """A `languages_and_audio` element: per `language_audio_format`, languages and audio."""
    found: list[LanguageAudio] = []
    for group in container.children():
        cats = categories(group)
        formats = format_labels(cats)
        audio = labels(cats, "audio_formats", "audio")
        for node in group.children("category"):
            if not scheme_is(node.attr("scheme"), "languages"):
                continue
            nested = [c.label for c in categories(node) if c.label not in audio]
            found.append(
                LanguageAudio(
                    format=formats[0] if formats else None,
                    language=node.attr("label") or node.attr("term") or "",
                    audio=[*audio, *nested],
                )
            )
    return found


def _award_name(scheme: str) -> str | None:
    """`.../categories/award_types/academy_awards` -> `Academy Awards`."""
    marker = "/award_types/"
    if marker not in scheme:
        return None
    slug = scheme.rstrip("/").rsplit(marker, 1)[1]
    return slug.replace("_", " ").title() or None


def awards(container: Doc, *, ref_base: str) -> list[Award]:
    """An `awards` element: `award_winner` and `award_nominee` entries (year attribute)."""
    found: list[Award] = []
    for node in container.children():
        if node.tag not in {"award_winner", "award_nominee"}:
            continue
        cats = categories(node)
        typed = next((c for c in cats if _award_name(c.scheme)), None)
        person = None
        link = first_link(node, "catalog/person")
        pid = person_id(link.attr("href")) if link is not None else None
        if link is not None and pid is not None:
            person = person_ref(pid, link.attr("title"), ref_base=ref_base)
        found.append(
            Award(
                name=(_award_name(typed.scheme) if typed else None) or "",
                year=to_int(node.attr("year") or node.child_text("year")),
                category=typed.label if typed else (cats[0].label if cats else None),
                won=node.tag == "award_winner",
                person=person,
            )
        )
    return found
