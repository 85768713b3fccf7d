"""Album rules and use cases against the fakes: who may add which photo to which album."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from photoshare.application.albums import CreateAlbum, DeleteAlbum, EditAlbum, PutAlbumPhoto, RemoveAlbumPhoto
from photoshare.domain.access import Visibility
from photoshare.domain.albums import Album, ensure_may_add, validate_title
from photoshare.domain.errors import Forbidden, InvalidInput, NotFound
from photoshare.domain.photos import Photo
from photoshare.domain.users import Role, User
from tests.unit.factories import UserFactory
from tests.unit.fakes import FakeUnitOfWork, FixedClock, InMemoryAlbumRepository, InMemoryPhotoRepository

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def _album(owner: User, visibility: Visibility = Visibility.PUBLIC) -> Album:
    return Album(uuid.uuid4(), owner.id, "Trip", "", visibility, None, NOW, NOW)


def _photo(owner: User, visibility: Visibility = Visibility.PUBLIC) -> Photo:
    return Photo(uuid.uuid4(), owner.id, "k.jpg", "image/jpeg", 1, 1, "", (), NOW, NOW, visibility)


def test_titles_are_trimmed_and_bounded() -> None:
    assert validate_title("  Summer ") == "Summer"
    for bad in ("", "   ", "x" * 201):
        with pytest.raises(InvalidInput):
            validate_title(bad)


def test_the_owner_adds_own_photos_and_admins_add_any() -> None:
    alice, bob = UserFactory.build(), UserFactory.build()
    admin = UserFactory.build(role=Role.ADMIN)
    album = _album(alice)
    ensure_may_add(album, _photo(alice), alice)
    ensure_may_add(album, _photo(bob), admin)
    with pytest.raises(Forbidden):
        ensure_may_add(album, _photo(bob), alice)  # someone else's photo
    with pytest.raises(Forbidden):
        ensure_may_add(album, _photo(bob), bob)  # someone else's album
    with pytest.raises(Forbidden):
        ensure_may_add(album, _photo(bob), UserFactory.build(role=Role.MODERATOR))


async def test_placing_photos_is_ordered_and_idempotent() -> None:
    alice = UserFactory.build()
    album = _album(alice)
    a, b = _photo(alice), _photo(alice)
    albums, photos = InMemoryAlbumRepository(album), InMemoryPhotoRepository(a, b)
    put = PutAlbumPhoto(albums, photos, FixedClock(NOW), FakeUnitOfWork())
    await put(alice, album.id, a.id, None)
    await put(alice, album.id, b.id, None)
    await put(alice, album.id, a.id, None)
    assert albums.order[album.id] == [a.id, b.id]
    await put(alice, album.id, b.id, 0)
    assert albums.order[album.id] == [b.id, a.id]


async def test_a_private_album_or_photo_of_someone_else_is_unknown() -> None:
    alice, bob = UserFactory.build(), UserFactory.build()
    hidden = _album(alice, Visibility.PRIVATE)
    albums = InMemoryAlbumRepository(hidden)
    with pytest.raises(NotFound):
        await EditAlbum(albums, FixedClock(NOW), FakeUnitOfWork())(bob, hidden.id, title="mine")
    with pytest.raises(NotFound):
        await DeleteAlbum(albums, FakeUnitOfWork())(bob, hidden.id)
    open_album, private_photo = _album(bob), _photo(alice, Visibility.PRIVATE)
    albums = InMemoryAlbumRepository(open_album)
    put = PutAlbumPhoto(albums, InMemoryPhotoRepository(private_photo), FixedClock(NOW), FakeUnitOfWork())
    with pytest.raises(NotFound):
        await put(bob, open_album.id, private_photo.id, None)


async def test_the_cover_must_be_one_of_the_albums_photos() -> None:
    alice = UserFactory.build()
    albums = InMemoryAlbumRepository()
    uow = FakeUnitOfWork()
    album_id = await CreateAlbum(albums, FixedClock(NOW), uow)(alice, "Trip", None)
    photo = _photo(alice)
    edit = EditAlbum(albums, FixedClock(NOW), uow)
    with pytest.raises(InvalidInput):
        await edit(alice, album_id, cover_photo_id=photo.id)
    await PutAlbumPhoto(albums, InMemoryPhotoRepository(photo), FixedClock(NOW), uow)(
        alice, album_id, photo.id, None
    )
    await edit(alice, album_id, cover_photo_id=photo.id)
    assert albums.albums[album_id].cover_photo_id == photo.id
    await edit(alice, album_id, cover_photo_id=None)
    assert albums.albums[album_id].cover_photo_id is None
    await RemoveAlbumPhoto(albums, uow)(alice, album_id, photo.id)
    with pytest.raises(NotFound):
        await RemoveAlbumPhoto(albums, uow)(alice, album_id, photo.id)
