"""Settings: environment variables, defaults, and refusal of unsafe configurations."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from service.settings import DEMO_CONSUMER_KEY, DEMO_CONSUMER_SECRET, Settings

README = Path(__file__).resolve().parents[2] / "README.md"
KEY = Fernet.generate_key().decode()
REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read NFX_* variables: start every test without any."""
    import os

    for name in list(os.environ):
        if name.startswith("NFX_"):
            monkeypatch.delenv(name)


def test_defaults_run_the_embedded_demo() -> None:
    settings = Settings()
    assert settings.embedded_store
    assert settings.consumer_key == DEMO_CONSUMER_KEY
    assert settings.consumer_secret.get_secret_value() == DEMO_CONSUMER_SECRET
    assert settings.upstream_base_url == "http://127.0.0.1:8081"
    assert settings.ref_base == "http://api-public.netflix.com"
    assert (settings.cache_ttl_search_s, settings.cache_stale_s) == (300, 86400)
    assert settings.budget_user_per_s == 4
    # The upstream's commonly quoted caps: 5,000 calls a day per access token and per caller.
    assert (settings.budget_user_per_day, settings.budget_consumer_per_day) == (5000, 5000)
    assert settings.allowed_return_urls == []


def test_variables_are_read_with_the_nfx_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NFX_UPSTREAM_BASE_URL", "https://upstream.example/")
    monkeypatch.setenv("NFX_CACHE_TTL_SEARCH_S", "12.5")
    monkeypatch.setenv("NFX_REDIS_URL", REDIS)
    monkeypatch.setenv("NFX_TOKEN_ENCRYPTION_KEY", KEY)
    monkeypatch.setenv("NFX_ALLOWED_RETURN_URLS", "https://a.example/cb, https://b.example")
    settings = Settings()
    assert settings.upstream_base_url == "https://upstream.example"
    assert settings.cache_ttl_search_s == 12.5
    assert settings.redis_url == REDIS and not settings.embedded_store
    assert settings.allowed_return_urls == ["https://a.example/cb", "https://b.example"]


def test_return_urls_also_read_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NFX_ALLOWED_RETURN_URLS", '["https://a.example/cb"]')
    assert Settings().allowed_return_urls == ["https://a.example/cb"]


def test_real_redis_requires_an_encryption_key() -> None:
    with pytest.raises(ValidationError, match="NFX_TOKEN_ENCRYPTION_KEY is required"):
        Settings(redis_url=REDIS)


@pytest.mark.parametrize("bad_key", ["changeme", "abc", "x" * 44, KEY[:-2]])
def test_encryption_key_must_be_a_fernet_key(bad_key: str) -> None:
    with pytest.raises(ValidationError, match="must be a Fernet key") as refused:
        Settings(redis_url=REDIS, token_encryption_key=bad_key)
    assert bad_key not in str(refused.value)  # a refused secret is not echoed


@pytest.mark.parametrize("placeholder", ["changeme", "CHANGEME", " secret ", "password"])
def test_placeholder_secrets_are_refused_with_a_real_redis(placeholder: str) -> None:
    with pytest.raises(ValidationError, match="NFX_CONSUMER_SECRET holds a placeholder"):
        Settings(redis_url=REDIS, token_encryption_key=KEY, consumer_secret=placeholder)
    with pytest.raises(ValidationError, match="NFX_ADMIN_TOKEN must be a real secret"):
        Settings(redis_url=REDIS, token_encryption_key=KEY, admin_token=placeholder)


def test_placeholder_consumer_secret_is_tolerated_in_embedded_mode() -> None:
    settings = Settings(consumer_secret="changeme")
    assert settings.consumer_secret.get_secret_value() == "changeme"


@pytest.mark.parametrize("weak", ["changeme", "short-but-real"])
def test_weak_admin_tokens_are_refused_in_embedded_mode_too(weak: str) -> None:
    with pytest.raises(ValidationError, match="NFX_ADMIN_TOKEN must be a real secret"):
        Settings(admin_token=weak)


def test_empty_consumer_credentials_are_always_refused() -> None:
    with pytest.raises(ValidationError, match="NFX_CONSUMER_SECRET must not be empty"):
        Settings(consumer_secret="  ")
    with pytest.raises(ValidationError, match="NFX_CONSUMER_KEY must not be empty"):
        Settings(consumer_key="")


def test_short_admin_token_is_refused_with_a_real_redis() -> None:
    with pytest.raises(ValidationError, match="at least 16"):
        Settings(redis_url=REDIS, token_encryption_key=KEY, admin_token="short-but-real")
    ok = Settings(redis_url=REDIS, token_encryption_key=KEY, admin_token="a" * 8 + "B" * 8)
    assert ok.admin_token is not None


