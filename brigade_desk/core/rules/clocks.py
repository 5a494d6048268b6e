"""Deadline clocks of a case (DOMAIN.md 1.8), as data, and their pure computation.

A clock starts at a recorded event, runs for a period counted with the conventions of
``workdays`` and is closed by a later event. ``compute_deadlines`` turns a case's events into
``Deadline`` results with a status relative to ``today``. No database, no Qt: the service layer
maps its records to ``CaseEvent`` values and the GUI shows the results.

Events carry an optional ``ref`` so that one case can run several clocks of a kind (two
seizures, three reports): a clock's start, stop and extension events must share its ``ref``.
Case-level events leave ``ref`` as ``None``.

The clock table, the counting conventions and what is not covered are in docs/deadlines.md.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from brigade_desk.core.rules.late_fine import DAYS_TO_CAP, late_fine_cap_date
from brigade_desk.core.rules.workdays import (
    DateInterval,
    WorkdayCalendar,
    add_days_excluding,
    add_months_plain,
    unknown_year_warning,
)


class EventKind(StrEnum):
    """Recorded facts that start, stop, extend or pause clocks. ``CaseEvent.on`` is the fact's date."""

    REPORT_RECEIVED = "report_received"  # 收到举报（含12345转办）
    REPORTER_ANSWERED = "reporter_answered"  # 告知举报人核查结果
    VIOLATION_ENDED = "violation_ended"  # 违法行为发生日（连续或者继续状态的，为终了日）
    DISCOVERED = "discovered"  # 发现违法线索
    FILING_EXTENDED = "filing_extended"  # 批准延长立案审查期限（extension_days，工作日）
    FILED = "filed"  # 立案
    NOT_FILED = "not_filed"  # 决定不予立案
    EVIDENCE_PRESERVED = "evidence_preserved"  # 先行登记保存证据
    PRESERVATION_RESOLVED = "preservation_resolved"  # 作出先行登记保存处理决定
    SEIZED = "seized"  # 查封、扣押
    SEIZURE_EXTENDED = "seizure_extended"  # 批准延长查封、扣押（extension_days，日）
    SEIZURE_RESOLVED = "seizure_resolved"  # 解除查封、扣押或依法处理
    PRIOR_NOTICE_SERVED = "prior_notice_served"  # 事先告知书送达
    STATEMENT_WAIVED = "statement_waived"  # 当事人书面放弃陈述申辩
    HEARING_RIGHTS_NOTIFIED = "hearing_rights_notified"  # 听证告知书（或合并告知书）送达
    HEARING_REQUESTED = "hearing_requested"  # 当事人申请听证
    HEARING_WAIVED = "hearing_waived"  # 当事人书面放弃听证
    HEARING_SCHEDULED = "hearing_scheduled"  # on = 举行听证的日期
    HEARING_NOTICE_SERVED = "hearing_notice_served"  # 听证通知书送达
    LEGAL_REVIEW_SUBMITTED = "legal_review_submitted"  # 提交法制审核（再次提交重新计时）
    LEGAL_REVIEW_EXTENDED = "legal_review_extended"  # 批准延长审核期限（extension_days，工作日）
    LEGAL_REVIEW_COMPLETED = "legal_review_completed"  # 出具法制审核意见
    DECISION_EXTENDED = "decision_extended"  # 依规定批准延长办案期限（extension_days，日）
    PENALTY_DECIDED = "penalty_decided"  # 作出行政处罚决定（fine_fen = 应缴金额）
    NO_PENALTY_DECIDED = "no_penalty_decided"  # 作出不予行政处罚决定
    TRANSFERRED = "transferred"  # 移送
    WITHDRAWN = "withdrawn"  # 销案
    DECISION_SERVED = "decision_served"  # 决定书送达（公告送达的，为视为送达之日）
    SERVICE_BY_PUBLICATION = "service_by_publication"  # 发出送达公告
    PUBLISHED = "published"  # 处罚决定公示
    PUBLICATION_EXEMPTED = "publication_exempted"  # 依法决定不予公开
    DECISION_REVOKED = "decision_revoked"  # 决定被变更、撤销、确认违法或者确认无效
    PUBLICATION_WITHDRAWN = "publication_withdrawn"  # 撤回已公示的决定
    DEFERRAL_APPROVED = "deferral_approved"  # 批准暂缓缴纳（until = 新的缴纳期限末日）
    PAID = "paid"  # 缴清罚款
    CASH_COLLECTED = "cash_collected"  # 当场收缴罚款
    CASH_HANDED_TO_ORGAN = "cash_handed_to_organ"  # 执法人员交至行政机关
    CASH_DEPOSITED = "cash_deposited"  # 行政机关缴付指定银行
    DEMAND_NOTICE_SERVED = "demand_notice_served"  # 催告书送达
    COURT_APPLIED = "court_applied"  # 申请人民法院强制执行
    # Intervals: ``on`` is the first day, ``until`` the last day (None while still running).
    HEARING_PROCEEDINGS = "hearing_proceedings"  # 听证期间
    TESTING = "testing"  # 检测、检验、检疫、技术鉴定期间
    EXPERT_REVIEW = "expert_review"  # 专家论证期间
    PUBLIC_ANNOUNCEMENT = "public_announcement"  # 公告期间
    RECONSIDERATION = "reconsideration"  # 行政复议期间（on = 申请日）
    LITIGATION = "litigation"  # 行政诉讼期间（on = 起诉日）


