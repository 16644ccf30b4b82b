"""Request validation errors in words a person understands, one entry per invalid field.

Pydantic's own messages name parser internals ("JSON decode error", union members such as
`constrained-int` or `literal['not_interested']`); clients need to know which field is wrong
and what it must be instead. Values are never echoed: they may be secrets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from service.schemas.patterns import MESSAGES as PATTERN_MESSAGES

# Where an input came from: the first part of a location, not part of the field's name.
_SOURCES = frozenset({"body", "query", "path", "header", "cookie"})
# Characters of pydantic's union member tags (`constrained-int`, `literal['x']`), never of ours.
_TAG_CHARS = frozenset("[]'-(")

_FIXED: dict[str, str] = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "json_invalid": "is not valid JSON",
    "json_type": "must be a JSON document",
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object (send Content-Type: application/json)",
    "dict_type": "must be a JSON object",
    "int_parsing": "must be an integer",
    "int_type": "must be an integer",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": "must be a string",
    "string_unicode": "must be UTF-8 text",
    "list_type": "must be a list",
    "url_parsing": "must be a valid URL",
    "url_scheme": "must be an http(s) URL",
}
_WITH_LIMIT: dict[str, tuple[str, str]] = {
    "string_too_short": ("min_length", "must be at least {} characters long"),
    "string_too_long": ("max_length", "must be at most {} characters long"),
    "too_short": ("min_length", "must hold at least {} items"),
    "too_long": ("max_length", "must hold at most {} items"),
    "greater_than_equal": ("ge", "must be at least {}"),
    "greater_than": ("gt", "must be greater than {}"),
    "less_than_equal": ("le", "must be at most {}"),
    "less_than": ("lt", "must be less than {}"),
    "literal_error": ("expected", "must be {}"),
    "enum": ("expected", "must be {}"),
}


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One invalid input: its location, a readable message and pydantic's error type."""

    loc: tuple[str | int, ...]
    msg: str
    type: str

    @property
    def name(self) -> str:
        """The field as a client writes it: `rating`, `term`, `items.0.id`; `body` for the body."""
        parts = self.loc[1:] if self.loc and self.loc[0] in _SOURCES else self.loc
        return ".".join(str(part) for part in parts) or str(self.loc[0] if self.loc else "input")


def describe(errors: Iterable[Mapping[str, Any]]) -> list[FieldProblem]:
    """One `FieldProblem` per invalid field, in order; the members of a union merged into one."""
    merged: dict[tuple[str | int, ...], FieldProblem] = {}
    for error in errors:
        kind = str(error.get("type", ""))
        loc = _clean_loc(error.get("loc", ()), kind)
        msg = _message(kind, error)
        known = merged.get(loc)
        if known is None:
            merged[loc] = FieldProblem(loc, msg, kind)
        elif msg not in known.msg:
            merged[loc] = FieldProblem(loc, f"{known.msg} or {_drop_must(msg)}", known.type)
    return list(merged.values())


def summary(problems: Iterable[FieldProblem]) -> str:
    """The `detail` of a validation problem: each field and what is wrong with it."""
    text = "; ".join(f"{problem.name}: {problem.msg}" for problem in problems)
    return f"Invalid input: {text}" if text else "Invalid input"


def _clean_loc(raw: Iterable[Any], kind: str) -> tuple[str | int, ...]:
    parts = [part for part in raw if isinstance(part, (str, int))]
    if kind == "json_invalid":  # the parser's character offset means nothing to a client
        return tuple(part for part in parts if isinstance(part, str))
    if parts[:1] == ["header"]:  # header names have dashes; no union tag follows them
        return tuple(parts[:2])
    return tuple(part for part in parts if not (isinstance(part, str) and _TAG_CHARS & set(part)))


def _message(kind: str, error: Mapping[str, Any]) -> str:
    if kind in _FIXED:
        return _FIXED[kind]
    ctx = error.get("ctx") or {}
    if kind == "string_pattern_mismatch":
        return PATTERN_MESSAGES.get(str(ctx.get("pattern")), "has an invalid format")
    if kind in _WITH_LIMIT:
        name, template = _WITH_LIMIT[kind]
        if name in ctx:
            return template.format(ctx[name])
    if kind in ("value_error", "assertion_error"):
        # Our own validators' messages are written for clients; drop pydantic's prefix.
        text = str(ctx.get("error", error.get("msg", "")))
        return text.removeprefix("Value error, ").removeprefix("Assertion failed, ") or "is invalid"
    if not kind.endswith(("_type", "_parsing", "_error")) and error.get("msg"):
        return str(error["msg"])  # a `PydanticCustomError` of ours, written for clients
    return "is invalid"


def _drop_must(msg: str) -> str:
    return msg.removeprefix("must be ")
