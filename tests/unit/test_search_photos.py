"""SearchPhotos: anyone searches; only moderators and admins filter by uploader."""

from __future__ import annotations

import uuid

import pytest

from photoshare.application.photos import SearchPhotos
from photoshare.application.readmodels import PhotoPage, PhotoSearch, PhotoView
from photoshare.domain.access import VisibleTo
from photoshare.domain.errors import Forbidden
from photoshare.domain.users import Role, User
from tests.unit.factories import UserFactory


class RecordingPhotoQueries:
    """Answers an empty page and remembers what it was asked."""

    def __init__(self) -> None:
        self.searches: list[PhotoSearch] = []

    async def search(self, search: PhotoSearch) -> PhotoPage:
        self.searches.append(search)
        return PhotoPage(items=[], total=0, limit=search.limit, offset=search.offset)

    async def get(self, photo_id: uuid.UUID, to: VisibleTo) -> PhotoView:
        raise NotImplementedError

    async def existing_checksums(self, owner_id: uuid.UUID, checksums: list[str]) -> dict[str, uuid.UUID]:
        raise NotImplementedError

    async def of_user(self, username: str, to: VisibleTo, limit: int, offset: int) -> PhotoPage:
        raise NotImplementedError


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ADMIN])
async def test_staff_filter_by_uploader(role: Role) -> None:
    queries = RecordingPhotoQueries()
    await SearchPhotos(queries)(UserFactory.build(role=role), PhotoSearch(owner="alice"))
    assert [s.owner for s in queries.searches] == ["alice"]


@pytest.mark.parametrize("by", [None, UserFactory.build(role=Role.USER)])
async def test_anyone_else_filtering_by_uploader_is_forbidden_and_nothing_is_queried(by: User | None) -> None:
    queries = RecordingPhotoQueries()
    with pytest.raises(Forbidden):
        await SearchPhotos(queries)(by, PhotoSearch(owner="alice"))
    assert queries.searches == []


async def test_anyone_searches_without_an_owner_filter() -> None:
    queries = RecordingPhotoQueries()
    page = await SearchPhotos(queries)(None, PhotoSearch(tag="cats"))
    assert page.total == 0
    assert [s.tag for s in queries.searches] == ["cats"]
