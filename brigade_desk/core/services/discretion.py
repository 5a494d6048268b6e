"""Discretion benchmarks in the store, and the discretion result of a case (docs/discretion.md).

Versions: listed by everyone, imported (dry run first: the file's problems by row and field, nothing
written while there is any), exported, edited and deleted by reference managers, and frozen once a
decision used them. "Used" is derived, never stored: a case saved a discretion result computed from
the version (applied, or consulted as the APL Art 37 alternative) and that case has a decision step
(``penalty_decided`` or ``no_penalty_decided``).

Cases: the engine runs with the case's violation date, the prior penalties found in the store (the
same item for the same party, rule in ``_prior_penalties``), the facts and quantities the officer
gives. A saved result keeps its inputs, the version and its digest. An amount outside the tier,
with a reason, makes the case a major decision (legal review and collective discussion) in the
same transaction.

Parsed benchmarks are cached by (id, digest), so an evaluation does not rebuild a 500-item table.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from brigade_desk.core import audit
from brigade_desk.core.errors import NotFound, RuleViolation, StaleEdit, ValidationError
from brigade_desk.core.model import (
    BenchmarkVersion,
    Case,
    CaseDiscretion,
    CaseParty,
    CasePowerItem,
    CaseStep,
    Party,
    PowerItem,
)
from brigade_desk.core.rules.clocks import EventKind
from brigade_desk.core.rules.discretion import (
    Benchmark,
    BenchmarkItem,
    CorrectionOrder,
    DiscretionInputError,
    DiscretionResult,
    FineUnitKind,
    ImportIssue,
    ParseResult,
    PartyKind,
    ProposalCheck,
    benchmark_digest,
    benchmark_from_dict,
    benchmark_to_csv,
    benchmark_to_dict,
    check_proposed_amount,
    evaluate,
    fact_choices,
    find_quantity,
    format_condition,
    load_starter_benchmark,
    parse_benchmark_bytes,
    priors_from_count,
    quantity_choices,
    validate_benchmark,
)
from brigade_desk.core.rules.discretion_csv import _outcome_text
from brigade_desk.core.rules.discretion_predicates import (
    FactIs,
    PriorPenalties,
    QuantityBand,
    RefusedCorrection,
    iter_leaves,
)
from brigade_desk.core.rules.money import format_yuan
from brigade_desk.core.rules.permissions import Actor, Permission
from brigade_desk.core.rules.procedure import STATE_LABELS, CaseState
from brigade_desk.core.services.base import Service, ensure_unchanged, operation
from brigade_desk.core.services.discretion_views import (
    BenchmarkDetail,
    BenchmarkVersionView,
    CaseDiscretionState,
    CaseEvaluation,
    DiscretionInput,
    ImportReport,
    ItemChoice,
    ItemRow,
    PriorPenalty,
    SavedDiscretion,
    TierRow,
    VersionEdit,
)
from brigade_desk.core.services.parties import case_party_kinds
from brigade_desk.core.timeutil import beijing_today

__all__ = [
    "DECISION_STEPS",
    "BenchmarkDetail",
    "BenchmarkVersionView",
    "CaseDiscretionState",
    "CaseEvaluation",
    "CorrectionOrder",
    "DiscretionInput",
    "DiscretionService",
    "ImportReport",
    "ItemChoice",
    "ItemRow",
    "PriorPenalty",
    "SavedDiscretion",
    "TierRow",
    "VersionEdit",
    "load_starter_benchmark_version",
]

# A case with one of these steps has a decision; the versions its saved result used are frozen.
DECISION_STEPS = (EventKind.PENALTY_DECIDED.value, EventKind.NO_PENALTY_DECIDED.value)
# Only a penalty counts as a prior penalty (处罚次数); a revoked decision does not.
PENALTY_STEP = EventKind.PENALTY_DECIDED.value
REVOKED_STEP = EventKind.DECISION_REVOKED.value
# Cases that ended without a decision: nothing to weigh any more.
ENDED_STATES = frozenset({CaseState.NOT_FILED, CaseState.WITHDRAWN, CaseState.TRANSFERRED})
MAJOR_REASON = "拟罚款金额超出裁量基准阶次幅度"
_INDIVIDUAL_KINDS = frozenset({"natural_person", "individual_business"})


# --- the cache of parsed versions --------------------------------------------------------------

_CACHE_LOCK = threading.Lock()
_CACHE: dict[tuple[str, str], Benchmark] = {}
_CACHE_LIMIT = 64


def _benchmark(row_id: str, digest: str, data: Mapping[str, Any] | None) -> Benchmark:
    key = (row_id, digest)
    with _CACHE_LOCK:
        found = _CACHE.get(key)
    if found is not None:
        return found
    assert data is not None
    benchmark = benchmark_from_dict(dict(data))
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = benchmark
    return benchmark


def _all_versions(session: Session) -> list[tuple[str, Benchmark]]:
    """Every stored version as (id, Benchmark); only rows not in the cache load their JSON."""
    heads = session.execute(select(BenchmarkVersion.id, BenchmarkVersion.digest)).all()
    with _CACHE_LOCK:
        missing = [row_id for row_id, digest in heads if (row_id, digest) not in _CACHE]
    data: dict[str, dict[str, Any]] = {}
    if missing:
        for row_id, payload in session.execute(
            select(BenchmarkVersion.id, BenchmarkVersion.data).where(BenchmarkVersion.id.in_(missing))
        ):
            data[row_id] = payload
    return [(row_id, _benchmark(row_id, digest, data.get(row_id))) for row_id, digest in heads]


# --- helpers ------------------------------------------------------------------------------------


def _unit_value(item: BenchmarkItem, value: int) -> str:
    match item.fine_unit.kind:
        case FineUnitKind.PERCENT_OF_BASE:
            return f"{value / 100:g}%"
        case FineUnitKind.MULTIPLE_OF_BASE:
            return f"{value / 100:g}倍"
    return format_yuan(value)


def statutory_text(item: BenchmarkItem) -> str:
    """The statutory range in a few words: 500.00元至2,000.00元, 每平方米…, 工程造价的5%至10%."""
    kind = item.fine_unit.kind
    high = _unit_value(item, item.statutory_max)
    low = _unit_value(item, item.statutory_min) if item.statutory_min else ""
    span = f"{low}至{high}" if low and low != high else (high if low else f"{high}以下")
    registered = find_quantity(item.fine_unit.quantity)
    base = registered.label if registered is not None else item.fine_unit.quantity
    if kind is FineUnitKind.PER_UNIT:
        text = f"每{item.fine_unit.unit_label}{span}"
    elif kind is FineUnitKind.FIXED:
        text = span
    else:
        text = f"{base}的{span}"
    if item.cap_fen is not None:
        text += f"，总额不超过{format_yuan(item.cap_fen)}"
    return text


def _item_row(item: BenchmarkItem) -> ItemRow:
    return ItemRow(
        code=item.code,
        seq=item.seq,
        violation=item.violation,
        violated_provision=item.violated_provision,
        penalty_provision=item.penalty_provision,
        penalty_kinds="、".join(item.penalty_kinds),
        statutory_text=statutory_text(item),
        party_kind=item.party_kind.label,
        tiers=tuple(
            TierRow(
                code=tier.code,
                label=tier.kind.label,
                condition_text=tier.condition_text,
                condition=format_condition(tier.condition) if tier.condition is not None else "",
                outcome=_outcome_text(tier.outcome, item.fine_unit.kind),
                additional="、".join(p.text for p in tier.additional_penalties),
            )
            for tier in item.tiers
        ),
    )


_PROVISION = re.compile(
    r"《(?P<law>[^》]+)》|(?P<article>第[一二三四五六七八九十百零〇两\d]+条)(?P<rest>[^、，；《]*)"
)


def _provisions(text: str) -> list[tuple[str, str, str]]:
    """(law, article, paragraph-and-item) triples; a bare 第N条 belongs to the law named before it
    (《城市道路管理条例》第二十七条、第四十二条), and 第（一）项 reads like 第一项."""
    cleaned = re.sub(r"[（）()]", "", text)
    law = ""
    found = []
    for match in _PROVISION.finditer(cleaned):
        if match.group("law"):
            law = match.group("law").removeprefix("中华人民共和国")
        elif law:
            found.append((law, match.group("article"), match.group("rest").strip()))
    return found


def _hint_score(item: BenchmarkItem, power_items: Sequence[PowerItem], party_kinds: set[str]) -> int:
    """How well a benchmark item fits the case: its power item code, else the penalty provision
    cited by the power item (article, then paragraph and item); the party kind breaks ties."""
    score = 0
    for power in power_items:
        if item.power_item_code and item.power_item_code == power.code:
            score = max(score, 100)
            continue
        cited = _provisions(power.legal_basis)
        for law, article, rest in _provisions(item.penalty_provision):
            for c_law, c_article, c_rest in cited:
                if law == c_law and article == c_article:
                    exact = (
                        bool(rest) and bool(c_rest) and (rest.startswith(c_rest) or c_rest.startswith(rest))
                    )
                    score = max(score, 20 if exact else 10)
    if score and party_kinds:
        individual = bool(party_kinds & _INDIVIDUAL_KINDS)
        organisation = bool(party_kinds - _INDIVIDUAL_KINDS)
        if (item.party_kind is PartyKind.INDIVIDUAL and individual) or (
            item.party_kind is PartyKind.ORGANISATION and organisation
        ):
            score += 2
        elif item.party_kind is not PartyKind.ANY:
            score -= 5
    return max(score, 0)


def _asks_for(item: BenchmarkItem) -> tuple[tuple[str, ...], tuple[tuple[str, str, str], ...], bool, bool]:
    facts: list[str] = []
    quantities: list[str] = [item.fine_unit.quantity] if item.fine_unit.quantity else []
    priors = correction = False
    for tier in item.tiers:
        if tier.condition is None:
            continue
        for leaf, _positive in iter_leaves(tier.condition):
            match leaf:
                case FactIs(fact=code) if code not in facts:
                    facts.append(code)
                case QuantityBand(quantity=code) if code not in quantities:
                    quantities.append(code)
                case PriorPenalties():
                    priors = True
                case RefusedCorrection():
                    correction = True
    shown = []
    for code in quantities:
        registered = find_quantity(code)
        label = registered.label if registered is not None else code
        unit = registered.unit_label if registered is not None else ""
        if code == item.fine_unit.quantity and item.fine_unit.unit_label:
            unit = item.fine_unit.unit_label
        shown.append((code, label, unit))
    return tuple(facts), tuple(shown), priors, correction


def _choose_series(
    versions: Sequence[tuple[str, Benchmark]], item_code: str, series: str
) -> list[tuple[str, Benchmark]]:
    """The versions to evaluate with: of the named series, else of the series holding the item —
    a county's own benchmark before the starter, the most recently effective one first."""
    holding = [(i, b) for i, b in versions if b.item(item_code) is not None]
    if series:
        chosen = [(i, b) for i, b in holding if b.series == series]
        if not chosen:
            raise ValidationError.single("事项编码", f"裁量基准“{series}”中没有事项编码为“{item_code}”的事项")
        return chosen
    if not holding:
        raise ValidationError.single("事项编码", f"库中的裁量基准没有事项编码为“{item_code}”的事项")
    ranked = sorted(
        holding, key=lambda entry: (not entry[1].is_starter, entry[1].effective_from), reverse=True
    )
    best = ranked[0][1].series
    return [(i, b) for i, b in holding if b.series == best]


