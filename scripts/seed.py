"""Fill the database with N realistic photos, fast enough for a million: `make seed N=100000`.

What it writes, and why it looks like it does:
- users (about one per 40 photos) who can log in with the password `password123`;
- photos with descriptions built from the words in `vocabulary.py`, drawn with Zipf
  weights (a few words everywhere, most words rare), created over the last three years
  in chronological order (the heap order a real service accumulates), 0-5 tags out of a
  few thousand names, also Zipf-distributed;
- ratings and comments, with every counter that pages read (`photos.rating_*`,
  `photos.comment_count`, `users.photo_count`, `users.comment_count`, `photo_totals`)
  consistent with the rows, as the service would have left them;
- a handful of real JPEGs in the local images dir that the photos point to, so the
  seeded photos can be viewed (they share those files: deleting one seeded photo through
  the API deletes its shared file, a cost accepted for test data), with their variants and
  placeholder made by the service's own store: seeded photos are `ready`, as real ones are
  once their job has run (a `processing` seed would also have the periodic requeue job
  render 500 of them every five minutes, in the middle of `make bench`).

How it is fast: rows are generated in Python and streamed with COPY (psycopg 3
`cursor.copy`, a writer thread sending one chunk while the next is generated), all in
one transaction. When the seed at least doubles the photos, the keys, foreign keys and
secondary indexes of the loaded tables are dropped first and rebuilt from their catalog
definitions at the end: an index built once from sorted data costs far less than a
million random insertions and their WAL, a foreign key validated in one join less than a
check per row. As a superuser (the embedded server) triggers are skipped
(`session_replication_role = replica`): the rows are consistent by construction, and the
photo total the triggers would keep is written here.
Finally VACUUM ANALYZE sets hint bits, the visibility map and planner statistics.

Database: PHOTOSHARE_DATABASE_URL, or the embedded PostgreSQL under PHOTOSHARE_DATA_DIR,
migrated to head first.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import accumulate
from pathlib import Path
from typing import Any, TextIO

import anyio
import bcrypt
import psycopg
from PIL import Image, ImageDraw
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

import vocabulary
from photoshare.adapters.sql.migrate import upgrade
from photoshare.adapters.sql.photos import variants_json
from photoshare.adapters.storage.local import LocalImageStore
from photoshare.config import Settings, libpq_url
from photoshare.domain.photos import PhotoStatus, planned_variants
from photoshare.domain.ratings import RatingSummary
from photoshare.entrypoints.cli import database

PASSWORD = "password123"
YEARS = 3
BATCH = 20_000
LOADED_TABLES = ("photos", "photo_tags", "ratings", "comments")
READY = PhotoStatus.READY.value
IMAGES = [(800, 600), (600, 800), (1024, 683), (640, 640), (900, 600), (683, 1024)]

_PHOTO_COLUMNS = (
    "id, owner_id, image_key, content_type, width, height, description, tag_names, "
    "rating_count, rating_total, rating_average, comment_count, created_at, updated_at, "
    "status, variants, placeholder"
)


def unique(words: Sequence[str]) -> list[str]:
    """The list without repeats, first occurrence kept (the order is the frequency rank)."""
    return list(dict.fromkeys(words))


class Zipf:
    """Draws from a ranked list: rank r has weight 1/r^s. Draws come in big batches,
    because one `random.choices` call per word would dominate the seeding time."""

    def __init__(self, rng: random.Random, items: Sequence[Any], s: float = 1.0, batch: int = 50_000) -> None:
        self._rng, self._items, self._batch = rng, list(items), batch
        self._cum = list(accumulate(1.0 / (rank**s) for rank in range(1, len(self._items) + 1)))
        self._it: Iterator[Any] = iter(())

    def __call__(self) -> Any:
        for item in self._it:
            return item
        self._it = iter(self._rng.choices(self._items, cum_weights=self._cum, k=self._batch))
        return next(self._it)


def tag_vocabulary() -> list[str]:
    """A few thousand tag names, most popular first: themes, subjects, places, then pairs
    such as `goldenlight` that make the long tail."""
    singles = unique(
        vocabulary.TAG_WORDS
        + vocabulary.NOUNS[:400]
        + vocabulary.PLACES
        + vocabulary.MULTIWORD_PLACES
        + vocabulary.ADJECTIVES[:150]
    )
    pairs = [f"{a}{n}" for a in vocabulary.ADJECTIVES[:60] for n in vocabulary.NOUNS[:60]]
    return unique(singles + pairs)


class Writer:
    """PostgreSQL COPY text format: tab-separated, `\\N` for NULL. Generated text never
    contains tabs, newlines or backslashes, so no value needs escaping."""

    @staticmethod
    def ts(epoch: float) -> str:
        return datetime.fromtimestamp(epoch, UTC).isoformat(sep=" ")

    @staticmethod
    def array(names: Sequence[str]) -> str:
        return "{" + ",".join(f'"{n}"' if " " in n else n for n in names) + "}"


class Generator:
    """Everything random about the data set but the ids, from one seed: same seed, same data."""

    def __init__(self, rng: random.Random, user_ids: list[str], tag_names: list[str], now: float) -> None:
        self.rng = rng
        self.user_ids = user_ids
        self.now = now
        self.start = now - YEARS * 365.25 * 86_400
        self.adj = Zipf(rng, unique(vocabulary.ADJECTIVES))
        self.noun = Zipf(rng, unique(vocabulary.NOUNS))
        self.verb = Zipf(rng, unique(vocabulary.VERBS))
        self.prep = Zipf(rng, unique(vocabulary.PREPOSITIONS))
        self.place = Zipf(rng, [p.title() for p in unique(vocabulary.PLACES + vocabulary.MULTIWORD_PLACES)])
        self.time = Zipf(rng, vocabulary.TIMES)
        self.tag = Zipf(rng, tag_names, s=1.05)
        # Some people upload a lot, most a little.
        self.owner = Zipf(rng, list(range(len(user_ids))), s=0.7)
        self.templates: list[Callable[[], str]] = [
            lambda: f"{self.adj()} {self.noun()} {self.prep()} the {self.noun()}",
            lambda: f"{self.verb()} {self.prep()} the {self.adj()} {self.noun()}",
            lambda: f"{self.adj()} {self.noun()} in {self.place()}",
            lambda: f"the {self.noun()} and the {self.noun()} {self.time()}",
            lambda: f"{self.noun()} {self.prep()} {self.place()}, {self.time()}",
            lambda: f"{self.adj()} {self.adj()} {self.noun()}",
            lambda: f"{self.verb()} with my {self.noun()} {self.time()}",
            lambda: f"another {self.adj()} {self.noun()} from {self.place()}",
            lambda: f"{self.noun()}, {self.noun()} and {self.adj()} {self.noun()}",
        ]

    def description(self) -> str:
        rng = self.rng
        if rng.random() < 0.04:
            return ""  # some people never write one
        sentences = [rng.choice(self.templates)() for _ in range(rng.choice((1, 1, 2, 2, 2, 3)))]
        return " ".join(s[0].upper() + s[1:] + "." for s in sentences)

    def tags(self) -> list[str]:
        wanted = self.rng.choices((0, 1, 2, 3, 4, 5), weights=(12, 16, 24, 22, 14, 12))[0]
        names: dict[str, None] = {}
        for _ in range(wanted * 3):
            if len(names) == wanted:
                break
            names[self.tag()] = None
        return list(names)

    def rating_values(self) -> list[int]:
        rng = self.rng
        count = rng.choices(
            (0, 1, 2, 3, 4, 5, rng.randint(6, 12), rng.randint(13, 40)),
            weights=(35, 15, 12, 10, 7, 6, 10, 5),
        )[0]
        mean = rng.uniform(1.5, 5.0)  # some photos are simply liked more
        return [min(5, max(1, round(rng.gauss(mean, 0.9)))) for _ in range(count)]

    def comment_count(self) -> int:
        rng = self.rng
        return 0 if rng.random() < 0.5 else min(int(rng.expovariate(1 / 2.2)) + 1, 60)

    def comment(self) -> str:
        template = self.rng.choice(vocabulary.COMMENTS)
        return template.format(adj=self.adj(), noun=self.noun(), place=self.place())

    def later(self, moment: float) -> float:
        """A moment after `moment`: reactions come within days, never in the future."""
        return min(self.now, moment + self.rng.expovariate(1 / (3 * 86_400)))

    def uuid(self) -> str:
        return new_id()


_IDS = random.Random(os.urandom(16))


def new_id() -> str:
    """A random (version 4) UUID, different on every run so that seeding twice adds
    rows instead of colliding; the content stays reproducible from the seed. Drawn from
    a fast generator seeded by the OS: a million `uuid4()` calls cost seconds."""
    return str(uuid.UUID(int=_IDS.getrandbits(128), version=4))


def average(total: int, count: int) -> str:
    """The domain's average (as `numeric(3, 2)` stores it), as COPY text."""
    return f"{RatingSummary(count=count, total=total).average:.2f}"


