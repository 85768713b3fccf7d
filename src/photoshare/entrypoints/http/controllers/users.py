"""Me, public profiles, and admin account management."""

from typing import Annotated

from dishka import FromDishka
from dishka.integrations.litestar import inject
from litestar import Controller, get, patch, post, put
from litestar.params import FromPath, JSONBody, Parameter
from msgspec import UNSET

from photoshare.application.auth import Principal, Viewer, ensure_session
from photoshare.application.readmodels import (
    AccountPage,
    AccountSearch,
    MeView,
    PhotoPage,
    PhotoQueries,
    ProfileView,
    UserQueries,
)
from photoshare.application.users import Ban, ChangeRole, Unban, UpdateMe
from photoshare.domain.users import Keep, Role
from photoshare.entrypoints.http.controllers.albums import Limit, Offset
from photoshare.entrypoints.http.guards import admin, authenticated
from photoshare.entrypoints.http.openapi import SECURITY as BEARER
from photoshare.entrypoints.http.openapi_answers import answers
from photoshare.entrypoints.http.schemas import MePatch, RoleIn


class UsersController(Controller):
    path = "/api/users"
    tags = ["users"]

    @get(
        "/me",
        guards=[authenticated],
        security=BEARER,
        operation_id="getMe",
        summary="Your own account",
        description="Any user. Your account, with the email only you see.",
    )
    @inject
    async def get_me(self, principal: FromDishka[Principal], queries: FromDishka[UserQueries]) -> MeView:
        return await queries.me(principal.user.id)

    @patch(
        "/me",
        guards=[authenticated],
        security=BEARER,
        operation_id="updateMe",
        summary="Change your name, bio or email",
        description="Any user. Only the fields given change. 409 when the email is taken.",
        responses=answers(409),
        opt={"unverified_ok": True},
    )
    @inject
    async def patch_me(
        self,
        data: JSONBody[MePatch],
        principal: FromDishka[Principal],
        update: FromDishka[UpdateMe],
        queries: FromDishka[UserQueries],
    ) -> MeView:
        if data.email is not UNSET and data.email is not None:
            ensure_session(principal)  # a personal access token cannot move the account's email
        await update(
            principal.user,
            full_name=Keep.KEEP if data.full_name is UNSET else data.full_name,
            bio=Keep.KEEP if data.bio is UNSET else data.bio,
            email=None if data.email is UNSET else data.email,
        )
        return await queries.me(principal.user.id)

    @get(
        "/",
        guards=[admin],
        security=BEARER,
        operation_id="listUsers",
        summary="Every account, for admins",
        description="Admins only (403 for anyone else): a page of accounts by username, with their "
        "email. `q` matches a part of the username (case-insensitive), `role` one role, `banned` "
        "banned (`true`) or active (`false`) accounts.",
    )
    @inject
    async def list_users(
        self,
        queries: FromDishka[UserQueries],
        limit: Limit = 20,
        offset: Offset = 0,
        q: Annotated[str | None, Parameter(min_length=1, max_length=32)] = None,
        role: Role | None = None,
        banned: bool | None = None,
    ) -> AccountPage:
        search = AccountSearch(
            limit=limit, offset=offset, q=q, role=role.value if role else None, banned=banned
        )
        return await queries.accounts(search)

    @get(
        "/{username:str}/photos",
        operation_id="listUserPhotos",
        summary="A user's photos",
        description="Public: a user's public photos, newest first; all of them (unlisted and private "
        "too) for the owner and admins. 404 for an unknown username; a bad token is 401.",
        responses=answers(401, 403),
    )
    @inject
    async def photos_of(
        self,
        username: FromPath[str],
        viewer: FromDishka[Viewer],
        queries: FromDishka[PhotoQueries],
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> PhotoPage:
        return await queries.of_user(username, viewer.sees, limit, offset)

    @get(
        "/{username:str}",
        operation_id="getProfile",
        summary="A user's public profile",
        description="Public. Never the email. 404 for an unknown username.",
    )
    @inject
    async def get_profile(self, username: FromPath[str], queries: FromDishka[UserQueries]) -> ProfileView:
        return await queries.profile(username)

    @put(
        "/{username:str}/role",
        guards=[admin],
        security=BEARER,
        operation_id="setRole",
        summary="Change a user's role",
        description="Admins only (403 for anyone else). 409 when an admin would demote themselves.",
        responses=answers(409),
    )
    @inject
    async def set_role(
        self,
        username: FromPath[str],
        data: JSONBody[RoleIn],
        principal: FromDishka[Principal],
        change_role: FromDishka[ChangeRole],
        queries: FromDishka[UserQueries],
    ) -> ProfileView:
        await change_role(principal.user, username, data.role)
        return await queries.profile(username)

    @post(
        "/{username:str}/ban",
        status_code=200,
        guards=[admin],
        security=BEARER,
        operation_id="banUser",
        summary="Ban a user",
        description="Admins only. The user cannot log in (403) and their tokens stop working at "
        "once. 409 when an admin would ban themselves.",
        responses=answers(409),
    )
    @inject
    async def ban(
        self,
        username: FromPath[str],
        principal: FromDishka[Principal],
        ban: FromDishka[Ban],
        queries: FromDishka[UserQueries],
    ) -> ProfileView:
        await ban(principal.user, username)
        return await queries.profile(username)

    @post(
        "/{username:str}/unban",
        status_code=200,
        guards=[admin],
        security=BEARER,
        operation_id="unbanUser",
        summary="Lift a user's ban",
        description="Admins only. The user can log in again.",
    )
    @inject
    async def unban(
        self,
        username: FromPath[str],
        principal: FromDishka[Principal],
        unban: FromDishka[Unban],
        queries: FromDishka[UserQueries],
    ) -> ProfileView:
        await unban(principal.user, username)
        return await queries.profile(username)
