"""A general-procedure case walked from lead to archive through every gate, each refusal tested.

Dates run across the 2025 National Day holiday: the prior notice is served on Monday 29 September,
so the 5-working-day statement window ends on 13 October (1–8 October off, Saturday 11 October a
make-up working day).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from brigade_desk.core.app import Services
from brigade_desk.core.errors import NotFound, PermissionDenied, RuleViolation, ValidationError
from brigade_desk.core.review import CHECKLIST
from brigade_desk.core.rules.clocks import EventKind
from brigade_desk.core.services.leads import LeadInput
from brigade_desk.core.services.procedure import FilingInput, Proposal, RecordInput, SimpleInput
from brigade_desk.core.services.reviews import ChecklistAnswer, DiscussionInput
from brigade_desk.core.store import Store
from tests.factories import PASSWORD, Cast, Clock, cast_of


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 9, 22, 2, 0, tzinfo=UTC))


@pytest.fixture
def svc(store: Store, clock: Clock) -> Services:
    return Services.over(store, clock)


@pytest.fixture
def cast(svc: Services) -> Cast:
    return cast_of(svc)


def _at(day: date, hour: int = 1) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _filing(cast: Cast, **changes: object) -> FilingInput:
    data = dict(
        power_item_ids=(cast.item_id,),
        party_ids=(cast.person_id,),
        officer_ids=cast.officer_ids,
        violation_date=date(2025, 9, 20),
        summary="陈喆擅自占用城市道路从事经营活动案",
        facts="当事人在青溪镇东村路口占道摆放水果摊",
        place="青溪镇东村路口",
    )
    data.update(changes)
    return FilingInput(**data)  # type: ignore[arg-type]


def _version(svc: Services, cast: Cast, case_id: str) -> int:
    return svc.cases.get(cast.officer, case_id).version


def _inspection(cast: Cast, day: date, officers: tuple[str, ...] | None = None) -> RecordInput:
    return RecordInput(
        kind="inspection",
        started_at=_at(day, 1),
        ended_at=_at(day, 2),
        place="青溪镇东村路口",
        officer_ids=officers or cast.officer_ids,
        text="现场有水果摊一处，占用人行道约6平方米。",
    )


def test_general_procedure_from_lead_to_archive(svc: Services, cast: Cast, clock: Clock) -> None:
    p = svc.procedure
    lead = svc.leads.register(
        cast.officer,
        LeadInput(
            "12345热线转办",
            "群众反映东村路口有人占道经营",
            _at(date(2025, 9, 21)),
            source_ref="GD20250921001",
            reply_due=date(2025, 9, 28),
            reporter_name="匿名群众",
            reporter_phone="13800000000",
        ),
    )
    assert lead.origin == "12345热线转办（GD20250921001）"
    # Filing: refused for an item this township has not claimed, and for officers without valid certificates.
    with pytest.raises(RuleViolation, match="不属于本乡镇承接的赋权事项，应由县自然资源和规划局管辖"):
        p.propose_filing(
            cast.officer, _filing(cast, power_item_ids=(cast.unclaimed_item_id,), lead_id=lead.id)
        )
    with pytest.raises(
        RuleViolation, match="缺少第二名持有效执法证的执法人员（王五的执法证在2025年9月22日无效"
    ):
        p.propose_filing(
            cast.officer,
            _filing(cast, officer_ids=(cast.officer.user_id, cast.expired.user_id), lead_id=lead.id),
        )
    with pytest.raises(RuleViolation, match="超过2年追责时效"):
        p.propose_filing(cast.officer, _filing(cast, violation_date=date(2023, 9, 1), lead_id=lead.id))
    case_id = p.propose_filing(cast.officer, _filing(cast, lead_id=lead.id))
    # One lead makes one case: while its proposal waits for approval it cannot be proposed again.
    with pytest.raises(RuleViolation, match="该线索已处理（已提请立案、已决定或已移送），不能再立案"):
        p.propose_filing(cast.officer, _filing(cast, lead_id=lead.id))
    assert svc.cases.count(cast.officer) == 1

    # A handler cannot approve their own filing; an officer cannot approve at all.
    with pytest.raises(PermissionDenied, match="无权审批案件"):
        p.approve_filing(cast.officer, case_id, True, "同意立案", _version(svc, cast, case_id))
    number = p.approve_filing(cast.leader, case_id, True, "同意立案", _version(svc, cast, case_id))
    assert number == "青综执立字〔2025〕第1号"
    assert svc.leads.get(cast.officer, lead.id).status == "filed"

    # Investigation: two certified officers on every record.
    with pytest.raises(RuleViolation, match="缺少第二名持有效执法证的执法人员"):
        p.add_record(
            cast.officer,
            case_id,
            _inspection(cast, date(2025, 9, 22), (cast.officer.user_id, cast.expired.user_id)),
        )
    p.add_record(cast.officer, case_id, _inspection(cast, date(2025, 9, 22)))
    assert svc.cases.get(cast.officer, case_id).state == "investigating"

    # A fine above the statutory maximum is refused at the end of the investigation.
    with pytest.raises(RuleViolation, match="超过法定最高额"):
        p.close_investigation(
            cast.officer,
            case_id,
            Proposal("penalty", ("罚款",), 30_000_00, report="调查终结"),
            _version(svc, cast, case_id),
        )
    with pytest.raises(ValidationError, match="拟罚款须写明具体金额"):
        p.close_investigation(
            cast.officer,
            case_id,
            Proposal("penalty", ("罚款",), None, report="调查终结"),
            _version(svc, cast, case_id),
        )
    p.close_investigation(
        cast.officer,
        case_id,
        Proposal("penalty", ("罚款",), 500_00, report="事实清楚，建议罚款500元"),
        _version(svc, cast, case_id),
    )

    # Deciding before the prior notice is refused.
    with pytest.raises(RuleViolation, match="事先告知"):
        p.decide(
            cast.leader,
            case_id,
            date(2025, 9, 26),
            "penalty",
            500_00,
            ("罚款",),
            _version(svc, cast, case_id),
        )

    p.serve_prior_notice(cast.clerk, case_id, date(2025, 9, 29), cast.officer_ids)
    status = svc.procedure.status(cast.officer, case_id)
    statement = next(d for d in status.deadlines if d.clock == "statement")
    assert statement.due == date(2025, 10, 13)

    # The statement window runs across the holiday to 13 October: a decision on that day is refused.
    with pytest.raises(RuleViolation, match="陈述申辩期至2025年10月13日届满，之前不得作出决定"):
        p.decide(
            cast.leader,
            case_id,
            date(2025, 10, 13),
            "penalty",
            500_00,
            ("罚款",),
            _version(svc, cast, case_id),
        )
    # A heavier fine than noticed needs a new notice.
    with pytest.raises(RuleViolation, match=r"重于事先告知的500\.00元，须重新事先告知"):
        p.decide(
            cast.leader,
            case_id,
            date(2025, 10, 14),
            "penalty",
            800_00,
            ("罚款",),
            _version(svc, cast, case_id),
        )
    p.record_statement(cast.officer, case_id, date(2025, 9, 30), "当事人称系初次摆摊", adopted=False)
    # The handler may not decide; the leader may, the day after the window.
    with pytest.raises(PermissionDenied):
        p.decide(
            cast.officer,
            case_id,
            date(2025, 10, 14),
            "penalty",
            500_00,
            ("罚款",),
            _version(svc, cast, case_id),
        )
    p.decide(
        cast.leader, case_id, date(2025, 10, 14), "penalty", 500_00, ("罚款",), _version(svc, cast, case_id)
    )

    # Service by one officer directly is refused; by two it is recorded and the payment clock starts.
    with pytest.raises(RuleViolation, match="缺少第二名"):
        p.serve_decision(cast.clerk, case_id, date(2025, 10, 15), (cast.officer.user_id,))
    p.serve_decision(cast.clerk, case_id, date(2025, 10, 15), cast.officer_ids)
    payment = next(d for d in p.status(cast.officer, case_id).deadlines if d.clock == "payment")
    assert payment.due == date(2025, 10, 30)

    # The brigade never collects a general-procedure fine itself (罚缴分离).
    with pytest.raises(ValidationError, match="罚缴分离"):
        p.record_payment(cast.officer, case_id, date(2025, 10, 20), 500_00, "R001", channel="现金")
    with pytest.raises(RuleViolation, match="不能结案"):
        p.close_case(cast.leader, case_id, "同意结案")
    p.record_payment(cast.officer, case_id, date(2025, 10, 20), 500_00, "财罚字0012345", channel="银行缴纳")
    with pytest.raises(PermissionDenied):
        p.close_case(cast.officer, case_id, "结案")
    p.close_case(cast.leader, case_id, "罚款已缴清，同意结案")
    p.archive(cast.clerk, case_id)
    final = p.status(cast.officer, case_id)
    assert final.state == "archived"
    assert all(s.status in ("done", "skipped") for s in final.stages)
    history = [h.action for h in svc.audit.history(cast.admin, "case", case_id)]
    assert "approval.filing" in history and "approval.closing" in history
    assert svc.audit.verify(cast.admin).ok


def _closed_investigation(svc: Services, cast: Cast, fine_fen: int, party_id: str | None = None) -> str:
    p = svc.procedure
    case_id = p.propose_filing(cast.officer, _filing(cast, party_ids=(party_id or cast.person_id,)))
    p.approve_filing(cast.leader, case_id, True, "同意", _version(svc, cast, case_id))
    p.add_record(cast.officer, case_id, _inspection(cast, date(2025, 9, 22)))
    p.close_investigation(
        cast.officer,
        case_id,
        Proposal("penalty", ("罚款",), fine_fen, report="终结"),
        _version(svc, cast, case_id),
    )
    return case_id


def test_hearing_request_and_presider_rules(svc: Services, cast: Cast) -> None:
    p = svc.procedure
    case_id = _closed_investigation(svc, cast, 5_000_00)  # ≥ 1,000 yuan for a citizen: hearing right
    p.serve_prior_notice(cast.clerk, case_id, date(2025, 9, 29), cast.officer_ids)
    with pytest.raises(RuleViolation, match="听证申请期已于2025年10月13日届满"):
        p.request_hearing(cast.officer, case_id, date(2025, 10, 14))
    p.request_hearing(cast.officer, case_id, date(2025, 10, 9))
    with pytest.raises(RuleViolation, match="当事人申请了听证，尚未举行听证"):
        p.decide(
            cast.leader,
            case_id,
            date(2025, 10, 20),
            "penalty",
            5_000_00,
            ("罚款",),
            _version(svc, cast, case_id),
        )
    with pytest.raises(RuleViolation, match="是本案调查人员，不能主持听证"):
        p.schedule_hearing(
            cast.officer, case_id, date(2025, 10, 24), date(2025, 10, 14), cast.officer2.user_id
        )
    with pytest.raises(RuleViolation, match="七个工作日前送达"):
        p.schedule_hearing(
            cast.officer, case_id, date(2025, 10, 24), date(2025, 10, 20), cast.leader2.user_id
        )
    p.schedule_hearing(cast.officer, case_id, date(2025, 10, 24), date(2025, 10, 14), cast.leader2.user_id)
    p.hold_hearing(cast.officer, case_id, date(2025, 10, 24), "当事人到场申辩，事实清楚")
    # After a hearing the decision is major: legal review and collective discussion are needed.
    with pytest.raises(RuleViolation) as info:
        p.decide(
            cast.leader,
            case_id,
            date(2025, 10, 27),
            "penalty",
            5_000_00,
            ("罚款",),
            _version(svc, cast, case_id),
        )
    assert "须经法制审核" in info.value.message and "集体讨论" in info.value.message
    review_id = svc.reviews.submit(cast.officer, case_id)
    with pytest.raises(PermissionDenied, match="法制审核"):
        svc.reviews.sign(cast.officer, review_id, _checklist(), "同意", "同意", PASSWORD)
    svc.reviews.sign(
        cast.reviewer,
        review_id,
        _checklist(facts=False),
        "存在问题、建议修改后重新提交",
        "证据不足，请补充询问笔录",
        PASSWORD,
    )
    with pytest.raises(RuleViolation, match="须修改后重新提交审核"):
        p.decide(
            cast.leader,
            case_id,
            date(2025, 10, 27),
            "penalty",
            5_000_00,
            ("罚款",),
            _version(svc, cast, case_id),
        )
    review_id = svc.reviews.submit(cast.officer, case_id)
    svc.reviews.sign(cast.reviewer, review_id, _checklist(), "同意", "事实清楚，证据充分，同意", PASSWORD)
    officer_opinion = (cast.officer.user_id, "同意", "")
    with pytest.raises(RuleViolation, match="两名以上行政机关负责人"):
        svc.reviews.record_discussion(
            cast.leader, case_id, _discussion(cast, extra=officer_opinion, only_one=True)
        )
    discussion_id = svc.reviews.record_discussion(cast.leader, case_id, _discussion(cast))
    with pytest.raises(RuleViolation, match="签名确认"):
        p.decide(
            cast.leader,
            case_id,
            date(2025, 10, 28),
            "penalty",
            5_000_00,
            ("罚款",),
            _version(svc, cast, case_id),
        )
    svc.reviews.confirm_discussion(cast.leader, discussion_id, PASSWORD)
    svc.reviews.confirm_discussion(cast.leader2, discussion_id, PASSWORD)
    p.decide(
        cast.leader, case_id, date(2025, 10, 28), "penalty", 5_000_00, ("罚款",), _version(svc, cast, case_id)
    )
    assert svc.cases.get(cast.officer, case_id).state == "decided"


def _checklist(**answers: bool) -> list[ChecklistAnswer]:
    return [
        ChecklistAnswer(code, answers.get(code, True), "" if answers.get(code, True) else "存在问题")
        for code, _ in CHECKLIST
    ]


def _discussion(
    cast: Cast, extra: tuple[str, str, str] | None = None, only_one: bool = False
) -> DiscussionInput:
    opinions = [(cast.leader.user_id, "同意", "事实清楚"), (cast.leader2.user_id, "同意", "裁量适当")]
    if only_one:
        opinions = opinions[:1]
    if extra:
        opinions.append(extra)
    return DiscussionInput(
        date(2025, 10, 28), "镇政府会议室", "周内勤", "承办人汇报案情", "同意罚款5000元", tuple(opinions)
    )


def test_waiver_allows_an_early_decision(svc: Services, cast: Cast) -> None:
    p = svc.procedure
    case_id = _closed_investigation(svc, cast, 300_00)
    p.serve_prior_notice(cast.clerk, case_id, date(2025, 9, 29), cast.officer_ids)
    p.record_waiver(cast.officer, case_id, date(2025, 9, 29), statement=True, hearing=False)
    p.decide(
        cast.leader, case_id, date(2025, 9, 30), "penalty", 300_00, ("罚款",), _version(svc, cast, case_id)
    )


def test_decision_after_90_days_needs_an_extension(svc: Services, cast: Cast, clock: Clock) -> None:
    p = svc.procedure
    case_id = _closed_investigation(svc, cast, 300_00)
    p.serve_prior_notice(cast.clerk, case_id, date(2025, 12, 1), cast.officer_ids)
    with pytest.raises(RuleViolation, match="已超过90日，须先经负责人批准延长办案期限"):
        p.decide(
            cast.leader,
            case_id,
            date(2025, 12, 22),
            "penalty",
            300_00,
            ("罚款",),
            _version(svc, cast, case_id),
        )
    p.approve_extension(
        cast.leader, case_id, 30, "《住房和城乡建设行政处罚程序规定》第三十五条", "同意延期30日"
    )
    p.decide(
        cast.leader, case_id, date(2025, 12, 22), "penalty", 300_00, ("罚款",), _version(svc, cast, case_id)
    )


def test_stale_version_is_refused(svc: Services, cast: Cast) -> None:
    p = svc.procedure
    case_id = p.propose_filing(cast.officer, _filing(cast))
    old = _version(svc, cast, case_id)
    p.approve_filing(cast.leader, case_id, True, "同意", old)
    p.add_record(cast.officer, case_id, _inspection(cast, date(2025, 9, 22)))
    with pytest.raises(Exception, match="已被他人修改"):
        p.close_investigation(cast.officer, case_id, Proposal("penalty", ("罚款",), 100_00, report="x"), old)


def test_seizure_needs_approval_and_audio_video(svc: Services, cast: Cast) -> None:
    p = svc.procedure
    case_id = p.propose_filing(cast.officer, _filing(cast))
    p.approve_filing(cast.leader, case_id, True, "同意", _version(svc, cast, case_id))
    seizure = RecordInput(
        kind="seizure",
        started_at=_at(date(2025, 9, 23)),
        ended_at=_at(date(2025, 9, 23), 2),
        place="东村路口",
        officer_ids=cast.officer_ids,
        text="扣押水果摊车一辆",
    )
    with pytest.raises(RuleViolation, match="须关联全程音像记录"):
        p.add_record(cast.officer, case_id, seizure)
    with pytest.raises(RuleViolation, match="须事先经行政机关负责人批准"):
        p.record_measure(cast.officer, case_id, EventKind.SEIZED, date(2025, 9, 23), "x")


def test_withdrawal_and_transfer_endings(svc: Services, cast: Cast) -> None:
    p = svc.procedure
    case_id = p.propose_filing(cast.officer, _filing(cast))
    p.approve_filing(cast.leader, case_id, True, "同意", _version(svc, cast, case_id))
    p.add_record(cast.officer, case_id, _inspection(cast, date(2025, 9, 22)))
    p.close_investigation(
        cast.officer,
        case_id,
        Proposal("not_established", report="经查摊位系合法设置的便民摊点"),
        _version(svc, cast, case_id),
    )
    with pytest.raises(RuleViolation, match="处理意见不是“移送"):
        p.transfer(cast.leader, case_id, "县公安局", "移送")
    p.withdraw(cast.leader, case_id, "违法事实不能成立，同意销案")
    assert p.status(cast.officer, case_id).state_label == "已销案"


def test_simple_procedure_thresholds(svc: Services, cast: Cast) -> None:
    p = svc.procedure
    base = dict(
        party_id=cast.person_id,
        power_item_id=cast.item_id,
        officer_ids=cast.officer_ids,
        decided_on=date(2025, 9, 22),
        place="东村路口",
        facts="占道经营",
    )
    with pytest.raises(RuleViolation, match=r"简易程序对公民罚款不得超过200\.00元"):
        p.on_the_spot(cast.officer, SimpleInput(**base, fine_fen=300_00))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="罚款收据"):
        p.on_the_spot(cast.officer, SimpleInput(**base, fine_fen=50_00, collect_on_spot=True))  # type: ignore[arg-type]
    with pytest.raises(RuleViolation, match=r"当场收缴罚款限于100\.00元以下"):
        p.on_the_spot(
            cast.officer, SimpleInput(**base, fine_fen=150_00, collect_on_spot=True, finance_receipt_no="F1")
        )  # type: ignore[arg-type]
    case_id = p.on_the_spot(
        cast.officer, SimpleInput(**base, fine_fen=50_00, collect_on_spot=True, finance_receipt_no="F1")
    )  # type: ignore[arg-type]
    company = dict(base, party_id=cast.company_id)
    p.on_the_spot(cast.officer, SimpleInput(**company, fine_fen=2_000_00))  # type: ignore[arg-type]
    p.file_for_record(cast.leader, case_id)
    detail = svc.cases.get(cast.officer, case_id)
    assert detail.state == "closed" and detail.case_number == "青综执简罚字〔2025〕第1号"


def test_simple_procedure_refuses_an_incomplete_decision_and_writes_nothing(
    svc: Services, cast: Cast
) -> None:
    """What a form can leave out — no party, no item, no amount, a later date — is named field by
    field; a warning has no fine to collect on the spot."""
    p = svc.procedure
    with pytest.raises(ValidationError) as refused:
        p.on_the_spot(
            cast.officer,
            SimpleInput("", "", cast.officer_ids, date(2025, 9, 23), "东村路口", "占道经营"),
        )
    assert {(e.field, e.message) for e in refused.value.errors} == {
        ("当事人", "请选择当事人"),
        ("赋权事项", "请选择处罚依据的权力事项"),
        ("决定日期", "不能晚于今天"),
        ("罚款金额", "请填写罚款金额，或选择警告"),
    }
    base = (cast.person_id, cast.item_id, cast.officer_ids, date(2025, 9, 22), "东村路口", "占道经营")
    with pytest.raises(ValidationError, match="罚款金额不能为负数"):
        p.on_the_spot(cast.officer, SimpleInput(*base, fine_fen=-1))
    with pytest.raises(RuleViolation, match="警告没有罚款可当场收缴"):
        p.on_the_spot(
            cast.officer, SimpleInput(*base, warning_only=True, collect_on_spot=True, finance_receipt_no="F1")
        )
    assert svc.cases.count(cast.officer) == 0
    case_id = p.on_the_spot(cast.officer, SimpleInput(*base, warning_only=True))
    handling = p.handling(cast.officer, case_id)
    assert handling.penalty_kinds == ("警告",) and handling.fine_fen is None


def test_an_on_the_spot_decision_closes_the_lead_it_was_made_on(svc: Services, cast: Cast) -> None:
    """Officers sent out on a complaint find the violation and decide on the spot: the lead leaves
    the open list, points to the 简罚 case, and the case carries the lead's source and time."""
    p = svc.procedure
    lead = svc.leads.register(
        cast.officer,
        LeadInput(
            "投诉举报",
            "反映东村路口有人占道卖水果",
            _at(date(2025, 9, 21)),
            place="东村路口",
            violation_date=date(2025, 9, 21),
        ),
    )
    base = (cast.person_id, cast.item_id, cast.officer_ids)
    # A decision dated before the lead came in is refused, and nothing is written.
    with pytest.raises(ValidationError) as refused:
        p.on_the_spot(
            cast.officer,
            SimpleInput(*base, date(2025, 9, 20), "东村路口", "占道经营", fine_fen=50_00, lead_id=lead.id),
        )
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("决定日期", "不能早于线索受理日期（2025-09-21）")
    ]
    assert svc.cases.count(cast.officer) == 0 and svc.leads.get(cast.officer, lead.id).status == "open"

    case_id = p.on_the_spot(
        cast.officer,
        SimpleInput(*base, date(2025, 9, 22), "东村路口", "占道经营", fine_fen=50_00, lead_id=lead.id),
    )
    assert lead.origin == "投诉举报"  # no reference to add
    closed = svc.leads.get(cast.officer, lead.id)
    assert (closed.status, closed.status_label, closed.case_id) == ("on_the_spot", "已当场处罚", case_id)
    assert lead.id not in [item.id for item in svc.leads.list(cast.officer, "open")]
    detail = svc.cases.get(cast.officer, case_id)
    assert (detail.source, detail.violation_date) == ("投诉举报", date(2025, 9, 21))
    assert "lead.on_the_spot" in [e.action for e in svc.audit.history(cast.leader, "lead", lead.id)]

    with pytest.raises(NotFound, match="线索不存在"):
        p.on_the_spot(
            cast.officer,
            SimpleInput(*base, date(2025, 9, 22), "东村路口", "占道经营", fine_fen=50_00, lead_id="无此线索"),
        )
    assert svc.cases.count(cast.officer) == 1
    # A lead already dealt with cannot be closed twice, nor filed after the decision.
    with pytest.raises(RuleViolation, match="该线索已处理"):
        p.on_the_spot(
            cast.officer,
            SimpleInput(*base, date(2025, 9, 22), "东村路口", "占道经营", fine_fen=50_00, lead_id=lead.id),
        )
    with pytest.raises(RuleViolation, match="该线索已处理"):
        p.propose_filing(cast.officer, _filing(cast, lead_id=lead.id))
    assert svc.cases.count(cast.officer) == 1