@dataclass(frozen=True)
class SeedImage:
    key: str
    width: int
    height: int
    variants: str  # the `variants` column as COPY text (JSON)
    placeholder: str


def write_images(images_dir: Path) -> list[SeedImage]:
    """A few small real JPEGs (gradients and shapes), written once and shared by the photos,
    with the variants and placeholder the variants job would make of them."""
    originals = images_dir / "originals"
    originals.mkdir(parents=True, exist_ok=True)
    keys = []
    for i, (width, height) in enumerate(IMAGES):
        key = f"seed-{i}.jpg"
        path = originals / key
        if not path.exists():
            hue = i * 40
            image = Image.new("RGB", (width, height))
            draw = ImageDraw.Draw(image)
            for y in range(height):
                shade = int(255 * y / height)
                draw.line(
                    [(0, y), (width, y)], fill=((hue + shade) % 256, (shade // 2 + 60) % 256, 255 - shade)
                )
            draw.ellipse(
                [width // 3, height // 3, width // 3 + width // 4, height // 3 + width // 4], fill="#f5d76e"
            )
            draw.polygon(
                [(0, height), (width // 2, height // 2), (width, height)], fill=(40 + hue % 80, 70, 50)
            )
            image.save(path, "JPEG", quality=80)
        keys.append((key, width, height))
    store = LocalImageStore(
        images_dir, "http://seed.invalid", anyio.CapacityLimiter(1), Settings().max_image_pixels
    )
    made = []
    for key, width, height in keys:
        rendition = anyio.run(store.make_variants, key, planned_variants(width, height))
        if rendition is None or rendition.placeholder is None:
            raise SystemExit(f"seed: could not make the variants of {key}")
        made.append(
            SeedImage(
                key, width, height, json.dumps(variants_json(rendition.variants)), rendition.placeholder
            )
        )
    return made


class PhotoRows:
    """COPY lines for photos and what hangs off them, counting per user as it goes so
    that `users.photo_count` and `users.comment_count` can be written exactly."""

    def __init__(self, gen: Generator, images: list[SeedImage], tag_ids: dict[str, int], n: int) -> None:
        self.gen, self.images, self.tag_ids = gen, images, tag_ids
        self.step = (gen.now - gen.start) / n
        self.photo_counts = [0] * len(gen.user_ids)
        self.comment_counts = [0] * len(gen.user_ids)

    def batch(self, first: int, end: int) -> dict[str, list[str]]:
        lines: dict[str, list[str]] = {table: [] for table in LOADED_TABLES}
        for i in range(first, end):
            self.photo(i, lines)
        return lines

    def photo(self, i: int, lines: dict[str, list[str]]) -> None:
        gen, rng, ts = self.gen, self.gen.rng, Writer.ts
        photo_id, owner = gen.uuid(), gen.owner()
        self.photo_counts[owner] += 1
        created = gen.start + (i + rng.random()) * self.step  # chronological, as uploads arrive
        image = self.images[i % len(self.images)]
        names = gen.tags()
        lines["photo_tags"].extend(f"{photo_id}\t{self.tag_ids[name]}\n" for name in names)
        values = self.ratings(photo_id, owner, created, lines["ratings"])
        comments = gen.comment_count()
        for _ in range(comments):
            author = int(rng.random() * len(gen.user_ids))
            self.comment_counts[author] += 1
            at = ts(gen.later(created))
            lines["comments"].append(
                f"{gen.uuid()}\t{photo_id}\t{gen.user_ids[author]}\t{gen.comment()}\t{at}\t{at}\n"
            )
        edited = gen.later(created) if rng.random() < 0.1 else created
        total = sum(values)
        mean = average(total, len(values)) if values else "\\N"
        lines["photos"].append(
            f"{photo_id}\t{gen.user_ids[owner]}\t{image.key}\timage/jpeg\t{image.width}\t{image.height}\t"
            f"{gen.description()}\t{Writer.array(names)}\t{len(values)}\t{total}\t{mean}\t{comments}\t"
            f"{ts(created)}\t{ts(edited)}\t{READY}\t{image.variants}\t{image.placeholder}\n"
        )

    def ratings(self, photo_id: str, owner: int, created: float, out: list[str]) -> list[int]:
        """Distinct raters, never the owner (the service refuses that)."""
        gen = self.gen
        values = gen.rating_values()
        if not values:
            return []
        users = len(gen.user_ids)
        raters = [r for r in gen.rng.sample(range(users), min(users, len(values) + 1)) if r != owner]
        values = values[: len(raters)]
        out.extend(
            f"{photo_id}\t{gen.user_ids[r]}\t{v}\t{Writer.ts(gen.later(created))}\n"
            for r, v in zip(raters, values, strict=False)
        )
        return values


class Seeder:
    def __init__(self, conn: psycopg.Connection[Any], rng: random.Random, log: TextIO) -> None:
        self.conn, self.rng, self.log = conn, rng, log
        self.rows: dict[str, int] = {}
        self.timings: dict[str, float] = {}

    def say(self, message: str) -> None:
        print(message, file=self.log, flush=True)

    def copy(self, table: str, columns: str, chunks: Iterator[str]) -> None:
        """A writer thread sends each chunk while the next one is generated, so Python and
        PostgreSQL work at the same time (two cores, two busy processes)."""
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), sql.SQL(columns))
        with self.conn.cursor() as cur, cur.copy(statement, writer=QueuedLibpqWriter(cur)) as copy:
            for chunk in chunks:
                copy.write(chunk)

    def phase(self, name: str, started: float) -> None:
        self.timings[name] = round(time.perf_counter() - started, 2)
        self.say(f"  {name}: {self.timings[name]:.1f} s")

    def users(self, count: int) -> list[str]:
        started = time.perf_counter()
        existing = self.conn.execute("SELECT count(*) FROM users").fetchone()
        base = existing[0] if existing else 0
        password_hash = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(12)).decode()
        first, last = vocabulary.FIRST_NAMES, vocabulary.LAST_NAMES
        ids, lines = [], []
        for n in range(base, base + count):
            given, family = self.rng.choice(first), self.rng.choice(last)
            username = f"{given}.{family}{n}"[:32]
            user_id = new_id()
            role = "moderator" if n % 500 == 7 else "user"
            joined = Writer.ts(time.time() - (YEARS + self.rng.random()) * 365.25 * 86_400)
            name = f"{given.title()} {family.title()}"
            lines.append(
                f"{user_id}\t{username}\t{username}@example.org\t{password_hash}\t{role}\t{name}\t{joined}\n"
            )
            ids.append(user_id)
        self.copy(
            "users",
            "id, username, email, password_hash, role, full_name, created_at",
            iter(["".join(lines)]),
        )
        self.rows["users"] = count
        self.phase("users", started)
        return ids

    def tag_ids(self, names: list[str]) -> dict[str, int]:
        self.conn.execute(
            "INSERT INTO tags (name) SELECT unnest(%s::text[]) ON CONFLICT DO NOTHING", (names,)
        )
        rows = self.conn.execute("SELECT name, id FROM tags WHERE name = ANY (%s)", (names,)).fetchall()
        return dict(rows)

    def photos(self, n: int, gen: Generator, tag_ids: dict[str, int], spool: dict[str, TextIO]) -> None:
        """Streams the photos through COPY and spools their tags, ratings and comments to
        temporary files, which are copied next (one COPY at a time on a connection)."""
        started = time.perf_counter()
        rows = PhotoRows(gen, write_images(self.images_dir), tag_ids, n)

        def chunks() -> Iterator[str]:
            for first in range(0, n, BATCH):
                batch = rows.batch(first, min(n, first + BATCH))
                for table in LOADED_TABLES[1:]:
                    spool[table].write("".join(batch[table]))
                    self.rows[table] = self.rows.get(table, 0) + len(batch[table])
                yield "".join(batch["photos"])
                done = min(n, first + BATCH)
                if done % 100_000 == 0 or done == n:
                    self.say(f"  photos: {done:>9,} ({done / (time.perf_counter() - started):,.0f}/s)")

        self.copy("photos", _PHOTO_COLUMNS, chunks())
        self.rows["photos"] = n
        self.phase("photos (generate + copy)", started)

        started = time.perf_counter()
        self.conn.execute("CREATE TEMP TABLE seed_counts (id uuid, photos int, comments int) ON COMMIT DROP")
        counts = zip(gen.user_ids, rows.photo_counts, rows.comment_counts, strict=True)
        self.copy(
            "seed_counts", "id, photos, comments", iter(["".join(f"{u}\t{p}\t{c}\n" for u, p, c in counts)])
        )
        self.conn.execute(
            "UPDATE users SET photo_count = users.photo_count + s.photos,"
            " comment_count = users.comment_count + s.comments FROM seed_counts s WHERE users.id = s.id"
        )
        self.phase("user counters", started)

    def copy_spool(self, table: str, columns: str, spool: TextIO) -> None:
        started = time.perf_counter()
        spool.seek(0)
        self.copy(table, columns, iter(lambda: spool.read(1 << 20), ""))
        self.phase(f"{table} (copy)", started)

    def run(self, n: int, users: int, images_dir: Path) -> dict[str, Any]:
        self.images_dir = images_dir
        everything = time.perf_counter()
        conn = self.conn
        existing = conn.execute("SELECT count(*) FROM photos").fetchone()
        superuser = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
        replica = bool(superuser and superuser[0])
        conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
        if replica:
            conn.execute("SET LOCAL session_replication_role = replica")
        deferred = Deferred(conn) if n >= (existing[0] if existing else 0) else None
        if deferred:
            deferred.drop()
        user_ids = self.users(users)
        names = tag_vocabulary()
        gen = Generator(self.rng, user_ids, names, time.time())
        with tempfile.TemporaryDirectory(prefix="seed-") as tmp:
            spool: dict[str, TextIO] = {
                t: open(Path(tmp) / t, "w+", encoding="utf-8")  # noqa: SIM115
                for t in LOADED_TABLES[1:]
            }
            try:
                self.photos(n, gen, self.tag_ids(names), spool)
                self.copy_spool("photo_tags", "photo_id, tag_id", spool["photo_tags"])
                self.copy_spool("ratings", "photo_id, user_id, value, created_at", spool["ratings"])
                self.copy_spool(
                    "comments", "id, photo_id, author_id, text, created_at, updated_at", spool["comments"]
                )
            finally:
                for fh in spool.values():
                    fh.close()
        if replica:  # the triggers did not run: the total they keep is added here
            conn.execute(
                "INSERT INTO photo_totals (shard, photos) VALUES (0, %s)"
                " ON CONFLICT (shard) DO UPDATE SET photos = photo_totals.photos + EXCLUDED.photos",
                (n,),
            )
        if deferred:
            started = time.perf_counter()
            deferred.restore(self.say)
            self.phase("constraints and indexes", started)
        started = time.perf_counter()
        conn.commit()
        self.phase("commit", started)
        started = time.perf_counter()
        conn.autocommit = True
        conn.execute("VACUUM (ANALYZE) users, tags, photos, photo_tags, ratings, comments, photo_totals")
        self.phase("vacuum analyze", started)
        elapsed = time.perf_counter() - everything
        return {
            "photos": n,
            "rows": self.rows,
            "seconds": round(elapsed, 2),
            "photos_per_second": round(n / elapsed),
            "rows_per_second": round(sum(self.rows.values()) / elapsed),
            "phases": self.timings,
            "rebuilt": deferred.names() if deferred else [],
        }


class Deferred:
    """The keys and indexes of the loaded tables (and the foreign keys pointing at them),
    dropped before the load and rebuilt after it, from their definitions in the catalog:
    building an index once from sorted data costs far less than a million random
    insertions and their WAL, and a foreign key validated in one join less than a check
    per row. The load is one transaction, so nobody sees the tables without them."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        tables = list(LOADED_TABLES)
        self.constraints: list[tuple[str, str, str, str]] = conn.execute(
            """
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype
            FROM pg_constraint
            WHERE contype IN ('p', 'f') AND (conrelid = ANY (%s::regclass[]) OR confrelid = ANY (%s::regclass[]))
            ORDER BY contype, conname
            """,
            (tables, tables),
        ).fetchall()
        self.indexes: list[tuple[str, str]] = conn.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY (%s::regclass[])
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY 1
            """,
            (tables,),
        ).fetchall()

    def names(self) -> list[str]:
        return [c[1] for c in self.constraints] + [i[0] for i in self.indexes]

    def drop(self) -> None:
        for table, name, _, _ in self.constraints:  # foreign keys ('f') sort before keys ('p')
            self.conn.execute(
                sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.SQL(table), sql.Identifier(name))
            )
        for name, _ in self.indexes:
            self.conn.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(name)))

    def restore(self, say: Callable[[str], None]) -> None:
        keys = [c for c in self.constraints if c[3] == "p"]
        foreign = [c for c in self.constraints if c[3] == "f"]
        steps: list[tuple[str, sql.SQL | sql.Composed]] = [
            *(
                (
                    name,
                    sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                        sql.SQL(table), sql.Identifier(name), sql.SQL(definition)
                    ),
                )
                for table, name, definition, _ in keys
            ),
            *((name, sql.SQL(definition)) for name, definition in self.indexes),
            *(
                (
                    name,
                    sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                        sql.SQL(table), sql.Identifier(name), sql.SQL(definition)
                    ),
                )
                for table, name, definition, _ in foreign
            ),
        ]
        for name, statement in steps:
            started = time.perf_counter()
            self.conn.execute(statement)
            say(f"    {name}: {time.perf_counter() - started:.1f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--photos", type=int, default=100_000, help="how many photos (default 100000)")
    parser.add_argument("--users", type=int, help="how many users (default: one per 40 photos, at least 20)")
    parser.add_argument("--random-seed", type=int, default=2024, help="same seed, same data")
    parser.add_argument("--summary", type=Path, help="also write the summary as JSON to this file")
    args = parser.parse_args(argv)
    if args.photos < 1:
        parser.error("--photos must be positive")
    settings = Settings.from_env()
    with database(settings) as ready:
        assert ready.database_url
        upgrade(ready.database_url)
        print(f"seeding {args.photos:,} photos into {ready.database_url}", flush=True)
        with psycopg.connect(libpq_url(ready.database_url)) as conn:
            seeder = Seeder(conn, random.Random(args.random_seed), sys.stdout)
            summary = seeder.run(args.photos, args.users or max(20, args.photos // 40), ready.images_dir)
    buffer = io.StringIO()
    json.dump(summary, buffer, indent=2)
    print(buffer.getvalue())
    print(
        f"seeded {args.photos:,} photos ({sum(summary['rows'].values()):,} rows) in {summary['seconds']} s:"
        f" {summary['photos_per_second']:,} photos/s, {summary['rows_per_second']:,} rows/s"
    )
    if args.summary:
        args.summary.write_text(buffer.getvalue() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
