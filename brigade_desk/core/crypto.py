"""Signatures (Ed25519) and private keys kept encrypted under a password.

Used by legal-review sign-off (a reviewer's or leader's personal key) and by bundles (the organ's
key). A private key never leaves the store unencrypted: it is wrapped with AES-256-GCM under a key
derived from the password with scrypt, and unwrapped only in memory for one signature.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from brigade_desk.core.errors import AuthError

# scrypt cost: about 50 ms here; a signature is a deliberate act, not a loop.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
WRAP_VERSION = "ed25519-scrypt-aesgcm-1"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass(frozen=True)
class WrappedKey:
    """What the store keeps: the public key in the clear, the private key sealed."""

    public_key: str  # base64 of the 32 raw bytes
    sealed: str  # "version$salt$nonce$ciphertext", base64 parts


def _kdf(password: str, salt: bytes, n: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=SCRYPT_R, p=SCRYPT_P).derive(password.encode("utf-8"))


def new_key_pair(password: str) -> WrappedKey:
    private = Ed25519PrivateKey.generate()
    return wrap(private, password)


def wrap(private: Ed25519PrivateKey, password: str) -> WrappedKey:
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    salt, nonce, n = os.urandom(16), os.urandom(12), SCRYPT_N
    sealed = AESGCM(_kdf(password, salt, n)).encrypt(nonce, raw, WRAP_VERSION.encode())
    public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    # The cost travels with the seal so that a later, costlier default still opens old keys.
    return WrappedKey(_b64(public), "$".join([WRAP_VERSION, str(n), _b64(salt), _b64(nonce), _b64(sealed)]))


def unwrap(key: WrappedKey, password: str) -> Ed25519PrivateKey:
    try:
        version, n, salt, nonce, sealed = key.sealed.split("$")
        if version != WRAP_VERSION:
            raise AuthError(f"不认识的密钥封装格式：{version}")
        raw = AESGCM(_kdf(password, _unb64(salt), int(n))).decrypt(
            _unb64(nonce), _unb64(sealed), WRAP_VERSION.encode()
        )
    except (InvalidTag, ValueError) as exc:
        raise AuthError("密码不正确，无法使用签名密钥") from exc
    return Ed25519PrivateKey.from_private_bytes(raw)


def rewrap(key: WrappedKey, old_password: str, new_password: str) -> WrappedKey:
    """After a password change the same key is sealed under the new password."""
    return wrap(unwrap(key, old_password), new_password)


def sign(key: WrappedKey, password: str, message: bytes) -> str:
    return _b64(unwrap(key, password).sign(message))


def sign_with(private: Ed25519PrivateKey, message: bytes) -> str:
    return _b64(private.sign(message))


def verify(public_key: str, message: bytes, signature: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(_unb64(public_key)).verify(_unb64(signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def fingerprint(public_key: str) -> str:
    """A short, readable fingerprint of a public key (printed on signed documents)."""
    import hashlib

    digest = hashlib.sha256(_unb64(public_key)).hexdigest()
    return ":".join(digest[i : i + 4] for i in range(0, 16, 4)).upper()
