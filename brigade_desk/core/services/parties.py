"""Parties (当事人): one record per person or organisation, validated identity numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from brigade_desk.core import audit, search
from brigade_desk.core.errors import FieldError, NotFound, ValidationError
from brigade_desk.core.model import Case, CaseParty, Party
from brigade_desk.core.rules.identity import (
    check_credit_code,
    check_resident_id,
    normalise_credit_code,
    normalise_resident_id,
)
from brigade_desk.core.rules.permissions import Actor, Permission
from brigade_desk.core.rules.procedure import STATE_LABELS, CaseState
from brigade_desk.core.services.base import Service, ensure_unchanged, operation
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
    legal_representative_id: str
    address: str
    phone: str
    is_minor: bool
    version: int


@dataclass(frozen=True)
class PartyMatch:
    """A party found while typing, with how many cases it already has (the repeat count)."""

    party: PartyView
    case_count: int


@dataclass(frozen=True)
class LikelyDuplicate:
    """An existing party that may be the one being registered, and why it looks like it."""

    party: PartyView
    reason: str
    # Same identity number or credit code: creating a new record would be refused.
    same_identity: bool


@dataclass(frozen=True)
class PartyCase:
    """One earlier case of a party, with what was decided (for the repeat count and discretion)."""

    case_id: str
    case_number: str
    summary: str
    state_label: str
    filed_on: date | None
    fine_fen: int | None
    penalty_kinds: tuple[str, ...]


# Typing stops mattering after a few dozen matches; search as you type shows this many at most.
SEARCH_LIMIT = 20


def _prefix(session: Session, column: InstrumentedAttribute[str], text: str) -> ColumnElement[bool]:
    """`column` starts with `text`. On SQLite as a range, so that the column's index is used (LIKE
    would not use it there); elsewhere as LIKE with the text's % and _ escaped (a range would depend
    on the database's collation)."""
    if session.get_bind().dialect.name == "sqlite":
        return and_(column >= text, column < text + "\U0010ffff")
    return column.startswith(text, autoescape=True)


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
        p.legal_representative_id,
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


