"""Read models straight from SQL: a page costs a fixed few statements, never one per row."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, REGCONFIG, TSQUERY
from sqlalchemy.dialects.postgresql import array as pg_array

from photoshare.adapters.sql.photos import PHOTO_COLUMNS, variants_from_json
from photoshare.adapters.sql.reader import PgReader, sql_text
from photoshare.adapters.sql.tables import (
    SEARCH_CONFIG,
    TAG_LEXEME_PREFIX,
    photo_tags,
    photo_totals,
    photos,
    tags,
    username_is,
    users,
)
from photoshare.adapters.sql.visibility import listed, listed_to, shapes, viewer_shape, visible
from photoshare.application.ports.images import ImageStore
from photoshare.application.readmodels import (
    EXACT_TOTAL_MAX,
    PhotoMetadata,
    PhotoPage,
    PhotoSearch,
    PhotoView,
    RatingStats,
    TagPage,
    TagView,
    UserRef,
    VariantView,
)
from photoshare.domain.access import Visibility, VisibleTo
from photoshare.domain.errors import NotFound
from photoshare.domain.photos import METADATA_FIELDS, Variant, tag_key

PHOTO_ROW = sa.select(
    *PHOTO_COLUMNS,
    users.c.username,
    photos.c.rating_average,
    photos.c.rating_count,
    photos.c.comment_count,
).join_from(photos, users, users.c.id == photos.c.owner_id)

# The hottest read, compiled once per viewer shape: building and compiling the statement
# per request was a fifth of a photo request's Python time (py-spy, bench "get photo").
_PHOTO_BY_ID = [
    sql_text(
        PHOTO_ROW.where(
            photos.c.id == sa.bindparam("photo_id"),
            visible(photos, shape, viewer=sa.bindparam("viewer_id")),
        )
    )
    for shape in shapes()
]


def like_pattern(text: str) -> str:
    """`%text%` with LIKE's own wildcards escaped, so a user's `%` matches a literal `%`."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_TEXT_ARRAY = ARRAY(sa.Text)

# Turns a stored image key and the photo's visibility into the URL an answer carries
# (signed and expiring unless the photo is public).
UrlFor = Callable[[str, Visibility], str]
VariantUrlFor = Callable[[str, Variant, Visibility], str]  # the same, for a sized variant


def _metadata(exif: dict[str, Any] | None) -> PhotoMetadata | None:
    if not exif:
        return None
    return msgspec.convert({k: v for k, v in exif.items() if k in METADATA_FIELDS}, PhotoMetadata)


async def owner_named(reader: PgReader, username: str) -> uuid.UUID:
    """The id of the account a public list is asked for by username (404 when there is none)."""
    owner_id: uuid.UUID | None = await reader.scalar(sa.select(users.c.id).where(username_is(username)))
    if owner_id is None:
        raise NotFound(f"no user named {username!r}")
    return owner_id


