"""Documents in the store, on both backends: every form for demo cases in PDF and DOCX, issuing with
gapless numbers (two concurrent issuers), frozen snapshots and identical reprints, verification of
tampered files, the void register, corrections, service rules that start the clocks, the case file
and its self-check, and bad input refused in Chinese with nothing written."""

from __future__ import annotations

import io
import multiprocessing
import re
from dataclasses import fields, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import docx
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from brigade_desk.core.app import Services
from brigade_desk.core.documents.samples import sample_inputs
from brigade_desk.core.errors import NotFound, PermissionDenied, RuleViolation, ValidationError
from brigade_desk.core.model import AuditEvent, Case, Document, Evidence, PowerItem, VoidedNumber
from brigade_desk.core.rules.money import amount_in_capitals
from brigade_desk.core.rules.permissions import Actor, Role
from brigade_desk.core.services.demo import DemoService
from brigade_desk.core.services.documents import DeliveryInput, GenerateOptions, MissingDataError
from brigade_desk.core.services.parties import PartyInput
from brigade_desk.core.services.procedure import FilingInput, Proposal, RecordInput
from brigade_desk.core.store import Store
from tests.factories import Cast, Clock, cast_of

_WS = re.compile(r"[\s\u00a0\u3000]+")
DISCRETION = {
    "discretion_basis": "《临溪县城市管理行政处罚裁量基准（2025年版）》第12项",
    "discretion_tier": "一般",
    "discretion_reason": "初次违法，占道面积约6平方米，依该基准第12项处罚款500元。",
}
ORGAN = {"organ_phone": "0571-63000000", "organ_address": "临溪县青溪镇人民路1号", "contact_person": "周内勤"}


def norm(text: str) -> str:
    return _WS.sub("", text)


def pdf_text(content: bytes) -> str:
    return norm("".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(content)).pages))


def docx_text(content: bytes) -> str:
    d = docx.Document(io.BytesIO(content))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return norm("\n".join(parts))


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


def _version(svc: Services, cast: Cast, case_id: str) -> int:
    return svc.cases.get(cast.officer, case_id).version


def closed_investigation(svc: Services, cast: Cast, fine_fen: int = 500_00) -> str:
    p = svc.procedure
    case_id = p.propose_filing(
        cast.officer,
        FilingInput(
            (cast.item_id,),
            (cast.person_id,),
            cast.officer_ids,
            date(2025, 9, 20),
            "陈喆擅自占用城市道路从事经营活动案",
            facts="当事人在青溪镇东村路口占道摆放水果摊，占用人行道约6平方米。",
            place="青溪镇东村路口",
        ),
    )
    p.approve_filing(cast.leader, case_id, True, "同意立案", _version(svc, cast, case_id))
    p.add_record(
        cast.officer,
        case_id,
        RecordInput(
            "inspection",
            _at(date(2025, 9, 22)),
            _at(date(2025, 9, 22), 2),
            "青溪镇东村路口",
            cast.officer_ids,
            persons=({"name": "陈喆", "role": "当事人", "relation": "当事人本人"},),
            text="现场有水果摊一处，占用人行道约6平方米。",
            recorder="李四",
        ),
    )
    p.close_investigation(
        cast.officer,
        case_id,
        Proposal("penalty", ("罚款",), fine_fen, report="事实清楚，建议罚款500元"),
        _version(svc, cast, case_id),
    )
    return case_id


def move_party(svc: Services, cast: Cast, party_id: str, address: str) -> None:
    """The party's address is corrected through the parties service (as 更正当事人信息 does)."""
    party = svc.parties.get(cast.clerk, party_id)
    data = PartyInput(**{f.name: getattr(party, f.name) for f in fields(PartyInput)})
    svc.parties.update(cast.clerk, party_id, replace(data, address=address), party.version)


def draft(svc: Services, actor: Actor, case_id: str, form_id: str, **extra: Any) -> Any:
    """A saved draft with everything the case lacks typed from the sample data."""
    prep = svc.documents.prepare(actor, GenerateOptions(case_id, form_id))
    form = svc.documents.library.get(form_id)
    inputs = sample_inputs(form, [f.name for f in prep.fields])
    inputs.update({k: v for k, v in {**DISCRETION, **ORGAN}.items() if k in {f.name for f in prep.fields}})
    inputs.update(extra.pop("inputs", {}))
    return svc.documents.save_draft(actor, GenerateOptions(case_id, form_id, inputs=inputs, **extra))


