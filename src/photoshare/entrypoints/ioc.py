"""The composition root: dishka providers wire adapters into ports, by scope.

APP scope holds what lives as long as the process (settings, engine, pools, clients) and
the read queries; REQUEST scope holds the session, the unit of work, repositories and use
cases. `providers(settings)` picks whole providers where the settings choose a technology:
images on the local disk or on Cloudinary, counters in PostgreSQL or in Valkey.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import NewType

import anyio
import procrastinate
import valkey.asyncio as valkey
from dishka import Provider, Scope, alias, from_context, provide, provide_all
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from photoshare.adapters.health import DependencyHealth
from photoshare.adapters.imaging import PillowAvatarMaker, PillowImageInspector
from photoshare.adapters.jobs.queue import ProcrastinateJobQueue, create_job_app, opened
from photoshare.adapters.mail.background import BackgroundMailSender
from photoshare.adapters.mail.outbox import OutboxMailSender
from photoshare.adapters.mail.smtp import SmtpMailSender
from photoshare.adapters.qr import QrcodeRenderer
from photoshare.adapters.ratelimit import SqlRateLimiter, ValkeyRateLimiter
from photoshare.adapters.revocations import ValkeyTokenRevocations
from photoshare.adapters.security import BcryptPasswordHasher, JwtTokenCodec, SystemClock
from photoshare.adapters.signing import HmacUrlSigner
from photoshare.adapters.sql.albums import SqlAlbumQueries, SqlAlbumRepository
from photoshare.adapters.sql.comments import SqlCommentQueries, SqlCommentRepository
from photoshare.adapters.sql.photos import (
    SqlImageIndex,
    SqlImageTombstones,
    SqlLinkLookups,
    SqlLinkRepository,
    SqlPhotoLookups,
    SqlPhotoRepository,
)
from photoshare.adapters.sql.queries import SqlPhotoQueries, SqlTagQueries
from photoshare.adapters.sql.ratings import SqlRatingQueries, SqlRatingRepository
from photoshare.adapters.sql.reader import PgAutocommit, PgReader, open_pool
from photoshare.adapters.sql.shares import SqlShareRepository
from photoshare.adapters.sql.tokens import (
    SqlOneTimeTokenStore,
    SqlPersonalTokenLookups,
    SqlPersonalTokenStore,
    SqlRefreshTokenStore,
    SqlTokenRevocations,
)
from photoshare.adapters.sql.uow import SqlUnitOfWork, close_session
from photoshare.adapters.sql.users import (
    SqlAccountLookups,
    SqlTokenHolders,
    SqlUserQueries,
    SqlUserRepository,
)
from photoshare.adapters.storage.local import LocalImageStore
from photoshare.application import (
    accounts,
    albums,
    auth,
    comments,
    links,
    photos,
    ratings,
    shares,
    users,
    variants,
)
from photoshare.application.auth import SeparateLookups, WritePolicy
from photoshare.application.links import PublicAddresses, RenderBudget
from photoshare.application.mail import AccountMail
from photoshare.application.onetime import EmailVerification
from photoshare.application.ports.accounts import (
    AccountLookups,
    OneTimeTokenStore,
    PasswordHasher,
    PersonalTokenLookups,
    PersonalTokenStore,
    RefreshTokenStore,
    TokenCodec,
    TokenHolders,
    TokenRevocations,
    UserRepository,
)
from photoshare.application.ports.common import Clock, UnitOfWork
from photoshare.application.ports.engagement import CommentRepository, RatingRepository
from photoshare.application.ports.images import (
    AvatarMaker,
    ImageIndex,
    ImageInspector,
    ImageRenderer,
    ImageStore,
    ImageTombstones,
    QrRenderer,
    UrlSigner,
)
from photoshare.application.ports.jobs import JobQueue
from photoshare.application.ports.mail import MailSender
from photoshare.application.ports.photos import LinkLookups, LinkRepository, PhotoLookups, PhotoRepository
from photoshare.application.ports.sharing import AlbumRepository, ShareRepository
from photoshare.application.ports.throttle import RateLimiter
from photoshare.application.readmodels import (
    AlbumQueries,
    CommentQueries,
    PhotoQueries,
    RatingQueries,
    TagQueries,
    UserQueries,
)
from photoshare.application.throttle import Limit, Throttle
from photoshare.config import Settings, sqlalchemy_url
from photoshare.entrypoints.http.guards import CallerProvider

#: The image calls' capacity limiter (a type of its own so dishka can tell it apart).
ImageWork = NewType("ImageWork", anyio.CapacityLimiter)


class InfrastructureProvider(Provider):
    scope = Scope.APP
    settings = from_context(provides=Settings)

    @provide
    async def engine(self, settings: Settings) -> AsyncIterator[AsyncEngine]:
        if not settings.database_url:
            raise RuntimeError("no database URL: start the service with `photoshare serve`")
        engine = create_async_engine(
            sqlalchemy_url(settings.database_url),
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_pool_size,
            pool_timeout=settings.db_pool_wait_ms / 1000,
        )
        yield engine
        await engine.dispose()

    @provide
    def sessionmaker(self, engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
        return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)

    clock = provide(SystemClock, provides=Clock)

    @provide
    def hasher(self, settings: Settings) -> PasswordHasher:
        return BcryptPasswordHasher(anyio.CapacityLimiter(settings.hash_concurrency), settings.bcrypt_rounds)

    @provide
    def codec(self, settings: Settings, clock: Clock) -> TokenCodec:
        return JwtTokenCodec(
            settings.signing_key(),
            access_ttl=settings.access_ttl,
            refresh_ttl=settings.refresh_ttl,
            clock=clock,
        )

    @provide
    async def read_pool(self, settings: Settings) -> AsyncIterator[AsyncConnectionPool]:
        """Read models run on plain pooled psycopg connections (no session on the hot path)."""
        assert settings.database_url
        pool = open_pool(
            settings.database_url,
            settings.db_pool_size,
            settings.db_statement_timeout_ms,
            settings.db_pool_wait_ms,
        )
        await pool.open(wait=False)
        yield pool
        await pool.close()

    reader = provide(PgReader)
    autocommit = provide(PgAutocommit)

    @provide
    def url_signer(self, settings: Settings, clock: Clock) -> UrlSigner:
        return HmacUrlSigner(settings.signing_key(), clock)

    @provide
    async def job_app(self, settings: Settings) -> AsyncIterator[procrastinate.App]:
        assert settings.database_url
        async with opened(create_job_app(settings.database_url), settings.database_url) as app:
            yield app

    @provide
    def procrastinate_queue(self, app: procrastinate.App) -> ProcrastinateJobQueue:
        return ProcrastinateJobQueue(app)

    @provide
    def job_queue(self, queue: ProcrastinateJobQueue) -> JobQueue:
        return queue

    @provide
    def throttle(self, settings: Settings, limiter: RateLimiter) -> Throttle:
        limits = settings.rate_limits
        return Throttle(limiter, {a: Limit(limits.limit(a), limits.window) for a in limits.actions()})

    @provide
    def image_work(self, settings: Settings) -> ImageWork:
        """One bound on this worker's image calls (decoding, rendering, storage), shared by all."""
        return ImageWork(anyio.CapacityLimiter(settings.image_concurrency))

    @provide
    def inspector(self, settings: Settings, limiter: ImageWork) -> ImageInspector:
        return PillowImageInspector(limiter, settings.max_image_pixels)

    @provide
    def avatar_maker(self, settings: Settings) -> AvatarMaker:
        return PillowAvatarMaker(anyio.CapacityLimiter(settings.image_concurrency))

    @provide
    def write_policy(self, settings: Settings) -> WritePolicy:
        return WritePolicy(settings.require_verified_email)

    qr = provide(QrcodeRenderer, provides=QrRenderer)

    @provide
    def addresses(self, settings: Settings) -> PublicAddresses:
        return PublicAddresses(settings.public_base_url)

    @provide
    def render_budget(self, settings: Settings) -> RenderBudget:
        return RenderBudget(settings.max_image_pixels)

    @provide
    def account_mail(self, settings: Settings) -> AccountMail:
        return AccountMail(settings.public_base_url)

    @provide
    async def mail_sender(self, settings: Settings) -> AsyncIterator[MailSender]:
        """SMTP when configured, else the outbox directory; delivered off the request path
        (not through the job queue: its arguments would keep the one-time links in the clear)."""
        transport: MailSender = (
            SmtpMailSender(settings.smtp_url, settings.mail_from)
            if settings.smtp_url
            else OutboxMailSender(settings.outbox_dir, settings.mail_from)
        )
        sender = BackgroundMailSender(transport)
        yield sender
        await sender.drain()