@dataclass(frozen=True)
class CaseEvent:
    kind: EventKind
    on: date
    ref: str | None = None
    """Groups several clocks of one kind in a case (e.g. the seizure record's id); None = case level."""
    extension_days: int | None = None
    """For *_EXTENDED events: the approved extension; None = the default from ClockSettings."""
    until: date | None = None
    """For interval events: last day (None = still running); for DEFERRAL_APPROVED: new last day to pay."""
    fine_fen: int = 0
    """For PENALTY_DECIDED: fine plus confiscated gains to pay, in fen; 0 = nothing to pay."""


class PeriodUnit(StrEnum):
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    MONTHS = "months"
    YEARS = "years"


UNIT_LABELS: dict[PeriodUnit, str] = {
    PeriodUnit.WORKING_DAYS: "工作日",
    PeriodUnit.CALENDAR_DAYS: "日",
    PeriodUnit.MONTHS: "个月",
    PeriodUnit.YEARS: "年",
}


class ClockNature(StrEnum):
    DEADLINE = "deadline"  # someone must act by the due date; after it, the clock is overdue
    WAITING = "waiting"  # a period that must run out (party's window, deemed service); after it, elapsed


class DeadlineStatus(StrEnum):
    OVERDUE = "overdue"
    DUE_TODAY = "due_today"
    DUE_SOON = "due_soon"
    OK = "ok"
    ELAPSED = "elapsed"  # a waiting period has run out: the next step may proceed
    DONE = "done"  # closed by its stop event on or before the due date
    DONE_LATE = "done_late"  # closed after the due date (a defect to show in the case-file check)


STATUS_LABELS: dict[DeadlineStatus, str] = {
    DeadlineStatus.OVERDUE: "已逾期",
    DeadlineStatus.DUE_TODAY: "今日到期",
    DeadlineStatus.DUE_SOON: "即将到期",
    DeadlineStatus.OK: "正常",
    DeadlineStatus.ELAPSED: "期限已届满",
    DeadlineStatus.DONE: "已完成",
    DeadlineStatus.DONE_LATE: "超期完成",
}


class ClockKind(StrEnum):
    REPORTER_REPLY = "reporter_reply"
    FILING = "filing"
    LIMITATION = "limitation"
    DECISION = "decision"
    PRESERVATION = "preservation"
    SEIZURE = "seizure"
    STATEMENT = "statement"
    HEARING_REQUEST = "hearing_request"
    HEARING_NOTICE = "hearing_notice"
    LEGAL_REVIEW = "legal_review"
    DECISION_SERVICE = "decision_service"
    SERVICE_BY_PUBLICATION = "service_by_publication"
    PUBLICATION = "publication"
    WITHDRAW_PUBLICATION = "withdraw_publication"
    PAYMENT = "payment"
    LATE_FINE_CAP = "late_fine_cap"
    CASH_TO_ORGAN = "cash_to_organ"
    CASH_TO_BANK = "cash_to_bank"
    RECONSIDERATION = "reconsideration"
    LITIGATION = "litigation"
    DEMAND_NOTICE = "demand_notice"
    COURT_APPLICATION = "court_application"


