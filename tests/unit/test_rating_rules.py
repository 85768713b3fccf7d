"""The rating rules of the domain: values 1-5, never one's own photo, and the stored summary."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from photoshare.domain.errors import Forbidden, InvalidInput
from photoshare.domain.photos import Photo
from photoshare.domain.ratings import RATING_MAX, RATING_MIN, RatingSummary, rate, validate_value
from photoshare.domain.users import Role, User
from tests.unit.factories import UserFactory

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def owner() -> User:
    return UserFactory.build()


@pytest.fixture
def photo(owner: User) -> Photo:
    return Photo(uuid.uuid4(), owner.id, "p.jpg", "image/jpeg", 10, 10, "", (), NOW, NOW)


@pytest.mark.parametrize("value", range(RATING_MIN, RATING_MAX + 1))
def test_someone_else_rates_a_photo_from_1_to_5(photo: Photo, value: int) -> None:
    rater = UserFactory.build()

    rating = rate(photo, rater, value, NOW)

    assert (rating.photo_id, rating.user_id, rating.value, rating.created_at) == (
        photo.id,
        rater.id,
        value,
        NOW,
    )


@pytest.mark.parametrize("role", list(Role))
def test_nobody_rates_their_own_photo_whatever_their_role(photo: Photo, owner: User, role: Role) -> None:
    owner_with_role = UserFactory.build(id=owner.id, role=role)
    with pytest.raises(Forbidden):
        rate(photo, owner_with_role, 5, NOW)


@pytest.mark.parametrize("value", [0, 6, -1, 100, True, False])
def test_a_value_outside_1_to_5_or_a_boolean_is_invalid_input_on_value(photo: Photo, value: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        rate(photo, UserFactory.build(), value, NOW)
    assert caught.value.field == "value"
    with pytest.raises(InvalidInput):
        validate_value(value)


def test_an_empty_summary_has_no_average() -> None:
    summary = RatingSummary()
    assert (summary.count, summary.total, summary.average) == (0, 0, None)


def test_adding_values_keeps_count_total_and_an_average_rounded_to_two_decimals() -> None:
    summary = RatingSummary().add(5).add(4).add(4)
    assert (summary.count, summary.total, summary.average) == (3, 13, 4.33)


def test_removing_a_value_reverses_adding_it_down_to_no_average() -> None:
    summary = RatingSummary().add(5).add(2)
    assert summary.remove(2) == RatingSummary(1, 5)
    assert summary.remove(2).remove(5).average is None


def test_removing_from_an_empty_summary_is_refused() -> None:
    with pytest.raises(InvalidInput):
        RatingSummary().remove(3)


def test_adding_an_invalid_value_to_a_summary_is_refused() -> None:
    with pytest.raises(InvalidInput):
        RatingSummary().add(6)
