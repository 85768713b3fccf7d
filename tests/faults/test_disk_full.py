"""Disk full: on the local image store (507, nothing half-written) and in PostgreSQL (the stored
image goes again). Both through the real app; the local store's writes are made to fail with
ENOSPC at the points a full disk reports it: a write, or the fsync that makes it durable."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from photoshare.config import Settings, libpq_url
from tests.integration.accounts import Client, assert_problem, bearer, member
from tests.integration.photo_helpers import upload


def files_under(root: Path) -> list[Path]:
    """Every file, hidden temporary ones included."""
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def photo_rows(database_url: str) -> int:
    with psycopg.connect(libpq_url(database_url)) as conn:
        row = conn.execute("SELECT count(*) FROM photos").fetchone()
    assert row is not None
    return int(row[0])


async def assert_nothing_kept(client: Client, token: str, settings: Settings) -> None:
    page = (await client.get("/api/photos")).json()
    assert (page["total"], page["items"]) == (0, [])
    assert photo_rows(settings.database_url or "") == 0
    assert (await client.get("/api/users/me", headers=bearer(token))).json()["photo_count"] == 0
    assert files_under(settings.images_dir) == []


def no_space() -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class HalfWritten:
    """A file under the images dir that takes half of the first write, then reports a full disk."""

    def __init__(self, fh: Any) -> None:
        self._fh = fh

    def write(self, data: bytes) -> int:
        self._fh.write(data[: len(data) // 2])
        self._fh.flush()
        raise no_space()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fh, name)

    def __enter__(self) -> HalfWritten:
        return self

    def __exit__(self, *exc: object) -> None:
        self._fh.close()


def fill_disk_at(point: str, images_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_fdopen, real_fsync = os.fdopen, os.fsync

    def under_images(fd: int) -> bool:
        return os.readlink(f"/proc/self/fd/{fd}").startswith(str(images_dir))

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        fh = real_fdopen(fd, *args, **kwargs)
        return HalfWritten(fh) if under_images(fd) else fh

    def fsync(fd: int) -> None:
        if under_images(fd):
            raise no_space()
        real_fsync(fd)

    patches: dict[str, tuple[str, Callable[..., Any]]] = {
        "write": ("fdopen", fdopen),
        "fsync": ("fsync", fsync),
    }
    name, replacement = patches[point]
    monkeypatch.setattr(os, name, replacement)


@pytest.mark.parametrize("point", ["write", "fsync"])
async def test_a_full_disk_answers_507_and_leaves_no_photo_and_no_file(
    client: Client, settings: Settings, monkeypatch: pytest.MonkeyPatch, point: str
) -> None:
    token = (await member(client, "alice"))["access_token"]
    with monkeypatch.context() as full:
        fill_disk_at(point, settings.images_dir, full)

        body = assert_problem(await upload(client, token), 507)

        assert "space" in body["detail"]
        await assert_nothing_kept(client, token, settings)

    # Space freed: the same upload works, and exactly its one file is there.
    response = await upload(client, token)
    assert response.status_code == 201, response.text
    assert [p.name for p in files_under(settings.images_dir)] == [f"{response.json()['id']}.jpg"]


async def test_postgresql_out_of_space_answers_503_or_507_and_the_stored_image_goes_again(
    client: Client, settings: Settings
) -> None:
    token = (await member(client, "alice"))["access_token"]
    # PostgreSQL's own answer when it cannot extend a table file: SQLSTATE 53100 (disk_full).
    with psycopg.connect(libpq_url(settings.database_url or ""), autocommit=True) as conn:
        conn.execute(
            """
            CREATE FUNCTION fault_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full';
            END $$;
            CREATE TRIGGER fault_disk_full BEFORE INSERT ON photos
                FOR EACH ROW EXECUTE FUNCTION fault_disk_full();
            """
        )

    response = await upload(client, token)

    assert response.status_code in (503, 507), response.text
    assert_problem(response, response.status_code)
    await assert_nothing_kept(client, token, settings)  # the image saved before the row went again
