"""The app boots on the embedded PostgreSQL and the first account becomes admin."""

from litestar import Litestar
from litestar.testing import AsyncTestClient


async def test_first_signup_is_admin_and_second_is_user(client: AsyncTestClient[Litestar]) -> None:
    first = await client.post(
        "/api/auth/signup", json={"username": "alice", "email": "a@x.io", "password": "password1"}
    )
    second = await client.post(
        "/api/auth/signup", json={"username": "bob", "email": "b@x.io", "password": "password1"}
    )
    assert (first.status_code, first.json()["role"]) == (201, "admin")
    assert (second.status_code, second.json()["role"]) == (201, "user")