def issue(svc: Services, cast: Cast, case_id: str, form_id: str, **extra: Any) -> Any:
    d = draft(svc, cast.officer, case_id, form_id, **extra)
    return svc.documents.issue(cast.clerk, d.id, d.version)


def serve(svc: Services, cast: Cast, document_id: str, on: date, **changes: Any) -> Any:
    data = {"mode": "直接送达", "delivered_on": on, "server_ids": cast.officer_ids, "place": "青溪镇东村12号"}
    data.update(changes)
    return svc.documents.record_delivery(cast.clerk, document_id, DeliveryInput(**data))


def decided_case(svc: Services, cast: Cast, clock: Clock) -> tuple[str, Any, Any]:
    """Notice issued and served, decision made, issued and served: (case id, notice, decision)."""
    case_id = closed_investigation(svc, cast)
    clock.set_day(date(2025, 9, 29))
    notice = issue(svc, cast, case_id, "prior_notice")
    serve(svc, cast, notice.id, date(2025, 9, 29))
    clock.set_day(date(2025, 10, 14))
    svc.procedure.decide(
        cast.leader, case_id, date(2025, 10, 14), "penalty", 500_00, ("罚款",), _version(svc, cast, case_id)
    )
    decision = issue(svc, cast, case_id, "penalty_decision")
    return case_id, notice, decision


# --- every form, demo cases, both formats ---------------------------------------------------------


def test_every_form_renders_for_demo_cases_in_both_formats(svc: Services, clock: Clock) -> None:
    clock.now = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    from tests.conftest import initialise

    admin = initialise(svc)
    DemoService(svc.store, clock).generate(admin, cases=60, seed=3)
    viewer = Actor("v", "viewer", "查看", frozenset({Role.OFFICER}))
    with svc.store.read() as session:
        fined = (
            session.execute(
                select(Case)
                .where(Case.fine_fen.is_not(None), Case.procedure == "general")
                .order_by(Case.case_number)
            )
            .scalars()
            .first()
        )
        simple = session.execute(select(Case).where(Case.procedure == "simple")).scalars().first()
        assert fined is not None and simple is not None
        cases = [
            (fined.id, fined.case_number, fined.fine_fen),
            (simple.id, simple.case_number, simple.fine_fen),
        ]
        item = session.execute(select(PowerItem.legal_basis).where(PowerItem.claimed).limit(1)).scalar_one()
    del item
    with svc.store.write() as session:  # demo cases carry no evidence; one item each, as an officer adds it
        for case_id, _, _ in cases:
            session.add(
                Evidence(
                    case_id=case_id,
                    kind="documentary",
                    description="当事人身份证复印件1份",
                    proves="当事人身份",
                    collected_at=clock.now,
                    created_at=clock.now,
                )
            )
    library = svc.documents.library
    for n, (case_id, number, fine) in enumerate(cases):
        detail = svc.cases.get(viewer, case_id)
        party = detail.parties[0]
        forms = library.forms() if n == 0 else [library.get("on_the_spot_decision")]
        for form in forms:
            if form.id == "correction_notice":
                continue  # made from an issued original: test_correction_is_a_new_document_linked_…
            prep = svc.documents.prepare(viewer, GenerateOptions(case_id, form.id))
            inputs = sample_inputs(form, [f.name for f in prep.fields])
            options = GenerateOptions(case_id, form.id, inputs=inputs)
            pdf = svc.documents.preview(viewer, options, "pdf")
            word = svc.documents.preview(viewer, options, "docx")
            assert pdf.content.startswith(b"%PDF") and pdf.missing == (), (form.id, pdf.missing)
            text, wtext = pdf_text(pdf.content), docx_text(word.content)
            expected = []
            if "party" in form.fields or "party_name" in form.fields:
                expected.append(party)
            if "case_number" in form.fields and form.id != "case_cover":
                expected.append(number)
            if form.id in ("penalty_decision", "on_the_spot_decision", "prior_notice") and fine:
                expected.append(amount_in_capitals(fine))
                expected.append("》第")  # a law cited with its article
            for want in expected:
                assert norm(want) in text, (form.id, want)
                assert norm(want) in wtext, (form.id, want, "docx")