def _input_error(exc: DiscretionInputError) -> ValidationError:
    field_names = {
        "item_code": "事项编码",
        "facts": "情节",
        "quantities": "计量",
        "violation_date": "违法行为发生日期",
        "decision_date": "决定日期",
        "prior_penalty_dates": "处罚次数",
        "benchmark": "裁量基准",
    }
    return ValidationError.single(field_names.get(exc.field, exc.field or "裁量"), exc.message)


def _run_engine(
    versions: Sequence[tuple[str, Benchmark]],
    data: DiscretionInput,
    violation_date: date,
    decision_date: date | None,
    prior_dates: Sequence[date],
) -> tuple[DiscretionResult, str]:
    chosen = _choose_series(versions, data.item_code, data.series)
    if decision_date is not None and decision_date < violation_date:
        decision_date = None  # a date typed before the violation: evaluate as of the violation only
    try:
        result = evaluate(
            [b for _i, b in chosen],
            data.item_code,
            violation_date,
            dict(data.facts),
            dict(data.quantities),
            prior_dates,
            correction_order=data.correction_order,
            decision_date=decision_date,
            prefer_lighter_later_version=data.prefer_lighter_later_version,
        )
    except DiscretionInputError as exc:
        raise _input_error(exc) from None
    return result, result.benchmark_uuid


