"""Variants made by the real job worker against the embedded PostgreSQL: sizes, placeholder,
status, retries, a worker killed mid-job, and two workers racing for one photo."""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import sys
from pathlib import Path
from typing import Any

import anyio
import fast_thumbhash
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from photoshare.adapters.jobs.tasks import RETRY, retry_stalled_jobs
from photoshare.adapters.storage.local import LocalImageStore
from photoshare.application.ports.jobs import Job, JobQueue
from photoshare.config import Settings
from tests.integration.accounts import Client, member
from tests.integration.jobs import drain, jobs_in, make_due
from tests.integration.photo_helpers import encoded, opened, path_of, uploaded

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def token(client: Client) -> str:
    return str((await member(client, "alice"))["access_token"])


async def photo_of(client: Client, photo_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/photos/{photo_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_an_upload_is_processing_until_the_job_makes_every_variant_and_a_placeholder(
    client: Client, token: str, settings: Settings
) -> None:
    photo = await uploaded(client, token, encoded("JPEG", (3000, 2000)))

    assert (photo["status"], photo["variants"], photo["placeholder"]) == ("processing", [], None)
    assert (await client.get(path_of(photo["url"]))).status_code == 200  # the original already works

    await drain(settings)

    ready = await photo_of(client, photo["id"])
    assert ready["status"] == "ready"
    sizes = {v["name"]: (v["width"], v["height"]) for v in ready["variants"]}
    assert sizes == {"thumb": (256, 171), "small": (640, 427), "medium": (1280, 853), "large": (2048, 1365)}
    for variant in ready["variants"]:
        image = await client.get(path_of(variant["url"]))
        assert image.status_code == 200
        assert opened(image.content).size == (variant["width"], variant["height"])
    assert jobs_in(settings.database_url or "", "make_variants") == []  # done jobs are deleted


async def test_variants_are_never_larger_than_the_original(
    client: Client, token: str, settings: Settings
) -> None:
    photo = await uploaded(client, token, encoded("PNG", (300, 500)))
    await drain(settings)

    variants = (await photo_of(client, photo["id"]))["variants"]
    assert {v["name"]: (v["width"], v["height"]) for v in variants} == {
        "thumb": (154, 256),
        "small": (300, 500),
        "medium": (300, 500),
        "large": (300, 500),
    }


@pytest.mark.parametrize(("size", "landscape"), [((1200, 600), True), ((500, 1000), False)])
async def test_the_placeholder_is_a_thumbhash_of_the_right_aspect_ratio(
    client: Client, token: str, settings: Settings, size: tuple[int, int], landscape: bool
) -> None:
    photo = await uploaded(client, token, encoded("JPEG", size))
    await drain(settings)

    placeholder = (await photo_of(client, photo["id"]))["placeholder"]
    width, height, rgba = fast_thumbhash.thumb_hash_to_rgba(base64.b64decode(placeholder))
    # Decoded, it is a small picture of the same shape, to ThumbHash's precision (its shorter
    # side counts up to 7 cells: 2:1 comes back as 7:4).
    assert abs((width / height) / (size[0] / size[1]) - 1) < 0.15
    assert (width > height) is landscape
    assert len(rgba) == width * height * 4
    assert set(rgba[3::4]) == {255}  # an opaque picture stays opaque


async def test_a_failing_job_is_retried_with_backoff_and_the_photo_stays_usable_meanwhile(
    client: Client, token: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = LocalImageStore.make_variants
    calls = 0

    async def flaky(self: LocalImageStore, key: str, planned: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OSError("the disk hiccuped")
        return await real(self, key, planned)

    monkeypatch.setattr(LocalImageStore, "make_variants", flaky)
    photo = await uploaded(client, token, encoded("JPEG", (400, 300)))

    await drain(settings)

    [job] = jobs_in(settings.database_url or "", "make_variants")
    assert (job["status"], job["attempts"]) == ("todo", 1)  # waiting for its retry, not lost
    still = await photo_of(client, photo["id"])
    assert still["status"] == "processing"
    assert (await client.get(path_of(still["url"]))).status_code == 200

    make_due(settings.database_url or "", job["id"])
    await drain(settings)

    assert calls == 2
    assert (await photo_of(client, photo["id"]))["status"] == "ready"


async def test_a_job_that_keeps_failing_shows_in_health_and_leaves_the_original(
    client: Client, token: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(self: LocalImageStore, key: str, planned: Any) -> Any:
        raise OSError("always broken")

    monkeypatch.setattr(LocalImageStore, "make_variants", broken)
    photo = await uploaded(client, token, encoded("JPEG", (400, 300)))

    runs = 0
    while (job := jobs_in(settings.database_url or "", "make_variants")[0])["status"] == "todo":
        assert runs <= (RETRY.max_attempts or 0), "retried more often than its strategy allows"
        make_due(settings.database_url or "", job["id"])  # skip the backoff instead of waiting it out
        await drain(settings)
        runs += 1

    assert job["status"] == "failed"
    assert runs > 1  # it was retried before it was given up
    health = await client.get("/health")
    assert (health.status_code, health.json()["failed_jobs"]) == (200, 1)
    body = await photo_of(client, photo["id"])
    assert (body["status"], body["variants"]) == ("processing", [])
    assert (await client.get(path_of(body["url"]))).status_code == 200


async def test_deferring_a_waiting_job_again_queues_it_once(
    client: Client, token: str, settings: Settings, app: Any
) -> None:
    photo = await uploaded(client, token, encoded("JPEG", (100, 80)))
    queue = await app.state.dishka_container.get(JobQueue)

    await queue.defer(Job.MAKE_VARIANTS, photo_id=photo["id"])
    await queue.defer(Job.MAKE_VARIANTS, photo_id=photo["id"])

    assert len(jobs_in(settings.database_url or "", "make_variants")) == 1


async def test_two_workers_never_make_the_same_photos_variants_at_once(
    client: Client, token: str, settings: Settings, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = LocalImageStore.make_variants
    started, release = anyio.Event(), anyio.Event()
    calls = 0

    async def slow(self: LocalImageStore, key: str, planned: Any) -> Any:
        nonlocal calls
        calls += 1
        started.set()
        await release.wait()
        return await real(self, key, planned)

    monkeypatch.setattr(LocalImageStore, "make_variants", slow)
    photo = await uploaded(client, token, encoded("JPEG", (400, 300)))
    queue = await app.state.dishka_container.get(JobQueue)

    async with anyio.create_task_group() as tg:
        tg.start_soon(lambda: drain(settings, name="first"))
        with anyio.fail_after(30):
            await started.wait()
        # The first worker is inside the job: a copy may be queued again (the photo changed,
        # say), but the lock keeps a second worker off it while the first still runs.
        await queue.defer(Job.MAKE_VARIANTS, photo_id=photo["id"])
        await drain(settings, name="second")
        assert calls == 1
        release.set()
    await drain(settings)  # the queued copy, free to run now

    assert calls == 1  # it found the photo ready and made nothing twice
    assert (await photo_of(client, photo["id"]))["status"] == "ready"
    assert jobs_in(settings.database_url or "", "make_variants") == []


CHILD = """
import asyncio, sys
from pathlib import Path
from photoshare.adapters.storage.local import LocalImageStore
from photoshare.config import Settings
from photoshare.entrypoints.worker import run_worker

marker = Path(sys.argv[3])

async def stuck(self, key, planned):
    marker.write_text("inside")
    await asyncio.Event().wait()  # until killed

LocalImageStore.make_variants = stuck
settings = Settings(database_url=sys.argv[1], data_dir=Path(sys.argv[2]),
                    public_base_url="http://testserver.local",
                    secret_key="test-secret-key-that-is-at-least-32-bytes-long")
asyncio.run(run_worker(settings, wait=True, queues=["images"], install_signal_handlers=False))
"""


async def test_a_worker_killed_mid_job_leaves_it_to_be_finished_after_a_restart(
    client: AsyncTestClient[Litestar], token: str, settings: Settings, tmp_path: Path
) -> None:
    photo = await uploaded(client, token, encoded("JPEG", (400, 300)))
    marker = anyio.Path(tmp_path / "inside-the-job")
    child = await anyio.open_process(
        [sys.executable, "-c", CHILD, settings.database_url or "", str(settings.data_dir), str(marker)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        stdout=None,
        stderr=None,
    )
    try:
        with anyio.fail_after(60):
            while not await marker.exists():  # the child tells us when it holds the job
                if child.returncode is not None:
                    pytest.fail(f"the worker exited with {child.returncode}")
                await asyncio.sleep(0.05)
        child.send_signal(signal.SIGKILL)  # no graceful shutdown: the job stays `doing`
        with anyio.fail_after(10):
            await child.wait()
    finally:
        if child.returncode is None:
            child.kill()
    [job] = jobs_in(settings.database_url or "", "make_variants")
    assert job["status"] == "doing"

    # The periodic `retry_stalled` task, run now: its worker sends no heartbeat any more.
    job_app = await client.app.state.dishka_container.get(__import__("procrastinate").App)
    assert await retry_stalled_jobs(job_app, seconds_since_heartbeat=0) == 1
    await drain(settings)

    assert (await photo_of(client, photo["id"]))["status"] == "ready"
