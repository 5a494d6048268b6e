"""First run: the township (or county) organ and the first admin account."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from brigade_desk.core import audit
from brigade_desk.core.errors import FieldError, RuleViolation, ValidationError
from brigade_desk.core.model import Organ
from brigade_desk.core.reference import load_starter_catalogue
from brigade_desk.core.rules.identity import check_area_code, check_credit_code, normalise_credit_code
from brigade_desk.core.rules.permissions import Role
from brigade_desk.core.services.base import Service, open_operation
from brigade_desk.core.services.discretion import load_starter_benchmark_version
from brigade_desk.core.services.users import NewUser, UserView, insert_user, validate_new_user

PREFIX = re.compile(r"^[\u4e00-\u9fff]{1,8}$")


@dataclass(frozen=True)
class TownshipInput:
    name: str
    area_code: str
    credit_code: str
    doc_prefix: str
    county_name: str
    kind: str = "township"  # township | county
    reconsideration_organ: str = ""
    court: str = ""


@dataclass(frozen=True)
class OrganView:
    id: str
    kind: str
    name: str
    area_code: str
    credit_code: str
    doc_prefix: str
    county_name: str
    reconsideration_organ: str
    court: str


def validate_township(data: TownshipInput) -> list[FieldError]:
    errors: list[FieldError] = []
    if not data.name.strip():
        errors.append(FieldError("机关名称", "请填写，如“青溪镇人民政府”"))
    if problem := check_area_code(data.area_code.strip()):
        errors.append(FieldError("行政区划代码", problem))
    # The credit code and the county may be filled in later (the command line's `init` does not ask
    # for them); issuing an outward document requires them.
    if data.credit_code.strip() and (problem := check_credit_code(data.credit_code.strip())):
        errors.append(FieldError("统一社会信用代码", problem))
    if data.kind == "township" and not PREFIX.match(data.doc_prefix.strip()):
        errors.append(FieldError("机关代字", "请填写1至8个汉字，如“许综执”"))
    if data.kind not in ("township", "county"):
        errors.append(FieldError("机关类型", "只能是乡镇或县级"))
    return errors


class SetupService(Service):
    @open_operation("首次运行时尚无任何账户")
    def is_initialized(self) -> bool:
        with self.store.read() as session:
            return session.execute(select(Organ.id).where(Organ.is_self)).first() is not None

    @open_operation("首次运行时尚无任何账户；已初始化的存储拒绝再次初始化")
    def initialize(self, organ: TownshipInput, admin: NewUser) -> tuple[OrganView, UserView]:
        """Create this store's organ, its county and the first admin, in one transaction."""
        errors = validate_township(organ)
        admin_with_role = NewUser(**{**admin.__dict__, "roles": tuple(set(admin.roles) | {Role.ADMIN.value})})
        errors += validate_new_user(admin_with_role, min_password=8)
        if errors:
            raise ValidationError(errors)
        with self.store.write() as session:
            if session.execute(select(Organ.id).where(Organ.is_self)).first() is not None:
                raise RuleViolation("此存储已完成初始化，不能再次初始化；如需新建请换一个数据目录")
            county = Organ(
                kind="county",
                name=organ.county_name.strip(),
                area_code=organ.area_code.strip()[:4] + "00" if organ.kind == "township" else organ.area_code,
            )
            session.add(county)
            session.flush()
            own = Organ(
                kind=organ.kind,
                name=organ.name.strip(),
                area_code=organ.area_code.strip(),
                credit_code=normalise_credit_code(organ.credit_code) if organ.credit_code.strip() else "",
                doc_prefix=organ.doc_prefix.strip(),
                parent_id=county.id if organ.kind == "township" else None,
                is_self=True,
                reconsideration_organ=organ.reconsideration_organ.strip()
                or _county_government(organ.county_name),
                court=organ.court.strip(),
            )
            if organ.kind == "county":
                session.delete(county)
                own.parent_id = None
            session.add(own)
            session.flush()
            view = _organ_view(own, organ.county_name.strip())
            audit.record(
                session,
                None,
                audit.Change(
                    "organ.initialize", "organ", own.id, f"初始化执法主体：{own.name}", after=view.__dict__
                ),
            )
            user = insert_user(session, None, admin_with_role, self.clock())
            # A county owns the reference data it sends to its townships: it starts from the same set.
            load_starter_catalogue(session, None)
            load_starter_benchmark_version(session, None, self.clock())
        return view, user

    @open_operation("状态栏与文书在登录前也显示本机关名称")
    def own_organ(self) -> OrganView | None:
        with self.store.read() as session:
            own = session.execute(select(Organ).where(Organ.is_self)).scalar_one_or_none()
            if own is None:
                return None
            county = session.get(Organ, own.parent_id) if own.parent_id else None
            return _organ_view(own, county.name if county else own.name)


def _organ_view(organ: Organ, county_name: str) -> OrganView:
    return OrganView(
        id=organ.id,
        kind=organ.kind,
        name=organ.name,
        area_code=organ.area_code,
        credit_code=organ.credit_code,
        doc_prefix=organ.doc_prefix,
        county_name=county_name,
        reconsideration_organ=organ.reconsideration_organ,
        court=organ.court,
    )


def _county_government(county_name: str) -> str:
    """临溪县 -> 临溪县人民政府: the body that hears reconsideration of a township decision (ARL Art 24)."""
    name = county_name.strip()
    if not name or name.endswith("人民政府"):
        return name
    return f"{name}人民政府"