def _decided(session: Session, case_id: str) -> bool:
    return (
        session.execute(
            select(CaseStep.id).where(CaseStep.case_id == case_id, CaseStep.kind.in_(DECISION_STEPS)).limit(1)
        ).first()
        is not None
    )


def _locked_reason(session: Session, case: Case) -> str:
    if _decided(session, case.id):
        return "本案已作出决定，裁量结果已随决定固定，不能再修改"
    try:
        state = CaseState(case.state)
    except ValueError:
        return ""
    if state in ENDED_STATES:
        return f"案件已{STATE_LABELS[state]}，不再裁量"
    return ""


def _prior_penalties(
    session: Session, case: Case, item_code: str, violation_date: date
) -> tuple[PriorPenalty, ...]:
    """Earlier penalties of the same item for the same party, from the store.

    A penalty counts when another case of any of this case's parties has a ``penalty_decided``
    step dated on or before the violation date, has no ``decision_revoked`` step, and concerns the
    same item: its saved discretion result names the same item code, or — where it has no saved
    result (decided before discretion was recorded, or the simple procedure) — it shares a power
    item with this case. The engine then counts those inside the look-back window.
    """
    parties = select(CaseParty.party_id).where(CaseParty.case_id == case.id)
    others = select(CaseParty.case_id).where(CaseParty.party_id.in_(parties), CaseParty.case_id != case.id)
    rows = session.execute(
        select(CaseStep.case_id, CaseStep.on, CaseStep.kind, Case.case_number)
        .join(Case, Case.id == CaseStep.case_id)
        .where(CaseStep.case_id.in_(others), CaseStep.kind.in_((PENALTY_STEP, REVOKED_STEP)))
    ).all()
    if not rows:
        return ()
    ids = {row.case_id for row in rows}
    revoked = {row.case_id for row in rows if row.kind == REVOKED_STEP}
    saved = dict(
        session.execute(
            select(CaseDiscretion.case_id, CaseDiscretion.item_code).where(CaseDiscretion.case_id.in_(ids))
        ).all()
    )
    own_items = set(
        session.execute(select(CasePowerItem.power_item_id).where(CasePowerItem.case_id == case.id)).scalars()
    )
    shared = set(
        session.execute(
            select(CasePowerItem.case_id).where(
                CasePowerItem.case_id.in_(ids), CasePowerItem.power_item_id.in_(own_items)
            )
        ).scalars()
    )
    found = []
    for row in rows:
        if row.kind != PENALTY_STEP or row.case_id in revoked or row.on > violation_date:
            continue
        same = saved[row.case_id] == item_code if row.case_id in saved else row.case_id in shared
        if same:
            found.append(PriorPenalty(row.case_id, row.case_number or "（未编号）", row.on))
    return tuple(sorted(found, key=lambda p: (p.decided_on, p.case_number)))