class AccountsProvider(Provider):
    scope = Scope.REQUEST

    @provide
    async def session(self, maker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
        # Uncommitted work rolls back when the request scope closes; only use cases commit.
        session = maker()
        try:
            yield session
        finally:
            await close_session(session)

    uow = provide(SqlUnitOfWork, provides=UnitOfWork)
    user_repository = provide(SqlUserRepository, provides=UserRepository)
    refresh_tokens = provide(SqlRefreshTokenStore, provides=RefreshTokenStore)
    one_time_tokens = provide(SqlOneTimeTokenStore, provides=OneTimeTokenStore)
    personal_tokens = provide(SqlPersonalTokenStore, provides=PersonalTokenStore)
    account_use_cases = provide_all(
        EmailVerification,
        accounts.SessionEnder,
        accounts.ResendVerification,
        accounts.VerifyEmail,
        accounts.RequestPasswordReset,
        accounts.ConfirmPasswordReset,
        accounts.ChangePassword,
        accounts.ListSessions,
        accounts.RevokeSession,
        accounts.CreatePersonalToken,
        accounts.ListPersonalTokens,
        accounts.DeletePersonalToken,
        accounts.SetAvatar,
        accounts.RemoveAvatar,
    )
    use_cases = provide_all(
        auth.SignUp,
        auth.IssueTokens,
        auth.EndFamily,
        auth.LogIn,
        auth.Refresh,
        auth.LogOut,
        auth.Authenticate,
        users.UpdateMe,
        users.ChangeRole,
        users.Ban,
        users.Unban,
    )


class PhotosProvider(Provider):
    scope = Scope.REQUEST

    photo_repository = provide(SqlPhotoRepository, provides=PhotoRepository)
    link_repository = provide(SqlLinkRepository, provides=LinkRepository)
    tombstones = provide(SqlImageTombstones, provides=ImageTombstones)

    use_cases = provide_all(
        photos.UploadPhoto,
        photos.EditPhoto,
        photos.DeletePhoto,
        photos.SearchPhotos,
        links.LinkViews,
        links.CreateLink,
        links.GetLink,
        links.ListLinks,
        links.DeleteLink,
        links.ResolveLink,
        links.RenderQr,
        links.RenderLinkedImage,
        links.ReadOriginal,
        links.ImageGate,
        links.ReadVariant,
        variants.MakeVariants,
        variants.RequeueProcessing,
        variants.SweepImages,
    )


class EngagementProvider(Provider):
    """Comments and ratings: repositories that keep the counters, and their use cases."""

    scope = Scope.REQUEST

    comment_repository = provide(SqlCommentRepository, provides=CommentRepository)
    rating_repository = provide(SqlRatingRepository, provides=RatingRepository)
    use_cases = provide_all(
        comments.AddComment,
        comments.EditComment,
        comments.DeleteComment,
        ratings.RatePhoto,
        ratings.DeleteRating,
    )


class SharingProvider(Provider):
    """Albums and share links."""

    scope = Scope.REQUEST

    album_repository = provide(SqlAlbumRepository, provides=AlbumRepository)
    share_repository = provide(SqlShareRepository, provides=ShareRepository)
    use_cases = provide_all(
        shares.CreateShare,
        shares.ListShares,
        shares.GetShare,
        shares.EditShare,
        shares.DeleteShare,
        shares.OpenShare,
        shares.RenderShareQr,
        albums.CreateAlbum,
        albums.EditAlbum,
        albums.DeleteAlbum,
        albums.PutAlbumPhoto,
        albums.RemoveAlbumPhoto,
    )


class QueriesProvider(Provider):
    """Every read model, on the app-wide read pool: no session, no request scope."""

    scope = Scope.APP

    user_queries = provide(SqlUserQueries, provides=UserQueries)
    tag_queries = provide(SqlTagQueries, provides=TagQueries)
    sql_photo_queries = provide(SqlPhotoQueries.serving, provides=SqlPhotoQueries)
    photo_queries = alias(source=SqlPhotoQueries, provides=PhotoQueries)
    album_queries = provide(SqlAlbumQueries, provides=AlbumQueries)
    comment_queries = provide(SqlCommentQueries, provides=CommentQueries)
    rating_queries = provide(SqlRatingQueries, provides=RatingQueries)
    image_index = provide(SqlImageIndex, provides=ImageIndex)
    link_lookups = provide(SqlLinkLookups, provides=LinkLookups)
    photo_lookups = provide(SqlPhotoLookups, provides=PhotoLookups)
    account_lookups = provide(SqlAccountLookups, provides=AccountLookups)
    personal_token_lookups = provide(SqlPersonalTokenLookups, provides=PersonalTokenLookups)


class LocalImagesProvider(Provider):
    """Images on the local disk, rendered and served by the service itself."""

    scope = Scope.APP

    @provide
    def image_store(self, settings: Settings, limiter: ImageWork, signer: UrlSigner) -> LocalImageStore:
        return LocalImageStore(
            settings.images_dir, settings.public_base_url, limiter, settings.max_image_pixels, signer
        )

    store = alias(source=LocalImageStore, provides=ImageStore)
    renderer = alias(source=LocalImageStore, provides=ImageRenderer)


class CloudinaryImagesProvider(Provider):
    """Images on Cloudinary: its CDN renders and serves them, the service renders nothing."""

    scope = Scope.APP

    @provide
    def image_store(self, settings: Settings, limiter: ImageWork) -> ImageStore:
        from photoshare.adapters.storage.cloudinary import CloudinaryImageStore

        assert settings.cloudinary_url
        return CloudinaryImageStore(settings.cloudinary_url, limiter)

    @provide
    def renderer(self) -> ImageRenderer:
        from photoshare.adapters.storage.cloudinary import NoLocalImages

        return NoLocalImages()


class PostgresCountersProvider(Provider):
    """Revocations and rate counters in PostgreSQL, on autocommit connections."""

    scope = Scope.APP

    revocations = provide(SqlTokenRevocations, provides=TokenRevocations)
    # The account and its token's revocation in one statement, on every authenticated request.
    token_holders = provide(SqlTokenHolders, provides=TokenHolders)
    rate_limiter = provide(SqlRateLimiter, provides=RateLimiter)

    @provide
    def health(self, engine: AsyncEngine, queue: ProcrastinateJobQueue) -> DependencyHealth:
        return DependencyHealth(engine, None, queue.failed_count)


class ValkeyCountersProvider(Provider):
    """Revocations and rate counters in Valkey, shared by every worker."""

    scope = Scope.APP

    @provide
    async def valkey_client(self, settings: Settings) -> AsyncIterator[valkey.Valkey]:
        assert settings.valkey_url
        client = valkey.Valkey.from_url(settings.valkey_url, socket_timeout=2, socket_connect_timeout=2)
        yield client
        await client.aclose()

    revocations = provide(ValkeyTokenRevocations, provides=TokenRevocations)
    # Two stores: the revocation in Valkey, then the account on the read pool (no session).
    token_holders = provide(SeparateLookups, provides=TokenHolders)
    rate_limiter = provide(ValkeyRateLimiter, provides=RateLimiter)

    @provide
    def health(
        self, engine: AsyncEngine, client: valkey.Valkey, queue: ProcrastinateJobQueue
    ) -> DependencyHealth:
        return DependencyHealth(engine, client, queue.failed_count)


def images_on_cdn(settings: Settings) -> bool:
    """The one place the settings choose where images live (the app mounts the image routes
    only when the service serves them itself)."""
    return bool(settings.cloudinary_url)


def providers(settings: Settings) -> list[Provider]:
    return [
        InfrastructureProvider(),
        QueriesProvider(),
        CloudinaryImagesProvider() if images_on_cdn(settings) else LocalImagesProvider(),
        ValkeyCountersProvider() if settings.valkey_url else PostgresCountersProvider(),
        AccountsProvider(),
        CallerProvider(),
        PhotosProvider(),
        EngagementProvider(),
        SharingProvider(),
    ]
