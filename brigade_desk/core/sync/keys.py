"""The organ's bundle-signing key (docs/decisions/sync-organ-key.md).

The Ed25519 key pair is made the first time it is needed. Its private half is sealed (core.crypto,
scrypt + AES-GCM) under a random secret written to `<data dir>/keys/organ-signing.secret`
(permissions 0600), and the sealed key is kept in the store's `sync_key` table. Signing needs both:
the database alone (a leaked PostgreSQL dump, a backup ZIP) cannot sign a bundle, and nobody has to
type a password to export. A brigade with several PCs on one PostgreSQL store copies the secret file
to each PC that should export.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from brigade_desk.core import audit, crypto
from brigade_desk.core.errors import AuthError, RuleViolation
from brigade_desk.core.model import SyncKey

KEYS_DIR = "keys"
SECRET_FILE = "organ-signing.secret"


def secret_path(data_dir: Path) -> Path:
    return data_dir / KEYS_DIR / SECRET_FILE


def _read_secret(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleViolation(f"无法读取机关签名密钥文件 {path}：{exc}") from exc
    return text or None


def _pending_path(path: Path) -> Path:
    return path.with_name(path.name + ".new")


def _write_secret(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secret + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)
    return secret


def ensure_key(session: Session, data_dir: Path, organ_id: str, now: datetime) -> SyncKey:
    """The organ's key, made (with its secret file) inside the caller's write transaction if absent."""
    row = session.get(SyncKey, organ_id)
    path = secret_path(data_dir)
    if row is not None:
        return row
    secret = _read_secret(path) or _write_secret(path)
    wrapped = crypto.new_key_pair(secret)
    row = SyncKey(
        organ_id=organ_id,
        public_key=wrapped.public_key,
        sealed=wrapped.sealed,
        fingerprint=crypto.fingerprint(wrapped.public_key),
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        None,
        audit.Change(
            "sync.key.create",
            "sync_key",
            organ_id,
            f"生成机关数据包签名密钥（指纹 {row.fingerprint}）",
            after={"public_key": row.public_key},
        ),
    )
    return row


def renew_key(
    session: Session, data_dir: Path, organ_id: str, now: datetime, actor: Any, reason: str
) -> SyncKey:
    """A new key pair for the organ (the secret file was lost with a PC, or a deliberate rotation).
    The new secret is written beside the old one (`….secret.new`) and takes its place after the
    commit (`promote_renewed`); `sign` also promotes it if the program stopped in between."""
    row = session.get(SyncKey, organ_id)
    if row is None:
        return ensure_key(session, data_dir, organ_id, now)
    pending = _pending_path(secret_path(data_dir))
    secret = _write_secret(pending)
    wrapped = crypto.new_key_pair(secret)
    old = row.fingerprint
    row.public_key, row.sealed = wrapped.public_key, wrapped.sealed
    row.fingerprint, row.created_at = crypto.fingerprint(wrapped.public_key), now
    session.flush()
    audit.record(
        session,
        actor,
        audit.Change(
            "sync.key.renew",
            "sync_key",
            organ_id,
            f"更换机关数据包签名密钥：指纹 {old} → {row.fingerprint}；原因：{reason}",
            before={"fingerprint": old},
            after={"public_key": row.public_key, "reason": reason},
        ),
    )
    return row


def promote_renewed(data_dir: Path) -> None:
    pending = _pending_path(secret_path(data_dir))
    if pending.exists():
        os.replace(pending, secret_path(data_dir))


def discard_renewed(data_dir: Path) -> None:
    _pending_path(secret_path(data_dir)).unlink(missing_ok=True)


# Unsealing costs an scrypt run (~85 ms); a county exporting to all its townships signs one bundle
# each. The unsealed key is kept for the process, keyed by the sealed text and the secret read from
# the file each time (so a changed or removed file still counts). Whoever can read this process's
# memory can read the secret file too.
_UNSEALED: dict[tuple[str, str], Ed25519PrivateKey] = {}


def _unsealed(key: SyncKey, secret: str) -> Ed25519PrivateKey:
    found = _UNSEALED.get((key.sealed, secret))
    if found is None:
        found = crypto.unwrap(crypto.WrappedKey(key.public_key, key.sealed), secret)
        _UNSEALED.clear()
        _UNSEALED[(key.sealed, secret)] = found
    return found


def sign(key: SyncKey, data_dir: Path, message: bytes) -> str:
    path = secret_path(data_dir)
    pending = _read_secret(_pending_path(path))
    if pending is not None:
        try:  # a renewal committed before its secret file took the old one's place
            signature = crypto.sign(crypto.WrappedKey(key.public_key, key.sealed), pending, message)
        except AuthError:
            discard_renewed(data_dir)  # a renewal that did not commit
        else:
            promote_renewed(data_dir)
            return signature
    secret = _read_secret(path)
    if secret is None:
        raise RuleViolation(
            f"本机没有机关签名密钥文件 {path}，不能签署数据包。"
            "请从生成密钥的电脑把该文件复制到本机数据目录的 keys 文件夹后再导出。"
        )
    try:
        return crypto.sign_with(_unsealed(key, secret), message)
    except AuthError as exc:
        raise RuleViolation(
            f"机关签名密钥文件 {path} 与数据库中的密钥不匹配，不能签署数据包。请使用生成密钥时的那个文件。"
        ) from exc
