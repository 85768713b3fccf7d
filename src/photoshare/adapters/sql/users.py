"""Accounts in PostgreSQL: the write-side repository and the profile read models."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from photoshare.adapters.sql.errors import conflict_from
from photoshare.adapters.sql.queries import like_pattern
from photoshare.adapters.sql.reader import PgReader, sql_text
from photoshare.adapters.sql.tables import UQ_EMAIL, UQ_USERNAME, photos, revoked_tokens, username_is, users
from photoshare.adapters.sql.tokens import FAMILY_PREFIX
from photoshare.adapters.sql.visibility import listed
from photoshare.application.ports.images import ImageStore
from photoshare.application.readmodels import AccountPage, AccountSearch, AccountView, MeView, ProfileView
from photoshare.domain.errors import Conflict, NotFound
from photoshare.domain.users import AVATAR_SIZES, Role, User, avatar_file

# Serialises only the sign-ups that find the table empty, so exactly one becomes admin.
FIRST_ACCOUNT_LOCK = 0x70686F746F  # "photo"

_CONFLICTS = {
    UQ_USERNAME: Conflict("that username is taken", field="username"),
    UQ_EMAIL: Conflict("that email is already registered", field="email"),
}


def _to_user(row: Any) -> User:
    return User(
        id=row.id,
        username=row.username,
        email=row.email,
        password_hash=row.password_hash,
        role=Role(row.role),
        is_active=row.is_active,
        created_at=row.created_at,
        full_name=row.full_name,
        bio=row.bio,
        token_version=row.token_version,
        email_verified=row.email_verified,
        avatar_key=row.avatar_key,
    )


_USER_COLUMNS = [
    users.c[name]
    for name in (
        "id",
        "username",
        "email",
        "password_hash",
        "role",
        "is_active",
        "created_at",
        "full_name",
        "bio",
        "token_version",
        "email_verified",
        "avatar_key",
    )
]


_GET_USER_SQL = sql_text(sa.select(*_USER_COLUMNS).where(users.c.id == sa.bindparam("user_id")))

# The account and the revocation of its token (by id or family) in one statement.
_REVOKED = (
    sa.exists()
    .where(
        revoked_tokens.c.token_id.in_([sa.bindparam("token_id"), sa.bindparam("family_key")]),
        revoked_tokens.c.expires_at > sa.func.now(),
    )
    .label("revoked")
)
_HOLDER_SQL = sql_text(sa.select(*_USER_COLUMNS, _REVOKED).where(users.c.id == sa.bindparam("user_id")))


class SqlTokenHolders:
    """`TokenHolders` when revocations live in PostgreSQL: one prepared statement on the
    read pool per authenticated request, instead of a revocation check and then the account."""

    def __init__(self, reader: PgReader) -> None:
        self._reader = reader

    async def holder(self, user_id: uuid.UUID, token_id: str, family: str | None) -> tuple[User | None, bool]:
        family_key = FAMILY_PREFIX + family if family else token_id
        row: Any = await self._reader.first_sql(
            _HOLDER_SQL, {"user_id": user_id, "token_id": token_id, "family_key": family_key}
        )
        if row is None:
            return None, False
        return (None, True) if row.revoked else (_to_user(row), False)


class SqlAccountLookups:
    """`AccountLookups` on the prepared-statement pool, outside the request's transaction."""

    def __init__(self, reader: PgReader) -> None:
        self._reader = reader

    async def get(self, user_id: uuid.UUID) -> User | None:
        # Every authenticated request starts here: one prepared statement outside the
        # request's transaction, so read-only requests never open a session at all.
        row = await self._reader.first_sql(_GET_USER_SQL, {"user_id": user_id})
        return _to_user(row) if row else None

    async def get_by_login(self, login: str) -> User | None:
        # Read outside the request's transaction: log-in then waits for bcrypt, and must not
        # hold a pooled connection while it does (a login storm would drain the pool).
        column = users.c.email if "@" in login else users.c.username
        row = await self._reader.first(
            sa.select(*_USER_COLUMNS).where(sa.func.lower(column) == login.lower())
        )
        return _to_user(row) if row else None

    async def get_by_email(self, email: str) -> User | None:
        # Outside the request's transaction, like log-in: a reset request holds no connection.
        row = await self._reader.first(
            sa.select(*_USER_COLUMNS).where(sa.func.lower(users.c.email) == email.lower())
        )
        return _to_user(row) if row else None


