"""Validation errors in words: one entry per field, without parser or union internals."""

from __future__ import annotations

from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from service.field_errors import describe, summary


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    size: Annotated[int, Field(ge=1, le=5)] | Literal["all"]
    name: Annotated[str, Field(max_length=3)]


def problems_of(data: object) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as raised:
        Sample.model_validate(data)
    return [(problem.name, problem.msg) for problem in describe(raised.value.errors())]


def test_the_members_of_a_union_become_one_message_on_the_field() -> None:
    assert problems_of({"size": 9, "name": "abc"}) == [("size", "must be at most 5 or 'all'")]


def test_every_field_is_listed_with_what_it_must_be() -> None:
    assert problems_of({"name": "abcd", "other": 1}) == [
        ("size", "is required"),
        ("name", "must be at most 3 characters long"),
        ("other", "is not a known field"),
    ]


def test_a_json_syntax_error_names_the_body_not_the_parser() -> None:
    error = {"type": "json_invalid", "loc": ("body", 9), "msg": "JSON decode error", "ctx": {}}
    problems = describe([error])
    assert summary(problems) == "Invalid input: body: is not valid JSON"
    assert problems[0].loc == ("body",)
