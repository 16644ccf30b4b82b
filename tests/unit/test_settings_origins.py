"""Settings of browser front ends: CORS origins, and the web app as a sign-in return URL."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from service.settings import Settings


def test_cors_origins_read_as_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NFX_CORS_ORIGINS", "https://SPA.example, http://localhost:5173/")
    assert Settings().cors_origins == ["https://spa.example", "http://localhost:5173"]


def test_cors_origins_read_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NFX_CORS_ORIGINS", '["https://spa.example"]')
    assert Settings().cors_origins == ["https://spa.example"]


def test_no_cors_origin_by_default() -> None:
    assert Settings().cors_origins == []


@pytest.mark.parametrize(
    "origin",
    ["*", "null", "spa.example", "https://spa.example/app", "https://u@spa.example", "ftp://x.y"],
)
def test_cors_origins_must_be_origins(origin: str) -> None:
    with pytest.raises(ValidationError, match="NFX_CORS_ORIGINS"):
        Settings(cors_origins=[origin])


def test_broken_json_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NFX_CORS_ORIGINS", "[https://spa.example")
    with pytest.raises(ValidationError, match="NFX_CORS_ORIGINS starts with"):
        Settings()


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://proxy.example/", True),
        ("https://proxy.example/?tab=queue", True),
        ("https://proxy.example", False),
        ("https://proxy.example/docs", False),
        ("https://proxy.example/v1/auth/callback", False),
        ("http://proxy.example/", False),
        ("https://proxy.example.evil.test/", False),
    ],
)
def test_the_web_app_is_always_a_return_url(url: str, allowed: bool) -> None:
    settings = Settings(public_url="https://proxy.example")
    assert settings.allowed_return_urls == []
    assert settings.web_app_url == "https://proxy.example/"
    assert settings.is_allowed_return_url(url) is allowed