@dataclass(frozen=True)
class ClockSettings:
    """Period lengths. Defaults: the statute where one exists, else the value DOMAIN.md gives.

    Statutory values are settings too so that a sector rule that differs can be entered, but only
    the local ones (marked) are expected to change.
    """

    due_soon_workdays: int = 3  # "due soon" when at most this many working days remain
    reporter_reply_workdays: int = 5  # local (SH-CM)
    filing_workdays: int = 15  # local / sector rule
    filing_extension_workdays: int = 15  # local / sector rule; also the cap
    limitation_years: int = 2
    limitation_years_serious: int = 5  # life/health or financial safety with harmful consequences
    decision_days: int = 90
    decision_extension_days: int = 30  # used when an extension event gives no days; no cap
    decision_pause_kinds: frozenset[EventKind] = frozenset(
        {
            EventKind.HEARING_PROCEEDINGS,
            EventKind.TESTING,
            EventKind.EXPERT_REVIEW,
            EventKind.PUBLIC_ANNOUNCEMENT,
        }
    )  # sector rules (from memory): only where a rule excludes them from the 90 days
    preservation_workdays: int = 7
    seizure_days: int = 30
    seizure_extension_days: int = 30  # also the cap (AEL Art 25)
    statement_workdays: int = 5  # local (3-5)
    hearing_request_workdays: int = 5
    hearing_notice_workdays: int = 7
    legal_review_workdays: int = 7  # local (P-LR-NX)
    legal_review_extension_workdays: int = 3  # local; also the cap
    decision_service_workdays: int = 7
    service_by_publication_days: int = 30
    publication_workdays: int = 7  # local: 7 (118号, default, stricter) or 20
    withdraw_publication_workdays: int = 3
    payment_days: int = 15
    cash_to_organ_workdays: int = 2
    cash_to_bank_workdays: int = 2
    reconsideration_days: int = 60
    litigation_months: int = 6
    demand_notice_workdays: int = 10
    court_application_months: int = 3

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, int) and value < 0:
                raise ValueError(f"期限设置 {field.name} 不能为负数：{value}")


DEFAULT_SETTINGS = ClockSettings()


def _no_pauses(_: ClockSettings) -> frozenset[EventKind]:
    return frozenset()


@dataclass(frozen=True)
class ClockSpec:
    kind: ClockKind
    label: str
    unit: PeriodUnit
    nature: ClockNature
    source: str
    length: Callable[[ClockSettings], int]
    starts: tuple[EventKind, ...] = ()
    """Any of these starts the clock; the latest one counts (a resubmission restarts it).
    Empty for clocks derived from another clock (late fine cap, court application)."""
    stops: tuple[EventKind, ...] = ()
    extension: EventKind | None = None
    extension_default: Callable[[ClockSettings], int] | None = None
    extension_capped: bool = False
    """The default extension is also the maximum total extension."""
    pause_kinds: Callable[[ClockSettings], frozenset[EventKind]] = _no_pauses
    requires: EventKind | None = None
    """The clock runs only if this event happened on or before the start."""
    backwards: bool = False
    """Due date lies ``length`` before the start event (hearing notice before the hearing)."""


_APL = "《行政处罚法》"
_AEL = "《行政强制法》"