def test_cluster_needs_a_url() -> None:
    with pytest.raises(ValidationError, match="NFX_REDIS_CLUSTER needs NFX_REDIS_URL"):
        Settings(redis_cluster=True)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("upstream_base_url", "ftp://x"),
        ("public_url", "not a url"),
        ("ref_base", "http://host/?q=1"),
        ("redis_url", "http://127.0.0.1:6379"),
        ("cache_ttl_title_s", 0),
        ("budget_user_per_s", -1),
        ("budget_user_per_s", 0.5),
        ("budget_window_margin_s", -0.1),
        ("budget_consumer_per_day", -1),
        ("front_cache_size", -1),
        ("signin_per_minute", -1),
        ("allowed_return_urls", ["javascript:alert(1)"]),
    ],
)
def test_bad_values_are_refused_with_the_variable_named(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings.model_validate({field: value})
    assert field in str(refused.value)


def test_encryption_keys_rotate_and_ephemeral_key_is_stable() -> None:
    second = Fernet.generate_key().decode()
    settings = Settings(token_encryption_key=f"{KEY}, {second}")
    assert settings.encryption_keys() == [KEY.encode(), second.encode()]
    embedded = Settings()
    assert embedded.encryption_keys() == embedded.encryption_keys()
    assert embedded.encryption_keys() != Settings().encryption_keys()


def test_return_urls_that_are_broken_json_say_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NFX_ALLOWED_RETURN_URLS", '["https://a.example/cb"')
    with pytest.raises(ValidationError, match="not a valid JSON list"):
        Settings()


def test_misspelled_variables_are_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NFX_REDIS_ULR", "redis://:hunter2pw@cache:6379/0")
    monkeypatch.setenv("NFX_EMULATOR_SEED", "7")  # the emulator's, left alone
    with pytest.raises(ValidationError, match="NFX_REDIS_ULR") as refused:
        Settings()
    assert "hunter2pw" not in str(refused.value)
    assert "NFX_EMULATOR_SEED" not in str(refused.value)


def test_redis_password_stays_out_of_repr_and_errors() -> None:
    settings = Settings(redis_url="redis://:hunter2pw@cache:6379/0", token_encryption_key=KEY)
    assert "hunter2pw" not in repr(settings)
    with pytest.raises(ValidationError) as refused:
        Settings(redis_url="http://:hunter2pw@cache:6379/0", token_encryption_key=KEY)
    assert "hunter2pw" not in str(refused.value)
    assert "'http'" in str(refused.value)


def test_secrets_stay_hidden_in_repr() -> None:
    settings = Settings(
        redis_url=REDIS, token_encryption_key=KEY, admin_token="a-real-admin-token-123"
    )
    text = repr(settings) + str(settings.model_dump())
    assert KEY not in text and "a-real-admin-token-123" not in text
    assert DEMO_CONSUMER_SECRET not in text


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://app.example/cb", True),
        ("https://app.example/cb/next?x=1", True),
        ("https://app.example/cbx", False),
        ("http://app.example/cb", False),
        ("https://app.example:8443/cb", False),
        ("https://app.example.evil.test/cb", False),
        ("https://evil.test/?https://app.example/cb", False),
        ("https://other.example/", True),
        ("https://other.example/anything", True),
        ("javascript:alert(1)", False),
        ("https://app.example:99999/cb", False),
        # Browsers send these to evil.test, or out of the prefix, while urlsplit does not.
        ("https://evil.test\\@app.example/cb", False),
        ("https://evil.test@app.example/cb", False),
        ("https://app.example\t/cb", False),
        ("https://app.example/cb/../../evil", False),
        ("https://app.example/cb/%2e%2e/evil", False),
    ],
)
def test_return_urls_must_lie_under_an_allowed_prefix(url: str, allowed: bool) -> None:
    settings = Settings(allowed_return_urls=["https://app.example/cb/", "https://other.example"])
    assert settings.is_allowed_return_url(url) is allowed


def test_settings_are_immutable() -> None:
    settings = Settings()
    with pytest.raises(ValidationError):
        settings.cache_ttl_title_s = 1  # type: ignore[misc]


def test_every_setting_is_documented() -> None:
    readme = README.read_text()
    for field in Settings.model_fields:
        variable = f"NFX_{field.upper()}"
        assert f"| `{variable}`" in readme or f"/ `{variable}`" in readme, variable
        assert variable in (Settings.__doc__ or ""), variable