def test_decision_pdf_holds_party_number_basis_and_capitals(svc: Services, cast: Cast, clock: Clock) -> None:
    case_id, _, decision = decided_case(svc, cast, clock)
    content = svc.documents.render(cast.clerk, decision.id).content
    text = pdf_text(content)
    case_number = svc.cases.get(cast.officer, case_id).case_number
    for want in (
        "陈喆",
        case_number,
        "《城市道路管理条例》第二十七条",
        "《城市道路管理条例》第四十二条",
        "伍佰元整",
        "500.00",
    ):
        assert norm(want) in text, want
    assert "临溪县人民政府" in text and "临溪县人民法院" in text
    assert decision.doc_number == "青综执罚决字〔2025〕第1号"
    word = svc.documents.render(cast.clerk, decision.id, "docx").content
    assert norm("伍佰元整") in docx_text(word) and norm(decision.doc_number) in docx_text(word)


# --- issuing, freezing, reprint, verification ------------------------------------------------------


def test_issue_freezes_the_document_and_reprints_identical_bytes(
    svc: Services, cast: Cast, clock: Clock
) -> None:
    case_id = closed_investigation(svc, cast)
    clock.set_day(date(2025, 9, 29))
    notice = issue(svc, cast, case_id, "prior_notice")
    assert notice.status == "issued" and notice.doc_number == "青综执罚告字〔2025〕第1号"
    assert notice.officers == ("张三", "李四")  # the handlers, not the clerk who issued it
    first = svc.documents.render(cast.clerk, notice.id).content
    assert svc.documents.render(cast.officer, notice.id).content == first
    assert (
        notice.pdf_sha256 and (svc.store.files_dir / notice.pdf_sha256[:2] / notice.pdf_sha256[2:]).exists()
    )
    # The party moves: the issued notice keeps the address of the day it was issued.
    move_party(svc, cast, cast.person_id, "临溪县城关镇新街8号")
    assert svc.documents.render(cast.clerk, notice.id).content == first
    with svc.store.read() as session:
        snapshot = session.get(Document, notice.id).snapshot
    assert snapshot["data"]["party"]["address"] == "青溪镇东村12号"
    assert snapshot["form"] == "prior_notice@2026.1" and snapshot["number"] == notice.doc_number
    with pytest.raises(RuleViolation, match="不能再次签发"):
        svc.documents.issue(cast.clerk, notice.id, svc.documents.get(cast.clerk, notice.id).version)
    # Putting it on paper is part of the full-process record; a made-up way is refused, unrecorded.
    svc.documents.record_output(cast.clerk, notice.id, "print", "2 页")
    with pytest.raises(ValidationError, match="只能记录打印或导出"):
        svc.documents.record_output(cast.clerk, notice.id, "fax")
    with pytest.raises(NotFound):
        svc.documents.record_output(cast.clerk, "00000000-0000-0000-0000-000000000000", "print")
    with svc.store.read() as session:
        printed = session.execute(
            select(AuditEvent.summary, AuditEvent.actor_name).where(
                AuditEvent.action.like("document.%print%")
            )
        ).all()
    assert printed == [(f"打印《{notice.title}》{notice.doc_number}：2 页", "王文书")] or (
        len(printed) == 1 and notice.doc_number in printed[0][0]
    )


def test_verification_of_files_and_printed_codes(
    svc: Services, cast: Cast, clock: Clock, tmp_path: Path
) -> None:
    case_id = closed_investigation(svc, cast)
    clock.set_day(date(2025, 9, 29))
    notice = issue(svc, cast, case_id, "prior_notice")
    good = tmp_path / "notice.pdf"
    good.write_bytes(svc.documents.render(cast.clerk, notice.id).content)
    result = svc.documents.verify_pdf(cast.clerk, good)
    assert result.ok and "与存档一致" in result.message
    # Change one digit of the amount in the page content: the file no longer matches.
    tampered = tmp_path / "tampered.pdf"
    content = good.read_bytes()
    reader = PdfReader(io.BytesIO(content))
    assert "BDDOC1|330185|青综执罚告字〔2025〕第1号|" in str(reader.metadata.get("/Keywords"))
    tampered.write_bytes(content.replace(b"/Producer", b"/Producex", 1))
    changed = svc.documents.verify_pdf(cast.clerk, tampered)
    assert changed.status == "changed" and "已被改动" in changed.message
    stranger = tmp_path / "stranger.pdf"
    stranger.write_bytes(
        svc.documents.preview(
            cast.officer, GenerateOptions(case_id, "inquiry_record"), allow_missing=True
        ).content
    )
    assert svc.documents.verify_pdf(cast.clerk, stranger).status == "unknown"
    assert svc.documents.verify_code(cast.clerk, notice.doc_number, notice.verify_code.lower()).ok
    dashed = f"{notice.verify_code[:4]}-{notice.verify_code[4:8]}-{notice.verify_code[8:]}"
    assert svc.documents.verify_code(cast.clerk, notice.doc_number, dashed).ok
    assert svc.documents.verify_code(cast.clerk, notice.doc_number, "AAAA-BBBB-CCCC").status == "changed"
    assert svc.documents.verify_code(cast.clerk, "青综执罚告字〔2025〕第99号", "x").status == "unknown"


