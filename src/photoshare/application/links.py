"""Transformed links: a stored transformation of a photo, reachable by an unguessable slug."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from photoshare.application.photos import load_visible_photo
from photoshare.application.ports.common import Clock, UnitOfWork
from photoshare.application.ports.images import (
    ImageIndex,
    ImageRenderer,
    ImageStore,
    QrRenderer,
    RenderedImage,
    UrlSigner,
    variant_signed_as,
)
from photoshare.application.ports.photos import LinkLookups, LinkRepository, PhotoLookups
from photoshare.application.readmodels import LinkView
from photoshare.domain.errors import Forbidden, InvalidInput, NotFound
from photoshare.domain.links import Link
from photoshare.domain.photos import Photo, ensure_may_manage
from photoshare.domain.transformations import Size, Transformation, ensure_renderable
from photoshare.domain.users import User, is_avatar_file

SLUG_BYTES = 12  # 96 bits of randomness, 16 URL-safe characters


@dataclass(frozen=True, slots=True)
class PublicAddresses:
    """Absolute addresses clients and phones can open; the base comes from settings."""

    base_url: str

    def short_link(self, slug: str) -> str:
        return f"{self.base_url}/t/{slug}"

    def qr(self, slug: str) -> str:
        return f"{self.base_url}/api/links/{slug}/qr"

    def share(self, slug: str) -> str:
        return f"{self.base_url}/s/{slug}"

    def share_qr(self, slug: str) -> str:
        return f"{self.base_url}/api/shared/{slug}/qr"


@dataclass(frozen=True, slots=True)
class RenderBudget:
    """The most pixels one rendering may hold (the same budget an upload gets)."""

    max_pixels: int


async def managed_photo(photos: PhotoLookups, by: User, photo_id: uuid.UUID) -> Photo:
    """The photo, if `by` may see it and manage its links; else NotFound or Forbidden."""
    photo = await load_visible_photo(photos, photo_id, by)
    ensure_may_manage(photo, by)
    return photo


@dataclass(frozen=True, slots=True)
class LinkViews:
    """A link as its owner sees it: the image URL, the short link and its QR code's address."""

    store: ImageStore
    addresses: PublicAddresses

    def __call__(self, link: Link, photo: Photo) -> LinkView:
        return LinkView(
            id=link.id,
            photo_id=link.photo_id,
            slug=link.slug,
            url=self.store.transformed_url(
                photo.image_key, link.transformation, signed=photo.visibility.signed_urls
            ),
            link=self.addresses.short_link(link.slug),
            qr_url=self.addresses.qr(link.slug),
            transformation=link.transformation.as_dict(),
            created_at=link.created_at,
        )


async def load_link(links: LinkRepository, photo_id: uuid.UUID, link_id: uuid.UUID) -> Link:
    link = await links.get(link_id)
    if link is None or link.photo_id != photo_id:
        raise NotFound("no such link on this photo")
    return link


@dataclass(frozen=True, slots=True)
class CreateLink:
    """A link is handed out only if its image can be rendered: the photo's size is known, so
    an output too large for its format or for the pixel budget is refused now, not on every GET."""

    photos: PhotoLookups
    links: LinkRepository
    views: LinkViews
    budget: RenderBudget
    clock: Clock
    uow: UnitOfWork

    async def __call__(self, by: User, photo_id: uuid.UUID, options: Mapping[str, object]) -> uuid.UUID:
        transformation = Transformation.from_mapping(options)
        photo = await managed_photo(self.photos, by, photo_id)
        _, _, extension = photo.image_key.rpartition(".")
        ensure_renderable(
            transformation,
            Size(photo.width, photo.height),
            transformation.output_format(extension),
            self.budget.max_pixels,
        )
        link = Link(
            id=uuid.uuid4(),
            photo_id=photo.id,
            slug=secrets.token_urlsafe(SLUG_BYTES),
            transformation=transformation,
            created_at=self.clock.now(),
        )
        await self.links.add(link)
        await self.uow.commit()
        return link.id


@dataclass(frozen=True, slots=True)
class ListLinks:
    photos: PhotoLookups
    links: LinkRepository
    views: LinkViews

    async def __call__(self, by: User, photo_id: uuid.UUID) -> list[LinkView]:
        photo = await managed_photo(self.photos, by, photo_id)
        return [self.views(link, photo) for link in await self.links.list_for_photo(photo.id)]


@dataclass(frozen=True, slots=True)
class GetLink:
    photos: PhotoLookups
    links: LinkRepository
    views: LinkViews

    async def __call__(self, by: User, photo_id: uuid.UUID, link_id: uuid.UUID) -> LinkView:
        photo = await managed_photo(self.photos, by, photo_id)
        return self.views(await load_link(self.links, photo.id, link_id), photo)


