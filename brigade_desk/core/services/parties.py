"""Parties (当事人): one record per person or organisation, validated identity numbers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from brigade_desk.core import audit
from brigade_desk.core.errors import FieldError, NotFound, ValidationError
from brigade_desk.core.model import Party
from brigade_desk.core.rules.identity import (
    check_credit_code,
    check_resident_id,
    normalise_credit_code,
    normalise_resident_id,
)
from brigade_desk.core.rules.permissions import Actor, Permission
from brigade_desk.core.services.base import Service, operation
from brigade_desk.core.text import pinyin_initials

PARTY_KINDS = {
    "natural_person": "自然人",
    "legal_person": "法人",
    "other_org": "其他组织",
    "individual_business": "个体工商户",
}
RESIDENT_ID = "居民身份证"
ID_TYPES = (
    RESIDENT_ID,
    "护照",
    "港澳居民来往内地通行证",
    "台湾居民来往大陆通行证",
    "外国人永久居留身份证",
    "其他",
)


@dataclass(frozen=True)
class PartyInput:
    kind: str
    name: str
    id_type: str = RESIDENT_ID
    id_number: str = ""
    credit_code: str = ""
    trade_name: str = ""
    legal_representative: str = ""
    legal_representative_id: str = ""
    address: str = ""
    phone: str = ""
    is_minor: bool = False


@dataclass(frozen=True)
class PartyView:
    id: str
    kind: str
    kind_label: str
    name: str
    id_type: str
    id_number: str
    credit_code: str
    trade_name: str
    legal_representative: str
    address: str
    phone: str
    is_minor: bool
    version: int


def party_view(p: Party) -> PartyView:
    return PartyView(
        p.id,
        p.kind,
        PARTY_KINDS.get(p.kind, p.kind),
        p.name,
        p.id_type,
        p.id_number,
        p.credit_code,
        p.trade_name,
        p.legal_representative,
        p.address,
        p.phone,
        p.is_minor,
        p.version,
    )


def validate_party(data: PartyInput) -> tuple[PartyInput, list[FieldError]]:
    """Check a party and return it with identity numbers normalised (upper case, no spaces)."""
    errors: list[FieldError] = []
    if data.kind not in PARTY_KINDS:
        errors.append(FieldError("当事人类型", "请选择：" + "、".join(PARTY_KINDS.values())))
    if not data.name.strip():
        errors.append(FieldError("名称", "请填写当事人姓名或名称"))
    id_number, credit_code = data.id_number.strip(), data.credit_code.strip()
    person_id_needed = data.kind in ("natural_person", "individual_business")
    if person_id_needed:
        if data.id_type not in ID_TYPES:
            errors.append(FieldError("证件类型", "请选择：" + "、".join(ID_TYPES)))
        if not id_number and not (data.kind == "individual_business" and credit_code):
            errors.append(FieldError("证件号码", "请填写身份证件号码"))
        elif id_number and data.id_type == RESIDENT_ID:
            if problem := check_resident_id(id_number):
                errors.append(FieldError("证件号码", problem))
            else:
                id_number = normalise_resident_id(id_number)
    if data.kind in ("legal_person", "other_org") and not credit_code:
        errors.append(FieldError("统一社会信用代码", "法人和其他组织须填写统一社会信用代码"))
    if credit_code:
        if problem := check_credit_code(credit_code):
            errors.append(FieldError("统一社会信用代码", problem))
        else:
            credit_code = normalise_credit_code(credit_code)
    if data.kind == "legal_person" and not data.legal_representative.strip():
        errors.append(FieldError("法定代表人", "法人须填写法定代表人"))
    if data.legal_representative_id.strip() and (
        problem := check_resident_id(data.legal_representative_id.strip())
    ):
        errors.append(FieldError("法定代表人身份证号码", problem))
    phone = data.phone.strip()
    if phone and not all(ch.isdigit() or ch in "-+ " for ch in phone):
        errors.append(FieldError("联系电话", "只能包含数字、空格、+ 和 -"))
    clean = PartyInput(
        **{**data.__dict__, "id_number": id_number, "credit_code": credit_code, "name": data.name.strip()}
    )
    return clean, errors


class PartyService(Service):
    @operation(Permission.PARTY_EDIT)
    def create(self, actor: Actor, data: PartyInput) -> PartyView:
        clean, errors = validate_party(data)
        if errors:
            raise ValidationError(errors)
        with self.store.write() as session:
            if existing := self._same_identity(session, clean):
                raise ValidationError.single(
                    "证件号码" if clean.id_number else "统一社会信用代码",
                    f"已有相同证件的当事人“{existing.name}”，请直接选用，不要重复登记",
                )
            party = Party(
                **clean.__dict__, name_initials=pinyin_initials(clean.name), created_at=self.clock()
            )
            session.add(party)
            session.flush()
            view = party_view(party)
            audit.record(
                session,
                actor,
                audit.Change(
                    "party.create", "party", party.id, f"登记当事人 {party.name}", after=clean.__dict__
                ),
            )
            return view

    @operation(Permission.CASE_VIEW)
    def get(self, actor: Actor, party_id: str) -> PartyView:
        with self.store.read() as session:
            party = session.get(Party, party_id)
            if party is None:
                raise NotFound("当事人不存在或已被删除")
            return party_view(party)

    @staticmethod
    def _same_identity(session: Session, data: PartyInput) -> Party | None:
        conditions = []
        if data.id_number:
            conditions.append(Party.id_number == data.id_number)
        if data.credit_code:
            conditions.append(Party.credit_code == data.credit_code)
        if not conditions:
            return None
        return session.execute(select(Party).where(or_(*conditions)).limit(1)).scalar_one_or_none()