CLOCK_SPECS: dict[ClockKind, ClockSpec] = {
    spec.kind: spec
    for spec in (
        ClockSpec(
            ClockKind.REPORTER_REPLY,
            "举报核查答复",
            PeriodUnit.WORKING_DAYS,
            ClockNature.DEADLINE,
            "地方规定（如《上海市城市管理行政执法条例》），可设置",
            lambda s: s.reporter_reply_workdays,
            starts=(EventKind.REPORT_RECEIVED,),
            stops=(EventKind.REPORTER_ANSWERED,),
        ),
        ClockSpec(
            ClockKind.FILING,
            "立案审查",
            PeriodUnit.WORKING_DAYS,
            ClockNature.DEADLINE,
            "部门规章或地方规定（如市场监管：15个工作日，可延长15个工作日），可设置",
            lambda s: s.filing_workdays,
            starts=(EventKind.DISCOVERED,),
            stops=(EventKind.FILED, EventKind.NOT_FILED),
            extension=EventKind.FILING_EXTENDED,
            extension_default=lambda s: s.filing_extension_workdays,
            extension_capped=True,
        ),
        ClockSpec(
            ClockKind.LIMITATION,
            "追责时效",
            PeriodUnit.YEARS,
            ClockNature.DEADLINE,
            f"{_APL}第三十六条",
            lambda s: s.limitation_years,
            starts=(EventKind.VIOLATION_ENDED,),
            stops=(EventKind.DISCOVERED, EventKind.FILED),
        ),
        ClockSpec(
            ClockKind.DECISION,
            "作出处罚决定",
            PeriodUnit.CALENDAR_DAYS,
            ClockNature.DEADLINE,
            f"{_APL}第六十条",
            lambda s: s.decision_days,
            starts=(EventKind.FILED,),
            stops=(
                EventKind.PENALTY_DECIDED,
                EventKind.NO_PENALTY_DECIDED,
                EventKind.TRANSFERRED,
                EventKind.WITHDRAWN,
            ),
            extension=EventKind.DECISION_EXTENDED,
            extension_default=lambda s: s.decision_extension_days,
            pause_kinds=lambda s: s.decision_pause_kinds,
        ),
        ClockSpec(
            ClockKind.PRESERVATION,
            "先行登记保存处理",
            PeriodUnit.WORKING_DAYS,
            ClockNature.DEADLINE,
            f"{_APL}第五十六条、第八十五条",
            lambda s: s.preservation_workdays,
            starts=(EventKind.EVIDENCE_PRESERVED,),
            stops=(EventKind.PRESERVATION_RESOLVED,),
        ),
        ClockSpec(
            ClockKind.SEIZURE,
            "查封扣押期限",
            PeriodUnit.CALENDAR_DAYS,
            ClockNature.DEADLINE,
            f"{_AEL}第二十五条",
            lambda s: s.seizure_days,
            starts=(EventKind.SEIZED,),
            stops=(EventKind.SEIZURE_RESOLVED,),
            extension=EventKind.SEIZURE_EXTENDED,
            extension_default=lambda s: s.seizure_extension_days,
            extension_capped=True,
            pause_kinds=lambda _: frozenset({EventKind.TESTING}),
        ),
        ClockSpec(
            ClockKind.STATEMENT,
            "陈述申辩期",
            PeriodUnit.WORKING_DAYS,
            ClockNature.WAITING,
            "地方规定（3至5个工作日），可设置；" + f"{_APL}第四十四条、第六十二条",
            lambda s: s.statement_workdays,
            starts=(EventKind.PRIOR_NOTICE_SERVED,),
            stops=(EventKind.STATEMENT_WAIVED,),
        ),
        ClockSpec(
            ClockKind.HEARING_REQUEST,
            "听证申请期",
            PeriodUnit.WORKING_DAYS,
            ClockNature.WAITING,
            f"{_APL}第六十四条、第八十五条",
            lambda s: s.hearing_request_workdays,
            starts=(EventKind.HEARING_RIGHTS_NOTIFIED,),
            stops=(EventKind.HEARING_REQUESTED, EventKind.HEARING_WAIVED),
        ),
        ClockSpec(
            ClockKind.HEARING_NOTICE,
            "听证通知送达",
            PeriodUnit.WORKING_DAYS,
            ClockNature.DEADLINE,
            f"{_APL}第六十四条、第八十五条",
            lambda s: s.hearing_notice_workdays,
            starts=(EventKind.HEARING_SCHEDULED,),
            stops=(EventKind.HEARING_NOTICE_SERVED,),
            backwards=True,
        ),
        ClockSpec(
            ClockKind.LEGAL_REVIEW,
            "法制审核",
            PeriodUnit.WORKING_DAYS,
            ClockNature.DEADLINE,
            "地方规定（如宁夏：7个工作日，可延长3个工作日），可设置",
            lambda s: s.legal_review_workdays,
            starts=(EventKind.LEGAL_REVIEW_SUBMITTED,),
            stops=(EventKind.LEGAL_REVIEW_COMPLETED,),
            extension=EventKind.LEGAL_REVIEW_EXTENDED,
            extension_default=lambda s: s.legal_review_extension_workdays,
            extension_capped=True,
        ),
        ClockSpec(
            ClockKind.DECISION_SERVICE,
            "决定书送达",
            PeriodUnit.WORKING_DAYS,
            ClockNature.DEADLINE,
            f"{_APL}第六十一条、第八十五条",
            lambda s: s.decision_service_workdays,
            starts=(EventKind.PENALTY_DECIDED, EventKind.NO_PENALTY_DECIDED),
            # Starting service by public notice within the period is service under the CPL.
            stops=(EventKind.DECISION_SERVED, EventKind.SERVICE_BY_PUBLICATION),
        ),
        ClockSpec(
            ClockKind.SERVICE_BY_PUBLICATION,
            "公告送达期满（视为送达）",
            PeriodUnit.CALENDAR_DAYS,
            ClockNature.WAITING,
            "《民事诉讼法》第九十五条",
            lambda s: s.service_by_publication_days,
            starts=(EventKind.SERVICE_BY_PUBLICATION,),
            stops=(EventKind.DECISION_SERVED,),
        ),
        ClockSpec(
            ClockKind.PUBLICATION,
            "处罚决定公示",
            PeriodUnit.WORKING_DAYS,
            ClockNature.DEADLINE,
            "国办发〔2018〕118号（地方规定7或20个工作日），可设置",
            lambda s: s.publication_workdays,
            starts=(EventKind.PENALTY_DECIDED,),
            stops=(EventKind.PUBLISHED, EventKind.PUBLICATION_EXEMPTED),
        ),
        ClockSpec(
            ClockKind.WITHDRAW_PUBLICATION,
            "撤回已公示的决定",
            PeriodUnit.WORKING_DAYS,
            ClockNature.DEADLINE,
            f"{_APL}第四十八条、第八十五条",
            lambda s: s.withdraw_publication_workdays,
            starts=(EventKind.DECISION_REVOKED,),
            stops=(EventKind.PUBLICATION_WITHDRAWN,),
            requires=EventKind.PUBLISHED,
        ),
        # PAYMENT, LATE_FINE_CAP and COURT_APPLICATION are computed by their own functions below
        # (they depend on the fine and on each other); their specs carry the table data.
        ClockSpec(
            ClockKind.PAYMENT,
            "缴纳罚款",
            PeriodUnit.CALENDAR_DAYS,
            ClockNature.DEADLINE,
            f"{_APL}第六十七条；延期、分期缴纳见第六十六条",
            lambda s: s.payment_days,
        ),
        ClockSpec(
            ClockKind.LATE_FINE_CAP,
            "加处罚款达到罚款数额",
            PeriodUnit.CALENDAR_DAYS,
            ClockNature.WAITING,
            f"{_APL}第七十二条、第七十三条",
            lambda _: DAYS_TO_CAP,
        ),
        ClockSpec(
            ClockKind.CASH_TO_ORGAN,
            "当场收缴罚款交至行政机关",
            PeriodUnit.WORKING_DAYS,
            ClockNature.DEADLINE,
            f"{_APL}第七十一条、第八十五条",
            lambda s: s.cash_to_organ_workdays,
            starts=(EventKind.CASH_COLLECTED,),
            stops=(EventKind.CASH_HANDED_TO_ORGAN,),
        ),
        ClockSpec(
            ClockKind.CASH_TO_BANK,
            "罚款缴付指定银行",
            PeriodUnit.WORKING_DAYS,
            ClockNature.DEADLINE,
            f"{_APL}第七十一条、第八十五条",
            lambda s: s.cash_to_bank_workdays,
            starts=(EventKind.CASH_HANDED_TO_ORGAN,),
            stops=(EventKind.CASH_DEPOSITED,),
        ),
        ClockSpec(
            ClockKind.RECONSIDERATION,
            "行政复议申请期",
            PeriodUnit.CALENDAR_DAYS,
            ClockNature.WAITING,
            "《行政复议法》第二十条",
            lambda s: s.reconsideration_days,
            starts=(EventKind.DECISION_SERVED,),
            stops=(EventKind.RECONSIDERATION,),
        ),
        ClockSpec(
            ClockKind.LITIGATION,
            "行政诉讼起诉期",
            PeriodUnit.MONTHS,
            ClockNature.WAITING,
            "《行政诉讼法》第四十六条",
            lambda s: s.litigation_months,
            starts=(EventKind.DECISION_SERVED,),
            stops=(EventKind.LITIGATION,),
        ),
        ClockSpec(
            ClockKind.DEMAND_NOTICE,
            "催告期满",
            PeriodUnit.WORKING_DAYS,
            ClockNature.WAITING,
            f"{_AEL}第三十五条、第五十四条、第六十九条",
            lambda s: s.demand_notice_workdays,
            starts=(EventKind.DEMAND_NOTICE_SERVED,),
            stops=(EventKind.PAID,),
        ),
        ClockSpec(
            ClockKind.COURT_APPLICATION,
            "申请法院强制执行",
            PeriodUnit.MONTHS,
            ClockNature.DEADLINE,
            f"{_AEL}第五十三条；{_APL}第七十二条",
            lambda s: s.court_application_months,
        ),
    )
}


