"""Photo rules in the domain: tag names, the five-tag limit, the description, who may edit."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from photoshare.domain.errors import Forbidden, InvalidInput
from photoshare.domain.photos import (
    DESCRIPTION_MAX,
    MAX_TAGS_PER_PHOTO,
    TAG_MAX_LENGTH,
    Photo,
    ensure_may_manage,
    normalise_tag,
    tag_set,
    validate_description,
)
from photoshare.domain.users import Role, User
from tests.unit.factories import UserFactory

CREATED = datetime(2025, 1, 1, tzinfo=UTC)


def photo_of(owner: User, **changes: object) -> Photo:
    photo = Photo(
        id=uuid.uuid4(),
        owner_id=owner.id,
        image_key="k.png",
        content_type="image/png",
        width=10,
        height=10,
        description="old",
        tags=("sea", "sun"),
        created_at=CREATED,
        updated_at=CREATED,
    )
    return replace(photo, **changes)  # type: ignore[arg-type]


# --- tag names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "name"),
    [("Sea", "sea"), ("  BEACH  ", "beach"), ("x", "x"), ("a" * TAG_MAX_LENGTH, "a" * TAG_MAX_LENGTH)],
)
def test_tag_name_is_trimmed_and_lower_cased(raw: str, name: str) -> None:
    assert normalise_tag(raw) == name


@pytest.mark.parametrize(
    "raw", ["", "   ", "a" * (TAG_MAX_LENGTH + 1), " " + "B" * (TAG_MAX_LENGTH + 1) + " "]
)
def test_tag_name_must_be_1_to_32_characters_after_trimming(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise_tag(raw)
    assert caught.value.field == "tags"


def test_padding_does_not_count_towards_the_length() -> None:
    assert normalise_tag("  " + "a" * TAG_MAX_LENGTH + "  ") == "a" * TAG_MAX_LENGTH


def test_tag_set_keeps_distinct_names_in_first_seen_order() -> None:
    assert tag_set(["Sun", "sea", " SUN ", "Sea", "sky"]) == ("sun", "sea", "sky")


def test_comma_separated_pieces_mean_the_same_as_repeated_fields() -> None:
    assert tag_set(["a, B", "c"]) == tag_set(["a", "b", "c"]) == ("a", "b", "c")


def test_empty_pieces_between_commas_are_ignored() -> None:
    assert tag_set(["a,,b,", " , ", ""]) == ("a", "b")
    assert tag_set([]) == ()


def test_six_distinct_tags_are_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        tag_set(["a", "b", "c", "d", "e", "f"])
    assert caught.value.field == "tags"


def test_six_tags_in_one_comma_separated_field_are_refused() -> None:
    with pytest.raises(InvalidInput):
        tag_set(["a,b,c,d,e,f"])


def test_five_distinct_tags_with_duplicates_are_fine() -> None:
    names = tag_set(["a", "B", "c", "d", "e", "A", "b ", "E"])
    assert names == ("a", "b", "c", "d", "e")
    assert len(names) == MAX_TAGS_PER_PHOTO


def test_a_too_long_piece_inside_a_comma_list_is_refused() -> None:
    with pytest.raises(InvalidInput):
        tag_set(["ok, " + "x" * (TAG_MAX_LENGTH + 1)])


# --- description ----------------------------------------------------------------------------------


def test_description_up_to_the_limit_is_kept_trimmed() -> None:
    assert validate_description("  hello  ") == "hello"
    assert validate_description("d" * DESCRIPTION_MAX) == "d" * DESCRIPTION_MAX
    assert validate_description(None) == ""


def test_description_over_the_limit_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_description("d" * (DESCRIPTION_MAX + 1))
    assert caught.value.field == "description"


# --- editing and ownership ------------------------------------------------------------------------


def test_owner_edits_description_and_tags_replace() -> None:
    owner = UserFactory.build()
    later = CREATED + timedelta(hours=1)

    edited = photo_of(owner).edit(by=owner, description=" new ", tags=["Moon", "moon"], now=later)

    assert (edited.description, edited.tags, edited.updated_at) == ("new", ("moon",), later)
    assert edited.created_at == CREATED


def test_omitted_tags_are_kept_and_an_empty_list_clears_them() -> None:
    owner = UserFactory.build()
    photo = photo_of(owner)

    assert photo.edit(by=owner, description="x", tags=None, now=CREATED).tags == ("sea", "sun")
    assert photo.edit(by=owner, description="x", tags=[], now=CREATED).tags == ()


def test_admin_may_edit_someone_elses_photo() -> None:
    photo = photo_of(UserFactory.build())
    admin = UserFactory.build(role=Role.ADMIN)

    assert photo.edit(by=admin, description="by admin", tags=None, now=CREATED).description == "by admin"


@pytest.mark.parametrize("role", [Role.USER, Role.MODERATOR])
def test_others_may_not_edit_or_manage_the_photo(role: Role) -> None:
    photo = photo_of(UserFactory.build())
    other = UserFactory.build(role=role)

    with pytest.raises(Forbidden):
        photo.edit(by=other, description="mine now", tags=None, now=CREATED)
    with pytest.raises(Forbidden):
        ensure_may_manage(photo, other)


def test_edit_applies_the_tag_and_description_rules() -> None:
    owner = UserFactory.build()
    photo = photo_of(owner)

    with pytest.raises(InvalidInput):
        photo.edit(by=owner, description="x", tags=["1", "2", "3", "4", "5", "6"], now=CREATED)
    with pytest.raises(InvalidInput):
        photo.edit(by=owner, description="d" * (DESCRIPTION_MAX + 1), tags=None, now=CREATED)
