"""The ceiling for `make bench`: a bare Litestar app answering a constant small JSON object.

It is served by granian with the settings `photoshare serve` uses (see
`photoshare.entrypoints.cli.serve`), so the ratio of a scenario to this app is what the
service's own code costs, not the server's or the framework's. Keep the two in step.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from litestar import Litestar, get

BODY = {"status": "ok"}


@get("/", sync_to_thread=False)
def constant() -> dict[str, str]:
    return BODY


def create_app() -> Litestar:
    """The granian factory target, built in each worker as the service's app is."""
    return Litestar(route_handlers=[constant], debug=False)


def serve(host: str, port: int, workers: int) -> None:
    from granian import Granian
    from granian.constants import Interfaces, Loops

    loop = Loops.uvloop if sys.platform != "win32" else Loops.asyncio
    # Same keyword arguments as the CLI's Granian(...) call; only the target differs.
    Granian(
        "ceiling:create_app",
        factory=True,
        working_dir=Path(__file__).resolve().parent,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        loop=loop,
        backlog=2048,
        log_access=False,
    ).serve()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    serve(args.host, args.port, args.workers)


if __name__ == "__main__":
    main()
