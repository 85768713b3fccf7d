"""The Litestar app factory. Nothing happens at import time; `create_app` builds everything."""

from __future__ import annotations

import logging

from dishka import Provider, make_async_container
from dishka.integrations.litestar import LitestarProvider, setup_dishka
from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.logging import LoggingConfig

from photoshare import __version__
from photoshare.config import Settings
from photoshare.entrypoints import ioc
from photoshare.entrypoints.http.controllers.albums import AlbumsController
from photoshare.entrypoints.http.controllers.auth import AuthController
from photoshare.entrypoints.http.controllers.comments import CommentsController
from photoshare.entrypoints.http.controllers.health import health
from photoshare.entrypoints.http.controllers.images import original_image, transformed_image
from photoshare.entrypoints.http.controllers.links import PhotoLinksController, link_qr, short_link
from photoshare.entrypoints.http.controllers.photos import PhotosController
from photoshare.entrypoints.http.controllers.ratings import RatingsController
from photoshare.entrypoints.http.controllers.shares import SharesController, share_page
from photoshare.entrypoints.http.controllers.tags import list_tags
from photoshare.entrypoints.http.controllers.users import UsersController
from photoshare.entrypoints.http.errors import exception_handlers
from photoshare.entrypoints.http.openapi import docs_static_router, openapi_config
from photoshare.entrypoints.http.security import security_headers

# JSON bodies are small; the upload route raises its own limit.
MAX_JSON_BODY = 64 * 1024


def create_app(settings: Settings | None = None, *override: Provider) -> Litestar:
    """Build the app. Tests pass settings and providers that replace the real ones."""
    settings = settings or Settings.from_env()
    container = make_async_container(
        *ioc.providers(), LitestarProvider(), *override, context={Settings: settings}
    )
    app = Litestar(
        route_handlers=[
            AuthController,
            UsersController,
            PhotosController,
            PhotoLinksController,
            CommentsController,
            RatingsController,
            AlbumsController,
            SharesController,
            share_page,
            link_qr,
            short_link,
            list_tags,
            health,
            docs_static_router(),
            # With Cloudinary the CDN serves images; locally the service does.
            *([] if settings.cloudinary_url else [original_image, transformed_image]),
        ],
        exception_handlers=exception_handlers(),
        openapi_config=openapi_config(__version__),
        request_max_body_size=MAX_JSON_BODY,
        before_send=[security_headers],
        cors_config=CORSConfig(allow_origins=list(settings.cors_origins), allow_credentials=False)
        if settings.cors_origins
        else None,
        on_shutdown=[container.close],
        logging_config=LoggingConfig(
            root={"level": logging.getLevelName(logging.INFO), "handlers": ["queue_listener"]},
            log_exceptions="never",
        ),
        debug=False,
    )
    setup_dishka(container, app)
    return app


def create_app_from_env() -> Litestar:
    """The server's factory target: settings come from the environment of each worker."""
    return create_app(Settings.from_env())
