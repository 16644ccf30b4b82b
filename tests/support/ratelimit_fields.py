"""Reading `RateLimit` and `RateLimit-Policy` fields (Structured Field lists of named items)."""

from __future__ import annotations


def parse(value: str) -> dict[str, dict[str, int]]:
    """`"user";r=2;t=1, "day";r=9;t=5` -> {"user": {"r": 2, "t": 1}, "day": {...}}."""
    items: dict[str, dict[str, int]] = {}
    for item in value.split(","):
        name, *params = item.strip().split(";")
        assert name.startswith('"') and name.endswith('"'), item
        items[name.strip('"')] = {
            key: int(number) for key, number in (param.split("=", 1) for param in params)
        }
    return items
