"""Settings: read once from the environment into one frozen object, validated at start-up."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

MIN_SECRET_BYTES = 32


class SettingsError(ValueError):
    """An environment variable holds a value the service cannot start with."""


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Requests allowed per window (seconds), per client address and per account."""

    window: int = 60
    login: int = 10
    signup: int = 5
    refresh: int = 30
    upload: int = 30
    comment: int = 60
    rating: int = 60


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    data_dir: Path = Path("var")
    public_base_url: str = "http://127.0.0.1:8000"
    database_url: str | None = None
    valkey_url: str | None = None
    cloudinary_url: str | None = None
    secret_key: str | None = None
    access_ttl: int = 900
    refresh_ttl: int = 1_209_600
    cors_origins: tuple[str, ...] = ()
    max_upload_bytes: int = 10 * 1024 * 1024
    max_image_pixels: int = 40_000_000
    db_pool_size: int = 10
    hash_concurrency: int = 2
    bcrypt_rounds: int = 12
    image_concurrency: int = 2
    rate_limits: RateLimits = field(default_factory=RateLimits)
    debug: bool = False

    @property
    def images_dir(self) -> Path:
        return self.data_dir / "images"

    @property
    def pg_data_dir(self) -> Path:
        return self.data_dir / "pgdata"

    def with_database(self, url: str) -> Settings:
        return replace(self, database_url=url)

    def signing_key(self) -> str:
        """The configured key, or one generated once and kept in the data dir."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
        return path.read_text().strip()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        host = env.get("PHOTOSHARE_HOST", "127.0.0.1")
        port = _int(env, "PHOTOSHARE_PORT", 8000, 1, 65535)
        base_url = env.get("PHOTOSHARE_PUBLIC_BASE_URL") or f"http://{host}:{port}"
        _check_url("PHOTOSHARE_PUBLIC_BASE_URL", base_url, ("http", "https"))
        db_url = env.get("PHOTOSHARE_DATABASE_URL") or None
        if db_url:
            _check_url("PHOTOSHARE_DATABASE_URL", db_url, ("postgresql", "postgres", "postgresql+psycopg"))
        valkey_url = env.get("PHOTOSHARE_VALKEY_URL") or None
        if valkey_url:
            _check_url("PHOTOSHARE_VALKEY_URL", valkey_url, ("redis", "rediss", "valkey", "valkeys", "unix"))
        cloudinary_url = env.get("CLOUDINARY_URL") or None
        if cloudinary_url:
            _check_url("CLOUDINARY_URL", cloudinary_url, ("cloudinary",))
        secret = env.get("PHOTOSHARE_SECRET_KEY") or None
        if secret is not None and len(secret.encode()) < MIN_SECRET_BYTES:
            raise SettingsError(f"PHOTOSHARE_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes")
        origins = tuple(o.strip() for o in env.get("PHOTOSHARE_CORS_ORIGINS", "").split(",") if o.strip())
        window = _int(env, "PHOTOSHARE_RATE_WINDOW", 60, 1, 86_400)
        limits = RateLimits(
            window=window,
            **{
                name: _int(env, f"PHOTOSHARE_RATE_{name.upper()}", getattr(RateLimits, name), 1, 1_000_000)
                for name in ("login", "signup", "refresh", "upload", "comment", "rating")
            },
        )
        return cls(
            host=host,
            port=port,
            workers=_int(env, "PHOTOSHARE_WORKERS", 1, 1, 256),
            data_dir=Path(env.get("PHOTOSHARE_DATA_DIR", "var")).expanduser().resolve(),
            public_base_url=base_url.rstrip("/"),
            database_url=db_url,
            valkey_url=valkey_url,
            cloudinary_url=cloudinary_url,
            secret_key=secret,
            access_ttl=_int(env, "PHOTOSHARE_ACCESS_TTL", 900, 10, 86_400),
            refresh_ttl=_int(env, "PHOTOSHARE_REFRESH_TTL", 1_209_600, 60, 31_536_000),
            cors_origins=origins,
            db_pool_size=_int(env, "PHOTOSHARE_DB_POOL_SIZE", 10, 1, 200),
            hash_concurrency=_int(env, "PHOTOSHARE_HASH_CONCURRENCY", 2, 1, 64),
            bcrypt_rounds=_int(env, "PHOTOSHARE_BCRYPT_ROUNDS", 12, 4, 16),
            image_concurrency=_int(env, "PHOTOSHARE_IMAGE_CONCURRENCY", 2, 1, 64),
            rate_limits=limits,
            debug=env.get("PHOTOSHARE_DEBUG", "") in ("1", "true"),
        )


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _check_url(name: str, value: str, schemes: tuple[str, ...]) -> None:
    parts = urlsplit(value)
    if parts.scheme not in schemes:
        raise SettingsError(f"{name} must be a URL starting with one of {', '.join(schemes)}")
