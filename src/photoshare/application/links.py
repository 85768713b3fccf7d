"""Transformed links: a stored transformation of a photo, reachable by an unguessable slug."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from photoshare.application.photos import load_visible_photo
from photoshare.application.ports import (
    Clock,
    ImageIndex,
    ImageRenderer,
    ImageStore,
    Link,
    LinkRepository,
    PhotoRepository,
    QrRenderer,
    RenderedImage,
    UnitOfWork,
    UrlSigner,
    variant_signed_as,
)
from photoshare.application.readmodels import LinkView
from photoshare.domain.errors import Forbidden, InvalidInput, NotFound
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


class _LinkUseCase:
    def __init__(
        self,
        photos: PhotoRepository,
        links: LinkRepository,
        store: ImageStore,
        addresses: PublicAddresses,
        clock: Clock,
        uow: UnitOfWork,
    ) -> None:
        self._photos, self._links, self._store = photos, links, store
        self._addresses, self._clock, self._uow = addresses, clock, uow

    async def _managed_photo(self, by: User, photo_id: uuid.UUID) -> Photo:
        photo = await load_visible_photo(self._photos, photo_id, by)
        ensure_may_manage(photo, by)
        return photo

    def _view(self, link: Link, photo: Photo) -> LinkView:
        return LinkView(
            id=link.id,
            photo_id=link.photo_id,
            slug=link.slug,
            url=self._store.transformed_url(
                photo.image_key, link.transformation, signed=photo.visibility.signed_urls
            ),
            link=self._addresses.short_link(link.slug),
            qr_url=self._addresses.qr(link.slug),
            transformation=link.transformation.as_dict(),
            created_at=link.created_at,
        )


class CreateLink(_LinkUseCase):
    """A link is handed out only if its image can be rendered: the photo's size is known, so
    an output too large for its format or for the pixel budget is refused now, not on every GET."""

    def __init__(
        self,
        photos: PhotoRepository,
        links: LinkRepository,
        store: ImageStore,
        addresses: PublicAddresses,
        clock: Clock,
        uow: UnitOfWork,
        budget: RenderBudget,
    ) -> None:
        super().__init__(photos, links, store, addresses, clock, uow)
        self._budget = budget

    async def __call__(self, by: User, photo_id: uuid.UUID, options: Mapping[str, object]) -> LinkView:
        transformation = Transformation.from_mapping(options)
        photo = await self._managed_photo(by, photo_id)
        _, _, extension = photo.image_key.rpartition(".")
        ensure_renderable(
            transformation,
            Size(photo.width, photo.height),
            transformation.output_format(extension),
            self._budget.max_pixels,
        )
        link = Link(
            id=uuid.uuid4(),
            photo_id=photo.id,
            slug=secrets.token_urlsafe(SLUG_BYTES),
            transformation=transformation,
            created_at=self._clock.now(),
        )
        await self._links.add(link)
        await self._uow.commit()
        return self._view(link, photo)


class ListLinks(_LinkUseCase):
    async def __call__(self, by: User, photo_id: uuid.UUID) -> list[LinkView]:
        photo = await self._managed_photo(by, photo_id)
        return [self._view(link, photo) for link in await self._links.list_for_photo(photo.id)]


class DeleteLink(_LinkUseCase):
    async def __call__(self, by: User, photo_id: uuid.UUID, link_id: uuid.UUID) -> None:
        await self._managed_photo(by, photo_id)
        link = await self._links.get(link_id)
        if link is None or link.photo_id != photo_id:
            raise NotFound("no such link on this photo")
        await self._links.delete(link.id)
        await self._uow.commit()


class ResolveLink:
    """Where a short link leads: the transformed image's URL.

    A stored link is a capability its owner made to hand out: it keeps working when the
    photo turns private (with a freshly signed URL) until the link or the photo is deleted.
    """

    def __init__(self, links: LinkRepository, store: ImageStore) -> None:
        self._links, self._store = links, store

    async def __call__(self, slug: str) -> str:
        found = await self._links.get_by_slug(slug)
        if found is None:
            raise NotFound("no such link")
        link, image_key, visibility = found
        return self._store.transformed_url(image_key, link.transformation, signed=visibility.signed_urls)


class RenderQr:
    """The QR code of a short link, as PNG or SVG."""

    def __init__(self, links: LinkRepository, qr: QrRenderer, addresses: PublicAddresses) -> None:
        self._links, self._qr, self._addresses = links, qr, addresses

    async def __call__(self, slug: str, fmt: str) -> bytes:
        if await self._links.get_by_slug(slug) is None:
            raise NotFound("no such link")
        text = self._addresses.short_link(slug)
        return self._qr.svg(text) if fmt == "svg" else self._qr.png(text)


@dataclass(frozen=True, slots=True)
class Signature:
    """The `expires` and `signature` of an image URL, as they came (either may be missing)."""

    expires: int | None = None
    value: str | None = None


class ImageGate:
    """Whether an image URL may be served: signed and valid, or unsigned for a public photo.

    A signature that is wrong or expired is a 403; an unsigned URL of an unlisted or
    private photo is as unknown as a missing image (404).
    """

    def __init__(self, signer: UrlSigner, images: ImageIndex) -> None:
        self._signer, self._images = signer, images

    async def check(self, image_key: str, variant: str, signature: Signature) -> None:
        if signature.expires is not None or signature.value is not None:
            if (
                signature.expires is None
                or signature.value is None
                or not self._signer.verify(image_key, variant, signature.expires, signature.value)
            ):
                raise Forbidden("this image link is invalid or has expired")
            return
        if is_avatar_file(image_key):
            return
        visibility = await self._images.visibility(image_key)
        if visibility is None or visibility.signed_urls:
            raise NotFound("no such image")


class RenderLinkedImage:
    """Render a transformation only when a stored link asks for it: no open resizing service."""

    def __init__(self, links: LinkRepository, renderer: ImageRenderer, gate: ImageGate) -> None:
        self._links, self._renderer, self._gate = links, renderer, gate

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
        await self._gate.check(image_key, transformation.canonical(), signature)
        if not await self._links.exists_for_image(image_key, transformation):
            raise NotFound("no stored link asks for this transformation")
        image = await self._renderer.render(image_key, transformation, offered)
        if image is None:
            raise NotFound("no such image")
        return image


class ReadOriginal:
    def __init__(self, renderer: ImageRenderer, gate: ImageGate) -> None:
        self._renderer, self._gate = renderer, gate

    async def __call__(self, image_key: str, signature: Signature = Signature()) -> RenderedImage:
        await self._gate.check(image_key, "", signature)
        image = await self._renderer.original(image_key)
        if image is None:
            raise NotFound("no such image")
        return image


class ReadVariant:
    """A sized copy made by the variants job, in the best format the client accepts; an
    unlisted or private photo's only with a valid signature, like its original."""

    def __init__(self, renderer: ImageRenderer, gate: ImageGate) -> None:
        self._renderer, self._gate = renderer, gate

    async def __call__(
        self,
        image_key: str,
        name: str,
        signature: Signature = Signature(),
        offered: frozenset[str] = frozenset(),
    ) -> RenderedImage:
        await self._gate.check(image_key, variant_signed_as(name), signature)
        image = await self._renderer.variant(image_key, name, offered)
        if image is None:
            raise NotFound("no such variant (yet)")
        return image
