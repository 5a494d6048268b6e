"""Legal review and sign-off (issue 6): major cases blocked until a signed review passes, stale
reviews after changes, forged signatures refused, separation of duties, collective discussion."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from brigade_desk.cli import main as cli
from brigade_desk.core.app import Services
from brigade_desk.core.errors import PermissionDenied, RuleViolation, ValidationError
from brigade_desk.core.model import LegalReview
from brigade_desk.core.review import CHECKLIST
from brigade_desk.core.services.procedure import FilingInput, Proposal, RecordInput
from brigade_desk.core.services.reviews import ChecklistAnswer, DiscussionInput
from brigade_desk.core.store import Store
from tests.factories import PASSWORD, Cast, Clock, cast_of


@pytest.fixture
def svc(store: Store) -> Services:
    return Services.over(store, Clock(datetime(2025, 9, 22, 2, 0, tzinfo=UTC)))


@pytest.fixture
def cast(svc: Services) -> Cast:
    return cast_of(svc)


def _answers(**overrides: bool) -> list[ChecklistAnswer]:
    return [
        ChecklistAnswer(code, overrides.get(code, True), "" if overrides.get(code, True) else "有问题")
        for code, _ in CHECKLIST
    ]


def _version(svc: Services, cast: Cast, case_id: str) -> int:
    return svc.cases.get(cast.officer, case_id).version


def _major_case(svc: Services, cast: Cast, fine_fen: int = 15_000_00) -> str:
    """A case whose proposed fine reaches the catalogue's major threshold, with the notice served."""
    p = svc.procedure
    case_id = p.propose_filing(
        cast.officer,
        FilingInput(
            (cast.item_id,),
            (cast.person_id,),
            cast.officer_ids,
            date(2025, 9, 20),
            "陈喆擅自占道经营案",
            facts="占用人行道经营",
            place="东村路口",
        ),
    )
    p.approve_filing(cast.leader, case_id, True, "同意", _version(svc, cast, case_id), password=PASSWORD)
    p.add_record(
        cast.officer,
        case_id,
        RecordInput(
            "inspection",
            datetime(2025, 9, 22, 1, tzinfo=UTC),
            datetime(2025, 9, 22, 2, tzinfo=UTC),
            "东村路口",
            cast.officer_ids,
            text="现场检查情况",
        ),
    )
    p.close_investigation(
        cast.officer,
        case_id,
        Proposal("penalty", ("罚款",), fine_fen, report="终结报告"),
        _version(svc, cast, case_id),
    )
    p.serve_prior_notice(cast.clerk, case_id, date(2025, 9, 29), cast.officer_ids)
    p.record_waiver(cast.officer, case_id, date(2025, 9, 29), statement=True, hearing=True)
    return case_id


def _discuss(svc: Services, cast: Cast, case_id: str) -> None:
    discussion = svc.reviews.record_discussion(
        cast.leader,
        case_id,
        DiscussionInput(
            date(2025, 10, 9),
            "会议室",
            "周内勤",
            "汇报",
            "同意",
            ((cast.leader.user_id, "同意", "事实清楚"), (cast.leader2.user_id, "同意", "依据正确")),
        ),
    )
    svc.reviews.confirm_discussion(cast.leader, discussion, PASSWORD)
    svc.reviews.confirm_discussion(cast.leader2, discussion, PASSWORD)


def test_catalogue_threshold_makes_the_case_major(svc: Services, cast: Cast) -> None:
    case_id = _major_case(svc, cast)
    state = svc.reviews.state(cast.officer, case_id)
    assert state.required and "达到10,000.00元的重大执法决定标准" in state.reasons[0]
    assert state.discussion_required and not state.discussion_done


