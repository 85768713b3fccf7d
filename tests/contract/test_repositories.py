"""The repository ports' contract, asserted alike on the fakes and on the SQL adapters.

Each test states what a port promises (its docstring in application/ports.py) and runs
once per `backend` (see conftest.py): adds and reads, a missing row, uniqueness, the
counters a write keeps, the order of lists, deletes. Token revocations also run on Valkey.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from photoshare.application.ports.accounts import RefreshOutcome, TokenClaims, TokenRevocations, TokenType
from photoshare.domain.access import Visibility
from photoshare.domain.accounts import PersonalToken, Scope
from photoshare.domain.comments import Comment
from photoshare.domain.errors import Conflict, NotFound
from photoshare.domain.links import Link
from photoshare.domain.photos import Photo
from photoshare.domain.ratings import Rating, RatingSummary
from photoshare.domain.transformations import Transformation
from photoshare.domain.users import Role, User
from tests.contract.conftest import Backend, HolderStores

NOW = datetime.now(UTC).replace(microsecond=0)
SMALL = Transformation.from_mapping({"width": 100, "height": 80, "crop": "fill"})
ROUND = Transformation.from_mapping({"width": 100, "height": 80, "radius": "max"})


def a_user(username: str, email: str | None = None, **changes: Any) -> User:
    fields: dict[str, Any] = {
        "id": uuid.uuid4(),
        "username": username,
        "email": email or f"{username}@example.org",
        "password_hash": "hash",
        "role": Role.USER,
        "is_active": True,
        "created_at": NOW,
    }
    return User(**(fields | changes))


async def stored_user(backend: Backend, username: str, email: str | None = None) -> User:
    async with backend.unit() as repos:
        return await repos.users.add(a_user(username, email))


async def stored_photo(backend: Backend, owner: User, **changes: Any) -> Photo:
    photo_id = uuid.uuid4()
    fields: dict[str, Any] = {
        "id": photo_id,
        "owner_id": owner.id,
        "image_key": f"photos/{photo_id.hex}.png",
        "content_type": "image/png",
        "width": 640,
        "height": 480,
        "description": "a photo",
        "tags": ("sea", "sunset"),
        "created_at": NOW,
        "updated_at": NOW,
    }
    photo = Photo(**(fields | changes))
    async with backend.unit() as repos:
        await repos.photos.add(photo)
    return photo


def a_link(photo: Photo, slug: str, transformation: Transformation = SMALL, at: datetime = NOW) -> Link:
    return Link(id=uuid.uuid4(), photo_id=photo.id, slug=slug, transformation=transformation, created_at=at)


def a_comment(photo: Photo, author: User, text: str = "nice") -> Comment:
    return Comment(uuid.uuid4(), photo.id, author.id, text, NOW, NOW)


def claims(user: User, family: str, expires_at: datetime | None = None) -> TokenClaims:
    return TokenClaims(
        subject=user.id,
        token_id=uuid.uuid4().hex,
        token_type=TokenType.REFRESH,
        issued_at=NOW,
        expires_at=expires_at or NOW + timedelta(days=1),
        version=0,
        family=family,
    )


# --- users ---------------------------------------------------------------------------------------


async def test_users_are_stored_as_given_and_the_first_one_is_admin(backend: Backend) -> None:
    first = await stored_user(backend, "alice")
    second = await stored_user(backend, "bob")
    async with backend.unit() as repos:
        found = await repos.accounts.get(second.id)
        missing = await repos.accounts.get(uuid.uuid4())
    assert (first.role, second.role) == (Role.ADMIN, Role.USER)
    assert found == second
    assert missing is None


@pytest.mark.parametrize(
    ("username", "email", "field"),
    [("ALICE", "other@example.org", "username"), ("other", "ALICE@Example.org", "email")],
)
async def test_usernames_and_emails_are_unique_ignoring_case(
    backend: Backend, username: str, email: str, field: str
) -> None:
    await stored_user(backend, "alice", "alice@example.org")
    with pytest.raises(Conflict) as caught:
        await stored_user(backend, username, email)
    assert caught.value.field == field


async def test_lookups_by_username_login_and_lock_ignore_case(backend: Backend) -> None:
    alice = await stored_user(backend, "Alice", "Alice@Example.org")
    async with backend.unit() as repos:
        found = [
            await repos.users.get_by_username("aLICE"),
            await repos.accounts.get_by_login("ALICE"),
            await repos.accounts.get_by_login("alice@example.ORG"),
            await repos.users.lock_by_username("ALICE"),
        ]
        missing = [
            await repos.users.get_by_username("bob"),
            await repos.accounts.get_by_login("bob@example.org"),
            await repos.users.lock_by_username("bob"),
        ]
    assert found == [alice] * 4
    assert missing == [None] * 3


async def test_account_lookups_by_email_ignore_case(backend: Backend) -> None:
    alice = await stored_user(backend, "alice", "Alice@Example.org")
    async with backend.unit() as repos:
        found = await repos.accounts.get_by_email("aLICE@example.ORG")
        missing = await repos.accounts.get_by_email("bob@example.org")
    assert (found, missing) == (alice, None)


async def test_personal_tokens_are_found_by_hash_until_deleted(backend: Backend) -> None:
    alice = await stored_user(backend, "alice")
    token = PersonalToken(
        id=uuid.uuid4(),
        user_id=alice.id,
        name="ci",
        token_hash="a" * 64,
        scopes=frozenset({Scope.READ, Scope.WRITE}),
        created_at=NOW,
        expires_at=NOW + timedelta(days=30),
        token_version=2,
    )
    async with backend.unit() as repos:
        await repos.personal_tokens.add(token)
    async with backend.unit() as repos:
        assert await repos.personal_token_lookups.get_by_hash("a" * 64) == token
        assert await repos.personal_token_lookups.get_by_hash("b" * 64) is None
        assert list(await repos.personal_tokens.list_for(alice.id)) == [token]
        assert not await repos.personal_tokens.delete(uuid.uuid4(), token.id)  # not the owner
        assert await repos.personal_tokens.delete(alice.id, token.id)
    async with backend.unit() as repos:
        assert await repos.personal_token_lookups.get_by_hash("a" * 64) is None


async def test_each_update_writes_only_its_own_fields(backend: Backend) -> None:
    await stored_user(backend, "alice")
    bob = await stored_user(backend, "bob")
    changed = replace(
        bob,
        username="robert",
        email="bobby@example.org",
        password_hash="other",
        role=Role.MODERATOR,
        is_active=False,
        full_name="Bob",
        bio="bio",
        token_version=3,
    )
    async with backend.unit() as repos:
        await repos.users.update_profile(changed)
    async with backend.unit() as repos:
        after_profile = await repos.accounts.get(bob.id)
        await repos.users.update_access(changed)
    async with backend.unit() as repos:
        after_access = await repos.accounts.get(bob.id)
        await repos.users.update_password_hash(bob.id, "new-hash")
    async with backend.unit() as repos:
        after_hash = await repos.accounts.get(bob.id)
    profile = replace(bob, email="bobby@example.org", full_name="Bob", bio="bio")
    access = replace(profile, role=Role.MODERATOR, is_active=False, token_version=3)
    assert (after_profile, after_access, after_hash) == (
        profile,
        access,
        replace(access, password_hash="new-hash"),
    )


async def test_a_profile_update_to_a_taken_email_is_a_conflict_on_email(backend: Backend) -> None:
    await stored_user(backend, "alice", "alice@example.org")
    bob = await stored_user(backend, "bob")
    with pytest.raises(Conflict) as caught:
        async with backend.unit() as repos:
            await repos.users.update_profile(replace(bob, email="Alice@EXAMPLE.org"))
    assert caught.value.field == "email"


# --- photos and links ----------------------------------------------------------------------------


async def test_photos_round_trip_update_and_delete(backend: Backend) -> None:
    owner = await stored_user(backend, "alice")
    photo = await stored_photo(backend, owner)
    edited = replace(photo, description="edited", tags=("forest",), updated_at=NOW + timedelta(minutes=5))
    async with backend.unit() as repos:
        assert await repos.photo_lookups.get(photo.id) == photo
        assert await repos.photo_lookups.get(uuid.uuid4()) is None
        await repos.photos.update(edited)
    async with backend.unit() as repos:
        assert await repos.photo_lookups.get(photo.id) == edited
        await repos.photos.delete(photo.id)
        await repos.photos.delete(uuid.uuid4())  # a missing photo is no error
    async with backend.unit() as repos:
        assert await repos.photo_lookups.get(photo.id) is None


async def test_links_are_found_by_id_and_slug_with_their_image_key(backend: Backend) -> None:
    owner = await stored_user(backend, "alice")
    photo = await stored_photo(backend, owner)
    link = a_link(photo, "abc123")
    async with backend.unit() as repos:
        await repos.links.add(link)
    async with backend.unit() as repos:
        assert await repos.links.get(link.id) == link
        assert await repos.links.get(uuid.uuid4()) is None
        assert await repos.link_lookups.get_by_slug("abc123") == (link, photo.image_key, Visibility.PUBLIC)
        assert await repos.link_lookups.get_by_slug("nope") is None
        assert await repos.link_lookups.exists_for_image(photo.image_key, SMALL)
        assert not await repos.link_lookups.exists_for_image(photo.image_key, ROUND)
        assert not await repos.link_lookups.exists_for_image("photos/other.png", SMALL)
        await repos.links.delete(link.id)
    async with backend.unit() as repos:
        assert await repos.links.get(link.id) is None
        assert await repos.link_lookups.get_by_slug("abc123") is None
        assert not await repos.link_lookups.exists_for_image(photo.image_key, SMALL)


async def test_a_photos_links_are_listed_oldest_first_then_by_id(backend: Backend) -> None:
    owner = await stored_user(backend, "alice")
    photo, other = await stored_photo(backend, owner), await stored_photo(backend, owner)
    later = a_link(photo, "later", at=NOW + timedelta(seconds=2))
    tied = sorted([a_link(photo, "tie-a", at=NOW), a_link(photo, "tie-b", at=NOW)], key=lambda x: x.id)
    async with backend.unit() as repos:
        for link in (later, tied[1], a_link(other, "elsewhere"), tied[0]):
            await repos.links.add(link)
    async with backend.unit() as repos:
        listed = list(await repos.links.list_for_photo(photo.id))
        assert list(await repos.links.list_for_photo(uuid.uuid4())) == []
    assert listed == [*tied, later]


# --- comments and ratings ------------------------------------------------------------------------


async def test_comments_keep_the_photo_and_author_counters(backend: Backend) -> None:
    owner, author = await stored_user(backend, "alice"), await stored_user(backend, "bob")
    photo = await stored_photo(backend, owner)
    first, second = a_comment(photo, author), a_comment(photo, author, "again")
    async with backend.unit() as repos:
        await repos.comments.add(first)
        await repos.comments.add(second)
    assert await backend.comment_counts(photo.id, author.id) == (2, 2)
    edited = replace(first, text="edited", updated_at=NOW + timedelta(minutes=1))
    async with backend.unit() as repos:
        assert await repos.comments.get(first.id) == first
        assert await repos.comments.get(uuid.uuid4()) is None
        await repos.comments.update(edited)
    async with backend.unit() as repos:
        assert await repos.comments.get(first.id) == edited
        assert await repos.comments.delete(first) is True
    async with backend.unit() as repos:
        assert await repos.comments.delete(first) is False  # already gone: nothing changes
        assert await repos.comments.get(first.id) is None
    assert await backend.comment_counts(photo.id, author.id) == (1, 1)


async def test_a_comment_on_a_photo_that_is_gone_is_not_found(backend: Backend) -> None:
    owner = await stored_user(backend, "alice")
    photo = await stored_photo(backend, owner)
    async with backend.unit() as repos:
        await repos.photos.delete(photo.id)
    with pytest.raises(NotFound):
        async with backend.unit() as repos:
            await repos.comments.add(a_comment(photo, owner))


async def test_ratings_keep_the_summary_and_one_per_user(backend: Backend) -> None:
    owner, bob, carol = [await stored_user(backend, n) for n in ("alice", "bob", "carol")]
    photo = await stored_photo(backend, owner)
    async with backend.unit() as repos:
        after_bob = await repos.ratings.add(Rating(photo.id, bob.id, 4, NOW))
        after_carol = await repos.ratings.add(Rating(photo.id, carol.id, 5, NOW))
    with pytest.raises(Conflict):
        async with backend.unit() as repos:
            await repos.ratings.add(Rating(photo.id, bob.id, 1, NOW))
    async with backend.unit() as repos:
        after_delete = await repos.ratings.delete(photo.id, bob.id)
        again = await repos.ratings.delete(photo.id, bob.id)
        never = await repos.ratings.delete(photo.id, owner.id)
    assert (after_bob, after_carol, after_delete) == (
        RatingSummary(1, 4),
        RatingSummary(2, 9),
        RatingSummary(1, 5),
    )
    assert (again, never) == (None, None)


async def test_rating_a_photo_that_is_gone_is_not_found(backend: Backend) -> None:
    owner, bob = await stored_user(backend, "alice"), await stored_user(backend, "bob")
    photo = await stored_photo(backend, owner)
    async with backend.unit() as repos:
        await repos.photos.delete(photo.id)
    with pytest.raises(NotFound):
        async with backend.unit() as repos:
            await repos.ratings.add(Rating(photo.id, bob.id, 3, NOW))
    async with backend.unit() as repos:
        assert await repos.ratings.delete(photo.id, bob.id) is None


# --- tokens --------------------------------------------------------------------------------------


async def test_a_refresh_token_is_spent_exactly_once(backend: Backend) -> None:
    alice = await stored_user(backend, "alice")
    token = claims(alice, "fam")
    async with backend.unit() as repos:
        await repos.refresh_tokens.add(token)
    async with backend.unit() as repos:
        outcomes = [
            await repos.refresh_tokens.spend(token.token_id),
            await repos.refresh_tokens.spend(token.token_id),
            await repos.refresh_tokens.spend("never-issued"),
        ]
    assert outcomes == [RefreshOutcome.SPENT_NOW, RefreshOutcome.ALREADY_SPENT, RefreshOutcome.UNKNOWN]


async def test_revoking_a_family_spends_its_tokens_and_no_others(backend: Backend) -> None:
    alice = await stored_user(backend, "alice")
    mine, sibling, other = claims(alice, "fam"), claims(alice, "fam"), claims(alice, "other")
    async with backend.unit() as repos:
        for c in (mine, sibling, other):
            await repos.refresh_tokens.add(c)
    async with backend.unit() as repos:
        await repos.refresh_tokens.revoke_family("fam")
    async with backend.unit() as repos:
        outcomes = [await repos.refresh_tokens.spend(c.token_id) for c in (mine, sibling, other)]
    assert outcomes == [RefreshOutcome.ALREADY_SPENT, RefreshOutcome.ALREADY_SPENT, RefreshOutcome.SPENT_NOW]


async def test_a_revocation_holds_until_the_token_would_have_expired(revocations: TokenRevocations) -> None:
    live, lapsed = uuid.uuid4().hex, uuid.uuid4().hex
    now = datetime.now(UTC)
    await revocations.revoke(live, now + timedelta(minutes=15))
    await revocations.revoke(lapsed, now - timedelta(seconds=1))
    answers = [
        await revocations.is_revoked(live),
        await revocations.is_revoked(lapsed),
        await revocations.is_revoked("never-revoked"),
    ]
    assert answers == [True, False, False]


async def test_a_revoked_family_refuses_its_tokens_and_keeps_the_later_expiry(
    revocations: TokenRevocations,
) -> None:
    now = datetime.now(UTC)
    await revocations.revoke_family("fam", now + timedelta(minutes=15))
    await revocations.revoke_family("fam", now - timedelta(seconds=1))  # earlier: the later one stays
    await revocations.revoke_family("lapsed", now - timedelta(seconds=1))
    await revocations.revoke("token", now - timedelta(seconds=1))
    await revocations.revoke("token", now + timedelta(minutes=15))  # later: extends it
    answers = [
        await revocations.is_revoked("any-token", "fam"),
        await revocations.is_revoked("any-token", "other"),
        await revocations.is_revoked("any-token", "lapsed"),
        await revocations.is_revoked("any-token"),
        await revocations.is_revoked("token", "other"),
    ]
    assert answers == [True, False, False, False, True]


async def test_a_token_holder_is_the_account_unless_the_token_or_its_family_is_revoked(
    holder_stores: HolderStores,
) -> None:
    alice = a_user("alice")
    await holder_stores.users.add(alice)
    await holder_stores.commit()
    now = datetime.now(UTC)
    await holder_stores.revocations.revoke("revoked-token", now + timedelta(minutes=15))
    await holder_stores.revocations.revoke("lapsed-token", now - timedelta(seconds=1))
    await holder_stores.revocations.revoke_family("ended", now + timedelta(minutes=15))
    ask = holder_stores.holders.holder
    answers = [
        await ask(alice.id, "fresh-token", "live"),
        await ask(alice.id, "lapsed-token", None),
        await ask(alice.id, "revoked-token", None),
        await ask(alice.id, "fresh-token", "ended"),
        await ask(uuid.uuid4(), "fresh-token", None),
    ]
    assert [(user.username if user else None, revoked) for user, revoked in answers] == [
        ("alice", False),
        ("alice", False),
        (None, True),
        (None, True),
        (None, False),
    ]