def test_an_on_the_spot_fine_stays_inside_the_items_statutory_range(
    svc: Services, cast: Cast, store: Store
) -> None:
    """Rule 10 holds on the spot too: never above the item's maximum; below its minimum only with the
    减轻 ground written down, which the case keeps."""
    from brigade_desk.core.model import PowerItem

    with store.write() as session:
        item = session.get(PowerItem, cast.item_id)
        assert item is not None
        item.penalty_min_fen, item.penalty_max_fen = 50_00, 100_00
    p = svc.procedure
    base = (cast.person_id, cast.item_id, cast.officer_ids, date(2025, 9, 22), "东村路口", "占道经营")
    with pytest.raises(RuleViolation, match=r"罚款150\.00元超过法定最高额100\.00元"):
        p.on_the_spot(cast.officer, SimpleInput(*base, fine_fen=150_00))
    with pytest.raises(RuleViolation, match=r"罚款20\.00元低于法定最低额50\.00元；减轻处罚须写明"):
        p.on_the_spot(cast.officer, SimpleInput(*base, fine_fen=20_00))
    assert svc.cases.count(cast.officer) == 0
    ground = "当事人主动消除违法行为危害后果（《行政处罚法》第三十二条第一项）"
    case_id = p.on_the_spot(cast.officer, SimpleInput(*base, fine_fen=20_00, mitigation_ground=ground))
    assert svc.procedure.handling(cast.officer, case_id).mitigation_ground == ground
    # A warning has no amount to measure against the range.
    p.on_the_spot(cast.officer, SimpleInput(*base, warning_only=True))
    assert svc.cases.count(cast.officer) == 2