def test_voided_number_is_recorded_and_never_reused(svc: Services, cast: Cast, clock: Clock) -> None:
    case_id = closed_investigation(svc, cast)
    first = issue(svc, cast, case_id, "rectification_notice")
    with pytest.raises(ValidationError, match="作废理由"):
        svc.documents.void(cast.clerk, first.id, " ", first.version)
    with pytest.raises(PermissionDenied):
        svc.documents.void(cast.leader, first.id, "打印错误", first.version)
    voided = svc.documents.void(cast.clerk, first.id, "当事人名称打印错误，重新制作", first.version)
    assert voided.status == "voided"
    second = issue(svc, cast, case_id, "rectification_notice")
    assert first.doc_number == "青综执责改字〔2025〕第1号"
    assert second.doc_number == "青综执责改字〔2025〕第2号"
    register = svc.documents.voided_numbers(cast.clerk, 2025)
    assert [(n, r) for n, r, _, _ in register] == [(first.doc_number, "当事人名称打印错误，重新制作")]
    assert svc.documents.verify_code(cast.clerk, first.doc_number, first.verify_code).status == "voided"
    with pytest.raises(RuleViolation, match="只能送达已签发的文书"):
        serve(svc, cast, first.id, date(2025, 9, 22))


def test_correction_is_a_new_document_linked_to_the_original(svc: Services, cast: Cast, clock: Clock) -> None:
    case_id, _, decision = decided_case(svc, cast, clock)
    correction = svc.documents.correct(
        cast.officer,
        decision.id,
        {
            "error_text": "住青溪镇东村21号",
            "corrected_text": "住青溪镇东村12号",
            "correction_reason": "门牌号笔误",
            **ORGAN,
        },
    )
    assert correction.corrects_id == decision.id and correction.status == "draft"
    issued = svc.documents.issue(cast.clerk, correction.id, correction.version)
    assert issued.doc_number == "青综执更字〔2025〕第1号"
    text = pdf_text(svc.documents.render(cast.clerk, issued.id).content)
    assert norm(f"《行政处罚决定书》（{decision.doc_number}）") in text and "门牌号笔误" in text
    original = svc.documents.verify_code(cast.clerk, decision.doc_number, decision.verify_code)
    assert original.ok and "已由《文书更正通知书》（青综执更字〔2025〕第1号）更正" in original.message
    unissued = draft(svc, cast.officer, case_id, "rectification_notice")
    with pytest.raises(RuleViolation, match="只能更正已签发的文书"):
        svc.documents.correct(cast.officer, unissued.id, {})


# --- service -------------------------------------------------------------------------------------


def test_service_of_the_notice_and_decision_starts_the_clocks(
    svc: Services, cast: Cast, clock: Clock
) -> None:
    case_id = closed_investigation(svc, cast)
    clock.set_day(date(2025, 9, 29))
    notice = issue(svc, cast, case_id, "prior_notice")
    with pytest.raises(RuleViolation, match="缺少第二名"):
        serve(svc, cast, notice.id, date(2025, 9, 29), server_ids=(cast.officer.user_id,))
    delivery = serve(svc, cast, notice.id, date(2025, 9, 29))
    assert delivery.receipt_id is not None  # the 送达回证, filled in and issued
    status = svc.procedure.status(cast.officer, case_id)
    assert status.state == "notice_served"
    assert next(d for d in status.deadlines if d.clock == "statement").due == date(2025, 10, 13)
    receipt = pdf_text(svc.documents.render(cast.clerk, delivery.receipt_id).content)
    assert norm(f"《行政处罚事先告知书》{notice.doc_number}") in receipt and "■直接送达" in receipt
    clock.set_day(date(2025, 10, 14))
    svc.procedure.decide(
        cast.leader, case_id, date(2025, 10, 14), "penalty", 500_00, ("罚款",), _version(svc, cast, case_id)
    )
    decision = issue(svc, cast, case_id, "penalty_decision")
    # 公告送达: deemed served 30 days after publication; the payment clock runs from then.
    clock.set_day(date(2025, 10, 20))
    with pytest.raises(ValidationError, match="公告送达须写明"):
        serve(svc, cast, decision.id, date(2025, 10, 20), mode="公告送达", place="", server_ids=())
    public = serve(
        svc,
        cast,
        decision.id,
        date(2025, 10, 20),
        mode="公告送达",
        place="",
        server_ids=(),
        note="下落不明，在县政府网站公告",
    )
    assert public.effective_on == date(2025, 11, 19) and public.receipt_id is None
    payment = next(d for d in svc.procedure.status(cast.officer, case_id).deadlines if d.clock == "payment")
    assert payment.due == date(2025, 12, 4)


