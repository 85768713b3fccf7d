"""AddComment, EditComment, DeleteComment, RatePhoto and DeleteRating against in-memory fakes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from photoshare.application.comments import AddComment, DeleteComment, EditComment
from photoshare.application.ratings import DeleteRating, RatePhoto
from photoshare.application.readmodels import RatingCreated
from photoshare.domain.comments import Comment
from photoshare.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from photoshare.domain.photos import Photo
from photoshare.domain.ratings import RatingSummary
from photoshare.domain.users import Role, User
from tests.unit.factories import UserFactory
from tests.unit.fakes import (
    FakeUnitOfWork,
    FixedClock,
    InMemoryCommentRepository,
    InMemoryPhotoRepository,
    InMemoryRatingRepository,
    InMemoryUserRepository,
)

START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def owner() -> User:
    return UserFactory.build(username="owner")


@pytest.fixture
def bob() -> User:
    return UserFactory.build(username="bob")


@pytest.fixture
def moderator() -> User:
    return UserFactory.build(username="mod", role=Role.MODERATOR)


@pytest.fixture
def admin() -> User:
    return UserFactory.build(username="root", role=Role.ADMIN)


@pytest.fixture
def photo(owner: User) -> Photo:
    return Photo(uuid.uuid4(), owner.id, "p.jpg", "image/jpeg", 10, 10, "", (), START, START)


@pytest.fixture
def photos(photo: Photo) -> InMemoryPhotoRepository:
    return InMemoryPhotoRepository(photo)


@pytest.fixture
def comments() -> InMemoryCommentRepository:
    return InMemoryCommentRepository()


@pytest.fixture
def ratings() -> InMemoryRatingRepository:
    return InMemoryRatingRepository()


@pytest.fixture
async def bobs_comment(photo: Photo, bob: User, comments: InMemoryCommentRepository) -> Comment:
    comment = Comment(uuid.uuid4(), photo.id, bob.id, "hello", START, START)
    await comments.add(comment)
    return comment


# --- AddComment -----------------------------------------------------------------------------------


async def test_a_user_comments_and_both_counters_go_up(
    photos: InMemoryPhotoRepository,
    comments: InMemoryCommentRepository,
    clock: FixedClock,
    uow: FakeUnitOfWork,
    photo: Photo,
    bob: User,
) -> None:
    comment_id = await AddComment(photos, comments, clock, uow)(bob, photo.id, "  nice  ")

    assert comments.comments[comment_id] == Comment(comment_id, photo.id, bob.id, "nice", START, START)
    assert (comments.per_photo[photo.id], comments.per_author[bob.id]) == (1, 1)
    assert uow.commits == 1


async def test_commenting_on_an_unknown_photo_is_not_found_and_stores_nothing(
    photos: InMemoryPhotoRepository,
    comments: InMemoryCommentRepository,
    clock: FixedClock,
    uow: FakeUnitOfWork,
    bob: User,
) -> None:
    with pytest.raises(NotFound):
        await AddComment(photos, comments, clock, uow)(bob, uuid.uuid4(), "hello")
    assert (comments.comments, uow.commits) == ({}, 0)


async def test_blank_comment_text_is_invalid_and_stores_nothing(
    photos: InMemoryPhotoRepository,
    comments: InMemoryCommentRepository,
    clock: FixedClock,
    uow: FakeUnitOfWork,
    photo: Photo,
    bob: User,
) -> None:
    with pytest.raises(InvalidInput):
        await AddComment(photos, comments, clock, uow)(bob, photo.id, "   ")
    assert (comments.comments, uow.commits) == ({}, 0)


# --- EditComment ----------------------------------------------------------------------------------


async def test_the_author_edits_updated_at_moves_created_at_stays(
    photos: InMemoryPhotoRepository,
    comments: InMemoryCommentRepository,
    clock: FixedClock,
    uow: FakeUnitOfWork,
    bobs_comment: Comment,
    bob: User,
) -> None:
    clock.advance(60)

    await EditComment(photos, comments, clock, uow)(bob, bobs_comment.id, "hello again")

    edited = comments.comments[bobs_comment.id]
    assert (edited.text, edited.created_at, edited.updated_at, edited.author_id) == (
        "hello again",
        START,
        clock.now(),
        bob.id,
    )
    assert uow.commits == 1


@pytest.mark.parametrize("editor", ["owner", "moderator", "admin"])
async def test_nobody_else_edits_a_comment_and_it_stays_as_it_was(
    photos: InMemoryPhotoRepository,
    comments: InMemoryCommentRepository,
    clock: FixedClock,
    uow: FakeUnitOfWork,
    bobs_comment: Comment,
    editor: str,
    request: pytest.FixtureRequest,
) -> None:
    with pytest.raises(Forbidden):
        await EditComment(photos, comments, clock, uow)(
            request.getfixturevalue(editor), bobs_comment.id, "mine now"
        )
    assert (comments.comments[bobs_comment.id], uow.commits) == (bobs_comment, 0)


async def test_editing_an_unknown_comment_is_not_found(
    photos: InMemoryPhotoRepository,
    comments: InMemoryCommentRepository,
    clock: FixedClock,
    uow: FakeUnitOfWork,
    bob: User,
) -> None:
    with pytest.raises(NotFound):
        await EditComment(photos, comments, clock, uow)(bob, uuid.uuid4(), "text")
    assert uow.commits == 0


# --- DeleteComment --------------------------------------------------------------------------------


@pytest.mark.parametrize("staff", ["moderator", "admin"])
async def test_staff_delete_a_comment_and_both_counters_go_down(
    photos: InMemoryPhotoRepository,
    comments: InMemoryCommentRepository,
    uow: FakeUnitOfWork,
    bobs_comment: Comment,
    staff: str,
    request: pytest.FixtureRequest,
) -> None:
    await DeleteComment(photos, comments, uow)(request.getfixturevalue(staff), bobs_comment.id)

    assert bobs_comment.id not in comments.comments
    assert (comments.per_photo[bobs_comment.photo_id], comments.per_author[bobs_comment.author_id]) == (0, 0)
    assert uow.commits == 1


@pytest.mark.parametrize("who", ["bob", "owner"])
async def test_the_author_and_other_users_may_not_delete_a_comment(
    photos: InMemoryPhotoRepository,
    comments: InMemoryCommentRepository,
    uow: FakeUnitOfWork,
    bobs_comment: Comment,
    who: str,
    request: pytest.FixtureRequest,
) -> None:
    with pytest.raises(Forbidden):
        await DeleteComment(photos, comments, uow)(request.getfixturevalue(who), bobs_comment.id)
    assert (bobs_comment.id in comments.comments, uow.commits) == (True, 0)


async def test_deleting_an_unknown_comment_is_not_found(
    photos: InMemoryPhotoRepository, comments: InMemoryCommentRepository, uow: FakeUnitOfWork, moderator: User
) -> None:
    with pytest.raises(NotFound):
        await DeleteComment(photos, comments, uow)(moderator, uuid.uuid4())
    assert uow.commits == 0


# --- RatePhoto ------------------------------------------------------------------------------------


async def test_a_user_rates_someone_elses_photo_and_the_summary_counts_it(
    photos: InMemoryPhotoRepository,
    ratings: InMemoryRatingRepository,
    clock: FixedClock,
    uow: FakeUnitOfWork,
    photo: Photo,
    bob: User,
) -> None:
    created = await RatePhoto(photos, ratings, clock, uow)(bob, photo.id, 4)

    assert created == RatingCreated(photo_id=photo.id, value=4, created_at=START)
    assert ratings.summaries[photo.id] == RatingSummary(count=1, total=4)
    assert uow.commits == 1


async def test_the_owner_may_not_rate_their_photo(
    photos: InMemoryPhotoRepository,
    ratings: InMemoryRatingRepository,
    clock: FixedClock,
    uow: FakeUnitOfWork,
    photo: Photo,
    owner: User,
) -> None:
    with pytest.raises(Forbidden):
        await RatePhoto(photos, ratings, clock, uow)(owner, photo.id, 5)
    assert (ratings.ratings, uow.commits) == ({}, 0)


async def test_a_second_rating_by_the_same_user_is_a_conflict_and_the_first_stands(
    photos: InMemoryPhotoRepository,
    ratings: InMemoryRatingRepository,
    clock: FixedClock,
    uow: FakeUnitOfWork,
    photo: Photo,
    bob: User,
) -> None:
    rate = RatePhoto(photos, ratings, clock, uow)
    await rate(bob, photo.id, 4)

    with pytest.raises(Conflict):
        await rate(bob, photo.id, 1)

    assert ratings.summaries[photo.id] == RatingSummary(count=1, total=4)
    assert uow.commits == 1


@pytest.mark.parametrize("value", [0, 6, True])
async def test_a_value_outside_1_to_5_is_invalid(
    photos: InMemoryPhotoRepository,
    ratings: InMemoryRatingRepository,
    clock: FixedClock,
    uow: FakeUnitOfWork,
    photo: Photo,
    bob: User,
    value: int,
) -> None:
    with pytest.raises(InvalidInput):
        await RatePhoto(photos, ratings, clock, uow)(bob, photo.id, value)
    assert uow.commits == 0


async def test_rating_an_unknown_photo_is_not_found(
    photos: InMemoryPhotoRepository,
    ratings: InMemoryRatingRepository,
    clock: FixedClock,
    uow: FakeUnitOfWork,
    bob: User,
) -> None:
    with pytest.raises(NotFound):
        await RatePhoto(photos, ratings, clock, uow)(bob, uuid.uuid4(), 3)
    assert uow.commits == 0


# --- DeleteRating ---------------------------------------------------------------------------------


@pytest.fixture
def users(owner: User, bob: User, moderator: User, admin: User) -> InMemoryUserRepository:
    return InMemoryUserRepository(admin, owner, bob, moderator)


@pytest.fixture
async def bob_rated(
    photos: InMemoryPhotoRepository,
    ratings: InMemoryRatingRepository,
    clock: FixedClock,
    photo: Photo,
    bob: User,
) -> None:
    await RatePhoto(photos, ratings, clock, FakeUnitOfWork())(bob, photo.id, 2)


@pytest.mark.usefixtures("bob_rated")
@pytest.mark.parametrize("staff", ["moderator", "admin"])
async def test_staff_delete_a_rating_by_username_and_the_summary_follows(
    photos: InMemoryPhotoRepository,
    users: InMemoryUserRepository,
    ratings: InMemoryRatingRepository,
    uow: FakeUnitOfWork,
    photo: Photo,
    staff: str,
    request: pytest.FixtureRequest,
) -> None:
    await DeleteRating(photos, users, ratings, uow)(request.getfixturevalue(staff), photo.id, "BOB")

    assert ratings.ratings == {}
    assert ratings.summaries[photo.id] == RatingSummary()
    assert uow.commits == 1


@pytest.mark.usefixtures("bob_rated")
@pytest.mark.parametrize("who", ["bob", "owner"])
async def test_users_who_are_not_staff_may_not_delete_ratings(
    photos: InMemoryPhotoRepository,
    users: InMemoryUserRepository,
    ratings: InMemoryRatingRepository,
    uow: FakeUnitOfWork,
    photo: Photo,
    who: str,
    request: pytest.FixtureRequest,
) -> None:
    with pytest.raises(Forbidden):
        await DeleteRating(photos, users, ratings, uow)(request.getfixturevalue(who), photo.id, "bob")
    assert (len(ratings.ratings), uow.commits) == (1, 0)


@pytest.mark.usefixtures("bob_rated")
@pytest.mark.parametrize(("photo_known", "username"), [(True, "owner"), (True, "ghost"), (False, "bob")])
async def test_deleting_a_rating_that_does_not_exist_is_not_found(
    photos: InMemoryPhotoRepository,
    users: InMemoryUserRepository,
    ratings: InMemoryRatingRepository,
    uow: FakeUnitOfWork,
    photo: Photo,
    moderator: User,
    photo_known: bool,
    username: str,
) -> None:
    photo_id = photo.id if photo_known else uuid.uuid4()
    with pytest.raises(NotFound):
        await DeleteRating(photos, users, ratings, uow)(moderator, photo_id, username)
    assert (len(ratings.ratings), uow.commits) == (1, 0)