def test_major_case_blocked_until_review_passes_then_stale_after_a_change(svc: Services, cast: Cast) -> None:
    p = svc.procedure
    case_id = _major_case(svc, cast)
    _discuss(svc, cast, case_id)
    decide = lambda: p.decide(  # noqa: E731
        cast.leader,
        case_id,
        date(2025, 10, 10),
        "penalty",
        15_000_00,
        ("罚款",),
        _version(svc, cast, case_id),
        password=PASSWORD,
    )
    with pytest.raises(RuleViolation, match="须经法制审核，尚未审核"):
        decide()
    review_id = svc.reviews.submit(cast.officer, case_id)
    assert [r.review_id for r in svc.reviews.queue(cast.reviewer)] == [review_id]
    with pytest.raises(RuleViolation, match="尚未审核"):
        decide()
    assert (
        svc.reviews.sign(cast.reviewer, review_id, _answers(), "同意", "事实清楚，证据充分，同意", PASSWORD)
        == "passed"
    )
    assert svc.reviews.verify_case(cast.admin, case_id).ok
    # A change to the facts after the review makes it stale, and the decision is blocked again.
    p.update_facts(
        cast.officer,
        case_id,
        "陈喆擅自占道经营案",
        "占用人行道经营，面积约12平方米",
        "东村路口",
        _version(svc, cast, case_id),
    )
    state = svc.reviews.state(cast.officer, case_id)
    assert state.stale and state.changed == ("案件事实",)
    with pytest.raises(RuleViolation, match=r"法制审核后案件内容已变化（案件事实），须重新提交审核"):
        decide()
    report = svc.reviews.verify_case(cast.admin, case_id)
    assert not report.ok and "已变化" in report.problems[0]
    review_id = svc.reviews.submit(cast.officer, case_id)
    svc.reviews.sign(cast.reviewer, review_id, _answers(), "同意", "补正后同意", PASSWORD)
    decide()
    assert svc.cases.get(cast.officer, case_id).state == "decided"
    assert svc.reviews.verify_case(cast.admin, case_id).ok


def test_forged_signature_is_refused(svc: Services, cast: Cast) -> None:
    case_id = _major_case(svc, cast)
    _discuss(svc, cast, case_id)
    review_id = svc.reviews.submit(cast.officer, case_id)
    svc.reviews.sign(cast.reviewer, review_id, _answers(), "同意", "同意", PASSWORD)
    with svc.store.write() as session:
        review = session.get(LegalReview, review_id)
        assert review is not None
        review.opinion_text = "同意（事后改写）"  # the signed content no longer matches
    with pytest.raises(RuleViolation, match="签名无效或被篡改"):
        svc.procedure.decide(
            cast.leader,
            case_id,
            date(2025, 10, 10),
            "penalty",
            15_000_00,
            ("罚款",),
            _version(svc, cast, case_id),
        )
    assert any("签名无效" in p for p in svc.reviews.verify_case(cast.admin, case_id).problems)


def test_signature_with_another_persons_key_is_refused(svc: Services, cast: Cast) -> None:
    case_id = _major_case(svc, cast)
    review_id = svc.reviews.submit(cast.officer, case_id)
    svc.reviews.sign(cast.reviewer, review_id, _answers(), "同意", "同意", PASSWORD)
    with svc.store.write() as session:  # swap in the leader's public key: the signature no longer verifies
        key = session.execute(
            text("SELECT public_key FROM user_key WHERE user_id = :u"), {"u": cast.leader.user_id}
        ).scalar_one()
        session.execute(
            text("UPDATE legal_review SET public_key = :k WHERE id = :r"), {"k": key, "r": review_id}
        )
    assert not svc.reviews.verify_case(cast.admin, case_id).ok


def test_separation_of_duties_and_qualification(svc: Services, cast: Cast) -> None:
    case_id = _major_case(svc, cast)
    review_id = svc.reviews.submit(cast.officer, case_id)
    with pytest.raises(PermissionDenied, match="无权进行法制审核"):
        svc.reviews.sign(cast.officer, review_id, _answers(), "同意", "同意", PASSWORD)
    # A reviewer who handled the case is refused.
    from brigade_desk.core.model import CaseOfficer

    with svc.store.write() as session:
        session.add(CaseOfficer(case_id=case_id, user_id=cast.reviewer.user_id, duty="assist"))
    with pytest.raises(PermissionDenied, match="是本案承办人员，不能审核本案"):
        svc.reviews.sign(cast.reviewer, review_id, _answers(), "同意", "同意", PASSWORD)


