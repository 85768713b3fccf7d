"""The comment rules of the domain: text length, who edits (the author), who deletes (staff)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from photoshare.domain.comments import COMMENT_MAX, Comment, ensure_may_delete, validate_text
from photoshare.domain.errors import Forbidden, InvalidInput
from photoshare.domain.users import Role, User
from tests.unit.factories import UserFactory

CREATED = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
LATER = CREATED + timedelta(hours=2)


@pytest.fixture
def author() -> User:
    return UserFactory.build()


@pytest.fixture
def comment(author: User) -> Comment:
    return Comment(uuid.uuid4(), uuid.uuid4(), author.id, "first thought", CREATED, CREATED)


@pytest.mark.parametrize("text", ["x", "x" * COMMENT_MAX, "ünïcødé ✓"])
def test_text_of_1_to_2000_characters_is_valid(text: str) -> None:
    assert validate_text(text) == text


def test_text_is_trimmed_and_the_limit_applies_to_what_remains() -> None:
    assert validate_text("  hello \n") == "hello"
    assert validate_text(" " + "x" * COMMENT_MAX + " ") == "x" * COMMENT_MAX


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "x" * (COMMENT_MAX + 1)])
def test_empty_blank_or_too_long_text_is_invalid_input_on_text(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_text(text)
    assert caught.value.field == "text"


def test_the_author_edits_an_edit_moves_updated_at_and_keeps_created_at(
    comment: Comment, author: User
) -> None:
    edited = comment.edit(by=author, text=" second thought ", now=LATER)

    assert edited.text == "second thought"
    assert (edited.created_at, edited.updated_at) == (CREATED, LATER)
    assert (edited.id, edited.photo_id, edited.author_id) == (comment.id, comment.photo_id, comment.author_id)
    assert comment.text == "first thought"  # the original value is untouched


@pytest.mark.parametrize("role", list(Role))
def test_nobody_but_the_author_edits_whatever_their_role(comment: Comment, role: Role) -> None:
    with pytest.raises(Forbidden):
        comment.edit(by=UserFactory.build(role=role), text="not yours", now=LATER)


def test_an_edit_with_invalid_text_is_refused(comment: Comment, author: User) -> None:
    with pytest.raises(InvalidInput):
        comment.edit(by=author, text="  ", now=LATER)


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ADMIN])
def test_moderators_and_admins_may_delete_any_comment(comment: Comment, role: Role) -> None:
    ensure_may_delete(comment, UserFactory.build(role=role))  # no error


def test_the_author_may_not_delete_their_own_comment(comment: Comment, author: User) -> None:
    with pytest.raises(Forbidden):
        ensure_may_delete(comment, author)


def test_another_plain_user_may_not_delete_a_comment(comment: Comment) -> None:
    with pytest.raises(Forbidden):
        ensure_may_delete(comment, UserFactory.build(role=Role.USER))


def test_an_author_who_is_a_moderator_deletes_as_a_moderator(comment: Comment, author: User) -> None:
    ensure_may_delete(comment, replace(author, role=Role.MODERATOR))  # no error