class SqlPhotoQueries:
    def __init__(
        self,
        reader: PgReader,
        url_for: UrlFor,
        variant_url: VariantUrlFor | None = None,
        exact_total_max: int = EXACT_TOTAL_MAX,  # smaller in tests, so a few rows pass it
    ) -> None:
        self._reader = reader
        self._exact_total_max = exact_total_max
        self.url_for = url_for
        self._variant_url = variant_url or (lambda key, v, visibility: url_for(key, visibility))

    @classmethod
    def serving(cls, reader: PgReader, store: ImageStore) -> SqlPhotoQueries:
        """Answers carry the store's URLs: signed (and expiring) unless the photo is public."""
        return cls(
            reader,
            lambda key, visibility: store.original_url(key, signed=visibility.signed_urls),
            lambda key, variant, visibility: store.variant_url(key, variant, signed=visibility.signed_urls),
        )

    def view(self, row: Any) -> PhotoView:
        """A row of `PHOTO_ROW` as the answer shows it."""
        average = row.rating_average
        visibility = Visibility(row.visibility)
        variants = [
            VariantView(v.name, v.width, v.height, self._variant_url(row.image_key, v, visibility))
            for v in variants_from_json(row.variants or [])
        ]
        return PhotoView(
            id=row.id,
            url=self.url_for(row.image_key, visibility),
            description=row.description,
            tags=list(row.tag_names),
            owner=UserRef(row.username),
            rating=RatingStats(
                average=float(average) if average is not None else None, count=row.rating_count
            ),
            comment_count=row.comment_count,
            width=row.width,
            height=row.height,
            created_at=row.created_at,
            updated_at=row.updated_at,
            visibility=visibility.value,
            status=row.status,
            variants=variants,
            placeholder=row.placeholder,
            checksum=row.checksum,
            taken_at=row.taken_at,
            show_metadata=row.show_metadata,
            metadata=_metadata(row.exif) if row.show_metadata else None,
        )

    async def existing_checksums(self, owner_id: uuid.UUID, checksums: list[str]) -> dict[str, uuid.UUID]:
        if not checksums:
            return {}
        rows = await self._reader.all(
            sa.select(photos.c.checksum, sa.func.min(sa.cast(photos.c.id, sa.Text)).label("id"))
            # `= ANY(array)`: the reader pool binds the list as one array value.
            .where(
                photos.c.owner_id == owner_id,
                photos.c.checksum == sa.any_(sa.literal(checksums, _TEXT_ARRAY)),
            )
            .group_by(photos.c.checksum)
        )
        return {checksum: uuid.UUID(photo_id) for checksum, photo_id in rows}

    async def get(self, photo_id: uuid.UUID, to: VisibleTo) -> PhotoView:
        sql = _PHOTO_BY_ID[viewer_shape(to)]
        row = await self._reader.first_sql(sql, {"photo_id": photo_id, "viewer_id": to.viewer_id})
        if row is None:
            raise NotFound("no such photo")
        return self.view(row)

    async def of_user(self, username: str, to: VisibleTo, limit: int, offset: int) -> PhotoPage:
        owner_id = await owner_named(self._reader, username)
        where = (photos.c.owner_id == owner_id, listed_to(photos, to))
        total = await self._reader.scalar(sa.select(sa.func.count()).select_from(photos).where(*where))
        rows = await self._reader.all(
            PHOTO_ROW.where(*where)
            .order_by(photos.c.created_at.desc(), photos.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return PhotoPage(
            items=[self.view(r) for r in rows], total=int(total or 0), limit=limit, offset=offset
        )

    async def search(self, search: PhotoSearch) -> PhotoPage:
        """Two statements whatever the page size: the total, then the page.

        The total is exact up to `exact_total_max` matches and stops counting there
        (`total_exact` false): counting a common word's 200,000 matches was most of its
        cost. It comes first because it shapes the page's plan with facts instead of the
        planner's guesses: a page past the middle of an exact total is read backwards
        from the end, so the last page costs what the first does; and a keyword's few
        matches are gathered through the GIN index and sorted, while many are found by
        walking the sort order's index until the page is full (see `_few_enough_to_gather`).
        Filtered statements are not prepared: a generic plan picked for one word would be
        ruinous for another.
        """
        filters = _conditions(search)
        # An unfiltered page has one good plan whatever the values: let psycopg prepare it
        # (planning was most of its database time).
        prepare = None if not filters else False
        cap = self._exact_total_max
        counts = await self._reader.first(_total(search, filters, cap), prepare=prepare)
        counted, photo_count = counts or (0, 0)
        total, exact = (int(counted), True) if not filters or counted <= cap else (cap, False)
        window = _Window.of(search, total if exact else None, int(photo_count))
        rows = await self._reader.all(_page(search, [listed(photos), *filters], window), prepare=prepare)
        ordered = reversed(rows) if window.backwards else rows
        return PhotoPage(
            items=[self.view(r) for r in ordered],
            total=total,
            limit=search.limit,
            offset=search.offset,
            total_exact=exact,
        )


@dataclass(frozen=True, slots=True)
class _Window:
    """The rows to read: `limit` rows after `offset`, counted from the end if `backwards`;
    `gather` when the matches are few enough to collect and sort them all."""

    limit: int
    offset: int
    backwards: bool
    gather: bool = False

    @classmethod
    def of(cls, search: PhotoSearch, total: int | None, photo_count: int) -> _Window:
        """`total` None: more matches than were counted, so no end to read back from and
        too many to gather."""
        if total is None:
            return cls(search.limit, search.offset, backwards=False)
        end = min(search.offset + search.limit, total)
        if end <= search.offset:
            return cls(0, 0, backwards=False)
        if total - end < search.offset:
            limit, offset, backwards = end - search.offset, total - end, True
        else:
            limit, offset, backwards = search.limit, search.offset, False
        return cls(
            limit, offset, backwards, gather=_few_enough_to_gather(search, total, photo_count, limit + offset)
        )


def _few_enough_to_gather(search: PhotoSearch, total: int, photo_count: int, reach: int) -> bool:
    """For a keyword alone (a tag beside it included), whether to gather its matches
    rather than walk the sort index.

    The planner guesses a keyword's matches from a sample: a word in 0.08% of a million
    photos was estimated at 1% after one ANALYZE in six, and the page then walked and
    ILIKE-tested 25,000 rows (48 ms) instead of fetching 800 matches (5 ms). The exact
    total is known by now (a total past the cap never gathers): walking reaches the page
    after about reach * photos / total rows, each tested in the sort index's order (heap
    pages in sequence); gathering fetches all `total` matches, each a random heap page,
    about four times the cost.
    Only for a keyword alone are the matches what the GIN index returns; with more
    filters those candidates can be many more than the total, so the planner decides.
    """
    # `tag` beside `q` is part of the one tsquery (see `_conditions`).
    keyword_only = bool(search.q) and not (
        search.owner
        or search.min_rating is not None
        or search.max_rating is not None
        or search.created_from is not None
        or search.created_to is not None
        or search.taken_from is not None
        or search.taken_to is not None
    )
    return keyword_only and 4 * total * total < reach * max(photo_count, total)


def _total(search: PhotoSearch, filters: list[sa.ColumnElement[bool]], cap: int) -> sa.Select[int, int]:
    """The number of listed matches (exact up to `cap`, else `cap + 1`: the count stops
    there) and of listed photos, each the cheapest way: the counter kept by triggers for
    all listed photos, the tag's rows in `photo_tags` (an index-only count) less its few
    unlisted photos for a tag alone, else a count with the page's conditions."""
    photo_count = sa.select(sa.func.coalesce(sa.func.sum(photo_totals.c.photos), 0)).scalar_subquery()
    if not filters:
        matches: sa.ColumnElement[Any] = photo_count
    elif search.tag and not search.q and len(filters) == 1:
        matches = public_with_tag(
            sa.select(tags.c.id).where(tags.c.name == search.tag).scalar_subquery(), search.tag, cap
        )
    else:
        first = sa.select(sa.literal(1)).select_from(photos).where(listed(photos), *filters).limit(cap + 1)
        matches = sa.select(sa.func.count()).select_from(first.subquery()).scalar_subquery()
    return sa.select(sa.cast(matches, sa.BigInteger), sa.cast(photo_count, sa.BigInteger))


def _page(search: PhotoSearch, conditions: list[sa.ColumnElement[bool]], window: _Window) -> sa.Select[Any]:
    """The page's ids are found first, reading only what the conditions and the order
    need (often just an index), and only those rows are fetched and joined: a deep
    offset skips index entries, not whole rows. When gathering, the matches are a
    MATERIALIZED CTE: planned on its own, without the order to follow, it is a bitmap
    scan of the indexes the conditions name."""
    source: Any = photos
    if window.gather:
        source = (
            sa.select(photos.c.id, photos.c.created_at, photos.c.rating_average, photos.c.taken_at)
            .where(*conditions)
            .cte("matches")
            .prefix_with("MATERIALIZED")
        )
    ids = sa.select(source.c.id)
    if not window.gather:
        ids = ids.where(*conditions)
    ids = ids.order_by(*_order(search, source, backwards=window.backwards))
    ids = ids.limit(window.limit).offset(window.offset)
    return PHOTO_ROW.where(photos.c.id.in_(ids)).order_by(*_order(search, photos, backwards=window.backwards))


def _conditions(search: PhotoSearch) -> list[sa.ColumnElement[bool]]:
    """Each filter in a form its index answers: `@@` for the GIN index on the words of the
    description and tag names, `@>` for the GIN index on `tag_names`, ranges for the btrees."""
    where: list[sa.ColumnElement[bool]] = []
    if search.q and search.tag:
        # One tsquery: GIN intersects the word's and the tag's posting lists itself.
        both = word_query(search.q).op("&&")(_tag_lexeme(search.tag))
        where.append(photos.c.search_vector.op("@@")(both))
    elif search.q:
        where.append(photos.c.search_vector.op("@@")(word_query(search.q)))
    elif search.tag:
        where.append(photos.c.tag_names.contains([search.tag]))
    # Compared as exact decimals: a bound cast to the column's numeric(3, 2) would round.
    if search.min_rating is not None:
        where.append(photos.c.rating_average >= _decimal(search.min_rating))
    if search.max_rating is not None:
        where.append(photos.c.rating_average <= _decimal(search.max_rating))
    if search.created_from is not None:
        where.append(photos.c.created_at >= search.created_from)
    if search.created_to is not None:
        where.append(photos.c.created_at <= search.created_to)
    if search.taken_from is not None:
        where.append(photos.c.taken_at >= search.taken_from)
    if search.taken_to is not None:
        where.append(photos.c.taken_at <= search.taken_to)
    if search.owner:
        owner_id = (
            sa.select(users.c.id)
            .where(sa.func.lower(users.c.username) == sa.func.lower(search.owner))
            .scalar_subquery()
        )
        where.append(photos.c.owner_id == owner_id)
    return where


def word_query(q: str) -> sa.ColumnElement[Any]:
    """`q` as a tsquery, the way a search box is read: words all present, `"a phrase"`,
    `a or b`, `-word` absent (`websearch_to_tsquery`, which never fails on any input:
    punctuation alone is an empty query, matching nothing). While a word is being
    typed it is a prefix (`sun` finds `sunset`): the last lexeme gets `:*` when `q` ends
    inside a plain word. Both functions are immutable, so the planner folds the query
    to a constant and estimates it from the column's lexeme statistics. That needs the
    configuration as a literal `regconfig`: a bound name is cast to one while running
    (a STABLE lookup), and the whole query would then be rebuilt for every row."""
    config = sa.literal_column(f"'{SEARCH_CONFIG}'::regconfig", REGCONFIG)
    query: sa.ColumnElement[Any] = sa.func.websearch_to_tsquery(config, q, type_=TSQUERY)
    if _typing_a_word(q):
        # The query's text ends with its last lexeme, quoted: `'a' & 'sun'` -> `'a' & 'sun':*`.
        as_text = sa.func.regexp_replace(sa.cast(query, sa.Text), "'$", "':*")
        query = sa.cast(as_text, TSQUERY)
    return query


def _tag_lexeme(name: str) -> sa.ColumnElement[Any]:
    """The tag as the one lexeme `#name` the search vector holds for it, quoted as tsquery
    text (a quote doubled, a backslash escaped), so any name is that lexeme and nothing else."""
    quoted = name.replace("\\", "\\\\").replace("'", "''")
    return sa.cast(sa.literal(f"'{TAG_LEXEME_PREFIX}{quoted}'"), TSQUERY)


def _typing_a_word(q: str) -> bool:
    """Whether `q` ends inside a word that is still being typed: not after a space or a
    closing quote, not inside a quoted phrase, not a word to exclude or an `or`."""
    words = q.split()
    last = words[-1] if words else ""
    return q[-1:].isalnum() and q.count('"') % 2 == 0 and not last.startswith("-") and last.lower() != "or"


def _decimal(value: float) -> sa.BindParameter[Decimal]:
    return sa.bindparam(None, Decimal(str(value)), type_=sa.Numeric())


def _order(search: PhotoSearch, source: Any, *, backwards: bool) -> list[sa.UnaryExpression[Any]]:
    """Ties broken by id. Unrated photos come last in both rating sorts, so reading
    backwards puts them first; each order (and its reverse) is one index read forwards or
    backwards: ix_photos_created_at_id, ix_photos_rating_id, ix_photos_rating_desc_id."""
    descending = search.sort.descending != backwards
    tie = source.c.id.desc() if descending else source.c.id.asc()
    if search.sort.field == "taken_at":  # ix_photos_taken_at_id; undated photos last
        taken = source.c.taken_at.desc() if descending else source.c.taken_at.asc()
        return [taken.nulls_first() if backwards else taken.nulls_last(), tie]
    if search.sort.field != "rating":
        return [source.c.created_at.desc() if descending else source.c.created_at.asc(), tie]
    rating = source.c.rating_average.desc() if descending else source.c.rating_average.asc()
    return [rating.nulls_first() if backwards else rating.nulls_last(), tie]


def public_with_tag(tag_id: Any, name: Any, cap: int | None = None) -> sa.ColumnElement[Any]:
    """Listed photos with a tag: its rows in `photo_tags` (index-only) less its unlisted photos
    (few, found through the partial index `ix_photos_hidden_tag_names`). With a `cap`, the
    rows are counted only until more than `cap` listed ones are certain."""
    hidden = (
        sa.select(sa.func.count())
        .select_from(photos)
        .where(sa.not_(listed(photos)), photos.c.tag_names.contains(pg_array([name])))
        .scalar_subquery()
    )
    if cap is None:
        tagged = sa.select(sa.func.count()).where(photo_tags.c.tag_id == tag_id).scalar_subquery()
    else:
        rows = sa.select(sa.literal(1)).where(photo_tags.c.tag_id == tag_id).limit(hidden + (cap + 1))
        tagged = sa.select(sa.func.count()).select_from(rows.subquery()).scalar_subquery()
    return tagged - hidden


class SqlTagQueries:
    def __init__(self, reader: PgReader) -> None:
        self._reader = reader

    async def page(self, prefix: str | None, limit: int, offset: int) -> TagPage:
        # A tag no listed photo uses is no tag to list: not one whose photos are all gone (its
        # row stays, for the next photo), nor one of unlisted photos only (its name would tell).
        used = sa.exists(
            sa.select(sa.literal(1))
            .select_from(photo_tags.join(photos, photos.c.id == photo_tags.c.photo_id))
            .where(photo_tags.c.tag_id == tags.c.id, listed(photos))
        )
        key = tag_key(prefix) if prefix else ""
        where: list[sa.ColumnElement[bool]] = [used] + (
            [tags.c.name.like(like_pattern(key)[1:])] if key else []
        )
        # A correlated count per tag on the page (index-only on photo_tags.tag_id, less the
        # tag's few unlisted photos), not a GROUP BY over every photo's tags.
        photo_count = public_with_tag(tags.c.id, tags.c.name)
        rows = await self._reader.all(
            sa.select(tags.c.name, photo_count)
            .where(*where)
            .order_by(tags.c.name)
            .limit(limit)
            .offset(offset)
        )
        total = await self._reader.scalar(sa.select(sa.func.count()).select_from(tags).where(*where))
        return TagPage(items=[TagView(n, c) for n, c in rows], total=total, limit=limit, offset=offset)