def test_review_without_item_by_item_opinions_is_refused(svc: Services, cast: Cast) -> None:
    case_id = _major_case(svc, cast)
    review_id = svc.reviews.submit(cast.officer, case_id)
    with pytest.raises(ValidationError) as info:
        svc.reviews.sign(cast.reviewer, review_id, _answers()[:5], "同意", "", PASSWORD)
    fields = [e.field for e in info.value.errors]
    assert "裁量基准适用是否适当" in fields and "审核意见" in fields
    with pytest.raises(ValidationError, match="须写明存在的问题"):
        svc.reviews.sign(
            cast.reviewer,
            review_id,
            [ChecklistAnswer(c, c != "law", "") for c, _ in CHECKLIST],
            "同意",
            "x",
            PASSWORD,
        )
    with pytest.raises(Exception, match="密码不正确"):
        svc.reviews.sign(cast.reviewer, review_id, _answers(), "同意", "同意", "wrong-password")
    with svc.store.read() as session:
        assert session.get(LegalReview, review_id).status == "pending"  # type: ignore[union-attr]


def test_head_signature_required_by_setting(svc: Services, cast: Cast) -> None:
    svc.settings.set(cast.admin, "review_requires_head_signature", True)
    case_id = _major_case(svc, cast)
    review_id = svc.reviews.submit(cast.officer, case_id)
    with pytest.raises(ValidationError, match="缺少签名视为未审核"):
        svc.reviews.sign(cast.reviewer, review_id, _answers(), "同意", "同意", PASSWORD)
    from brigade_desk.core.services.users import NewUser

    svc.users.add_user(
        cast.admin,
        NewUser("head", "法制负责人", PASSWORD, roles=("legal_reviewer",), legal_review_qualified=True),
    )
    svc.reviews.sign(
        cast.reviewer,
        review_id,
        _answers(),
        "同意",
        "同意",
        PASSWORD,
        head_login="head",
        head_password=PASSWORD,
    )
    assert svc.reviews.verify_case(cast.admin, case_id).ok


def test_password_reset_retires_the_key_but_old_signatures_verify(svc: Services, cast: Cast) -> None:
    case_id = _major_case(svc, cast)
    review_id = svc.reviews.submit(cast.officer, case_id)
    svc.reviews.sign(cast.reviewer, review_id, _answers(), "同意", "同意", PASSWORD)
    svc.users.reset_password(cast.admin, "sun", "Another1pw")
    assert svc.reviews.verify_case(cast.admin, case_id).ok
    svc.users.change_own_password(svc.users.sign_in("sun", "Another1pw"), "Another1pw", "Third1pass")
    with svc.store.read() as session:
        keys = session.execute(
            text("SELECT retired_at FROM user_key WHERE user_id = :u"), {"u": cast.reviewer.user_id}
        ).all()
    assert len(keys) == 2 and sum(1 for (r,) in keys if r is None) == 1


def test_approval_signature_required_by_setting(svc: Services, cast: Cast) -> None:
    svc.settings.set(cast.admin, "approvals_require_signature", True)
    case_id = svc.procedure.propose_filing(
        cast.officer,
        FilingInput((cast.item_id,), (cast.person_id,), cast.officer_ids, date(2025, 9, 20), "案由"),
    )
    with pytest.raises(RuleViolation, match="输入本人密码签名"):
        svc.procedure.approve_filing(cast.leader, case_id, True, "同意", _version(svc, cast, case_id))
    svc.procedure.approve_filing(
        cast.leader, case_id, True, "同意", _version(svc, cast, case_id), password=PASSWORD
    )
    assert svc.reviews.verify_case(cast.admin, case_id).checked == 1


def test_cli_review_list_and_verify(
    sqlite_store: Store, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    svc = Services.over(sqlite_store, Clock(datetime(2025, 9, 22, 2, 0, tzinfo=UTC)))
    cast = cast_of(svc)
    case_id = _major_case(svc, cast)
    review_id = svc.reviews.submit(cast.officer, case_id)
    number = svc.cases.get(cast.officer, case_id).case_number
    assert cli(["--data-dir", str(data_dir), "review", "list", "--pending", "--json"]) == 0
    assert review_id in capsys.readouterr().out
    svc.reviews.sign(cast.reviewer, review_id, _answers(), "同意", "同意", PASSWORD)
    assert cli(["--data-dir", str(data_dir), "review", "verify", number]) == 0
    svc.procedure.update_facts(cast.officer, case_id, "改", "改", "改", _version(svc, cast, case_id))
    assert cli(["--data-dir", str(data_dir), "review", "verify", number]) == 1
    assert "已变化" in capsys.readouterr().err
