"""Transformed links against in-memory fakes: unguessable slugs, ownership, addresses, lookups."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest

from photoshare.application.links import (
    CreateLink,
    DeleteLink,
    GetLink,
    LinkViews,
    ListLinks,
    PublicAddresses,
    RenderBudget,
    RenderQr,
    ResolveLink,
)
from photoshare.application.readmodels import LinkView
from photoshare.config import Settings
from photoshare.domain.errors import Forbidden, InvalidInput, NotFound
from photoshare.domain.photos import Photo
from photoshare.domain.users import Role, User
from tests.unit.factories import UserFactory
from tests.unit.fakes import (
    FakeQrRenderer,
    FixedClock,
    InMemoryImageStore,
    InMemoryLinkRepository,
    InMemoryPhotoRepository,
    JournaledUnitOfWork,
)

BASE = "https://photos.example.org"
SLUG = re.compile(r"[A-Za-z0-9_-]{11,}")
GREY = {"width": 300, "height": 200, "crop": "fill", "effect": "grayscale"}
NOW = datetime(2025, 1, 1, tzinfo=UTC)
BUDGET = Settings().max_image_pixels


@dataclass
class World:
    owner: User
    photo: Photo
    photos: InMemoryPhotoRepository
    links: InMemoryLinkRepository
    store: InMemoryImageStore
    uow: JournaledUnitOfWork
    journal: list[str]

    @property
    def views(self) -> LinkViews:
        return LinkViews(self.store, PublicAddresses(BASE))

    @property
    def create(self) -> Callable[[User, uuid.UUID, Mapping[str, object]], Awaitable[LinkView]]:
        """Create, then show what was created, as the route does."""
        create = CreateLink(
            self.photos, self.links, self.views, RenderBudget(BUDGET), FixedClock(NOW), self.uow
        )
        get = GetLink(self.photos, self.links, self.views)

        async def create_and_show(by: User, photo_id: uuid.UUID, options: Mapping[str, object]) -> LinkView:
            return await get(by, photo_id, await create(by, photo_id, options))

        return create_and_show

    @property
    def list_links(self) -> ListLinks:
        return ListLinks(self.photos, self.links, self.views)

    @property
    def delete(self) -> DeleteLink:
        return DeleteLink(self.photos, self.links, self.uow)


def a_photo(owner: User) -> Photo:
    photo_id = uuid.uuid4()
    return Photo(photo_id, owner.id, f"{photo_id}.jpg", "image/jpeg", 800, 600, "", (), NOW, NOW)


@pytest.fixture
def world() -> World:
    owner = UserFactory.build()
    photo = a_photo(owner)
    journal: list[str] = []
    photos = InMemoryPhotoRepository(photo)
    return World(
        owner=owner,
        photo=photo,
        photos=photos,
        links=InMemoryLinkRepository(photos),
        store=InMemoryImageStore(),
        uow=JournaledUnitOfWork(journal),
        journal=journal,
    )


# --- create ---------------------------------------------------------------------------------------


async def test_create_builds_every_address_from_the_public_base_url(world: World) -> None:
    view = await world.create(world.owner, world.photo.id, GREY)

    assert SLUG.fullmatch(view.slug)
    assert view.photo_id == world.photo.id
    assert view.link == f"{BASE}/t/{view.slug}"
    assert view.qr_url == f"{BASE}/api/links/{view.slug}/qr"
    assert view.url == f"https://img.test/t/c_fill,e_grayscale,h_200,w_300/{world.photo.image_key}"
    assert view.transformation == GREY
    assert view.created_at == NOW
    assert world.journal == ["commit"]
    assert [link.id for link in world.links.links.values()] == [view.id]


async def test_slugs_are_url_safe_and_carry_at_least_64_random_bits(world: World) -> None:
    slugs = [(await world.create(world.owner, world.photo.id, {"width": 10})).slug for _ in range(1000)]

    assert all(SLUG.fullmatch(s) for s in slugs)
    assert len(set(slugs)) == 1000
    # 64 bits need 11 base64url characters; the alphabet actually used should be the full one.
    assert min(len(s) for s in slugs) >= 11
    assert len(set("".join(slugs))) > 60


async def test_admin_may_create_a_link_on_anyones_photo(world: World) -> None:
    view = await world.create(UserFactory.build(role=Role.ADMIN), world.photo.id, {"angle": 90})

    assert view.transformation == {"angle": 90}


@pytest.mark.parametrize("role", [Role.USER, Role.MODERATOR])
async def test_non_owner_may_not_create_a_link(world: World, role: Role) -> None:
    with pytest.raises(Forbidden):
        await world.create(UserFactory.build(role=role), world.photo.id, {"width": 10})

    assert world.links.links == {}
    assert world.journal == []


async def test_invalid_transformation_is_refused_and_nothing_is_stored(world: World) -> None:
    with pytest.raises(InvalidInput):
        await world.create(world.owner, world.photo.id, {"width": 10, "opacity": 3})

    assert world.links.links == {}


@pytest.mark.parametrize(
    ("size", "options"),
    [
        ((1, 70_000), {"format": "jpg"}),  # taller than JPEG can be
        ((20_000, 1), {"format": "webp"}),  # wider than WebP can be
        ((17_000, 1), {"effect": "grayscale", "format": "webp"}),
        ((6_000, 6_000), {"effect": "sharpen", "angle": -17, "format": "webp"}),  # over the budget
    ],
)
async def test_a_link_whose_image_cannot_be_rendered_is_refused_at_creation(
    world: World, size: tuple[int, int], options: dict[str, object]
) -> None:
    width, height = size
    photo = replace(a_photo(world.owner), width=width, height=height, image_key=f"{uuid.uuid4()}.png")
    world.photos.photos[photo.id] = photo

    with pytest.raises(InvalidInput) as refused:
        await world.create(world.owner, photo.id, options)

    assert refused.value.field == "transformation"
    assert world.links.links == {}
    assert world.journal == []


async def test_the_output_format_is_the_originals_without_a_format_option(world: World) -> None:
    wide = replace(a_photo(world.owner), width=20_000, height=1)  # a JPEG original: 20000 px is fine
    world.photos.photos[wide.id] = wide

    view = await world.create(world.owner, wide.id, {"effect": "grayscale"})

    assert view.transformation == {"effect": "grayscale"}
    with pytest.raises(InvalidInput):  # the same picture as WebP is not
        await world.create(world.owner, wide.id, {"effect": "grayscale", "format": "webp"})


async def test_link_on_unknown_photo_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        await world.create(world.owner, uuid.uuid4(), {"width": 10})


# --- list and delete ------------------------------------------------------------------------------


async def test_list_shows_only_this_photos_links_to_owner_and_admin(world: World) -> None:
    other_photo = a_photo(world.owner)
    world.photos.photos[other_photo.id] = other_photo
    mine = await world.create(world.owner, world.photo.id, {"width": 10})
    await world.create(world.owner, other_photo.id, {"width": 20})

    assert [v.id for v in await world.list_links(world.owner, world.photo.id)] == [mine.id]
    assert [v.id for v in await world.list_links(UserFactory.build(role=Role.ADMIN), world.photo.id)] == [
        mine.id
    ]
    with pytest.raises(Forbidden):
        await world.list_links(UserFactory.build(), world.photo.id)


async def test_delete_removes_the_link_and_commits(world: World) -> None:
    view = await world.create(world.owner, world.photo.id, {"width": 10})
    world.journal.clear()

    await world.delete(world.owner, world.photo.id, view.id)

    assert world.links.links == {}
    assert world.journal == ["commit"]


async def test_deleting_a_link_through_another_photo_is_not_found(world: World) -> None:
    other_photo = a_photo(world.owner)
    world.photos.photos[other_photo.id] = other_photo
    view = await world.create(world.owner, world.photo.id, {"width": 10})

    with pytest.raises(NotFound):
        await world.delete(world.owner, other_photo.id, view.id)

    assert view.id in world.links.links


async def test_deleting_an_unknown_link_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        await world.delete(world.owner, world.photo.id, uuid.uuid4())


async def test_stranger_may_not_delete_a_link(world: World) -> None:
    view = await world.create(world.owner, world.photo.id, {"width": 10})

    with pytest.raises(Forbidden):
        await world.delete(UserFactory.build(), world.photo.id, view.id)

    assert view.id in world.links.links


# --- resolve and QR -------------------------------------------------------------------------------


async def test_resolve_leads_to_the_transformed_image(world: World) -> None:
    view = await world.create(world.owner, world.photo.id, GREY)

    assert await ResolveLink(world.links, world.store)(view.slug) == view.url


async def test_resolving_an_unknown_slug_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        await ResolveLink(world.links, world.store)("AAAAAAAAAAAAAAAA")


async def test_qr_encodes_the_absolute_short_link(world: World) -> None:
    view = await world.create(world.owner, world.photo.id, GREY)
    render = RenderQr(world.links, FakeQrRenderer(), PublicAddresses(BASE))

    assert await render(view.slug, "png") == b"png:" + view.link.encode()
    assert await render(view.slug, "svg") == b"svg:" + view.link.encode()
    with pytest.raises(NotFound):
        await render("AAAAAAAAAAAAAAAA", "png")
