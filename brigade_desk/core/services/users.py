"""Accounts: add, list, change or reset passwords, lock and unlock; sign-in with lock-out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from brigade_desk.core import audit, signing_keys
from brigade_desk.core.errors import AuthError, FieldError, NotFound, PermissionDenied, ValidationError
from brigade_desk.core.model import User
from brigade_desk.core.rules.gates import certificate_valid_on
from brigade_desk.core.rules.permissions import (
    ROLE_LABELS,
    Actor,
    Permission,
    Role,
    parse_roles,
)
from brigade_desk.core.services.base import Service, open_operation, operation
from brigade_desk.core.services.settings import read_setting
from brigade_desk.core.timeutil import format_datetime

LOGIN = re.compile(r"^[a-z][a-z0-9_.-]{1,31}$")
_hasher = PasswordHasher()


@dataclass(frozen=True)
class NewUser:
    login: str
    display_name: str
    password: str
    roles: tuple[str, ...] = ("officer",)
    post: str = ""
    certificate_no: str = ""
    certificate_valid_from: date | None = None
    certificate_valid_to: date | None = None
    legal_review_qualified: bool = False
    is_leader: bool = False


@dataclass(frozen=True)
class UserView:
    id: str
    login: str
    display_name: str
    roles: tuple[str, ...]
    post: str
    certificate_no: str
    certificate_valid_from: date | None
    certificate_valid_to: date | None
    legal_review_qualified: bool
    is_leader: bool
    active: bool
    locked_until: datetime | None
    roles_label: str = field(default="")

    def certificate_valid_on(self, day: date) -> bool:
        return certificate_valid_on(
            self.certificate_no, self.certificate_valid_from, self.certificate_valid_to, day
        )


def user_view(user: User) -> UserView:
    roles = tuple(user.roles)
    return UserView(
        id=user.id,
        login=user.login,
        display_name=user.display_name,
        roles=roles,
        post=user.post,
        certificate_no=user.certificate_no,
        certificate_valid_from=user.certificate_valid_from,
        certificate_valid_to=user.certificate_valid_to,
        legal_review_qualified=user.legal_review_qualified,
        is_leader=user.is_leader,
        active=user.active,
        locked_until=user.locked_until,
        roles_label="、".join(ROLE_LABELS[r] for r in Role if r.value in roles),
    )


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.login, user.display_name, frozenset(Role(r) for r in user.roles))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_problem(password: str, min_length: int) -> str | None:
    if len(password) < min_length:
        return f"密码至少 {min_length} 位"
    if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        return "密码须同时包含字母和数字"
    return None


def validate_new_user(data: NewUser, *, min_password: int) -> list[FieldError]:
    errors: list[FieldError] = []
    if not LOGIN.match(data.login):
        errors.append(FieldError("登录名", "以小写字母开头，2至32位小写字母、数字或 _ . -"))
    if not data.display_name.strip():
        errors.append(FieldError("姓名", "请填写"))
    if problem := password_problem(data.password, min_password):
        errors.append(FieldError("密码", problem))
    try:
        if not parse_roles(data.roles):
            errors.append(FieldError("角色", "至少选择一个角色"))
    except PermissionDenied as exc:
        errors.append(FieldError("角色", exc.message))
    if (
        data.certificate_valid_from
        and data.certificate_valid_to
        and data.certificate_valid_from > data.certificate_valid_to
    ):
        errors.append(FieldError("执法证有效期", "起始日期晚于截止日期"))
    if (data.certificate_valid_from or data.certificate_valid_to) and not data.certificate_no.strip():
        errors.append(FieldError("执法证号", "填写了有效期但缺少证件号"))
    if data.legal_review_qualified and "legal_reviewer" not in data.roles:
        errors.append(FieldError("法制审核资格", "只有法制审核员角色可以标记法制审核资格"))
    return errors


def insert_user(session: Session, actor: Actor | None, data: NewUser, now: datetime) -> UserView:
    if session.execute(select(User.id).where(User.login == data.login)).first():
        raise ValidationError.single("登录名", f"“{data.login}”已被使用")
    user = User(
        login=data.login,
        display_name=data.display_name.strip(),
        roles=sorted(r.value for r in parse_roles(data.roles)),
        post=data.post.strip(),
        certificate_no=data.certificate_no.strip(),
        certificate_valid_from=data.certificate_valid_from,
        certificate_valid_to=data.certificate_valid_to,
        legal_review_qualified=data.legal_review_qualified,
        is_leader=data.is_leader,
        password_hash=hash_password(data.password),
        created_at=now,
    )
    session.add(user)
    session.flush()
    signing_keys.ensure_key(session, user, data.password, now)
    view = user_view(user)
    public = {k: v for k, v in view.__dict__.items() if k != "locked_until"}
    audit.record(
        session,
        actor,
        audit.Change(
            "user.add", "user", user.id, f"新增用户 {user.display_name}（{user.login}）", after=public
        ),
    )
    return view


class UserService(Service):
    # --- operations ------------------------------------------------------------------------

    @operation(Permission.USERS_MANAGE)
    def add_user(self, actor: Actor, data: NewUser) -> UserView:
        min_length = read_setting(self.store, "password_min_length")
        errors = validate_new_user(data, min_password=min_length)
        if errors:
            raise ValidationError(errors)
        with self.store.write() as session:
            return insert_user(session, actor, data, self.clock())

    @operation(Permission.USERS_VIEW)
    def list_users(self, actor: Actor, *, include_inactive: bool = True) -> list[UserView]:
        with self.store.read() as session:
            query = select(User).order_by(User.login)
            if not include_inactive:
                query = query.where(User.active)
            return [user_view(u) for u in session.execute(query).scalars()]

    @operation(Permission.USERS_VIEW)
    def get_user(self, actor: Actor, login: str) -> UserView:
        with self.store.read() as session:
            return user_view(_user_by_login(session, login))

    @operation(Permission.DASHBOARD_VIEW)
    def change_own_password(self, actor: Actor, old_password: str, new_password: str) -> None:
        """Anyone signed in may change their own password, proving the old one."""
        min_length = read_setting(self.store, "password_min_length")
        if problem := password_problem(new_password, min_length):
            raise ValidationError.single("新密码", problem)
        with self.store.write() as session:
            user = _user_by_login(session, actor.login)
            if not _password_matches(user, old_password):
                raise AuthError("原密码不正确")
            user.password_hash = hash_password(new_password)
            signing_keys.rewrap(session, user, old_password, new_password)
            audit.record(session, actor, audit.Change("user.password", "user", user.id, "修改本人密码"))

    @operation(Permission.USERS_MANAGE)
    def reset_password(self, actor: Actor, login: str, new_password: str) -> None:
        """An admin sets a new password; nobody can read the old one (only its argon2 hash is kept)."""
        min_length = read_setting(self.store, "password_min_length")
        if problem := password_problem(new_password, min_length):
            raise ValidationError.single("新密码", problem)
        with self.store.write() as session:
            user = _user_by_login(session, login)
            user.password_hash = hash_password(new_password)
            user.failed_attempts, user.locked_until = 0, None
            # The old seal cannot be opened without the old password: retire the key, make a new one.
            signing_keys.replace(session, user, new_password, self.clock())
            audit.record(
                session,
                actor,
                audit.Change("user.password_reset", "user", user.id, f"重置 {user.display_name} 的密码"),
            )

    @operation(Permission.USERS_MANAGE)
    def set_active(self, actor: Actor, login: str, active: bool) -> UserView:
        """Lock (停用) or unlock (启用) an account; unlocking also clears a password lock-out."""
        if not active and login == actor.login:
            raise PermissionDenied("不能停用自己正在使用的账户")
        with self.store.write() as session:
            user = _user_by_login(session, login)
            before = user.active
            user.active = active
            if active:
                user.failed_attempts, user.locked_until = 0, None
            verb = "启用" if active else "停用"
            audit.record(
                session,
                actor,
                audit.Change(
                    "user.unlock" if active else "user.lock",
                    "user",
                    user.id,
                    f"{verb}账户 {user.display_name}",
                    before={"active": before},
                    after={"active": active},
                ),
            )
            return user_view(user)

    @open_operation("登录本身不需要已登录的人员")
    def sign_in(self, login: str, password: str) -> Actor:
        """Check a password; the configured number of wrong ones locks the account for a while."""
        attempts = read_setting(self.store, "lockout_attempts")
        lock_minutes = read_setting(self.store, "lockout_minutes")
        now = self.clock()
        failure: AuthError | None = None
        with self.store.write() as session:
            user = session.execute(select(User).where(User.login == login.strip())).scalar_one_or_none()
            if user is None:
                raise AuthError("用户名或密码错误")
            if not user.active:
                raise AuthError("该账户已停用，请联系管理员")
            if user.locked_until is not None and user.locked_until > now:
                raise AuthError(f"密码错误次数过多，账户已锁定至 {format_datetime(user.locked_until)}")
            if _password_matches(user, password):
                user.failed_attempts, user.locked_until = 0, None
                if _hasher.check_needs_rehash(user.password_hash):
                    user.password_hash = hash_password(password)
                audit.record(session, actor_of(user), audit.Change("auth.sign_in", "user", user.id, "登录"))
                return actor_of(user)
            user.failed_attempts += 1
            left = attempts - user.failed_attempts
            if left <= 0:
                user.locked_until = now + timedelta(minutes=lock_minutes)
                user.failed_attempts = 0
                failure = AuthError(f"密码错误次数过多，账户已锁定 {lock_minutes} 分钟")
                summary = "连续输错密码，账户锁定"
            else:
                failure = AuthError(f"用户名或密码错误（再错 {left} 次将锁定 {lock_minutes} 分钟）")
                summary = "登录失败：密码错误"
            audit.record(session, None, audit.Change("auth.failed", "user", user.id, summary))
        # Raised after the transaction so the failed attempt is counted and recorded.
        raise failure

    @operation(Permission.DASHBOARD_VIEW)
    def confirm_password(self, actor: Actor, password: str) -> bool:
        """Unlocking a locked screen: the same person proves it is still them. Wrong passwords count
        towards the same lock-out as at sign-in, and every attempt is recorded."""
        attempts = read_setting(self.store, "lockout_attempts")
        lock_minutes = read_setting(self.store, "lockout_minutes")
        now = self.clock()
        with self.store.write() as session:
            user = _user_by_login(session, actor.login)
            if user.locked_until is not None and user.locked_until > now:
                raise AuthError(f"密码错误次数过多，账户已锁定至 {format_datetime(user.locked_until)}")
            ok = _password_matches(user, password)
            if ok:
                user.failed_attempts = 0
            else:
                user.failed_attempts += 1
                if user.failed_attempts >= attempts:
                    user.locked_until = now + timedelta(minutes=lock_minutes)
                    user.failed_attempts = 0
            audit.record(
                session,
                actor,
                audit.Change(
                    "auth.unlock" if ok else "auth.unlock_failed",
                    "user",
                    user.id,
                    "解除屏幕锁定" if ok else "解锁失败：密码错误",
                ),
            )
            return ok

    @operation(Permission.DASHBOARD_VIEW)
    def record_screen_lock(self, actor: Actor) -> None:
        """The screen was locked (by the person or by idle time): part of the full-process record."""
        with self.store.write() as session:
            audit.record(session, actor, audit.Change("auth.lock", "user", actor.user_id, "锁定屏幕"))


def _user_by_login(session: Session, login: str) -> User:
    user = session.execute(select(User).where(User.login == login)).scalar_one_or_none()
    if user is None:
        raise NotFound(f"没有登录名为“{login}”的用户")
    return user


def _password_matches(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
