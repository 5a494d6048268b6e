"""Personal signing keys of reviewers and leaders, kept in step with their passwords.

A key pair is made when an account gets a signing role (legal_reviewer, leader); its private half is
sealed under the person's password (core.crypto). Changing one's own password re-seals the same key;
an admin's reset cannot open the old seal, so the old key is retired (kept, so that its signatures
stay verifiable) and a new one made under the new password.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from brigade_desk.core import crypto
from brigade_desk.core.errors import RuleViolation
from brigade_desk.core.model import User, UserKey

SIGNING_ROLES = frozenset({"legal_reviewer", "leader"})


def needs_key(user: User) -> bool:
    return bool(SIGNING_ROLES & set(user.roles)) or user.is_leader


def active_key(session: Session, user_id: str) -> UserKey | None:
    return session.execute(
        select(UserKey).where(UserKey.user_id == user_id, UserKey.retired_at.is_(None)).limit(1)
    ).scalar_one_or_none()


def ensure_key(session: Session, user: User, password: str, now: datetime) -> UserKey | None:
    if not needs_key(user):
        return None
    key = active_key(session, user.id)
    if key is None:
        wrapped = crypto.new_key_pair(password)
        key = UserKey(user_id=user.id, public_key=wrapped.public_key, sealed=wrapped.sealed, created_at=now)
        session.add(key)
        session.flush()
    return key


def rewrap(session: Session, user: User, old_password: str, new_password: str) -> None:
    key = active_key(session, user.id)
    if key is not None:
        moved = crypto.rewrap(crypto.WrappedKey(key.public_key, key.sealed), old_password, new_password)
        key.sealed = moved.sealed


def replace(session: Session, user: User, new_password: str, now: datetime) -> None:
    key = active_key(session, user.id)
    if key is not None:
        key.retired_at = now
        session.flush()
    ensure_key(session, user, new_password, now)


def sign_as(session: Session, user_id: str, password: str, message: bytes) -> tuple[str, str]:
    """(public key, signature) of `message` by the user's active key, opened with their password."""
    key = active_key(session, user_id)
    if key is None:
        raise RuleViolation("该人员没有签名密钥（须具有法制审核员或负责人角色）；请管理员为其设置角色")
    return key.public_key, crypto.sign(crypto.WrappedKey(key.public_key, key.sealed), password, message)


def key_belongs(session: Session, user_id: str | None, public_key: str) -> bool:
    """The public key is (or was) this person's: a signature made with someone else's key is refused."""
    if not user_id or not public_key:
        return False
    return (
        session.execute(
            select(UserKey.id).where(UserKey.user_id == user_id, UserKey.public_key == public_key)
        ).first()
        is not None
    )