def test_the_worklists_hold_drafts_to_issue_and_documents_to_serve(
    svc: Services, cast: Cast, clock: Clock
) -> None:
    """The 文书 page's lists: a draft is 待签发 until issued; an issued notice is 待送达 until its
    delivery is recorded; the 送达回证 made by that delivery is never itself to be served."""
    case_id = closed_investigation(svc, cast)
    number = svc.cases.get(cast.clerk, case_id).case_number
    clock.set_day(date(2025, 9, 29))
    notice_draft = draft(svc, cast.officer, case_id, "prior_notice")
    drafts = svc.documents.worklist(cast.clerk, "drafts")
    assert drafts.total == 1 and [i.document_id for i in drafts.items] == [notice_draft.id]
    item = drafts.items[0]
    assert (item.case_id, item.case_number, item.title, item.party_name) == (
        case_id,
        number,
        "行政处罚事先告知书",
        "陈喆",
    )
    assert item.by == "张三" and item.doc_number == ""
    assert svc.documents.worklist(cast.clerk, "to_serve").total == 0

    notice = svc.documents.issue(cast.clerk, notice_draft.id, notice_draft.version)
    assert svc.documents.worklist(cast.clerk, "drafts").total == 0
    waiting = svc.documents.worklist(cast.clerk, "to_serve")
    assert [(i.document_id, i.doc_number, i.by) for i in waiting.items] == [
        (notice.id, notice.doc_number, "周内勤")
    ]
    serve(svc, cast, notice.id, date(2025, 9, 29))
    assert svc.documents.worklist(cast.clerk, "to_serve").total == 0
    assert svc.documents.worklist(cast.clerk, "drafts").total == 0  # the receipt was issued at once

    # The limit bounds the rows, not the count.
    for _ in range(3):
        draft(svc, cast.officer, case_id, "delivery_address")
    limited = svc.documents.worklist(cast.clerk, "drafts", limit=2)
    assert limited.total == 3 and len(limited.items) == 2
    with pytest.raises(ValueError, match="unknown worklist"):
        svc.documents.worklist(cast.clerk, "everything")


def test_service_rules(svc: Services, cast: Cast, clock: Clock) -> None:
    case_id = closed_investigation(svc, cast)
    order = issue(svc, cast, case_id, "rectification_notice")
    with pytest.raises(ValidationError) as refused:
        serve(svc, cast, order.id, date(2025, 9, 22), mode="留置送达")
    message = refused.value.message
    assert "拒收事由" in message and "见证人" in message and "音像记录" in message
    with pytest.raises(ValidationError, match="不能晚于今天"):
        serve(svc, cast, order.id, date(2025, 9, 23))
    with pytest.raises(ValidationError, match="代收人与受送达人关系"):
        serve(svc, cast, order.id, date(2025, 9, 22), receiver="陈某某")
    with pytest.raises(RuleViolation, match="电子送达须当事人同意"):
        serve(svc, cast, order.id, date(2025, 9, 22), mode="电子送达")
    with svc.store.write() as session:
        video = Evidence(
            case_id=case_id,
            kind="audio_visual",
            description="留置送达过程录像",
            collected_at=_at(date(2025, 9, 22)),
            is_av=True,
            created_at=_at(date(2025, 9, 22)),
        )
        session.add(video)
        session.flush()
        video_id = video.id
    left = serve(
        svc,
        cast,
        order.id,
        date(2025, 9, 22),
        mode="留置送达",
        refusal_reason="当事人拒绝签收",
        witnesses=({"name": "王村委", "unit": "东村村民委员会"},),
        av_evidence_id=video_id,
    )
    assert left.refused and left.witnesses == ("王村委",) and left.receipt_id
    receipt = pdf_text(svc.documents.render(cast.clerk, left.receipt_id).content)
    assert "■留置送达" in receipt and "当事人拒绝签收" in receipt and "王村委" in receipt
    # Consent recorded on an issued 送达地址确认书 allows electronic service.
    issue(svc, cast, case_id, "delivery_address")
    assert serve(svc, cast, order.id, date(2025, 9, 22), mode="电子送达", place="").mode == "电子送达"


