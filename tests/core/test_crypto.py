"""Ed25519 keys sealed under a password: sign, verify, wrong password, tampering, re-sealing."""

from __future__ import annotations

import pytest

from brigade_desk.core import crypto
from brigade_desk.core.errors import AuthError


def test_sign_and_verify() -> None:
    key = crypto.new_key_pair("Passw0rd1")
    signature = crypto.sign(key, "Passw0rd1", b"package-hash")
    assert crypto.verify(key.public_key, b"package-hash", signature)
    assert not crypto.verify(key.public_key, b"package-hash-changed", signature)
    forged = signature[:-4] + ("AAAA" if not signature.endswith("AAAA") else "BBBB")
    assert not crypto.verify(key.public_key, b"package-hash", forged)
    other = crypto.new_key_pair("x1234567")
    assert not crypto.verify(other.public_key, b"package-hash", signature)


def test_private_key_is_sealed_and_needs_the_password() -> None:
    key = crypto.new_key_pair("Passw0rd1")
    assert "Passw0rd1" not in key.sealed
    with pytest.raises(AuthError, match="密码不正确"):
        crypto.sign(key, "wrong", b"x")
    tampered = crypto.WrappedKey(key.public_key, key.sealed[:-6] + "AAAAAA")
    with pytest.raises(AuthError):
        crypto.sign(tampered, "Passw0rd1", b"x")


def test_rewrap_keeps_the_same_key() -> None:
    key = crypto.new_key_pair("Passw0rd1")
    moved = crypto.rewrap(key, "Passw0rd1", "NewPassw0rd")
    assert moved.public_key == key.public_key
    assert crypto.verify(key.public_key, b"m", crypto.sign(moved, "NewPassw0rd", b"m"))
    assert len(crypto.fingerprint(key.public_key)) == 19


def test_new_ids_are_time_ordered_uuid7() -> None:
    import uuid

    from brigade_desk.core.ids import new_id

    ids = [new_id() for _ in range(1000)]
    parsed = [uuid.UUID(i) for i in ids]
    assert all(u.version == 7 and u.variant == uuid.RFC_4122 for u in parsed)
    assert len(set(ids)) == 1000
    assert [u.int >> 80 for u in parsed] == sorted(u.int >> 80 for u in parsed)