def case_party_kinds(session: Session, case_id: str) -> set[str]:
    """The kinds of the case's parties (natural person, legal person …): thresholds depend on them."""
    return set(
        session.execute(
            select(Party.kind)
            .join(CaseParty, CaseParty.party_id == Party.id)
            .where(CaseParty.case_id == case_id)
        ).scalars()
    )


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

    @operation(Permission.PARTY_EDIT)
    def update(self, actor: Actor, party_id: str, data: PartyInput, version: int) -> PartyView:
        """Correct a party's details; every case naming them is re-indexed for search.

        Issued documents keep the snapshot they were issued with (DESIGN.md invariant 5); only
        documents made from now on show the new details.
        """
        clean, errors = validate_party(data)
        if errors:
            raise ValidationError(errors)
        with self.store.write() as session:
            party = session.get(Party, party_id)
            if party is None:
                raise NotFound("当事人不存在或已被删除")
            ensure_unchanged(party, version, "当事人")
            existing = self._same_identity(session, clean)
            if existing is not None and existing.id != party.id:
                raise ValidationError.single(
                    "证件号码" if clean.id_number else "统一社会信用代码",
                    f"已有相同证件的当事人“{existing.name}”，不能改成与其相同的证件",
                )
            before = {k: getattr(party, k) for k in clean.__dict__}
            for key, value in clean.__dict__.items():
                setattr(party, key, value)
            party.name_initials = pinyin_initials(clean.name)
            session.flush()
            audit.record(
                session,
                actor,
                audit.Change(
                    "party.update",
                    "party",
                    party.id,
                    f"修改当事人 {party.name} 的信息",
                    before=before,
                    after=clean.__dict__,
                ),
            )
            search.index_parties(session, [party.id])
            return party_view(party)

    @operation(Permission.CASE_VIEW)
    def get(self, actor: Actor, party_id: str) -> PartyView:
        with self.store.read() as session:
            party = session.get(Party, party_id)
            if party is None:
                raise NotFound("当事人不存在或已被删除")
            return party_view(party)

    @operation(Permission.CASE_VIEW)
    def search(self, actor: Actor, text: str, limit: int = SEARCH_LIMIT) -> list[PartyMatch]:
        """Parties as the person types: name (from its start, then anywhere in it), pinyin initials
        (陈喆 -> cz), or the start of an ID number or credit code. Best matches first."""
        text = text.strip()
        if not text:
            return []
        limit = max(1, min(limit, 100))
        upper = text.upper()
        with self.store.read() as session:
            conditions: list[ColumnElement[bool]] = []
            if text.isascii() and text.isalpha():
                conditions.append(_prefix(session, Party.name_initials, text.lower()))
            if text.isascii() and any(ch.isdigit() for ch in text):
                conditions += [
                    _prefix(session, Party.id_number, upper),
                    _prefix(session, Party.credit_code, upper),
                ]
            if not conditions:
                conditions.append(_prefix(session, Party.name, text))
            found: list[Party] = list(
                session.execute(select(Party).where(or_(*conditions)).order_by(Party.name).limit(limit))
                .scalars()
                .all()
            )
            if len(found) < limit and not text.isascii():
                # Then names that contain the text elsewhere (某某 in 临溪县某某有限公司).
                seen = [p.id for p in found]
                found += session.execute(
                    select(Party)
                    .where(Party.name.contains(text, autoescape=True), Party.id.not_in(seen))
                    .order_by(Party.name)
                    .limit(limit - len(found))
                ).scalars()
            counts = _case_counts(session, [p.id for p in found])
            return [PartyMatch(party_view(p), counts.get(p.id, 0)) for p in found]

    @operation(Permission.CASE_VIEW)
    def likely_duplicates(self, actor: Actor, data: PartyInput) -> list[LikelyDuplicate]:
        """Existing parties that may be the one about to be registered: the same identity number or
        credit code (a new record would be refused), the same name, or the same legal representative
        of an organisation. Shown before a new party is saved so that one person stays one record."""
        clean, _errors = validate_party(data)
        found: dict[str, LikelyDuplicate] = {}
        with self.store.read() as session:

            def add(query: ColumnElement[bool], reason: str, same: bool) -> None:
                for party in session.execute(select(Party).where(query).limit(10)).scalars():
                    if party.id not in found:
                        found[party.id] = LikelyDuplicate(party_view(party), reason, same)

            if clean.id_number:
                add(Party.id_number == clean.id_number, f"证件号码相同（{clean.id_number}）", True)
            if clean.credit_code:
                add(
                    Party.credit_code == clean.credit_code,
                    f"统一社会信用代码相同（{clean.credit_code}）",
                    True,
                )
            if clean.name:
                add(Party.name == clean.name, f"名称相同（{clean.name}）", False)
            if clean.trade_name.strip():
                add(
                    Party.trade_name == clean.trade_name.strip(),
                    f"字号相同（{clean.trade_name.strip()}）",
                    False,
                )
            if clean.kind in ("legal_person", "other_org") and clean.legal_representative.strip():
                initials = pinyin_initials(clean.name)
                add(
                    and_(
                        Party.legal_representative == clean.legal_representative.strip(),
                        Party.name_initials == initials,
                    ),
                    f"法定代表人相同且名称相近（{clean.legal_representative.strip()}）",
                    False,
                )
        return sorted(found.values(), key=lambda d: (not d.same_identity, d.party.name))

    @operation(Permission.CASE_VIEW)
    def cases_of(self, actor: Actor, party_id: str, limit: int = 50) -> list[PartyCase]:
        """The cases a party was involved in, newest first (their earlier penalties)."""
        with self.store.read() as session:
            rows = session.execute(
                select(Case)
                .join(CaseParty, CaseParty.case_id == Case.id)
                .where(CaseParty.party_id == party_id)
                .order_by(Case.received_at.desc())
                .limit(limit)
            ).scalars()
            return [
                PartyCase(
                    c.id,
                    c.case_number or "（未立案）",
                    c.summary,
                    _state_label(c.state),
                    c.filed_on,
                    c.fine_fen,
                    tuple(c.penalty_kinds or ()),
                )
                for c in rows
            ]

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


def _state_label(state: str) -> str:
    try:
        return STATE_LABELS[CaseState(state)]
    except ValueError:
        return state


def _case_counts(session: Session, party_ids: list[str]) -> dict[str, int]:
    if not party_ids:
        return {}
    rows = session.execute(
        select(CaseParty.party_id, func.count())
        .where(CaseParty.party_id.in_(party_ids))
        .group_by(CaseParty.party_id)
    )
    return {party_id: int(count) for party_id, count in rows}
