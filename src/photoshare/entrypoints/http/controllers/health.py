"""GET /health: each dependency's state; 503 when one is down."""

from dishka import FromDishka
from dishka.integrations.litestar import inject
from litestar import Response, get
from litestar.openapi import ResponseSpec

from photoshare.adapters.health import DependencyHealth
from photoshare.entrypoints.http.schemas import HealthOut


@get(
    "/health",
    tags=["service"],
    cache_control=None,
    operation_id="health",
    summary="Health",
    description="Public. Each dependency's state: 200 when all are up, 503 (same body) when one is down.",
    responses={503: ResponseSpec(HealthOut, description="A dependency is down.", generate_examples=False)},
)
@inject
async def health(probes: FromDishka[DependencyHealth]) -> Response[HealthOut]:
    database = await probes.database()
    valkey = await probes.valkey()
    healthy = database and valkey is not False
    # Jobs that keep failing leave photos usable with their originals: reported, not "down".
    failed_jobs = await probes.failed_jobs() if database else None
    body = HealthOut(
        status="ok" if healthy else "degraded",
        database="up" if database else "down",
        valkey="not configured" if valkey is None else ("up" if valkey else "down"),
        failed_jobs=failed_jobs,
    )
    return Response(body, status_code=200 if healthy else 503, headers={"Cache-Control": "no-store"})