@dataclass(frozen=True, slots=True)
class DeleteLink:
    photos: PhotoLookups
    links: LinkRepository
    uow: UnitOfWork

    async def __call__(self, by: User, photo_id: uuid.UUID, link_id: uuid.UUID) -> None:
        await managed_photo(self.photos, by, photo_id)
        link = await load_link(self.links, photo_id, link_id)
        await self.links.delete(link.id)
        await self.uow.commit()


@dataclass(frozen=True, slots=True)
class ResolveLink:
    """Where a short link leads: the transformed image's URL.

    A stored link is a capability its owner made to hand out: it keeps working when the
    photo turns private (with a freshly signed URL) until the link or the photo is deleted.
    """

    links: LinkLookups
    store: ImageStore

    async def __call__(self, slug: str) -> str:
        found = await self.links.get_by_slug(slug)
        if found is None:
            raise NotFound("no such link")
        link, image_key, visibility = found
        return self.store.transformed_url(image_key, link.transformation, signed=visibility.signed_urls)


@dataclass(frozen=True, slots=True)
class RenderQr:
    """The QR code of a short link, as PNG or SVG."""

    links: LinkLookups
    qr: QrRenderer
    addresses: PublicAddresses

    async def __call__(self, slug: str, fmt: str) -> bytes:
        if await self.links.get_by_slug(slug) is None:
            raise NotFound("no such link")
        text = self.addresses.short_link(slug)
        return self.qr.svg(text) if fmt == "svg" else self.qr.png(text)


@dataclass(frozen=True, slots=True)
class Signature:
    """The `expires` and `signature` of an image URL, as they came (either may be missing)."""

    expires: int | None = None
    value: str | None = None


@dataclass(frozen=True, slots=True)
class ImageGate:
    """Whether an image URL may be served: signed and valid, or unsigned for a public photo.

    A signature that is wrong or expired is a 403; an unsigned URL of an unlisted or
    private photo is as unknown as a missing image (404).
    """

    signer: UrlSigner
    images: ImageIndex

    async def check(self, image_key: str, variant: str, signature: Signature) -> None:
        if signature.expires is not None or signature.value is not None:
            if (
                signature.expires is None
                or signature.value is None
                or not self.signer.verify(image_key, variant, signature.expires, signature.value)
            ):
                raise Forbidden("this image link is invalid or has expired")
            return
        if is_avatar_file(image_key):
            return
        visibility = await self.images.visibility(image_key)
        if visibility is None or visibility.signed_urls:
            raise NotFound("no such image")


@dataclass(frozen=True, slots=True)
class RenderLinkedImage:
    """Render a transformation only when a stored link asks for it: no open resizing service."""

    links: LinkLookups
    renderer: ImageRenderer
    gate: ImageGate

    async def __call__(
        self,
        image_key: str,
        spec: str,
        signature: Signature = Signature(),
        offered: frozenset[str] = frozenset(),
    ) -> RenderedImage:
        try:
            transformation = Transformation.from_canonical(spec)
        except InvalidInput:
            # Shaped like a transformation but not one: no link can ask for it.
            raise NotFound("no stored link asks for this transformation") from None
        await self.gate.check(image_key, transformation.canonical(), signature)
        if not await self.links.exists_for_image(image_key, transformation):
            raise NotFound("no stored link asks for this transformation")
        image = await self.renderer.render(image_key, transformation, offered)
        if image is None:
            raise NotFound("no such image")
        return image


@dataclass(frozen=True, slots=True)
class ReadOriginal:
    renderer: ImageRenderer
    gate: ImageGate

    async def __call__(self, image_key: str, signature: Signature = Signature()) -> RenderedImage:
        await self.gate.check(image_key, "", signature)
        image = await self.renderer.original(image_key)
        if image is None:
            raise NotFound("no such image")
        return image


@dataclass(frozen=True, slots=True)
class ReadVariant:
    """A sized copy made by the variants job, in the best format the client accepts; an
    unlisted or private photo's only with a valid signature, like its original."""

    renderer: ImageRenderer
    gate: ImageGate

    async def __call__(
        self,
        image_key: str,
        name: str,
        signature: Signature = Signature(),
        offered: frozenset[str] = frozenset(),
    ) -> RenderedImage:
        await self.gate.check(image_key, variant_signed_as(name), signature)
        image = await self.renderer.variant(image_key, name, offered)
        if image is None:
            raise NotFound("no such variant (yet)")
        return image
