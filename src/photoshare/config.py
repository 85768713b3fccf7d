"""Settings: read once from the environment into one frozen object, validated at start-up."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from urllib.parse import urlsplit

MIN_SECRET_BYTES = 32
LOG_FORMATS = ("text", "json")
METRICS_EXPOSURE = ("local", "public", "off")


#: The schemes a PostgreSQL URL may be given with; both spellings below are derived from any.
POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


def _with_scheme(url: str, scheme: str) -> str:
    given, sep, rest = url.partition("://")
    return f"{scheme}://{rest}" if sep and given in POSTGRES_SCHEMES else url


def sqlalchemy_url(url: str) -> str:
    """The URL as SQLAlchemy wants it, with psycopg 3 as the driver: postgresql+psycopg://…"""
    return _with_scheme(url, "postgresql+psycopg")


def libpq_url(url: str) -> str:
    """The URL as libpq (psycopg's own connect and pool, psql) wants it: postgresql://…"""
    return _with_scheme(url, "postgresql")


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
    link: int = 30  # transformed links created
    comment: int = 60
    rating: int = 60
    #: Public searches and lists (`GET /api/photos`), per address: a person pages far slower.
    search: int = 120
    #: Reads of share links per client (successful ones: a busy family album needs hundreds).
    share_view: int = 600
    #: Unknown share slugs per client, like failed log-ins: slugs cannot be enumerated.
    share_miss: int = 10
    #: Wrong share passwords, per client and per share: passwords cannot be guessed.
    share_password: int = 10
    #: Password-reset requests and confirmations, verification resends, password changes.
    password_reset: int = 5
    verify_email: int = 5
    password_change: int = 10

    @classmethod
    def actions(cls) -> tuple[str, ...]:
        """Every rate-limited action: each field but the window (the one list of them)."""
        return tuple(f.name for f in fields(cls) if f.name != "window")

    def limit(self, action: str) -> int:
        return int(getattr(self, action))

    @classmethod
    def every(cls, hits: int, window: int = 60) -> RateLimits:
        """The same limit on every action (tests and benchmarks that must not be throttled)."""
        return cls(window=window, **dict.fromkeys(cls.actions(), hits))


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
    #: Connections from these may name the client in `X-Forwarded-For`; nobody else may.
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = ()
    max_image_pixels: int = 40_000_000
    db_pool_size: int = 10
    #: Reads (and the self-committing counters) are cancelled after this long: a quick 503.
    db_statement_timeout_ms: int = 3000
    #: A request waits this long for a pooled connection, then gets a 503 with Retry-After:
    #: a saturated database answers quickly instead of queueing clients until they give up.
    db_pool_wait_ms: int = 5000
    hash_concurrency: int = 2
    bcrypt_rounds: int = 12
    image_concurrency: int = 2
    #: `photoshare serve` starts a job worker beside the HTTP workers (PHOTOSHARE_SERVE_WORKER=0: not).
    serve_worker: bool = True
    rate_limits: RateLimits = field(default_factory=RateLimits)
    #: `text` for people, `json` for log collectors.
    log_format: str = "text"
    #: `GET /metrics`: `local` (loopback clients only), `public` (anyone) or `off`.
    metrics: str = "local"
    #: Unset: each message becomes an `.eml` file in `outbox_dir`.
    smtp_url: str | None = None
    mail_from: str = "PhotoShare <photoshare@localhost>"
    #: Writes by accounts whose email is not verified are refused (403).
    require_verified_email: bool = False

    @property
    def images_dir(self) -> Path:
        return self.data_dir / "images"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

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
        """Each unset variable takes its field's declared default (`d`), so the two never differ."""
        env = os.environ if env is None else env
        d = cls()
        host = env.get("PHOTOSHARE_HOST", d.host)
        port = _int(env, "PHOTOSHARE_PORT", d.port, 1, 65535)
        base_url = env.get("PHOTOSHARE_PUBLIC_BASE_URL") or f"http://{host}:{port}"
        _check_url("PHOTOSHARE_PUBLIC_BASE_URL", base_url, ("http", "https"))
        db_url = env.get("PHOTOSHARE_DATABASE_URL") or None
        if db_url:
            _check_url("PHOTOSHARE_DATABASE_URL", db_url, POSTGRES_SCHEMES)
        valkey_url = env.get("PHOTOSHARE_VALKEY_URL") or None
        if valkey_url:
            _check_url("PHOTOSHARE_VALKEY_URL", valkey_url, ("redis", "rediss", "valkey", "valkeys", "unix"))
        cloudinary_url = env.get("CLOUDINARY_URL") or None
        if cloudinary_url:
            _check_url("CLOUDINARY_URL", cloudinary_url, ("cloudinary",))
        smtp_url = env.get("PHOTOSHARE_SMTP_URL") or None
        if smtp_url:
            _check_url("PHOTOSHARE_SMTP_URL", smtp_url, ("smtp", "smtps"))
            if not urlsplit(smtp_url).hostname:
                raise SettingsError("PHOTOSHARE_SMTP_URL must name a host: smtp://user:pass@host:port")
        mail_from = env.get("PHOTOSHARE_MAIL_FROM") or d.mail_from
        if "@" not in mail_from:
            raise SettingsError(
                "PHOTOSHARE_MAIL_FROM must be an address, e.g. PhotoShare <noreply@example.org>"
            )
        secret = env.get("PHOTOSHARE_SECRET_KEY") or None
        if secret is not None and len(secret.encode()) < MIN_SECRET_BYTES:
            raise SettingsError(f"PHOTOSHARE_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes")
        return cls(
            host=host,
            port=port,
            workers=_int(env, "PHOTOSHARE_WORKERS", d.workers, 1, 256),
            data_dir=Path(env.get("PHOTOSHARE_DATA_DIR") or d.data_dir).expanduser().resolve(),
            public_base_url=base_url.rstrip("/"),
            database_url=db_url,
            valkey_url=valkey_url,
            cloudinary_url=cloudinary_url,
            secret_key=secret,
            access_ttl=_int(env, "PHOTOSHARE_ACCESS_TTL", d.access_ttl, 10, 86_400),
            refresh_ttl=_int(env, "PHOTOSHARE_REFRESH_TTL", d.refresh_ttl, 60, 31_536_000),
            cors_origins=_list(env, "PHOTOSHARE_CORS_ORIGINS"),
            trusted_proxies=_networks(env, "PHOTOSHARE_TRUSTED_PROXIES"),
            max_image_pixels=_int(
                env, "PHOTOSHARE_MAX_IMAGE_PIXELS", d.max_image_pixels, 1_000_000, 500_000_000
            ),
            db_pool_size=_int(env, "PHOTOSHARE_DB_POOL_SIZE", d.db_pool_size, 1, 200),
            db_pool_wait_ms=_int(env, "PHOTOSHARE_DB_POOL_WAIT_MS", d.db_pool_wait_ms, 10, 60_000),
            db_statement_timeout_ms=_int(
                env, "PHOTOSHARE_DB_STATEMENT_TIMEOUT_MS", d.db_statement_timeout_ms, 100, 600_000
            ),
            hash_concurrency=_int(env, "PHOTOSHARE_HASH_CONCURRENCY", d.hash_concurrency, 1, 64),
            bcrypt_rounds=_int(env, "PHOTOSHARE_BCRYPT_ROUNDS", d.bcrypt_rounds, 4, 16),
            image_concurrency=_int(env, "PHOTOSHARE_IMAGE_CONCURRENCY", d.image_concurrency, 1, 64),
            serve_worker=_bool(env, "PHOTOSHARE_SERVE_WORKER", d.serve_worker),
            rate_limits=_rate_limits(env, d.rate_limits),
            log_format=_choice(env, "PHOTOSHARE_LOG_FORMAT", d.log_format, LOG_FORMATS),
            metrics=_choice(env, "PHOTOSHARE_METRICS", d.metrics, METRICS_EXPOSURE),
            smtp_url=smtp_url,
            mail_from=mail_from,
            require_verified_email=_bool(env, "PHOTOSHARE_REQUIRE_VERIFIED_EMAIL", d.require_verified_email),
        )


def _rate_limits(env: Mapping[str, str], defaults: RateLimits) -> RateLimits:
    """`PHOTOSHARE_RATE_WINDOW` and one `PHOTOSHARE_RATE_<ACTION>` per action; the defaults are
    read from an instance (on a slotted dataclass `RateLimits.login` is a descriptor, not 10)."""
    return RateLimits(
        window=_int(env, "PHOTOSHARE_RATE_WINDOW", defaults.window, 1, 86_400),
        **{
            name: _int(env, f"PHOTOSHARE_RATE_{name.upper()}", defaults.limit(name), 1, 1_000_000)
            for name in RateLimits.actions()
        },
    )


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be 1 or 0 (true or false), got {raw!r}")


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env.get(name) or default
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in env.get(name, "").split(",") if item.strip())


def _networks(env: Mapping[str, str], name: str) -> tuple[IPv4Network | IPv6Network, ...]:
    try:
        return tuple(ip_network(item, strict=False) for item in _list(env, name))
    except ValueError as error:
        raise SettingsError(f"{name} must be comma-separated addresses or CIDRs: {error}") from None


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
