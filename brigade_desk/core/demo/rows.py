"""Shapes of the seed files and of the rows the demo generator yields.

Row keys follow the column names of the models in ``core.model`` where a column exists (``id``,
``credit_code``, ``legal_representative_id`` …), so a bulk insert only has to pop the link keys
(``party_ids``, ``officer_ids``, ``power_item_code``) and add what the inserter owns (``organ_id``,
``created_at``, ``password_hash``). Strings that do not apply are ``""``, as in the models.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, TypedDict

PartyKind = Literal["natural_person", "legal_person", "other_org", "individual_business"]
PARTY_KINDS: tuple[PartyKind, ...] = ("natural_person", "legal_person", "other_org", "individual_business")

Procedure = Literal["simple", "general"]


# --------------------------------------------------------------------------- seed files


class LegalBasisRef(TypedDict):
    provision_id: str
    law: str
    article: str  # citation as printed: 第一百一十九条第一款
    text_summary: str


class PowerItemSeed(TypedDict):
    """One entry of resources/seed/power_items.json."""

    code: str
    name: str
    item_type: str  # 行政处罚 / 行政强制 / 行政检查
    field: str  # 执法领域, e.g. 市容环卫
    violation: str  # short 违法行为 used in 案由, "" for inspections
    legal_basis: list[LegalBasisRef]
    source_department: str
    mode: str  # 下放 / 委托 / 法定
    claimed: bool
    valid_from: str  # ISO date
    valid_to: str | None
    catalogue_version: str
    scope_remark: str
    applicable_parties: list[PartyKind]
    penalty_min_fen: int | None
    penalty_max_fen: int | None
    statute_years: int
    note: str | None


class LegalProvisionSeed(TypedDict):
    """One entry of resources/seed/legal_provisions.json."""

    id: str  # stable key such as APPL-119-1, referenced by PowerItemSeed.legal_basis
    law_name: str
    level: str  # 法律 / 行政法规 / 地方性法规 / 规章
    version_date: str
    article: str  # 第一百一十九条
    paragraph: str  # 第一款 or ""
    item: str  # 第（一）项 or ""
    article_no: int
    paragraph_no: int | None
    item_no: int | None
    citation: str  # 第一百一十九条第一款
    text: str
    role: str  # 禁止性规范 / 罚则 / 责令改正依据 / 程序


class VillageSeed(TypedDict):
    name: str
    kind: str  # 社区 / 行政村
    code: str  # 12-digit statistical division code (fictional)
    groups: int  # 村民小组 count; 0 for communities
    households: int
    roads: list[str]
    spots: list[str]  # fields, hills, yards: where rural violations happen


class TownshipSeed(TypedDict):
    """resources/seed/places.json."""

    name: str
    province: str
    city: str
    county: str
    area_code: str
    area_code_note: str
    township_code: str
    organ_name: str
    organ_credit_code: str
    brigade_name: str
    doc_prefix: str
    reconsideration_organ: str
    court: str
    address: str
    phone: str
    resident_area_codes: dict[str, int]
    villages: list[VillageSeed]


# --------------------------------------------------------------------------- generated rows


class OfficerRow(TypedDict):
    id: str
    login: str
    display_name: str
    post: str
    roles: list[str]
    certificate_no: str
    certificate_valid_from: date
    certificate_valid_to: date
    legal_review_qualified: bool
    is_leader: bool
    active: bool


class PartyRow(TypedDict):
    id: str
    kind: PartyKind
    # natural person: the name; individual business: the registered operator (经营者);
    # organisations: the registered name.
    name: str
    id_type: str  # 居民身份证 for people and business operators, "" for organisations
    id_number: str
    credit_code: str  # 统一社会信用代码, "" for natural persons
    trade_name: str  # 字号 of an individual business, "" otherwise
    legal_representative: str  # 法定代表人 / 负责人 of an organisation
    legal_representative_id: str
    address: str
    phone: str
    is_minor: bool  # under 18 on the generator's as_of date


class CaseRow(TypedDict):
    id: str
    case_number: str | None  # {prefix}立字〔{year}〕第{seq}号, only once filed
    procedure: Procedure
    source: str
    received_at: datetime  # aware UTC
    violation_date: date
    filed_on: date | None
    place: str
    summary: str  # 案由
    facts: str
    state: str
    is_major: bool
    fine_fen: int | None
    power_item_code: str
    party_ids: list[str]
    officer_ids: list[str]  # first is the lead handler (主办)