# --- case file and self-check ----------------------------------------------------------------------


def test_case_file_order_bookmarks_pages_and_self_check(svc: Services, cast: Cast, clock: Clock) -> None:
    case_id, notice, decision = decided_case(svc, cast, clock)
    check = svc.documents.self_check(cast.clerk, case_id)
    missing = "\n".join(check.lines())
    assert "《立案审批表》" in missing and "《案件调查终结报告》" in missing
    assert "《现场检查（勘验）笔录》" in missing
    assert f"《行政处罚决定书》（{decision.doc_number}）尚无送达记录" in missing
    issue(svc, cast, case_id, "filing_approval")
    issue(svc, cast, case_id, "investigation_report")
    issue(svc, cast, case_id, "inspection_record")
    serve(svc, cast, decision.id, date(2025, 10, 14))
    draft(svc, cast.officer, case_id, "hearing_notice")
    check = svc.documents.self_check(cast.clerk, case_id)
    assert [i.kind for i in check.items] == ["unsigned"], check.lines()
    result = svc.documents.case_file(cast.clerk, case_id)
    reader = PdfReader(io.BytesIO(result.content))
    assert len(reader.pages) == result.page_count
    titles = [o.title for o in reader.outline if not isinstance(o, list)]
    assert titles[:3] == ["案卷封面", "卷内目录", "立案"] and titles[-1] == "卷内备考表"
    order = [t for t in result.bookmarks if "（" in t or t in ("立案审批表", "案件调查终结报告")]
    assert order.index(f"行政处罚决定书（{decision.doc_number}）") < order.index(
        f"行政处罚事先告知书（{notice.doc_number}）"
    )
    index_text = norm(reader.pages[1].extract_text())
    assert "立案审批表" in index_text and norm(decision.doc_number) in index_text
    # written pages carry archive page numbers; the cover, index and 备考表 do not
    last_written = norm(reader.pages[-2].extract_text())
    assert last_written.endswith(str(result.page_count - 3))
    assert "本卷共有文件材料" in norm(reader.pages[-1].extract_text())


def test_self_check_finds_inconsistent_party_data(svc: Services, cast: Cast, clock: Clock) -> None:
    case_id = closed_investigation(svc, cast)
    issue(svc, cast, case_id, "rectification_notice")
    move_party(svc, cast, cast.person_id, "临溪县城关镇新街8号")
    clock.set_day(date(2025, 9, 29))
    issue(svc, cast, case_id, "prior_notice")
    lines = svc.documents.self_check(cast.clerk, case_id).lines()
    assert any("当事人住址在文书间不一致" in line and "临溪县城关镇新街8号" in line for line in lines), lines


# --- refusals ---------------------------------------------------------------------------------------


def _counts(svc: Services) -> tuple[int, int]:
    with svc.store.read() as session:
        return (
            session.execute(select(func.count()).select_from(Document)).scalar_one(),
            session.execute(select(func.count()).select_from(AuditEvent)).scalar_one(),
        )