@dataclass(frozen=True)
class Deadline:
    clock: ClockKind
    label: str
    ref: str | None
    start: date
    """Date of the starting event (for the hearing notice: the hearing date)."""
    due: date
    """Last day of the period (for the hearing notice: last day to serve the notice)."""
    status: DeadlineStatus
    remaining_workdays: int | None
    """Working days in (today, due]; negative once past; None when the clock is closed."""
    closed_on: date | None = None
    paused: bool = False
    """A pause is still running: ``due`` assumes it ends today and moves on while it lasts."""
    notes: tuple[str, ...] = ()
    """Chinese messages to show with the deadline (calendar fallback, capped extension, ...)."""


@dataclass(frozen=True)
class _Context:
    events: Sequence[CaseEvent]
    calendar: WorkdayCalendar
    settings: ClockSettings
    today: date

    def of(self, kinds: Iterable[EventKind], ref: str | None) -> list[CaseEvent]:
        wanted = set(kinds)
        return [e for e in self.events if e.kind in wanted and e.ref == ref]

    def pauses(self, kinds: frozenset[EventKind], ref: str | None) -> list[CaseEvent]:
        # A case-level clock is paused by every pause of its kinds; a clock of one seizure only by
        # pauses recorded for that seizure (AEL Art 25 excludes testing of *those* items).
        return [e for e in self.events if e.kind in kinds and (ref is None or e.ref == ref)]


