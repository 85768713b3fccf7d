"""The bcrypt adapter: every byte of a long password counts, and legacy hashes still verify."""

from __future__ import annotations

import anyio
import bcrypt
import pytest

from photoshare.adapters.security import BCRYPT_MAX_BYTES, PREHASH_PREFIX, BcryptPasswordHasher

ROUNDS = 4


@pytest.fixture
def hasher() -> BcryptPasswordHasher:
    return BcryptPasswordHasher(anyio.CapacityLimiter(2), rounds=ROUNDS)


def _legacy_hash(password: str) -> str:
    """How hashes were made before the pre-hash: plain bcrypt of the first 72 bytes."""
    return bcrypt.hashpw(password.encode()[:BCRYPT_MAX_BYTES], bcrypt.gensalt(ROUNDS)).decode()


async def test_a_new_hash_is_marked_with_the_prehash_prefix(hasher: BcryptPasswordHasher) -> None:
    hashed = await hasher.hash("correct horse")
    assert hashed.startswith(PREHASH_PREFIX)
    assert not hashed.startswith("$2")  # never mistaken for a plain bcrypt hash
    assert await hasher.verify("correct horse", hashed)
    assert not await hasher.verify("correct horsE", hashed)
    assert not hasher.needs_rehash(hashed)


@pytest.mark.parametrize("tail", ["different", "", "secret", "secret12"])
async def test_long_passwords_that_share_their_first_72_bytes_do_not_match(
    hasher: BcryptPasswordHasher, tail: str
) -> None:
    hashed = await hasher.hash("A" * 72 + "secret1")
    assert not await hasher.verify("A" * 72 + tail, hashed)
    assert await hasher.verify("A" * 72 + "secret1", hashed)


async def test_every_byte_of_a_512_byte_password_counts(hasher: BcryptPasswordHasher) -> None:
    password = "é" * 128  # 256 bytes of UTF-8
    hashed = await hasher.hash(password)
    assert await hasher.verify(password, hashed)
    assert not await hasher.verify("é" * 127 + "e", hashed)


async def test_a_legacy_hash_verifies_and_is_flagged_for_rehash(hasher: BcryptPasswordHasher) -> None:
    legacy = _legacy_hash("correct horse")
    assert await hasher.verify("correct horse", legacy)
    assert not await hasher.verify("wrong horse", legacy)
    assert hasher.needs_rehash(legacy)


async def test_a_legacy_hash_of_a_long_password_still_verifies_as_it_always_did(
    hasher: BcryptPasswordHasher,
) -> None:
    legacy = _legacy_hash("A" * 72 + "secret1")
    assert await hasher.verify("A" * 72 + "secret1", legacy)
    assert hasher.needs_rehash(legacy)


async def test_a_hash_made_with_other_rounds_is_flagged_for_rehash(hasher: BcryptPasswordHasher) -> None:
    stronger = BcryptPasswordHasher(anyio.CapacityLimiter(2), rounds=ROUNDS + 1)
    hashed = await stronger.hash("correct horse")
    assert await hasher.verify("correct horse", hashed)
    assert hasher.needs_rehash(hashed)
    assert not stronger.needs_rehash(hashed)


async def test_an_unknown_user_is_checked_against_a_dummy_and_fails(hasher: BcryptPasswordHasher) -> None:
    assert not await hasher.verify("correct horse", None)


@pytest.mark.parametrize("damaged", ["!", "sha256$", PREHASH_PREFIX + "not-bcrypt", "$2b$12$short"])
async def test_a_damaged_hash_matches_nothing_instead_of_raising(
    hasher: BcryptPasswordHasher, damaged: str
) -> None:
    assert not await hasher.verify("correct horse", damaged)
