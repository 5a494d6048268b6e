"""Deterministic demo data: officers, parties and cases as plain dicts, fast enough for 200,000 cases.

No database and no Qt: the caller inserts what is yielded. One seed reproduces everything, provided
the methods are called in the same order with the same arguments. Each call draws from its own
random stream (seed, method name, call number), so an extra call of one method does not change what
another method yields.

Everything that costs more than a few microseconds is prepared once (name and date pools, address
and place pools, month tables of eligible power items with cumulative weights); the per-row work is
random draws, bisects and string formatting.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final, Literal

from brigade_desk.core.demo import narrative
from brigade_desk.core.demo.catalogue import (
    BUSINESS,
    CITIZEN_KINDS,
    LEGAL,
    NATURAL,
    OTHER,
    SIMPLE_LIMIT_FEN,
    CatalogueItem,
    ItemPicker,
    fine_for,
    parse_item,
)
from brigade_desk.core.demo.identifiers import uuid4_from, uuid7_from
from brigade_desk.core.demo.organisations import Organisations
from brigade_desk.core.demo.people import People, login_for, minus_years
from brigade_desk.core.demo.places import Places
from brigade_desk.core.demo.rows import PARTY_KINDS, CaseRow, OfficerRow, PartyRow, Procedure
from brigade_desk.core.demo.sampling import Weighted
from brigade_desk.core.demo.states import (
    CLOSED_CATEGORIES,
    CLOSED_FINED_SHARE,
    FINED_CATEGORIES,
    FINED_END_STATES,
    MAJOR_STATES,
    SIMPLE_CATEGORIES,
    SIMPLE_SHARE_OF_CLOSED,
    UNFILED_CATEGORIES,
    StateTable,
)

# Party kinds are indexes into rows.PARTY_KINDS (catalogue.NATURAL … BUSINESS), with their shares.
KIND_SHARES: Final = Weighted([(NATURAL, 60.0), (LEGAL, 12.0), (OTHER, 4.0), (BUSINESS, 24.0)])
FIRST_KINDS: Final = (NATURAL, BUSINESS, LEGAL, OTHER)  # the first rows cover every kind

MAJOR_FINE_FEN: Final = 5_000_000  # 50,000 yuan: demo threshold for the major-decision flag
REPEAT_SKEW: Final = 1.3  # > 1 draws the front of party_ids more often: repeat offenders
SECOND_PARTY_SHARE: Final = 0.07
THIRD_OFFICER_SHARE: Final = 0.15
EXPIRED_CERTIFICATE_SHARE: Final = 0.15
CERTIFICATE_YEARS: Final = 5  # demo assumption; the real term is set by the province
UNIX_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
BEIJING_OFFSET_S: Final = 8 * 3600
WORK_MINUTES: Final = 420  # 08:30–11:30 and 13:30–17:30


def officer_post(i: int) -> tuple[str, tuple[str, ...], bool, bool]:
    """(post, roles, leader of the organ, legal-review qualified) of the i-th officer row."""
    fixed: tuple[tuple[str, tuple[str, ...], bool, bool], ...] = (
        ("大队长", ("officer", "leader"), False, False),
        ("副大队长", ("officer",), False, False),
        ("镇长", ("leader",), True, False),
        ("法制审核员", ("legal_reviewer",), False, True),
        ("内勤", ("clerk",), False, False),
        ("分管副镇长", ("leader",), True, False),
    )
    if i < len(fixed):
        return fixed[i]
    if i % 10 == 7:
        return "法制审核员", ("legal_reviewer",), False, True
    if i % 12 == 9:
        return "内勤", ("clerk", "officer"), False, False
    if i % 8 == 0:
        return "中队长", ("officer",), False, False
    return "执法队员", ("officer",), False, False


class DemoGenerator:
    """Seeded generator of demo officers, parties and cases.

    ``township`` is the content of resources/seed/places.json (at least ``name``, ``county``,
    ``area_code``, ``doc_prefix`` and ``villages``), ``power_items`` the entries of
    power_items.json, ``states`` the case state names to spread cases over. Cases are received
    between 1 January of ``start_year`` and ``as_of`` (default 31 December of ``end_year``);
    states, certificate expiry and minors are judged on ``as_of``, never on the wall clock.
    ``id_version`` 7 gives time-ordered UUIDs (like ``core.ids``) instead of version 4.
    """

    def __init__(
        self,
        seed: int,
        township: Mapping[str, Any],
        power_items: Sequence[Mapping[str, Any]],
        states: Sequence[str],
        start_year: int,
        end_year: int,
        *,
        as_of: date | None = None,
        id_version: Literal[4, 7] = 4,
    ) -> None:
        if start_year > end_year:
            raise ValueError(f"起始年份 {start_year} 晚于结束年份 {end_year}")
        if not states or len(set(states)) != len(states):
            raise ValueError("案件状态不能为空，也不能重复")
        self.seed = seed
        self.start = date(start_year, 1, 1)
        self.as_of = as_of or date(end_year, 12, 31)
        if self.as_of < self.start:
            raise ValueError(f"截止日期 {self.as_of} 早于起始年份 {start_year}")
        self.id_version = id_version
        self.town = _text(township, "name")
        self.county = _text(township, "county")
        self.doc_prefix = _text(township, "doc_prefix")
        self.area_code = _text(township, "area_code")
        if len(self.area_code) != 6 or not self.area_code.isdigit():
            raise ValueError(f"地区码应为6位数字：{self.area_code!r}")
        villages: list[Mapping[str, Any]] = list(township.get("villages") or [])
        if not villages:
            raise ValueError("地点数据中没有村（社区）")
        codes = township.get("resident_area_codes") or {self.area_code: 1}

        self.items = [parse_item(raw) for raw in power_items]
        self.state_table = StateTable(states)
        self.people = People(Weighted((str(k), float(v)) for k, v in codes.items()), self.as_of)
        self.orgs = Organisations(self.county, self.town, self.area_code)
        self.places = Places(
            random.Random(f"brigade-desk-demo/{seed}/places"), self.county, self.town, villages
        )
        self.sources = Weighted(narrative.SOURCE_WEIGHTS.items())

        self._calls: dict[str, int] = {}
        self._logins: set[str] = set()
        self._officer_names: set[str] = set()
        self._certificates: set[str] = set()
        # Parties generated so far: id -> (name used in 案由, kind index); cases() reads it.
        self._parties: dict[str, tuple[str, int]] = {}
        self._case_sequences: dict[int, int] = {}
        self._picker: ItemPicker | None = None

    # ------------------------------------------------------------------ plumbing

    def _rng(self, name: str) -> random.Random:
        k = self._calls.get(name, 0)
        self._calls[name] = k + 1
        return random.Random(f"brigade-desk-demo/{self.seed}/{name}/{k}")

    def _new_id(self, rng: random.Random, unix_ms: int) -> str:
        return uuid4_from(rng) if self.id_version == 4 else uuid7_from(rng, unix_ms)

    def _start_ms(self) -> int:
        return (self.start.toordinal() - UNIX_EPOCH_ORDINAL) * 86_400_000

    # ------------------------------------------------------------------ officers

    def officers(self, n: int) -> Iterator[OfficerRow]:
        """``n`` users of the brigade; the first six are 大队长, 副大队长, 镇长, 法制审核员, 内勤 and
        分管副镇长 (as far as ``n`` goes), then officers with a few reviewers, clerks and 中队长.

        Logins are the full pinyin of the name (numbered when taken). Certificates are "ZJ" + 8
        digits, a demo pattern and not a real provincial format, valid five years; about 15% have
        expired on ``as_of`` when ``n`` ≥ 4.
        """
        rng = self._rng("officers")
        k = max(1, round(n * EXPIRED_CERTIFICATE_SHARE)) if n >= 4 else 0
        expired = set(rng.sample(range(n), k))
        return self._officers(rng, n, expired)

    def _officers(self, rng: random.Random, n: int, expired: set[int]) -> Iterator[OfficerRow]:
        as_of = self.as_of.toordinal()
        base_ms = self._start_ms()
        for i in range(n):
            post, roles, leader, qualified = officer_post(i)
            if not qualified and "officer" in roles and rng.random() < 0.08:
                qualified = True  # holds the legal professional qualification, without the role
            while True:
                name = self.people.name(rng, rng.random() < 0.7, young=rng.random() < 0.6)
                if name not in self._officer_names:
                    self._officer_names.add(name)
                    break
            login = base = login_for(name)
            suffix = 2
            while login in self._logins:
                login, suffix = f"{base}{suffix}", suffix + 1
            self._logins.add(login)
            while True:
                certificate = f"{narrative.CERTIFICATE_PREFIX}{rng.randrange(100_000_000):08d}"
                if certificate not in self._certificates:
                    self._certificates.add(certificate)
                    break
            days = -rng.randint(1, 700) if i in expired else rng.randint(30, 1600)
            valid_to = date.fromordinal(as_of + days)
            yield OfficerRow(
                id=self._new_id(rng, base_ms + i),
                login=login,
                display_name=name,
                post=post,
                roles=list(roles),
                certificate_no=certificate,
                certificate_valid_from=minus_years(valid_to, CERTIFICATE_YEARS) + timedelta(days=1),
                certificate_valid_to=valid_to,
                legal_review_qualified=qualified,
                is_leader=leader,
                active=True,
            )

    # ------------------------------------------------------------------ parties

    def parties(self, n: int) -> Iterator[PartyRow]:
        """``n`` parties: natural persons (60%), individual businesses (24%), legal persons (12%),
        other organisations (4%); the first four rows are one of each.

        ID numbers pass GB 11643 (check digit, birth date, area code valid in the birth year),
        credit codes GB 32100 (and their organisation-code part GB 11714); both are unique across
        calls, as are phone numbers and organisation names.
        """
        return self._parties_of(self._rng("parties"), n)

    def _parties_of(self, rng: random.Random, n: int) -> Iterator[PartyRow]:
        base_ms = self._start_ms()
        for i in range(n):
            kind = FIRST_KINDS[i] if i < len(FIRST_KINDS) else KIND_SHARES.draw(rng)
            pid = self._new_id(rng, base_ms + len(self._parties))
            row = self._party(rng, pid, kind)
            self._parties[pid] = (row["trade_name"] or row["name"], kind)
            yield row

    def _party(self, rng: random.Random, pid: str, kind: int) -> PartyRow:
        people, orgs, places = self.people, self.orgs, self.places
        row = PartyRow(
            id=pid,
            kind=PARTY_KINDS[kind],
            name="",
            id_type="",
            id_number="",
            credit_code="",
            trade_name="",
            legal_representative="",
            legal_representative_id="",
            address="",
            phone="",
            is_minor=False,
        )
        if kind == NATURAL:
            row["name"], row["id_number"], row["is_minor"] = people.person(rng, allow_minor=True)
            row["id_type"] = "居民身份证"
            row["address"] = places.home(rng)
        elif kind == BUSINESS:
            row["name"], row["id_number"], _ = people.person(rng, allow_minor=False)
            row["id_type"] = "居民身份证"
            row["credit_code"] = orgs.credit_code(rng, "92")
            if rng.random() < 0.8:
                row["trade_name"] = orgs.trade_name(rng, row["name"])
            row["address"] = places.business(rng) if rng.random() < 0.7 else places.home(rng)
        else:
            if kind == LEGAL:
                name, code_type = orgs.company(rng), "91"
            else:
                name, code_type = orgs.other_org(rng)
            row["name"] = name
            row["credit_code"] = orgs.credit_code(rng, code_type)
            row["legal_representative"], row["legal_representative_id"], _ = people.person(
                rng, allow_minor=False
            )
            row["address"] = places.business(rng)
        row["phone"] = people.phone(rng)
        return row

    # ------------------------------------------------------------------ cases

    def cases(self, n: int, party_ids: Sequence[str], officer_ids: Sequence[str]) -> Iterator[CaseRow]:
        """``n`` cases in order of receipt, received in office hours on weighted days.

        Parties are drawn from ``party_ids``, skewed to the front so some offend repeatedly. A
        party made by :meth:`parties` of this generator is matched to power items for its kind and
        named in the 案由; any other id counts as a natural person called 当事人. Filed cases are
        numbered ``{doc_prefix}立字〔{year}〕第{seq}号`` without gaps per filing year, in filing
        order. A further call continues the numbers (they stay unique and gapless) but starts again
        in ``start_year``, so for one coherent register generate all cases in one call.
        """
        if not party_ids:
            raise ValueError("没有当事人可供选择")
        if len(officer_ids) < 2:
            raise ValueError("每个案件至少需要两名执法人员")
        if self._picker is None:
            self._picker = ItemPicker(self.items, self.start, self.as_of)
        return self._cases_of(self._rng("cases"), n, list(party_ids), list(officer_ids), self._picker)

    def _receipt_stamps(self, rng: random.Random, n: int) -> list[int]:
        """Sorted local (Beijing) timestamps: weekdays weigh 1, weekends 0.12, +8% a year."""
        days = list(range(self.start.toordinal(), self.as_of.toordinal() + 1))
        weights = []
        for o in days:
            d = date.fromordinal(o)
            weights.append((1.0 if d.weekday() < 5 else 0.12) * (1 + 0.08 * (d.year - self.start.year)))
        stamps = []
        for day in rng.choices(days, weights=weights, k=n):
            minute = int(rng.random() * WORK_MINUTES)
            minute += 510 if minute < 180 else 630
            stamps.append((day - UNIX_EPOCH_ORDINAL) * 86_400 + minute * 60 + int(rng.random() * 60))
        stamps.sort()
        return stamps

    def _cases_of(
        self, rng: random.Random, n: int, party_ids: list[str], officer_ids: list[str], picker: ItemPicker
    ) -> Iterator[CaseRow]:
        end = self.as_of.toordinal()
        known = self._parties
        n_parties = len(party_ids)
        states, categories = self.state_table.states, self.state_table.categories
        cn_dates: dict[int, str] = {}
        last_filed = 0
        for local in self._receipt_stamps(rng, n):
            day = local // 86_400 + UNIX_EPOCH_ORDINAL
            ts = local - BEIJING_OFFSET_S
            case_id = self._new_id(rng, ts * 1000)
            source = self.sources.draw(rng)
            same_day, max_lag = narrative.SOURCE_LAG.get(source, (0.3, 30))
            violation = day if rng.random() < same_day else day - 1 - int(rng.random() * max_lag)
            party = party_ids[int(n_parties * rng.random() ** REPEAT_SKEW)]
            who, kind = known.get(party, ("当事人", NATURAL))

            simple_possible = picker.simple_possible(violation, kind)
            si = self.state_table.draw(end - day, rng.random(), simple_possible=simple_possible)
            state, category = states[si], categories[si]
            simple = category in SIMPLE_CATEGORIES or (
                category == "closed" and simple_possible and rng.random() < SIMPLE_SHARE_OF_CLOSED
            )
            procedure: Procedure = "simple" if simple else "general"

            filed: int | None = None
            if not simple and category not in UNFILED_CATEGORIES:
                filed = day if rng.random() < 0.55 else day + 1 + int(rng.random() * 5)
                # Numbers are issued in filing order, so filing dates never go backwards.
                filed = last_filed = min(max(filed, last_filed), end)
            item = picker.draw(rng, violation, filed or day, kind, simple)

            chosen = [party]
            if rng.random() < SECOND_PARTY_SHARE and n_parties > 1:
                other = party_ids[int(n_parties * rng.random())]
                other_who, other_kind = known.get(other, ("当事人", NATURAL))
                if other != party and other_kind in item.kinds:
                    chosen.append(other)
                    who = f"{who}、{other_who}"
            k = 3 if rng.random() < THIRD_OFFICER_SHARE and len(officer_ids) >= 3 else 2
            officers = rng.sample(officer_ids, k)

            case_number: str | None = None
            filed_on: date | None = None
            if filed is not None:
                filed_on = date.fromordinal(filed)
                seq = self._case_sequences.get(filed_on.year, 0) + 1
                self._case_sequences[filed_on.year] = seq
                case_number = f"{self.doc_prefix}立字〔{filed_on.year}〕第{seq}号"

            fine: int | None = None
            if item.pmax is not None and (
                category in FINED_CATEGORIES
                or state in FINED_END_STATES
                or (category in CLOSED_CATEGORIES and rng.random() < CLOSED_FINED_SHARE)
            ):
                fine = fine_for(rng, item, SIMPLE_LIMIT_FEN[kind in CITIZEN_KINDS] if simple else None)

            place, village = self.places.place(rng, item.place_pool)
            cn_date = cn_dates.get(day)
            if cn_date is None:
                d = date.fromordinal(day)
                cn_date = cn_dates[day] = f"{d.year}年{d.month}月{d.day}日"
            yield CaseRow(
                id=case_id,
                case_number=case_number,
                procedure=procedure,
                source=source,
                received_at=datetime.fromtimestamp(ts, tz=UTC),
                violation_date=date.fromordinal(violation),
                filed_on=filed_on,
                place=place,
                summary=f"{who}在{place}{item.violation}案",
                facts=self._facts(rng, source, cn_date, who, place, village, item, k),
                state=state,
                is_major=state in MAJOR_STATES or (fine is not None and fine >= MAJOR_FINE_FEN),
                fine_fen=fine,
                power_item_code=item.code,
                party_ids=chosen,
                officer_ids=officers,
            )

    def _facts(
        self,
        rng: random.Random,
        source: str,
        cn_date: str,
        who: str,
        place: str,
        village: str,
        item: CatalogueItem,
        officers: int,
    ) -> str:
        opening = narrative.SOURCE_OPENINGS.get(source, narrative.DEFAULT_OPENING).format(
            date=cn_date, village=f"{self.town}{village}", dept=item.source_department, county=self.county
        )
        details = narrative.FIELD_DETAILS.get(item.field, narrative.DEFAULT_DETAILS)
        detail = details[int(rng.random() * len(details))].format(a=rng.randint(2, 60))
        return (
            f"{opening}经现场检查，当事人{who}在{place}{item.violation}{detail}。"
            f"执法人员{officers}名到场出示执法证件，制作了现场检查笔录，拍摄现场照片{rng.randint(3, 12)}张。"
            f"当事人的上述行为涉嫌违反{item.citation}的规定。"
        )


def _text(mapping: Mapping[str, Any], key: str) -> str:
    value = mapping.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"地点数据缺少“{key}”")
    return value