def _latest(events: Iterable[CaseEvent]) -> CaseEvent | None:
    chosen: CaseEvent | None = None
    for event in events:
        if chosen is None or event.on >= chosen.on:
            chosen = event
    return chosen


def _earliest_on_or_after(events: Iterable[CaseEvent], start: date) -> CaseEvent | None:
    candidates = [e for e in events if e.on >= start]
    return min(candidates, key=lambda e: e.on) if candidates else None


def _intervals(events: Iterable[CaseEvent]) -> list[DateInterval]:
    return [DateInterval(e.on, e.until) for e in events]


def _period_end(ctx: _Context, unit: PeriodUnit, start: date, n: int, pauses: Sequence[DateInterval]) -> date:
    calendar = ctx.calendar
    if unit is PeriodUnit.WORKING_DAYS:
        if pauses:
            raise ValueError("pauses are only defined for calendar-day clocks")
        return calendar.add_workdays(start, n)
    if unit is PeriodUnit.CALENDAR_DAYS:
        return calendar.roll_to_workday(add_days_excluding(start, n, pauses, ctx.today))
    if unit is PeriodUnit.MONTHS:
        return calendar.add_months(start, n)
    # Years: only the limitation period, a substantive bar and not a procedural period, so the
    # rest-day rule does not move it (moving it would widen the organ's power to punish).
    return add_months_plain(start, 12 * n)


