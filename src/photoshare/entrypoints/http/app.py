"""The Litestar app factory. Nothing happens at import time; `create_app` builds everything."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from dishka import Provider, make_async_container
from dishka.integrations.litestar import LitestarProvider, setup_dishka
from litestar import Litestar
from litestar.config.cors import CORSConfig
from psycopg_pool import AsyncConnectionPool

from photoshare import __version__
from photoshare.config import Settings
from photoshare.entrypoints import ioc
from photoshare.entrypoints.http.caching import private_when_credentialed
from photoshare.entrypoints.http.controllers.account import AccountRecoveryController, MeController, avatar
from photoshare.entrypoints.http.controllers.albums import AlbumsController
from photoshare.entrypoints.http.controllers.auth import AuthController
from photoshare.entrypoints.http.controllers.comments import CommentsController
from photoshare.entrypoints.http.controllers.health import health
from photoshare.entrypoints.http.controllers.images import original_image, transformed_image, variant_image
from photoshare.entrypoints.http.controllers.links import PhotoLinksController, link_qr, short_link
from photoshare.entrypoints.http.controllers.photos import PhotosController
from photoshare.entrypoints.http.controllers.ratings import RatingsController
from photoshare.entrypoints.http.controllers.shares import SharesController
from photoshare.entrypoints.http.controllers.tags import list_tags
from photoshare.entrypoints.http.controllers.users import UsersController
from photoshare.entrypoints.http.errors import exception_handlers
from photoshare.entrypoints.http.methods import install_method_semantics
from photoshare.entrypoints.http.metrics import metrics_routes, sampling
from photoshare.entrypoints.http.openapi import docs_static_router, openapi_config
from photoshare.entrypoints.http.proxies import trusted_proxy_headers
from photoshare.entrypoints.http.requestid import request_ids
from photoshare.entrypoints.http.security import security_headers
from photoshare.entrypoints.http.web import web_page, web_static_router
from photoshare.entrypoints.lifecycle import terminate_with_parent
from photoshare.entrypoints.logs import litestar_logging

# JSON bodies are small; the upload route raises its own limit.
MAX_JSON_BODY = 64 * 1024


def create_app(settings: Settings | None = None, *override: Provider) -> Litestar:
    """Build the app. Tests pass settings and providers that replace the real ones."""
    settings = settings or Settings.from_env()
    container = make_async_container(
        *ioc.providers(settings), LitestarProvider(), *override, context={Settings: settings}
    )
    metrics_handlers, metrics_middleware = metrics_routes(settings.metrics)

    @contextlib.asynccontextmanager
    async def sample_gauges(_: Litestar) -> AsyncIterator[None]:
        if not metrics_handlers:
            yield
            return
        pool = await container.get(AsyncConnectionPool)
        async with sampling(pool, await container.get(ioc.ImageWork)):
            yield

    app = Litestar(
        route_handlers=[
            AuthController,
            AccountRecoveryController,
            UsersController,
            MeController,
            avatar,
            PhotosController,
            PhotoLinksController,
            CommentsController,
            RatingsController,
            AlbumsController,
            SharesController,
            link_qr,
            short_link,
            list_tags,
            health,
            docs_static_router(),
            web_page,
            web_static_router(),
            *metrics_handlers,
            # With Cloudinary the CDN serves images; locally the service does.
            *([] if ioc.images_on_cdn(settings) else [original_image, transformed_image, variant_image]),
        ],
        exception_handlers=exception_handlers(),
        openapi_config=openapi_config(__version__),
        request_max_body_size=MAX_JSON_BODY,
        before_send=[security_headers, private_when_credentialed],
        # Outermost first: the request id sees the real peer before proxy headers rewrite it.
        middleware=[
            request_ids(settings.trusted_proxies),
            *([trusted_proxy_headers(settings.trusted_proxies)] if settings.trusted_proxies else []),
            *metrics_middleware,
        ],
        lifespan=[sample_gauges],
        cors_config=CORSConfig(allow_origins=list(settings.cors_origins), allow_credentials=False)
        if settings.cors_origins
        else None,
        on_shutdown=[container.close],
        logging_config=litestar_logging(settings.log_format),
        debug=False,
    )
    setup_dishka(container, app)
    install_method_semantics(app)
    return app


def create_app_from_env() -> Litestar:
    """The server's factory target: settings come from the environment of each worker."""
    terminate_with_parent()
    return create_app(Settings.from_env())
