"""GET /api/tags: service-wide tags with their photo counts, by name prefix."""

from typing import Annotated

from dishka import FromDishka
from dishka.integrations.litestar import inject
from litestar import get
from litestar.params import Parameter

from photoshare.application.readmodels import TagPage, TagQueries


@get(
    "/api/tags",
    tags=["tags"],
    operation_id="listTags",
    summary="Tags",
    description="Public: a page of tags with their photo counts; `q` matches names by prefix.",
)
@inject
async def list_tags(
    queries: FromDishka[TagQueries],
    q: Annotated[str | None, Parameter(max_length=32, description="name prefix")] = None,
    limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    offset: Annotated[int, Parameter(ge=0, le=1_000_000)] = 0,
) -> TagPage:
    return await queries.page(q, limit, offset)
