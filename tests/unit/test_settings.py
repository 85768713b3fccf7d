"""Settings.from_env: the documented defaults, and a clear error naming any bad variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from photoshare.config import Settings, SettingsError


def test_defaults_follow_the_documented_table() -> None:
    settings = Settings.from_env({})
    assert (settings.host, settings.port, settings.workers) == ("127.0.0.1", 8000, 1)
    assert settings.data_dir == Path("var").resolve()
    assert settings.public_base_url == "http://127.0.0.1:8000"
    assert settings.database_url is None
    assert settings.valkey_url is None
    assert settings.cloudinary_url is None
    assert settings.secret_key is None
    assert (settings.access_ttl, settings.refresh_ttl) == (900, 1_209_600)


def test_public_base_url_defaults_to_http_host_and_port() -> None:
    settings = Settings.from_env({"PHOTOSHARE_HOST": "0.0.0.0", "PHOTOSHARE_PORT": "9090"})
    assert settings.public_base_url == "http://0.0.0.0:9090"


def test_explicit_public_base_url_wins_and_loses_its_trailing_slash() -> None:
    settings = Settings.from_env({"PHOTOSHARE_PUBLIC_BASE_URL": "https://photos.example.org/"})
    assert settings.public_base_url == "https://photos.example.org"


def test_every_documented_variable_is_read() -> None:
    env = {
        "PHOTOSHARE_HOST": "0.0.0.0",
        "PHOTOSHARE_PORT": "8080",
        "PHOTOSHARE_WORKERS": "4",
        "PHOTOSHARE_DATA_DIR": "/srv/photoshare",
        "PHOTOSHARE_PUBLIC_BASE_URL": "https://p.example.org",
        "PHOTOSHARE_DATABASE_URL": "postgresql://u:p@db/photoshare",
        "PHOTOSHARE_VALKEY_URL": "redis://cache:6379/0",
        "CLOUDINARY_URL": "cloudinary://key:secret@cloud",
        "PHOTOSHARE_SECRET_KEY": "k" * 32,
        "PHOTOSHARE_ACCESS_TTL": "60",
        "PHOTOSHARE_REFRESH_TTL": "3600",
    }
    settings = Settings.from_env(env)
    assert (settings.host, settings.port, settings.workers) == ("0.0.0.0", 8080, 4)
    assert settings.data_dir == Path("/srv/photoshare")
    assert settings.public_base_url == "https://p.example.org"
    assert settings.database_url == "postgresql://u:p@db/photoshare"
    assert settings.valkey_url == "redis://cache:6379/0"
    assert settings.cloudinary_url == "cloudinary://key:secret@cloud"
    assert settings.secret_key == "k" * 32
    assert (settings.access_ttl, settings.refresh_ttl) == (60, 3600)


def test_empty_variables_mean_unset() -> None:
    env = {"PHOTOSHARE_PORT": "", "PHOTOSHARE_DATABASE_URL": "", "PHOTOSHARE_SECRET_KEY": ""}
    settings = Settings.from_env(env)
    assert (settings.port, settings.database_url, settings.secret_key) == (8000, None, None)


@pytest.mark.parametrize("port", ["eighty", "0", "65536", "-1", "80.5"])
def test_invalid_port_is_refused_naming_the_variable(port: str) -> None:
    with pytest.raises(SettingsError, match="PHOTOSHARE_PORT"):
        Settings.from_env({"PHOTOSHARE_PORT": port})


def test_short_secret_key_is_refused_naming_the_variable() -> None:
    with pytest.raises(SettingsError, match="PHOTOSHARE_SECRET_KEY"):
        Settings.from_env({"PHOTOSHARE_SECRET_KEY": "k" * 31})


def test_secret_key_of_32_bytes_is_accepted() -> None:
    assert Settings.from_env({"PHOTOSHARE_SECRET_KEY": "k" * 32}).secret_key == "k" * 32


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PHOTOSHARE_DATABASE_URL", "mysql://u@db/x"),
        ("PHOTOSHARE_DATABASE_URL", "not a url"),
        ("PHOTOSHARE_VALKEY_URL", "http://cache:6379"),
        ("PHOTOSHARE_PUBLIC_BASE_URL", "ftp://files.example.org"),
        ("PHOTOSHARE_PUBLIC_BASE_URL", "photos.example.org"),
        ("CLOUDINARY_URL", "https://api.cloudinary.com"),
    ],
)
def test_url_with_a_wrong_scheme_is_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PHOTOSHARE_WORKERS", "0"),
        ("PHOTOSHARE_WORKERS", "many"),
        ("PHOTOSHARE_ACCESS_TTL", "5"),
        ("PHOTOSHARE_REFRESH_TTL", "soon"),
    ],
)
def test_out_of_range_numbers_are_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_settings_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="PHOTOSHARE_PORT"):
        Settings.from_env({"PHOTOSHARE_PORT": "x"})


def test_mail_settings_are_read_and_the_outbox_lives_in_the_data_dir() -> None:
    settings = Settings.from_env(
        {
            "PHOTOSHARE_SMTP_URL": "smtps://mailer:secret@smtp.example.org:465",
            "PHOTOSHARE_MAIL_FROM": "PhotoShare <noreply@example.org>",
            "PHOTOSHARE_REQUIRE_VERIFIED_EMAIL": "true",
            "PHOTOSHARE_DATA_DIR": "/srv/photoshare",
        }
    )
    assert settings.smtp_url == "smtps://mailer:secret@smtp.example.org:465"
    assert settings.mail_from == "PhotoShare <noreply@example.org>"
    assert settings.require_verified_email is True
    assert str(settings.outbox_dir) == "/srv/photoshare/outbox"
    defaults = Settings.from_env({})
    assert (defaults.smtp_url, defaults.require_verified_email) == (None, False)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PHOTOSHARE_SMTP_URL", "http://smtp.example.org"),
        ("PHOTOSHARE_SMTP_URL", "smtp://"),
        ("PHOTOSHARE_MAIL_FROM", "nobody"),
        ("PHOTOSHARE_REQUIRE_VERIFIED_EMAIL", "maybe"),
    ],
)
def test_bad_mail_settings_are_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})
