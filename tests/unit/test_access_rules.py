"""The visibility rule (domain/access.py) and its use in the photo use cases, against fakes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from photoshare.application.comments import DeleteComment
from photoshare.application.photos import EditPhoto, load_visible_photo
from photoshare.domain.access import ANONYMOUS, Visibility, VisibleTo
from photoshare.domain.comments import Comment
from photoshare.domain.errors import InvalidInput, NotFound
from photoshare.domain.photos import Photo
from photoshare.domain.users import Role
from tests.unit.factories import UserFactory
from tests.unit.fakes import (
    FakeUnitOfWork,
    FixedClock,
    InMemoryCommentRepository,
    InMemoryImageStore,
    InMemoryPhotoRepository,
)

NOW = datetime(2025, 1, 1, tzinfo=UTC)
OWNER, OTHER = uuid.uuid4(), uuid.uuid4()


@pytest.mark.parametrize(
    ("viewer", "public", "unlisted", "private"),
    [
        (ANONYMOUS, True, True, False),
        (VisibleTo(OTHER), True, True, False),
        (VisibleTo(OWNER), True, True, True),
        (VisibleTo(OTHER, is_admin=True), True, True, True),
    ],
)
def test_who_may_see_what(viewer: VisibleTo, public: bool, unlisted: bool, private: bool) -> None:
    seen = [viewer.may_see(OWNER, v) for v in (Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE)]
    assert seen == [public, unlisted, private]


def test_only_public_things_are_listed_and_only_others_are_signed() -> None:
    assert [v.listed for v in Visibility] == [True, False, False]
    assert [v.signed_urls for v in Visibility] == [False, True, True]


def test_visibility_parses_the_three_names_and_refuses_others() -> None:
    assert Visibility.parse(None) is Visibility.PUBLIC
    assert Visibility.parse(" Private ") is Visibility.PRIVATE
    with pytest.raises(InvalidInput) as error:
        Visibility.parse("secret")
    assert error.value.field == "visibility"


def test_a_moderator_is_not_an_admin_for_visibility() -> None:
    moderator = UserFactory.build(role=Role.MODERATOR)
    assert VisibleTo.of(moderator) == VisibleTo(moderator.id, is_admin=False)
    assert VisibleTo.of(None) is ANONYMOUS


def _photo(visibility: Visibility) -> Photo:
    return Photo(uuid.uuid4(), OWNER, "k.jpg", "image/jpeg", 1, 1, "", (), NOW, NOW, visibility)


async def test_a_private_photo_loads_as_not_found_for_others() -> None:
    photo = _photo(Visibility.PRIVATE)
    photos = InMemoryPhotoRepository(photo)
    with pytest.raises(NotFound):
        await load_visible_photo(photos, photo.id, UserFactory.build())
    with pytest.raises(NotFound):
        await load_visible_photo(photos, photo.id, None)
    owner = UserFactory.build(id=OWNER)
    assert await load_visible_photo(photos, photo.id, owner) == photo


async def test_the_owner_changes_visibility_and_the_store_follows() -> None:
    photo = _photo(Visibility.PUBLIC)
    photos, store = InMemoryPhotoRepository(photo), InMemoryImageStore()
    owner = UserFactory.build(id=OWNER)
    edit = EditPhoto(photos, photos, store, FixedClock(NOW), FakeUnitOfWork())
    edited = await edit(owner, photo.id, "text", None, Visibility.UNLISTED)
    assert edited.visibility is Visibility.UNLISTED
    assert (await photos.get(photo.id)) == edited
    await edit(owner, photo.id, "text", None, Visibility.PRIVATE)  # signed either way: nothing moves
    await edit(owner, photo.id, "text", None, Visibility.PUBLIC)
    assert store.journal == ["restrict k.jpg", "publish k.jpg"]


async def test_a_comment_on_a_private_photo_is_unknown_to_a_moderator() -> None:
    photo = _photo(Visibility.PRIVATE)
    author = UserFactory.build(id=OWNER)
    comment = Comment(uuid.uuid4(), photo.id, author.id, "mine", NOW, NOW)
    photos, comments = InMemoryPhotoRepository(photo), InMemoryCommentRepository(comment)
    with pytest.raises(NotFound):
        await DeleteComment(photos, comments, FakeUnitOfWork())(
            UserFactory.build(role=Role.MODERATOR), comment.id
        )
    admin = UserFactory.build(role=Role.ADMIN)
    await DeleteComment(photos, comments, FakeUnitOfWork())(admin, comment.id)
    assert comment.id not in comments.comments