def test_bad_input_is_refused_in_chinese_and_nothing_is_written(
    svc: Services, cast: Cast, clock: Clock
) -> None:
    case_id = closed_investigation(svc, cast)
    before = _counts(svc)
    with pytest.raises(NotFound, match="没有编号为 no_such_form 的文书格式"):
        svc.documents.save_draft(cast.officer, GenerateOptions(case_id, "no_such_form"))
    with pytest.raises(NotFound, match="案件不存在"):
        svc.documents.save_draft(cast.officer, GenerateOptions("no-such-case", "prior_notice"))
    with pytest.raises(NotFound, match="没有案号为"):
        svc.cases.find_by_number(cast.officer, "青综执立字〔2099〕第1号")
    with pytest.raises(ValidationError, match="取自案件记录，不能在生成文书时改写"):
        svc.documents.save_draft(
            cast.officer, GenerateOptions(case_id, "prior_notice", inputs={"case_cause": "冒名顶替"})
        )
    with pytest.raises(ValidationError, match="金额必须是以分为单位的整数"):
        svc.documents.save_draft(
            cast.officer, GenerateOptions(case_id, "investigation_report", inputs={"proposed_fine": 12.5})
        )
    with pytest.raises(ValidationError, match="所选执法人员不存在"):
        svc.documents.save_draft(
            cast.officer, GenerateOptions(case_id, "prior_notice", officer_ids=("nobody",))
        )
    with pytest.raises(PermissionDenied, match="无权办理案件"):
        svc.documents.save_draft(cast.clerk, GenerateOptions(case_id, "prior_notice"))
    assert _counts(svc) == before
    bare = svc.documents.save_draft(cast.officer, GenerateOptions(case_id, "prior_notice"))
    before = _counts(svc)
    with pytest.raises(MissingDataError) as missing:
        svc.documents.issue(cast.clerk, bare.id, bare.version)
    assert missing.value.message.startswith("生成《行政处罚事先告知书》还需填写：")
    assert "裁量基准条款" in missing.value.message and "执法机关联系电话" in missing.value.message
    with pytest.raises(MissingDataError):
        svc.documents.preview(cast.officer, GenerateOptions(case_id, "prior_notice"))
    with pytest.raises(RuleViolation, match="负责人作出行政处罚决定后方可签发"):
        d = draft(svc, cast.officer, case_id, "penalty_decision")
        before = _counts(svc)
        svc.documents.issue(cast.clerk, d.id, d.version)
    assert _counts(svc) == before
    with svc.store.read() as session:
        assert session.execute(select(func.count()).select_from(VoidedNumber)).scalar_one() == 0
        numbered = session.execute(
            select(func.count()).select_from(Document).where(Document.doc_number.is_not(None))
        )
        assert numbered.scalar_one() == 0


def test_stale_draft_edit_is_refused(svc: Services, cast: Cast) -> None:
    case_id = closed_investigation(svc, cast)
    d = draft(svc, cast.officer, case_id, "prior_notice")
    changed = {**d.inputs, "statement_place": "青溪镇人民政府一楼大厅"}
    svc.documents.save_draft(
        cast.officer, GenerateOptions(case_id, "prior_notice", inputs=changed), d.id, d.version
    )
    with pytest.raises(Exception, match="已被他人修改"):
        svc.documents.issue(cast.clerk, d.id, d.version)


# --- two issuers at once ------------------------------------------------------------------------------

PER_PROCESS = 6


def _issue_all(url: str, data_dir: str, actor: tuple[str, str, str], ids: list[tuple[str, int]]) -> None:
    from brigade_desk.core.services.documents import DocumentService
    from brigade_desk.core.store import Store

    store = Store(url, Path(data_dir))
    service = DocumentService(store)
    clerk = Actor(actor[0], actor[1], actor[2], frozenset({Role.CLERK}))
    for document_id, version in ids:
        service.issue(clerk, document_id, version)
    store.dispose()


def test_numbering_is_gapless_under_two_concurrent_issuers(svc: Services, cast: Cast, clock: Clock) -> None:
    case_id = closed_investigation(svc, cast)
    made = [draft(svc, cast.officer, case_id, "rectification_notice") for _ in range(2 * PER_PROCESS)]
    drafts = [d.id for d in made]
    pairs = [(d.id, d.version) for d in made]
    url = svc.store.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    actor = (cast.clerk.user_id, cast.clerk.login, cast.clerk.display_name)
    workers = [
        context.Process(target=_issue_all, args=(url, str(svc.store.data_dir), actor, part))
        for part in (pairs[:PER_PROCESS], pairs[PER_PROCESS:])
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(300)
    assert [w.exitcode for w in workers] == [0, 0]
    with svc.store.read() as session:
        serials = sorted(
            session.execute(select(Document.number_serial).where(Document.id.in_(drafts))).scalars()
        )
        numbers = set(session.execute(select(Document.doc_number).where(Document.id.in_(drafts))).scalars())
    assert serials == list(range(1, 2 * PER_PROCESS + 1))
    assert len(numbers) == 2 * PER_PROCESS
    assert svc.audit.verify(cast.admin).ok
