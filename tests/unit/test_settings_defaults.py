"""`Settings.from_env({})` is `Settings()`: a default can never differ from what its field declares."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path
from types import UnionType
from typing import Any

from photoshare.config import RateLimits, Settings

#: Fields whose default depends on the working directory (resolved to an absolute path).
CWD_DEPENDENT = {"data_dir"}


def _matches(value: Any, annotation: Any) -> bool:
    """True when `value` is an instance of `annotation` (unions, tuples and None included)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, UnionType):
        return any(_matches(value, arm) for arm in typing.get_args(annotation))
    if annotation is type(None):
        return value is None
    if origin is tuple:
        item, *_ = typing.get_args(annotation)
        return isinstance(value, tuple) and all(_matches(element, item) for element in value)
    return isinstance(value, annotation)


def _assert_typed(instance: object) -> None:
    hints = typing.get_type_hints(type(instance))
    for f in dataclasses.fields(instance):  # type: ignore[arg-type]
        value = getattr(instance, f.name)
        assert _matches(value, hints[f.name]), f"{type(instance).__name__}.{f.name} = {value!r}"
        if dataclasses.is_dataclass(value):
            _assert_typed(value)


def test_from_empty_environment_equals_the_declared_defaults() -> None:
    from_env, declared = Settings.from_env({}), Settings()
    for f in dataclasses.fields(Settings):
        if f.name not in CWD_DEPENDENT:
            assert getattr(from_env, f.name) == getattr(declared, f.name), f.name
    assert from_env.data_dir == Path(declared.data_dir).resolve()


def test_every_value_read_from_an_empty_environment_has_its_annotated_type() -> None:
    _assert_typed(Settings.from_env({}))


def test_every_rate_limit_default_is_a_number_a_counter_can_compare() -> None:
    limits = Settings.from_env({}).rate_limits
    for action in RateLimits.actions():
        assert isinstance(limits.limit(action), int)
        assert limits.limit(action) >= 1


def test_each_action_has_its_own_variable() -> None:
    env = {f"PHOTOSHARE_RATE_{action.upper()}": str(100 + i) for i, action in enumerate(RateLimits.actions())}
    limits = Settings.from_env(env).rate_limits
    assert [limits.limit(a) for a in RateLimits.actions()] == [100 + i for i in range(len(env))]


def test_trusted_proxies_parse_addresses_and_networks() -> None:
    settings = Settings.from_env({"PHOTOSHARE_TRUSTED_PROXIES": "10.0.0.1, 192.168.0.0/16,::1"})
    assert [str(n) for n in settings.trusted_proxies] == ["10.0.0.1/32", "192.168.0.0/16", "::1/128"]


def test_a_trusted_proxy_that_is_not_an_address_stops_start_up() -> None:
    import pytest

    from photoshare.config import SettingsError

    with pytest.raises(SettingsError, match="PHOTOSHARE_TRUSTED_PROXIES"):
        Settings.from_env({"PHOTOSHARE_TRUSTED_PROXIES": "proxy.local"})


def test_a_database_url_has_one_spelling_per_client_whatever_it_was_given_as() -> None:
    from photoshare.config import libpq_url, sqlalchemy_url

    for given in ("postgresql://u:p@db/x", "postgres://u:p@db/x", "postgresql+psycopg://u:p@db/x"):
        assert sqlalchemy_url(given) == "postgresql+psycopg://u:p@db/x"
        assert libpq_url(given) == "postgresql://u:p@db/x"