def _make_deadline(
    ctx: _Context,
    spec: ClockSpec,
    ref: str | None,
    start: date,
    due: date,
    closed_on: date | None,
    pauses: Sequence[DateInterval] = (),
    notes: Sequence[str] = (),
) -> Deadline:
    today = ctx.today
    remaining: int | None
    if closed_on is not None:
        status = DeadlineStatus.DONE if closed_on <= due else DeadlineStatus.DONE_LATE
        remaining = None
    else:
        remaining = ctx.calendar.workdays_between(today, due)
        if due < today:
            status = DeadlineStatus.OVERDUE if spec.nature is ClockNature.DEADLINE else DeadlineStatus.ELAPSED
        elif due == today:
            status = DeadlineStatus.DUE_TODAY
        elif remaining <= ctx.settings.due_soon_workdays:
            status = DeadlineStatus.DUE_SOON
        else:
            status = DeadlineStatus.OK
    # A pause that began only after the period had run out does not revive it.
    paused = closed_on is None and any(p.end is None and p.start <= min(today, due) for p in pauses)
    # Warn for every year whose working days this deadline relied on: the period itself (a year
    # period never looks at working days) and, while open, the countdown from today.
    spans = [] if spec.unit is PeriodUnit.YEARS else [(start, due)]
    if closed_on is None:
        spans.append((today, due))
    unknown = sorted({year for first, last in spans for year in ctx.calendar.unknown_years(first, last)})
    calendar_notes = [unknown_year_warning(year) for year in unknown]
    return Deadline(
        clock=spec.kind,
        label=spec.label,
        ref=ref,
        start=start,
        due=due,
        status=status,
        remaining_workdays=remaining,
        closed_on=closed_on,
        paused=paused,
        notes=(*notes, *calendar_notes),
    )


def _extension_days(ctx: _Context, spec: ClockSpec, ref: str | None, start: date) -> tuple[int, list[str]]:
    if spec.extension is None or spec.extension_default is None:
        return 0, []
    default = spec.extension_default(ctx.settings)
    total = sum(
        e.extension_days if e.extension_days is not None else default
        for e in ctx.of((spec.extension,), ref)
        if e.on >= start
    )
    if spec.extension_capped and total > default:
        unit = UNIT_LABELS[spec.unit]
        return default, [f"延长期限合计{total}{unit}，超过上限{default}{unit}，按{default}{unit}计算"]
    return total, []


def _generic_clock(ctx: _Context, spec: ClockSpec) -> list[Deadline]:
    results: list[Deadline] = []
    refs = dict.fromkeys(e.ref for e in ctx.events if e.kind in spec.starts)
    for ref in refs:
        start_event = _latest(ctx.of(spec.starts, ref))
        assert start_event is not None  # ref came from a start event
        start = start_event.on
        if spec.requires is not None and not any(e.on <= start for e in ctx.of((spec.requires,), ref)):
            continue
        stops = ctx.of(spec.stops, ref)
        if spec.backwards:
            due = ctx.calendar.add_workdays(start, -spec.length(ctx.settings))
            stop = _latest(e for e in stops if e.on <= start)
            results.append(_make_deadline(ctx, spec, ref, start, due, stop.on if stop else None))
            continue
        extension, notes = _extension_days(ctx, spec, ref, start)
        pauses = _intervals(ctx.pauses(spec.pause_kinds(ctx.settings), ref))
        due = _period_end(ctx, spec.unit, start, spec.length(ctx.settings) + extension, pauses)
        stop = _earliest_on_or_after(stops, start)
        results.append(
            _make_deadline(ctx, spec, ref, start, due, stop.on if stop else None, pauses=pauses, notes=notes)
        )
    return results