class SqlUserRepository:
    """The write side, in the request's session (the pool's lookups: `SqlAccountLookups`)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _one(self, condition: sa.ColumnElement[bool]) -> User | None:
        row = (await self._session.execute(sa.select(*_USER_COLUMNS).where(condition))).first()
        return _to_user(row) if row else None

    async def get_by_username(self, username: str) -> User | None:
        return await self._one(username_is(username))

    async def _table_is_empty(self) -> bool:
        return not (await self._session.execute(sa.select(sa.exists().select_from(users)))).scalar()

    async def add(self, user: User) -> User:
        role = user.role
        if await self._table_is_empty():
            await self._session.execute(sa.select(sa.func.pg_advisory_xact_lock(FIRST_ACCOUNT_LOCK)))
            if await self._table_is_empty():
                role = Role.ADMIN
        values = _values(user) | {"role": role.value}
        try:
            await self._session.execute(sa.insert(users).values(**values))
        except IntegrityError as error:
            raise conflict_from(error, _CONFLICTS) from None
        return replace(user, role=role)

    async def lock_by_username(self, username: str) -> User | None:
        row = (
            await self._session.execute(
                sa.select(*_USER_COLUMNS).where(username_is(username)).with_for_update()
            )
        ).first()
        return _to_user(row) if row else None

    async def update_profile(self, user: User) -> None:
        values = {
            "full_name": user.full_name,
            "bio": user.bio,
            "email": user.email,
            "email_verified": user.email_verified,
        }
        try:
            await self._session.execute(sa.update(users).where(users.c.id == user.id).values(**values))
        except IntegrityError as error:
            raise conflict_from(error, _CONFLICTS) from None

    async def update_access(self, user: User) -> None:
        values = {"role": user.role.value, "is_active": user.is_active, "token_version": user.token_version}
        await self._session.execute(sa.update(users).where(users.c.id == user.id).values(**values))

    async def mark_email_verified(self, user_id: uuid.UUID, email: str) -> bool:
        done = await self._session.execute(
            sa.update(users)
            .where(users.c.id == user_id, sa.func.lower(users.c.email) == email.lower())
            .values(email_verified=True)
            .returning(users.c.id)
        )
        return done.first() is not None

    async def update_password(self, user: User) -> None:
        values = {"password_hash": user.password_hash, "token_version": user.token_version}
        await self._session.execute(sa.update(users).where(users.c.id == user.id).values(**values))

    async def update_avatar(self, user_id: uuid.UUID, avatar_key: str | None) -> None:
        await self._session.execute(
            sa.update(users).where(users.c.id == user_id).values(avatar_key=avatar_key)
        )

    async def update_password_hash(self, user_id: uuid.UUID, password_hash: str) -> None:
        await self._session.execute(
            sa.update(users).where(users.c.id == user_id).values(password_hash=password_hash)
        )


def _values(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "password_hash": user.password_hash,
        "role": user.role.value,
        "is_active": user.is_active,
        "created_at": user.created_at,
        "full_name": user.full_name,
        "bio": user.bio,
        "token_version": user.token_version,
        "email_verified": user.email_verified,
        "avatar_key": user.avatar_key,
    }


# A profile counts listed photos only: the account's counter less its few unlisted photos
# (found through the partial index `ix_photos_hidden_owner`).
_UNLISTED_OF_USER = (
    sa.select(sa.func.count())
    .select_from(photos)
    .where(photos.c.owner_id == users.c.id, sa.not_(listed(photos)))
).scalar_subquery()


# The read models' fields are user columns, in field order, but for `avatar_url`, which is
# the last field and comes from the `avatar_key` column, and a profile's `photo_count`.
def _view_select(view: type[MeView] | type[ProfileView] | type[AccountView]) -> sa.Select[Any]:
    *columns, avatar = view.__struct_fields__
    assert avatar == "avatar_url"
    return sa.select(
        *(
            (users.c.photo_count - _UNLISTED_OF_USER).label("photo_count")
            if view is ProfileView and name == "photo_count"
            else users.c[name]
            for name in columns
        ),
        users.c.avatar_key,
    )


_ME = _view_select(MeView)
_PROFILE = _view_select(ProfileView)
_ACCOUNT = _view_select(AccountView)


def _account_filters(search: AccountSearch) -> list[sa.ColumnElement[bool]]:
    found: list[sa.ColumnElement[bool]] = []
    if search.q:
        found.append(users.c.username.ilike(like_pattern(search.q)))
    if search.role is not None:
        found.append(users.c.role == search.role)
    if search.banned is not None:
        found.append(users.c.is_active.is_(not search.banned))
    return found


class SqlUserQueries:
    def __init__(self, reader: PgReader, store: ImageStore) -> None:
        self._reader = reader
        self._store = store

    def _with_avatar_url(self, row: Any) -> dict[str, Any]:
        """The stored key becomes the largest avatar's URL (avatars are always public)."""
        values: dict[str, Any] = row._asdict()
        key = values.pop("avatar_key")
        values["avatar_url"] = self._store.original_url(avatar_file(key, AVATAR_SIZES[0])) if key else None
        return values

    async def me(self, user_id: uuid.UUID) -> MeView:
        row = await self._reader.first(_ME.where(users.c.id == user_id))
        if row is None:
            raise NotFound("your account no longer exists")
        return MeView(**self._with_avatar_url(row))

    async def profile(self, username: str) -> ProfileView:
        row = await self._reader.first(_PROFILE.where(username_is(username)))
        if row is None:
            raise NotFound(f"no user named {username!r}")
        return ProfileView(**self._with_avatar_url(row))

    async def accounts(self, search: AccountSearch) -> AccountPage:
        filters = _account_filters(search)
        total = await self._reader.scalar(sa.select(sa.func.count()).select_from(users).where(*filters))
        rows = await self._reader.all(
            _ACCOUNT.where(*filters)
            .order_by(sa.func.lower(users.c.username))
            .limit(search.limit)
            .offset(search.offset)
        )
        return AccountPage(
            items=[AccountView(**self._with_avatar_url(r)) for r in rows],
            total=int(total or 0),
            limit=search.limit,
            offset=search.offset,
        )

    async def avatar_key(self, username: str) -> str:
        key: str | None = await self._reader.scalar(
            sa.select(users.c.avatar_key).where(username_is(username))
        )
        if key is None:
            raise NotFound(f"{username!r} has no avatar")
        return key
