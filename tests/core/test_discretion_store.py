"""Discretion benchmarks in the store (SQLite and PostgreSQL): the starter in a new township,
imports through the exchange format (good, bad, dry run, repeated, replaced), evaluation for a case
with prior penalties from the store, saving and proposing, and versions frozen once a decision
used them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from brigade_desk.core.app import Services
from brigade_desk.core.errors import RuleViolation, StaleEdit, ValidationError
from brigade_desk.core.model import AuditHead, BenchmarkVersion, CaseDiscretion
from brigade_desk.core.rules.discretion import PUBLISHED_EXAMPLE_FILE, STARTER_FILE
from brigade_desk.core.services.discretion import MAJOR_REASON, DiscretionInput, VersionEdit
from brigade_desk.core.services.procedure import FilingInput, Proposal, RecordInput, SimpleInput
from brigade_desk.core.store import Store
from tests.core.test_discretion_format import make_csv
from tests.factories import Cast, Clock, cast_of

YUAN = 100
SZ_DAY = date(2024, 6, 1)
VIOLATION = date(2025, 9, 20)
# The published amounts of DOMAIN.md 3.3 (yuan): item, quantities, first, second, third violation.
PUBLISHED = [
    ("sz_cg_2023_002", {}, 1000, 3000, 5000),
    ("sz_cg_2023_005", {"facility_count": "1"}, 5000, 10000, 20000),
    ("sz_cg_2023_009", {}, 100, 300, 500),
    ("sz_cg_2023_010", {}, 10000, 50000, 100000),
    ("sz_cg_2023_011", {}, 2000, 3000, 5000),
    ("sz_cg_2023_013", {}, 50, 100, 200),
    ("sz_cg_2023_017", {}, 3000, 6000, 10000),
]


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 9, 22, 2, 0, tzinfo=UTC))


@pytest.fixture
def svc(store: Store, clock: Clock) -> Services:
    return Services.over(store, clock)


@pytest.fixture
def cast(svc: Services) -> Cast:
    return cast_of(svc)


def audit_seq(svc: Services) -> int:
    with svc.store.read() as session:
        return session.execute(select(AuditHead.last_seq)).scalar_one()


def version_ids(svc: Services) -> set[str]:
    with svc.store.read() as session:
        return set(session.execute(select(BenchmarkVersion.id)).scalars())


def file_case(svc: Services, cast: Cast, party_id: str | None = None) -> str:
    return svc.procedure.propose_filing(
        cast.officer,
        FilingInput(
            power_item_ids=(cast.item_id,),
            party_ids=(party_id or cast.person_id,),
            officer_ids=cast.officer_ids,
            violation_date=VIOLATION,
            summary="陈喆擅自占用城市道路从事经营活动案",
            facts="当事人在青溪镇东村路口占道摆放水果摊",
            place="青溪镇东村路口",
        ),
    )


def penalise_on_the_spot(svc: Services, cast: Cast, day: date, party_id: str | None = None) -> str:
    return svc.procedure.on_the_spot(
        cast.officer,
        SimpleInput(
            party_id=party_id or cast.person_id,
            power_item_id=cast.item_id,
            officer_ids=cast.officer_ids,
            decided_on=day,
            place="东村路口",
            facts="占道经营",
            fine_fen=50_00,
        ),
    )


def decide(svc: Services, cast: Cast, case_id: str, fine_fen: int) -> None:
    """Walk a filed case to a penalty decision (statement and hearing waived).

    The major-decision threshold is raised so that these ordinary fines need no legal review here;
    tests/core/test_reviews.py covers major cases.
    """
    p = svc.procedure
    svc.settings.set(cast.admin, "major_fine_person_fen", 1_000_000 * YUAN)

    def version() -> int:
        return svc.cases.get(cast.officer, case_id).version

    p.approve_filing(cast.leader, case_id, True, "同意", version())
    p.add_record(
        cast.officer,
        case_id,
        RecordInput(
            kind="inspection",
            started_at=datetime(2025, 9, 22, 1, tzinfo=UTC),
            ended_at=datetime(2025, 9, 22, 2, tzinfo=UTC),
            place="青溪镇东村路口",
            officer_ids=cast.officer_ids,
            text="现场有水果摊一处，占用人行道约6平方米。",
        ),
    )
    p.close_investigation(
        cast.officer, case_id, Proposal("penalty", ("罚款",), fine_fen, report="终结"), version()
    )
    p.serve_prior_notice(cast.clerk, case_id, date(2025, 9, 29), cast.officer_ids)
    p.record_waiver(cast.officer, case_id, date(2025, 9, 29), statement=True, hearing=True)
    p.decide(cast.leader, case_id, date(2025, 9, 30), "penalty", fine_fen, ("罚款",), version())


# --- versions --------------------------------------------------------------------------------


def test_new_township_has_the_starter_benchmark(svc: Services, cast: Cast) -> None:
    versions = svc.discretion.list_versions(cast.officer)
    assert len(versions) == 1
    starter = versions[0]
    assert starter.is_starter and starter.item_count >= 20 and not starter.used
    assert starter.series == "STARTER-TOWNSHIP"
    detail = svc.discretion.version_detail(cast.officer, starter.id)
    assert len(detail.items) == starter.item_count
    assert sum(len(item.tiers) for item in detail.items) == starter.tier_count
    assert detail.items[0].tiers[0].label == "不予处罚"
    # Loading it again changes nothing.
    assert svc.discretion.load_starter(cast.admin) is False
    history = svc.audit.history(cast.admin, "discretion_benchmark", starter.id)
    assert [entry.action for entry in history] == ["discretion.starter"]


def test_published_example_imports_and_gives_its_published_amounts(svc: Services, cast: Cast) -> None:
    report = svc.discretion.import_csv(cast.admin, PUBLISHED_EXAMPLE_FILE.read_bytes())
    assert report.ok and report.action == "created", [str(i) for i in report.errors]
    assert (report.item_count, report.series) == (8, "SZ-CG-2023")
    assert "已导入" in report.summary
    for code, quantities, *amounts in PUBLISHED:
        got = [
            svc.discretion.evaluate(
                cast.officer,
                DiscretionInput(code, quantities=quantities, violation_date=SZ_DAY),
                prior_count=n,
            ).recommended_fen
            for n in (0, 1, 2)
        ]
        assert got == [amount * YUAN for amount in amounts], code
    no_penalty = svc.discretion.evaluate(
        cast.officer,
        DiscretionInput(
            "sz_cg_2023_002",
            facts={"minor_violation": True, "corrected_in_time": True},
            violation_date=SZ_DAY,
        ),
    )
    assert no_penalty.no_penalty and no_penalty.recommended_fen == 0 and no_penalty.tier_label == "情节轻微"


def test_dry_run_writes_nothing(svc: Services, cast: Cast) -> None:
    before = (version_ids(svc), audit_seq(svc))
    report = svc.discretion.import_csv(cast.admin, make_csv().encode(), dry_run=True)
    assert report.ok and report.dry_run and report.action == "created"
    assert "检查通过" in report.summary
    assert (version_ids(svc), audit_seq(svc)) == before


@pytest.mark.parametrize("dry_run", [True, False])
def test_bad_file_is_refused_by_row_and_column_and_nothing_is_written(
    svc: Services, cast: Cast, dry_run: bool
) -> None:
    before = (version_ids(svc), audit_seq(svc))
    from tests.core.test_discretion_format import FIRST, ITEM, TIERS

    rows = [
        {**ITEM, **TIERS[0], "法定上限": "abc"},
        {"事项编码": "LJ-1", **TIERS[1]},
        {"事项编码": "LJ-1", **TIERS[2], "处罚标准": "9999"},
    ]
    report = svc.discretion.import_csv(cast.admin, make_csv(rows).encode(), dry_run=dry_run)
    assert not report.ok and report.action == "refused"
    assert (FIRST, "法定上限") in [(i.row, i.column) for i in report.errors]
    assert all(str(issue).startswith("第") for issue in report.errors)
    assert "未导入任何内容" in report.summary
    assert (version_ids(svc), audit_seq(svc)) == before


def test_same_file_twice_is_unchanged_and_a_clash_is_refused(svc: Services, cast: Cast) -> None:
    first = svc.discretion.import_csv(cast.admin, make_csv().encode())
    assert first.action == "created"
    seq = audit_seq(svc)
    again = svc.discretion.import_csv(cast.admin, make_csv().encode())
    assert again.ok and again.action == "unchanged" and audit_seq(svc) == seq
    # Same 基准代码 and 版本, another 标识: refused, naming the stored one.
    other = make_csv(meta={"标识": "0f6e1c1e-3b1c-4f8e-9a53-0d5b3a1c2b10"})
    clash = svc.discretion.import_csv(cast.admin, other.encode())
    assert not clash.ok and clash.errors[0].column == "版本" and first.benchmark_id in clash.errors[0].message
    # Same 标识, other content: the version is replaced (an edit made in Excel).
    changed = make_csv(meta={"文号": "临综执规〔2025〕9号"})
    replaced = svc.discretion.import_csv(cast.admin, changed.encode())
    assert replaced.ok and replaced.action == "replaced"
    view = svc.discretion.find_version(cast.officer, "LX-CG@1")
    assert view.doc_number == "临综执规〔2025〕9号" and view.id == first.benchmark_id
    assert svc.discretion.find_version(cast.officer, "LX-CG").id == first.benchmark_id
    assert [e.action for e in svc.audit.history(cast.admin, "discretion_benchmark", view.id)] == [
        "discretion.import",
        "discretion.replace",
    ]


def test_export_round_trips(svc: Services, cast: Cast, tmp_path: object) -> None:
    from pathlib import Path

    starter = svc.discretion.list_versions(cast.officer)[0]
    out = svc.discretion.export_to(cast.officer, starter.id, Path(str(tmp_path)) / "out.csv")
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == STARTER_FILE.read_bytes().decode("utf-8-sig")


def test_edit_and_delete_an_unused_version(svc: Services, cast: Cast) -> None:
    report = svc.discretion.import_csv(cast.admin, make_csv().encode())
    assert report.benchmark_id is not None
    view = svc.discretion.find_version(cast.officer, report.benchmark_id)
    edit = VersionEdit(
        view.title, "临综执规〔2025〕2号", view.effective_from, date(2026, 12, 31), "县政府网站", ""
    )
    changed = svc.discretion.update_version(cast.admin, view.id, edit, view.version)
    assert changed.doc_number == "临综执规〔2025〕2号" and changed.effective_to == date(2026, 12, 31)
    assert changed.digest != view.digest
    with pytest.raises(StaleEdit):
        svc.discretion.update_version(cast.admin, view.id, edit, view.version)
    bad = VersionEdit(view.title, "", view.effective_from, date(2020, 1, 1), "", "")
    with pytest.raises(ValidationError, match="失效日期早于生效日期"):
        svc.discretion.update_version(cast.admin, view.id, bad, changed.version)
    svc.discretion.delete_version(cast.admin, view.id, changed.version)
    assert view.id not in version_ids(svc)


# --- cases -----------------------------------------------------------------------------------


def test_case_evaluation_with_prior_penalties_from_the_store(svc: Services, cast: Cast) -> None:
    case_id = file_case(svc, cast)
    choices = svc.discretion.item_choices(cast.officer, case_id)
    # The case's power item cites 《城市道路管理条例》第四十二条: its items come first.
    assert choices[0].code.startswith("DL-") and choices[0].score > 0
    data = DiscretionInput("DL-27-1", quantities={"area_m2": "6"})
    first = svc.discretion.evaluate_for_case(cast.officer, case_id, data)
    assert (first.result.tier_label, first.result.recommended_fen) == ("一般", 10_000 * YUAN)
    assert first.priors == () and first.violation_date == VIOLATION
    # An earlier penalty of the same party for the same power item (simple procedure, no discretion).
    penalise_on_the_spot(svc, cast, date(2025, 3, 1))
    # Another party's penalty and a later one do not count.
    penalise_on_the_spot(svc, cast, date(2025, 3, 2), party_id=cast.company_id)
    second = svc.discretion.evaluate_for_case(cast.officer, case_id, data)
    assert [p.decided_on for p in second.priors] == [date(2025, 3, 1)]
    assert second.result.prior_penalty_count == 1
    assert (second.result.tier_label, second.result.recommended_fen) == ("从重", 16_000 * YUAN)
    # A mitigating fact never lowers it below the repeat tier (heaviest tier wins).
    third = svc.discretion.evaluate_for_case(
        cast.officer, case_id, DiscretionInput("DL-27-1", facts={"cooperated": True})
    )
    assert third.result.tier_label == "从重"


def test_prior_case_with_a_saved_result_of_another_item_does_not_count(
    svc: Services, cast: Cast, clock: Clock
) -> None:
    earlier = file_case(svc, cast)
    svc.discretion.save_for_case(cast.officer, earlier, DiscretionInput("DL-27-4"), None)
    decide(svc, cast, earlier, 10_000 * YUAN)
    clock.set_day(date(2025, 10, 20))
    later = file_case(svc, cast)
    # The earlier decision (30 September) is after this violation date (20 September)...
    assert svc.discretion.evaluate_for_case(cast.officer, later, DiscretionInput("DL-27-4")).priors == ()
    # ...but counts for a violation after it, and only for the same item.
    after = DiscretionInput("DL-27-4", violation_date=date(2025, 10, 15))
    assert len(svc.discretion.evaluate_for_case(cast.officer, later, after).priors) == 1
    other = DiscretionInput("DL-27-1", violation_date=date(2025, 10, 15))
    assert svc.discretion.evaluate_for_case(cast.officer, later, other).priors == ()


def test_save_then_propose_and_refusals(svc: Services, cast: Cast) -> None:
    case_id = file_case(svc, cast)
    data = DiscretionInput("DL-27-1", facts={"corrected_in_time": True})
    saved = svc.discretion.save_for_case(cast.officer, case_id, data, None)
    assert saved.result.tier_label == "从轻" and saved.stale_reason == ""
    assert (
        saved.inputs["facts"] == {"corrected_in_time": True} and saved.inputs["series"] == "STARTER-TOWNSHIP"
    )
    state = svc.discretion.for_case(cast.officer, case_id)
    assert state.saved is not None and state.saved.version == saved.version and state.locked_reason == ""
    history = [e.summary for e in svc.audit.history(cast.admin, "case", case_id)]
    assert any(s.startswith("保存裁量结果：DL-27-1，从轻") for s in history)
    # A second save from a stale copy is refused.
    with pytest.raises(StaleEdit):
        svc.discretion.save_for_case(cast.officer, case_id, data, None)
    # Inside the tier but not the recommendation: a reason is needed.
    with pytest.raises(ValidationError) as info:
        svc.discretion.propose_amount(cast.officer, case_id, 3_000 * YUAN, "", saved.version)
    assert info.value.errors[0].field == "理由"
    inside = svc.discretion.propose_amount(
        cast.officer, case_id, 3_000 * YUAN, "当事人经济困难", saved.version
    )
    assert inside.proposal_within_tier and not inside.requires_major_review
    # Above the statutory maximum: refused whatever the reason.
    with pytest.raises(ValidationError, match="超过法定最高额"):
        svc.discretion.propose_amount(cast.officer, case_id, 30_000 * YUAN, "理由", inside.version)


def test_amount_outside_the_tier_makes_the_case_major(svc: Services, cast: Cast) -> None:
    case_id = file_case(svc, cast)
    data = DiscretionInput("DL-27-1")  # 一般: 8,000–12,000 yuan
    saved = svc.discretion.save_for_case(cast.officer, case_id, data, None)
    with pytest.raises(ValidationError, match="集体讨论"):
        svc.discretion.propose_amount(cast.officer, case_id, 5_000 * YUAN, " ", saved.version)
    outside = svc.discretion.propose_amount(
        cast.officer, case_id, 5_000 * YUAN, "违法行为持续时间短，社会影响小", saved.version
    )
    assert outside.requires_major_review and outside.proposal_within_tier is False
    with svc.store.read() as session:
        from brigade_desk.core.model import Case

        case = session.get(Case, case_id)
        assert case is not None
        assert case.is_major and case.discussion_required
        assert any(reason.startswith(MAJOR_REASON) for reason in case.major_reasons)
    actions = [e.action for e in svc.audit.history(cast.admin, "case", case_id)]
    assert "case.major" in actions and "case.discretion.propose" in actions
    # The same in one call: save with an outside amount.
    other = file_case(svc, cast, party_id=cast.company_id)
    svc.discretion.save_for_case(
        cast.officer, other, data, None, proposed_fen=14_000 * YUAN, reason="占道面积大，影响通行"
    )
    with svc.store.read() as session:
        from brigade_desk.core.model import Case

        flagged = session.get(Case, other)
        assert flagged is not None and flagged.is_major


def test_a_version_a_decision_used_is_frozen(svc: Services, cast: Cast) -> None:
    report = svc.discretion.import_csv(cast.admin, make_csv().encode())
    county = svc.discretion.find_version(cast.officer, "LX-CG")
    starter = next(v for v in svc.discretion.list_versions(cast.officer) if v.is_starter)
    case_id = file_case(svc, cast)
    saved = svc.discretion.save_for_case(cast.officer, case_id, DiscretionInput("DL-27-1"), None)
    assert saved.benchmark_id == starter.id
    # Saved on an open case: still editable (the saved result then shows as stale).
    assert not svc.discretion.find_version(cast.officer, starter.id).used
    decide(svc, cast, case_id, 10_000 * YUAN)
    used = svc.discretion.find_version(cast.officer, starter.id)
    assert used.used and used.used_by == (svc.cases.get(cast.officer, case_id).case_number,)
    assert "不能修改或删除" in used.frozen_reason
    edit = VersionEdit(used.title, "x", used.effective_from, None, "", "")
    with pytest.raises(RuleViolation, match="不能修改或删除"):
        svc.discretion.update_version(cast.admin, used.id, edit, used.version)
    with pytest.raises(RuleViolation, match="不能修改或删除"):
        svc.discretion.delete_version(cast.admin, used.id, used.version)
    changed = STARTER_FILE.read_bytes().decode("utf-8-sig").replace("来源,", "来源,改动：", 1)
    refused = svc.discretion.import_csv(cast.admin, changed.encode(), dry_run=True)
    assert not refused.ok and refused.errors[0].column == "标识"
    # The decided case's result cannot be changed any more.
    with pytest.raises(RuleViolation, match="已作出决定"):
        svc.discretion.save_for_case(cast.officer, case_id, DiscretionInput("DL-27-1"), saved.version)
    # The county's version was not used by that decision.
    assert report.ok and not svc.discretion.find_version(cast.officer, county.id).used


def test_deleting_an_unused_version_leaves_open_results_stale(svc: Services, cast: Cast) -> None:
    report = svc.discretion.import_csv(cast.admin, make_csv().encode())
    assert report.benchmark_id is not None
    case_id = file_case(svc, cast)
    saved = svc.discretion.save_for_case(cast.officer, case_id, DiscretionInput("LJ-1"), None)
    assert saved.series == "LX-CG"
    version = svc.discretion.find_version(cast.officer, report.benchmark_id)
    svc.discretion.delete_version(cast.admin, version.id, version.version)
    state = svc.discretion.for_case(cast.officer, case_id)
    assert state.saved is not None and "已被删除" in state.saved.stale_reason
    with svc.store.read() as session:
        row = session.execute(select(CaseDiscretion)).scalar_one()
        assert row.benchmark_id is None
    with pytest.raises(RuleViolation, match="已被删除"):
        svc.discretion.propose_amount(cast.officer, case_id, 200 * YUAN, "理由", state.saved.version)


def test_unknown_item_and_missing_quantity_are_field_errors(svc: Services, cast: Cast) -> None:
    case_id = file_case(svc, cast)
    with pytest.raises(ValidationError) as info:
        svc.discretion.evaluate_for_case(cast.officer, case_id, DiscretionInput("NOPE-1"))
    assert info.value.errors[0].field == "事项编码"
    with pytest.raises(ValidationError) as info:
        svc.discretion.evaluate_for_case(cast.officer, case_id, DiscretionInput("GH-64"))
    assert info.value.errors[0].field == "计量" and "工程造价" in info.value.errors[0].message


def test_documents_print_the_saved_discretion_clause(svc: Services, cast: Cast) -> None:
    import io

    from pypdf import PdfReader

    from brigade_desk.core.services.documents import GenerateOptions

    case_id = file_case(svc, cast)
    options = GenerateOptions(case_id, "investigation_report")
    asked = {f.name for f in svc.documents.prepare(cast.officer, options).fields}
    assert {"discretion_basis", "discretion_tier", "discretion_reason"} <= asked
    data = DiscretionInput("DL-27-1", facts={"corrected_in_time": True})
    saved = svc.discretion.save_for_case(cast.officer, case_id, data, None)
    prepared = svc.documents.prepare(cast.officer, options)
    asked = {f.name for f in prepared.fields}
    assert not {"discretion_basis", "discretion_tier", "discretion_reason"} & asked
    assert "裁量基准条款" not in prepared.missing
    to_punish = GenerateOptions(
        case_id, "investigation_report", inputs={"investigation_outcome": "给予行政处罚"}
    )
    pdf = svc.documents.preview(cast.officer, to_punish, allow_missing=True).content
    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")
    assert saved.result.benchmark_title in text and f"第{saved.result.item_seq}项" in text
    assert "“从轻”情形" in text and "及时改正违法行为。" in text
    # A value typed at generation still wins over the saved clause.
    typed = GenerateOptions(
        case_id,
        "investigation_report",
        inputs={"investigation_outcome": "给予行政处罚", "discretion_tier": "一般"},
    )
    pdf = svc.documents.preview(cast.officer, typed, allow_missing=True).content
    assert "“一般”情形" in "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages).replace(
        "\n", ""
    )