def _money_clocks(ctx: _Context) -> list[Deadline]:
    """Payment, the late-fine cap and the court application, which chain from one another."""
    served = _latest(ctx.of((EventKind.DECISION_SERVED,), None))
    if served is None:
        return []
    decided = _latest(e for e in ctx.of((EventKind.PENALTY_DECIDED,), None) if e.on <= served.on)
    if decided is None or decided.fine_fen <= 0:
        return []
    settings, calendar = ctx.settings, ctx.calendar
    results: list[Deadline] = []

    payment_spec = CLOCK_SPECS[ClockKind.PAYMENT]
    due = calendar.add_calendar_days(served.on, settings.payment_days)
    notes: list[str] = []
    deferral = _latest(
        e for e in ctx.of((EventKind.DEFERRAL_APPROVED,), None) if e.on >= served.on and e.until is not None
    )
    deferral_end: date | None = None
    if deferral is not None and deferral.until is not None:
        deferral_end = calendar.roll_to_workday(deferral.until)
        due = max(due, deferral_end)
        notes.append(f"已批准暂缓缴纳至{deferral.until.year}年{deferral.until.month}月{deferral.until.day}日")
    paid = _earliest_on_or_after(ctx.of((EventKind.PAID,), None), served.on)
    paid_on = paid.on if paid else None
    results.append(_make_deadline(ctx, payment_spec, None, served.on, due, paid_on, notes=notes))

    # The additional fine runs only once payment is late; it stops growing at the cap.
    if (paid_on is None and ctx.today > due) or (paid_on is not None and paid_on > due):
        cap_spec = CLOCK_SPECS[ClockKind.LATE_FINE_CAP]
        challenge = _intervals(ctx.of((EventKind.RECONSIDERATION, EventKind.LITIGATION), None))
        cap_due = late_fine_cap_date(due, challenge, ctx.today)
        results.append(
            _make_deadline(ctx, cap_spec, None, due + timedelta(days=1), cap_due, paid_on, pauses=challenge)
        )

    # The court may be asked only after both remedy periods (or the deferral) ran out unchallenged.
    # After a reconsideration or a suit the period depends on its outcome: not computed here.
    challenged = bool(ctx.of((EventKind.RECONSIDERATION, EventKind.LITIGATION), None))
    if not challenged:
        court_spec = CLOCK_SPECS[ClockKind.COURT_APPLICATION]
        remedies_end = max(
            calendar.add_calendar_days(served.on, settings.reconsideration_days),
            calendar.add_months(served.on, settings.litigation_months),
        )
        start = max(remedies_end, deferral_end) if deferral_end is not None else remedies_end
        court_due = calendar.add_months(start, settings.court_application_months)
        stop = _earliest_on_or_after(ctx.of((EventKind.COURT_APPLIED, EventKind.PAID), None), served.on)
        results.append(_make_deadline(ctx, court_spec, None, start, court_due, stop.on if stop else None))
    return results


def compute_deadlines(
    events: Sequence[CaseEvent],
    calendar: WorkdayCalendar,
    *,
    today: date | None = None,
    settings: ClockSettings = DEFAULT_SETTINGS,
    serious_harm: bool = False,
) -> list[Deadline]:
    """All clocks the recorded events start, ordered by due date.

    ``today`` defaults to the local date (the app runs on Beijing time). ``serious_harm`` selects
    the 5-year limitation (APL Art 36: life/health or financial safety with harmful consequences).
    """
    if serious_harm:
        settings = dataclasses.replace(settings, limitation_years=settings.limitation_years_serious)
    ctx = _Context(events, calendar, settings, today if today is not None else date.today())
    deadlines: list[Deadline] = []
    for spec in CLOCK_SPECS.values():
        if spec.starts:
            deadlines.extend(_generic_clock(ctx, spec))
    deadlines.extend(_money_clocks(ctx))
    order = {kind: index for index, kind in enumerate(CLOCK_SPECS)}
    deadlines.sort(key=lambda d: (d.due, order[d.clock], d.ref or ""))
    return deadlines