def test_reporter_identity_is_confidential(svc: Services, cast: Cast) -> None:
    lead = svc.leads.register(
        cast.officer,
        LeadInput(
            "投诉举报",
            "反映噪声扰民",
            _at(date(2025, 9, 21)),
            reporter_name="刘某",
            reporter_phone="13900000000",
        ),
    )
    assert svc.leads.get(cast.officer, lead.id).reporter_name == "刘某"  # the person who registered it
    assert svc.leads.get(cast.officer2, lead.id).reporter_name == "***"
    assert svc.leads.get(cast.leader, lead.id).reporter_phone == "13900000000"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (LeadInput("12345热线转办", "反映占道", datetime(2025, 9, 21, tzinfo=UTC)), "工单编号"),
        (LeadInput("小道消息", "反映占道", datetime(2025, 9, 21, tzinfo=UTC)), "来源"),
        (LeadInput("巡查发现", " ", datetime(2025, 9, 21, tzinfo=UTC)), "线索内容"),
        (
            LeadInput("巡查发现", "x", datetime(2025, 9, 21, tzinfo=UTC), violation_date=date(2030, 1, 1)),
            "违法行为发生日期",
        ),
    ],
)
def test_bad_lead_is_refused(svc: Services, cast: Cast, data: LeadInput, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        svc.leads.register(cast.officer, data)
    assert field in [e.field for e in info.value.errors]
    assert svc.leads.list(cast.officer) == []