def _used_by(session: Session, ids: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Version id -> case numbers of decided cases whose saved result used it."""
    decided = select(CaseStep.case_id).where(CaseStep.kind.in_(DECISION_STEPS))
    query = (
        select(CaseDiscretion.benchmark_id, CaseDiscretion.alternative_benchmark_id, Case.case_number)
        .join(Case, Case.id == CaseDiscretion.case_id)
        .where(CaseDiscretion.case_id.in_(decided))
    )
    if ids is not None:
        wanted = list(ids)
        query = query.where(
            or_(CaseDiscretion.benchmark_id.in_(wanted), CaseDiscretion.alternative_benchmark_id.in_(wanted))
        )
    out: dict[str, list[str]] = {}
    for applied, alternative, number in session.execute(query):
        for version_id in {applied, alternative}:
            if version_id is not None:
                out.setdefault(version_id, []).append(number or "（未编号）")
    return {key: sorted(set(value)) for key, value in out.items()}


def _view(row: BenchmarkVersion, used_by: Sequence[str]) -> BenchmarkVersionView:
    data = row.data
    return BenchmarkVersionView(
        id=row.id,
        series=row.series,
        version_number=row.version_number,
        title=row.title,
        issuer=row.issuer,
        doc_number=row.doc_number,
        effective_from=row.effective_from,
        effective_to=row.effective_to,
        source=row.source,
        note=str(data.get("note", "")),
        is_starter=row.is_starter,
        lookback_days=int(data.get("lookback_days", 365)),
        item_count=row.item_count,
        tier_count=row.tier_count,
        digest=row.digest,
        created_at=row.created_at,
        updated_at=row.updated_at,
        used_by=tuple(used_by),
        version=row.version,
    )


def _fill(row: BenchmarkVersion, benchmark: Benchmark, now: datetime) -> None:
    row.series = benchmark.series
    row.version_number = benchmark.version
    row.title = benchmark.title
    row.issuer = benchmark.issuer
    row.doc_number = benchmark.doc_number
    row.effective_from = benchmark.effective_from
    row.effective_to = benchmark.effective_to
    row.source = benchmark.source
    row.is_starter = benchmark.is_starter
    row.item_count = len(benchmark.items)
    row.tier_count = sum(len(item.tiers) for item in benchmark.items)
    row.digest = benchmark_digest(benchmark)
    row.data = benchmark_to_dict(benchmark)
    row.updated_at = now


def _audit_facts(row: BenchmarkVersion) -> dict[str, Any]:
    return {
        "id": row.id,
        "series": row.series,
        "version_number": row.version_number,
        "title": row.title,
        "effective_from": row.effective_from,
        "effective_to": row.effective_to,
        "digest": row.digest,
        "items": row.item_count,
        "tiers": row.tier_count,
    }


def _insert_version(
    session: Session, actor: Actor | None, benchmark: Benchmark, now: datetime, action: str, summary: str
) -> BenchmarkVersion:
    row = BenchmarkVersion(
        id=benchmark.uuid,
        created_at=now,
        created_by=(actor.user_id or None) if actor is not None else None,
    )
    _fill(row, benchmark, now)
    session.add(row)
    session.flush()
    audit.record(
        session, actor, audit.Change(action, "discretion_benchmark", row.id, summary, after=_audit_facts(row))
    )
    return row


def load_starter_benchmark_version(session: Session, actor: Actor | None, now: datetime) -> bool:
    """Put the shipped starter benchmark in the store unless it is there; True when added.

    Called by first-run set-up next to the starter power-item catalogue, in the same transaction.
    """
    benchmark = load_starter_benchmark()
    if session.get(BenchmarkVersion, benchmark.uuid) is not None:
        return False
    _insert_version(
        session,
        actor,
        benchmark,
        now,
        "discretion.starter",
        f"载入初始裁量基准《{benchmark.title}》（{len(benchmark.items)}个事项，待县级基准替换）",
    )
    return True


def _saved_view(session: Session, row: CaseDiscretion) -> SavedDiscretion:
    current = session.get(BenchmarkVersion, row.benchmark_id) if row.benchmark_id else None
    if current is None:
        stale = "计算时使用的裁量基准版本已被删除，请重新计算并保存"
    elif current.digest != row.benchmark_digest:
        stale = "计算后裁量基准版本已被修改，请重新计算并保存"
    else:
        stale = ""
    priors = tuple(
        PriorPenalty(p["case_id"], p["case_number"], date.fromisoformat(p["decided_on"]))
        for p in row.inputs.get("prior_cases", [])
    )
    return SavedDiscretion(
        id=row.id,
        case_id=row.case_id,
        series=row.series,
        item_code=row.item_code,
        benchmark_id=row.benchmark_id,
        benchmark_digest=row.benchmark_digest,
        stale_reason=stale,
        inputs=dict(row.inputs),
        result=DiscretionResult.from_dict(row.result),
        priors=priors,
        proposed_fen=row.proposed_fen,
        proposal_reason=row.proposal_reason,
        proposal_within_tier=row.proposal_within_tier,
        requires_major_review=row.requires_major_review,
        saved_at=row.saved_at,
        saved_by_name=row.saved_by_name,
        version=row.version,
    )


def _proposal_error(check: ProposalCheck) -> ValidationError:
    return ValidationError.single("理由" if check.requires_reason else "拟罚款金额", check.message)


def _import_plan(
    session: Session, benchmark: Benchmark
) -> tuple[BenchmarkVersion | None, str, list[ImportIssue]]:
    """What importing ``benchmark`` would do: (the stored row it replaces, action, problems)."""
    existing = session.get(BenchmarkVersion, benchmark.uuid)
    clash = session.execute(
        select(BenchmarkVersion.id).where(
            BenchmarkVersion.series == benchmark.series,
            BenchmarkVersion.version_number == benchmark.version,
            BenchmarkVersion.id != benchmark.uuid,
        )
    ).scalar_one_or_none()
    problems: list[ImportIssue] = []
    if clash is not None:
        problems.append(
            ImportIssue(
                None,
                "版本",
                f"基准代码“{benchmark.series}”的第{benchmark.version}版已在库中（标识 {clash}）；"
                "修改该版本请保留其标识，发布新版本请改用新的版本号",
            )
        )
    if existing is not None and existing.digest == benchmark_digest(benchmark) and not problems:
        return existing, "unchanged", []
    if existing is not None:
        used = _used_by(session, [existing.id]).get(existing.id, [])
        if used:
            problems.append(ImportIssue(None, "标识", _view(existing, used).frozen_reason))
    if problems:
        return existing, "refused", problems
    return existing, "created" if existing is None else "replaced", []


# --- the service ----------------------------------------------------------------------------------


class DiscretionService(Service):
    """Benchmark versions and the discretion result of a case."""

    # --- versions ---------------------------------------------------------------------------------

    @operation(Permission.CASE_VIEW)
    def list_versions(self, actor: Actor) -> list[BenchmarkVersionView]:
        """Every version, a county's benchmarks first, newest version first within a benchmark."""
        with self.store.read() as session:
            rows = list(session.execute(select(BenchmarkVersion)).scalars())
            used = _used_by(session)
            views = [_view(row, used.get(row.id, [])) for row in rows]
        return sorted(views, key=lambda v: (v.is_starter, v.series, -v.version_number))

    @operation(Permission.CASE_VIEW)
    def version_detail(self, actor: Actor, benchmark_id: str) -> BenchmarkDetail:
        """A version with its items and tiers as the exchange file writes them."""
        with self.store.read() as session:
            row = self._version_row(session, benchmark_id)
            view = _view(row, _used_by(session, [row.id]).get(row.id, []))
            benchmark = _benchmark(row.id, row.digest, row.data)
        return BenchmarkDetail(view, tuple(_item_row(item) for item in benchmark.items))

    @staticmethod
    def _version_row(session: Session, benchmark_id: str) -> BenchmarkVersion:
        row = session.get(BenchmarkVersion, benchmark_id.strip())
        if row is None:
            raise NotFound(f"没有标识为“{benchmark_id}”的裁量基准版本")
        return row

    @operation(Permission.CASE_VIEW)
    def find_version(self, actor: Actor, reference: str) -> BenchmarkVersionView:
        """A version by its id (or a unique beginning of it), by 基准代码 (the latest version) or by
        基准代码@版本 — what the command line accepts for ``--benchmark``."""
        text = reference.strip()
        views = self.list_versions(actor)
        series, _, number = text.partition("@")
        matches = [v for v in views if v.id == text]
        if not matches and number.isdigit():
            matches = [v for v in views if v.series == series and v.version_number == int(number)]
        if not matches:
            same_series = [v for v in views if v.series == text]
            matches = sorted(same_series, key=lambda v: -v.version_number)[:1]
        if not matches and len(text) >= 4:
            matches = [v for v in views if v.id.startswith(text)]
        if len(matches) != 1:
            raise NotFound(
                f"没有找到裁量基准版本“{reference}”"
                if not matches
                else f"“{reference}”对应多个版本，请写完整的标识"
            )
        return matches[0]

    @operation(Permission.REFERENCE_MANAGE)
    def import_csv(self, actor: Actor, data: bytes, *, dry_run: bool = False) -> ImportReport:
        """Import one version from the exchange file (docs/discretion-format.md).

        Refused as a whole, with every problem by row and column, when the file has any error, when
        its 基准代码 and 版本 belong to another stored version, or when it would change a version a
        decision used. A file identical to a stored version changes nothing. The same 标识 with other
        content replaces that version (an edit made in Excel) while no decision has used it.
        """
        parsed: ParseResult = parse_benchmark_bytes(data)
        warnings = tuple(parsed.warnings)
        if parsed.benchmark is None or parsed.errors:
            return ImportReport(dry_run, "refused", tuple(parsed.errors), warnings)
        benchmark = parsed.benchmark

        def report(action: str, errors: Sequence[ImportIssue] = (), dry: bool = dry_run) -> ImportReport:
            return ImportReport(
                dry,
                action,
                tuple(errors),
                warnings,
                benchmark.uuid,
                benchmark.series,
                benchmark.version,
                benchmark.title,
                len(benchmark.items),
                sum(len(item.tiers) for item in benchmark.items),
            )

        if dry_run:
            with self.store.read() as session:
                _existing, action, problems = _import_plan(session, benchmark)
            return report(action, problems)
        with self.store.write() as session:
            existing, action, problems = _import_plan(session, benchmark)
            if problems or action == "unchanged":
                return report(action, problems)
            now = self.clock()
            done = report(action)
            if existing is None:
                _insert_version(
                    session,
                    actor,
                    benchmark,
                    now,
                    "discretion.import",
                    f"导入裁量基准《{benchmark.title}》第{benchmark.version}版"
                    f"（{done.item_count}个事项、{done.tier_count}个阶次）",
                )
            else:
                before = _audit_facts(existing)
                _fill(existing, benchmark, now)
                session.flush()
                audit.record(
                    session,
                    actor,
                    audit.Change(
                        "discretion.replace",
                        "discretion_benchmark",
                        existing.id,
                        f"以导入文件替换裁量基准《{benchmark.title}》第{benchmark.version}版",
                        before=before,
                        after=_audit_facts(existing),
                    ),
                )
        return done

    @operation(Permission.CASE_VIEW)
    def export_to(self, actor: Actor, benchmark_id: str, path: Path) -> Path:
        """Write a version in the exchange format (UTF-8 with BOM, so Excel shows the Chinese)."""
        with self.store.read() as session:
            row = self._version_row(session, benchmark_id)
            benchmark = _benchmark(row.id, row.digest, row.data)
        target = Path(path)
        try:
            target.write_text(benchmark_to_csv(benchmark), encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise RuleViolation(f"无法写入文件 {target}：{exc.strerror or exc}") from exc
        return target

    @staticmethod
    def _refuse_if_used(session: Session, row: BenchmarkVersion) -> None:
        used = _used_by(session, [row.id]).get(row.id, [])
        if used:
            raise RuleViolation(_view(row, used).frozen_reason)

    @operation(Permission.REFERENCE_MANAGE)
    def update_version(
        self, actor: Actor, benchmark_id: str, edit: VersionEdit, version: int
    ) -> BenchmarkVersionView:
        """Change the header of a version no decision has used (items and tiers: export, edit in
        Excel, import with the same 标识)."""
        with self.store.write() as session:
            row = self._version_row(session, benchmark_id)
            ensure_unchanged(row, version, "裁量基准版本")
            self._refuse_if_used(session, row)
            current = _benchmark(row.id, row.digest, row.data)
            changed = replace(
                current,
                title=edit.title.strip(),
                doc_number=edit.doc_number.strip(),
                effective_from=edit.effective_from,
                effective_to=edit.effective_to,
                source=edit.source.strip(),
                note=edit.note.strip(),
            )
            errors, _warnings = validate_benchmark(changed)
            if errors:
                raise ValidationError.single(errors[0].column or "基准", "；".join(e.message for e in errors))
            before = _audit_facts(row)
            _fill(row, changed, self.clock())
            session.flush()
            audit.record(
                session,
                actor,
                audit.Change(
                    "discretion.update",
                    "discretion_benchmark",
                    row.id,
                    f"修改裁量基准《{changed.title}》第{changed.version}版的基本信息",
                    before=before,
                    after=_audit_facts(row),
                ),
            )
            return _view(row, [])

    @operation(Permission.REFERENCE_MANAGE)
    def delete_version(self, actor: Actor, benchmark_id: str, version: int) -> None:
        """Delete a version no decision has used; results saved with it on open cases must be
        recomputed (they show as stale)."""
        with self.store.write() as session:
            row = self._version_row(session, benchmark_id)
            ensure_unchanged(row, version, "裁量基准版本")
            self._refuse_if_used(session, row)
            before = _audit_facts(row)
            audit.record(
                session,
                actor,
                audit.Change(
                    "discretion.delete",
                    "discretion_benchmark",
                    row.id,
                    f"删除裁量基准《{row.title}》第{row.version_number}版",
                    before=before,
                ),
            )
            session.delete(row)

    @operation(Permission.REFERENCE_MANAGE)
    def load_starter(self, actor: Actor) -> bool:
        """Load the shipped starter benchmark into a store that lacks it (stores made before it
        shipped); False when it is there already."""
        with self.store.write() as session:
            return load_starter_benchmark_version(session, actor, self.clock())

    # --- choices for the panel ----------------------------------------------------------------

    @operation(Permission.CASE_VIEW)
    def fact_choices(self, actor: Actor) -> list[dict[str, Any]]:
        """The facts a panel offers as tick boxes (core.rules.discretion.fact_choices)."""
        return fact_choices()

    @operation(Permission.CASE_VIEW)
    def quantity_choices(self, actor: Actor) -> list[dict[str, Any]]:
        return quantity_choices()

    @operation(Permission.CASE_VIEW)
    def item_choices(
        self, actor: Actor, case_id: str | None = None, on: date | None = None
    ) -> list[ItemChoice]:
        """Items of the version of each benchmark in force on ``on`` (the case's violation date,
        else today; the latest version where none is in force), those fitting the case first."""
        with self.store.read() as session:
            power_items: list[PowerItem] = []
            party_kinds: set[str] = set()
            if case_id is not None:
                case = session.get(Case, case_id)
                if case is None:
                    raise NotFound("案件不存在")
                on = on or case.violation_date
                power_items = list(
                    session.execute(
                        select(PowerItem)
                        .join(CasePowerItem, CasePowerItem.power_item_id == PowerItem.id)
                        .where(CasePowerItem.case_id == case.id)
                    ).scalars()
                )
                party_kinds = case_party_kinds(session, case.id)
            versions = _all_versions(session)
        day = on or beijing_today(self.clock())
        by_series: dict[str, list[tuple[str, Benchmark]]] = {}
        for entry in versions:
            by_series.setdefault(entry[1].series, []).append(entry)
        choices: list[ItemChoice] = []
        for entries in by_series.values():
            in_force = [e for e in entries if e[1].in_force_on(day)] or entries
            row_id, benchmark = max(in_force, key=lambda e: (e[1].effective_from, e[1].version))
            for item in benchmark.items:
                facts, quantities, priors, correction = _asks_for(item)
                choices.append(
                    ItemChoice(
                        benchmark_id=row_id,
                        series=benchmark.series,
                        benchmark_title=benchmark.title,
                        is_starter=benchmark.is_starter,
                        code=item.code,
                        seq=item.seq,
                        violation=item.violation,
                        penalty_provision=item.penalty_provision,
                        statutory_text=statutory_text(item),
                        party_kind=item.party_kind.label,
                        fine_unit=item.fine_unit.kind.value,
                        facts=facts,
                        quantities=quantities,
                        uses_priors=priors,
                        uses_correction_order=correction,
                        score=_hint_score(item, power_items, party_kinds),
                    )
                )
        order = {choice: n for n, choice in enumerate(choices)}
        return sorted(choices, key=lambda c: (-c.score, c.is_starter, order[c]))

    # --- evaluation -------------------------------------------------------------------------------

    @operation(Permission.CASE_VIEW)
    def evaluate(self, actor: Actor, data: DiscretionInput, prior_count: int = 0) -> DiscretionResult:
        """Evaluate an item without a case (the command line): priors are given as a count."""
        day = data.violation_date or beijing_today(self.clock())
        try:
            priors = priors_from_count(prior_count, day)
        except DiscretionInputError as exc:
            raise _input_error(exc) from None
        with self.store.read() as session:
            versions = _all_versions(session)
        result, _id = _run_engine(versions, data, day, data.decision_date, priors)
        return result

    def _evaluate_case(self, session: Session, case: Case, data: DiscretionInput) -> CaseEvaluation:
        day = data.violation_date or case.violation_date
        if day is None:
            raise ValidationError.single("违法行为发生日期", "案件尚未填写违法行为发生日期，请先填写")
        priors = _prior_penalties(session, case, data.item_code, day)
        versions = _all_versions(session)
        decision_date = data.decision_date or beijing_today(self.clock())
        result, benchmark_id = _run_engine(versions, data, day, decision_date, [p.decided_on for p in priors])
        return CaseEvaluation(result, priors, day, benchmark_id)

    @staticmethod
    def _case(session: Session, case_id: str) -> Case:
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound("案件不存在")
        return case

    @operation(Permission.CASE_EDIT)
    def evaluate_for_case(self, actor: Actor, case_id: str, data: DiscretionInput) -> CaseEvaluation:
        """What the engine says for this case with these facts (nothing is saved)."""
        with self.store.read() as session:
            return self._evaluate_case(session, self._case(session, case_id), data)

    @operation(Permission.CASE_VIEW)
    def check_amount(
        self, actor: Actor, result: DiscretionResult, amount_fen: int, reason: str = ""
    ) -> ProposalCheck:
        """Judge an amount the officer would propose instead of the recommendation (nothing saved)."""
        return check_proposed_amount(result, amount_fen, reason)

    @operation(Permission.CASE_VIEW)
    def for_case(self, actor: Actor, case_id: str) -> CaseDiscretionState:
        with self.store.read() as session:
            case = self._case(session, case_id)
            parties = session.execute(
                select(Party.name, Party.is_minor)
                .join(CaseParty, CaseParty.party_id == Party.id)
                .where(CaseParty.case_id == case.id)
            ).all()
            items = session.execute(
                select(PowerItem.name)
                .join(CasePowerItem, CasePowerItem.power_item_id == PowerItem.id)
                .where(CasePowerItem.case_id == case.id)
            ).scalars()
            row = session.execute(
                select(CaseDiscretion).where(CaseDiscretion.case_id == case.id)
            ).scalar_one_or_none()
            return CaseDiscretionState(
                case_id=case.id,
                case_number=case.case_number or "",
                violation_date=case.violation_date,
                locked_reason=_locked_reason(session, case),
                party_names=tuple(name for name, _minor in parties),
                party_is_minor=any(minor for _name, minor in parties),
                power_items=tuple(items),
                saved=_saved_view(session, row) if row is not None else None,
            )

    def _apply_proposal(
        self,
        session: Session,
        actor: Actor,
        case: Case,
        row: CaseDiscretion,
        result: DiscretionResult,
        amount_fen: int | None,
        reason: str,
    ) -> ProposalCheck | None:
        """Record (or clear) another amount; outside the tier it makes the case a major decision."""
        if amount_fen is None or (amount_fen == result.recommended_fen and not reason.strip()):
            row.proposed_fen, row.proposal_reason = None, ""
            row.proposal_within_tier, row.requires_major_review = None, False
            return None
        check = check_proposed_amount(result, amount_fen, reason)
        if not check.accepted:
            raise _proposal_error(check)
        row.proposed_fen, row.proposal_reason = amount_fen, reason.strip()
        row.proposal_within_tier, row.requires_major_review = check.within_tier, check.requires_major_review
        if check.requires_major_review:
            self._make_major(session, actor, case, f"{MAJOR_REASON}（{check.message}）")
        return check

    def _make_major(self, session: Session, actor: Actor, case: Case, reason: str) -> None:
        # The procedure's own flag logic: one audit event "case.major" with the reason.
        from brigade_desk.core.services.procedure import flag_major

        flag_major(session, actor, case, reason)
        if not case.discussion_required:
            case.discussion_required = True
            case.updated_at = self.clock()

    @operation(Permission.CASE_EDIT)
    def save_for_case(
        self,
        actor: Actor,
        case_id: str,
        data: DiscretionInput,
        version: int | None,
        proposed_fen: int | None = None,
        reason: str = "",
    ) -> SavedDiscretion:
        """Evaluate again inside the transaction and save the result on the case with its inputs.

        ``version`` is the saved result's version the caller saw (None when there was none): a
        save over someone else's newer result is refused. ``proposed_fen``/``reason``: another
        amount (see ``propose_amount``).
        """
        with self.store.write() as session:
            case = self._case(session, case_id)
            locked = _locked_reason(session, case)
            if locked:
                raise RuleViolation(locked)
            row = session.execute(
                select(CaseDiscretion).where(CaseDiscretion.case_id == case.id)
            ).scalar_one_or_none()
            if row is not None:
                if version is None:
                    raise StaleEdit(
                        f"{row.saved_by_name or '他人'}已为本案保存了裁量结果。您填写的内容仍保留在表单中，请刷新后核对再保存。"
                    )
                ensure_unchanged(row, version, "本案的裁量结果")
            evaluation = self._evaluate_case(session, case, data)
            result = evaluation.result
            stored = session.get(BenchmarkVersion, evaluation.benchmark_id)
            assert stored is not None
            alternative = result.alternative.benchmark_uuid if result.alternative is not None else None
            inputs = result.inputs.to_dict() | {
                "series": stored.series,
                "prior_cases": [
                    {
                        "case_id": p.case_id,
                        "case_number": p.case_number,
                        "decided_on": p.decided_on.isoformat(),
                    }
                    for p in evaluation.priors
                ],
            }
            before = None
            if row is None:
                row = CaseDiscretion(case_id=case.id, proposal_reason="", requires_major_review=False)
                session.add(row)
            else:
                before = {"item_code": row.item_code, "result": row.result, "proposed_fen": row.proposed_fen}
            row.benchmark_id = stored.id
            row.alternative_benchmark_id = alternative
            row.benchmark_digest = stored.digest
            row.series = stored.series
            row.item_code = data.item_code
            row.inputs = inputs
            row.result = result.to_dict()
            row.tier_code = result.tier_code
            row.recommended_fen = result.recommended_fen
            row.saved_at = self.clock()
            row.saved_by = actor.user_id or None
            row.saved_by_name = actor.display_name
            check = self._apply_proposal(session, actor, case, row, result, proposed_fen, reason)
            session.flush()
            tier = result.tier_label or "法定幅度"
            summary = f"保存裁量结果：{result.item_code}，{tier}，建议{result.recommended_text}"
            if check is not None and row.proposed_fen is not None:
                summary += f"；拟罚款{format_yuan(row.proposed_fen)}"
            audit.record(
                session,
                actor,
                audit.Change(
                    "case.discretion.save",
                    "case",
                    case.id,
                    summary,
                    before=before,
                    after={
                        "item_code": row.item_code,
                        "result": row.result,
                        "proposed_fen": row.proposed_fen,
                    },
                    detail={"benchmark_id": stored.id, "digest": stored.digest, "inputs": inputs},
                ),
            )
            if result.requires_collective_discussion and not case.discussion_required:
                case.discussion_required = True
                case.updated_at = self.clock()
                audit.record(
                    session,
                    actor,
                    audit.Change(
                        "case.discussion_required",
                        "case",
                        case.id,
                        "裁量基准规定本案情形须经集体讨论决定",
                    ),
                )
            session.flush()
            return _saved_view(session, row)

    @operation(Permission.CASE_EDIT)
    def propose_amount(
        self, actor: Actor, case_id: str, amount_fen: int | None, reason: str, version: int
    ) -> SavedDiscretion:
        """Propose another amount against the saved result (None: back to the recommendation).

        Inside the tier it needs a reason when it differs from the recommendation; outside the tier
        (but lawful) a reason, and the case becomes a major decision that needs legal review and
        collective discussion. Beyond the statute, or a fine where there is no penalty: refused.
        """
        with self.store.write() as session:
            case = self._case(session, case_id)
            locked = _locked_reason(session, case)
            if locked:
                raise RuleViolation(locked)
            row = session.execute(
                select(CaseDiscretion).where(CaseDiscretion.case_id == case.id)
            ).scalar_one_or_none()
            if row is None:
                raise RuleViolation("本案尚未保存裁量结果，请先计算并保存")
            ensure_unchanged(row, version, "本案的裁量结果")
            view = _saved_view(session, row)
            if view.stale_reason:
                raise RuleViolation(view.stale_reason)
            before = {"proposed_fen": row.proposed_fen, "reason": row.proposal_reason}
            check = self._apply_proposal(session, actor, case, row, view.result, amount_fen, reason)
            row.saved_at = self.clock()
            row.saved_by = actor.user_id or None
            row.saved_by_name = actor.display_name
            session.flush()
            summary = (
                "撤回拟罚款金额，采用建议金额"
                if row.proposed_fen is None
                else f"拟罚款{format_yuan(row.proposed_fen)}：{check.message if check else ''}"
            )
            audit.record(
                session,
                actor,
                audit.Change(
                    "case.discretion.propose",
                    "case",
                    case.id,
                    summary,
                    before=before,
                    after={"proposed_fen": row.proposed_fen, "reason": row.proposal_reason},
                ),
            )
            return _saved_view(session, row)
