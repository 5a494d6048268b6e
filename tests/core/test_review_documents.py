"""The 法制审核意见书 and the 集体讨论记录 made from the signed records (issue 6): every checklist
opinion, the signers and their key fingerprints; each leader's opinion, reasons and confirmation.
Also the case's reading of its review rounds and discussions."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from brigade_desk.core.app import Services
from brigade_desk.core.crypto import fingerprint
from brigade_desk.core.documents.samples import sample_inputs
from brigade_desk.core.review import CHECKLIST
from brigade_desk.core.services.documents import GenerateOptions
from brigade_desk.core.services.reviews import ChecklistAnswer, DiscussionInput
from brigade_desk.core.store import Store
from tests.core.test_reviews import _major_case
from tests.factories import PASSWORD, Cast, Clock, cast_of

_WS = re.compile(r"[\s\u00a0\u3000]+")


def norm(text: str) -> str:
    return _WS.sub("", text)


_PAGE_FURNITURE = re.compile(r"第\d+页共\d+页|草稿")


def pdf_text(content: bytes) -> str:
    """The text of every page run together, without the footers and draft marks between pages."""
    text = norm("".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(content)).pages))
    return _PAGE_FURNITURE.sub("", text)


@pytest.fixture
def svc(store: Store) -> Services:
    return Services.over(store, Clock(datetime(2025, 9, 22, 2, 0, tzinfo=UTC)))


@pytest.fixture
def cast(svc: Services) -> Cast:
    return cast_of(svc)


def _public_key(svc: Services, user_id: str) -> str:
    from sqlalchemy import select

    from brigade_desk.core.model import UserKey

    with svc.store.read() as session:
        return session.execute(
            select(UserKey.public_key).where(UserKey.user_id == user_id, UserKey.retired_at.is_(None))
        ).scalar_one()


def _preview(svc: Services, cast: Cast, case_id: str, form_id: str) -> str:
    prep = svc.documents.prepare(cast.officer, GenerateOptions(case_id, form_id))
    form = svc.documents.library.get(form_id)
    inputs = sample_inputs(form, [f.name for f in prep.fields])
    pdf = svc.documents.preview(cast.officer, GenerateOptions(case_id, form_id, inputs=inputs), "pdf")
    assert pdf.missing == (), pdf.missing
    return pdf_text(pdf.content)


def _answers() -> list[ChecklistAnswer]:
    notes = {"officers": "张三、李四均持有效执法证", "discretion": "依裁量基准第12项从轻"}
    return [
        ChecklistAnswer(code, True, notes.get(code, ""))
        if code != "documents"
        else ChecklistAnswer(code, False, "送达地址确认书未附卷，已补正")
        for code, _ in CHECKLIST
    ]


def test_opinion_prints_every_checklist_answer_signers_and_fingerprints(svc: Services, cast: Cast) -> None:
    svc.settings.set(cast.admin, "review_requires_head_signature", True)
    from brigade_desk.core.services.users import NewUser

    svc.users.add_user(
        cast.admin,
        NewUser("head", "吴法制", PASSWORD, roles=("legal_reviewer",), legal_review_qualified=True),
    )
    head_id = next(u.id for u in svc.users.list_users(cast.admin) if u.login == "head")
    case_id = _major_case(svc, cast)
    review_id = svc.reviews.submit(cast.officer, case_id)
    svc.reviews.sign(
        cast.reviewer,
        review_id,
        _answers(),
        "同意",
        "经逐项审核，事实清楚，证据确凿，同意承办机构意见。",
        PASSWORD,
        head_login="head",
        head_password=PASSWORD,
    )
    text = _preview(svc, cast, case_id, "legal_review_opinion")
    for _code, label in CHECKLIST:
        assert norm(label) in text, label
    for note in ("张三、李四均持有效执法证", "依裁量基准第12项从轻", "送达地址确认书未附卷，已补正"):
        assert norm(note) in text, note
    assert "经逐项审核，事实清楚，证据确凿，同意承办机构意见。" in text
    assert "■同意" in text  # the opinion ticked among the three
    reviewer_fp = fingerprint(_public_key(svc, cast.reviewer.user_id))
    head_fp = fingerprint(_public_key(svc, head_id))
    assert f"审核人孙审核：2025年9月22日10:00电子签名，公钥指纹{reviewer_fp}" in text
    assert f"法制机构负责人吴法制：2025年9月22日10:00电子签名，公钥指纹{head_fp}" in text
    round_ = svc.reviews.rounds(cast.officer, case_id)[0]
    assert round_.fingerprint == reviewer_fp and round_.head_fingerprint == head_fp
    assert round_.package_hash in text
    # The answers as the reviewer gave them: 是 for sound items, 否 for the one with a problem, and
    # 否 (nothing to transfer) for the suspected-crime question.
    answers = {line.item: line.answer for line in round_.checklist}
    assert answers["facts"] == "是" and answers["documents"] == "否" and answers["crime"] == "否"


def test_discussion_record_prints_each_leaders_opinion_and_confirmation(svc: Services, cast: Cast) -> None:
    case_id = _major_case(svc, cast)
    discussion_id = svc.reviews.record_discussion(
        cast.leader,
        case_id,
        DiscussionInput(
            date(2025, 10, 9),
            "镇政府二楼会议室",
            "周内勤",
            "承办人员汇报了案件事实、证据和法制审核意见",
            "给予罚款15,000元的行政处罚",
            (
                (cast.leader.user_id, "同意罚款15,000元", "事实清楚，证据充分"),
                (cast.leader2.user_id, "同意", "裁量适当"),
            ),
            attendees=(("张三", "执法队员"),),
            chair="赵镇长",
        ),
    )
    svc.reviews.confirm_discussion(cast.leader, discussion_id, PASSWORD)
    svc.reviews.record_paper_signature(cast.officer, discussion_id, cast.leader2.user_id, "案卷第23页")
    view = svc.reviews.discussions(cast.officer, case_id)[0]
    assert view.confirmed == 2
    leader_fp = fingerprint(_public_key(svc, cast.leader.user_id))
    assert [(o.name, o.method, o.fingerprint) for o in view.opinions] == [
        ("赵镇长", "signature", leader_fp),
        ("钱副镇长", "paper", ""),
    ]
    text = _preview(svc, cast, case_id, "collective_discussion")
    for want in (
        "镇政府二楼会议室",
        "赵镇长：同意罚款15,000元。理由：事实清楚，证据充分",
        "钱副镇长：同意。理由：裁量适当",
        "给予罚款15,000元的行政处罚",
        "张三（执法队员）",
        f"赵镇长：2025年9月22日10:00电子签名，公钥指纹{leader_fp}",
        "钱副镇长：纸质签名（案卷第23页）",
        view.content_hash,
    ):
        assert norm(want) in text, want


def test_pending_round_and_returned_round_read_back(svc: Services, cast: Cast) -> None:
    case_id = _major_case(svc, cast)
    first = svc.reviews.submit(cast.officer, case_id)
    answers = [ChecklistAnswer(c, c != "law", "" if c != "law" else "适用条款有误") for c, _ in CHECKLIST]
    status = svc.reviews.sign(cast.reviewer, first, answers, "存在问题、建议修改后重新提交", "改正", PASSWORD)
    assert status == "returned"
    second = svc.reviews.submit(cast.officer, case_id)
    rounds = svc.reviews.rounds(cast.officer, case_id)
    assert [(r.round, r.status_label) for r in rounds] == [(2, "待审核"), (1, "退回修改")]
    assert rounds[0].review_id == second and rounds[0].fingerprint == ""
    # The opinion document prints the returned round (the pending one has nothing to print yet).
    text = _preview(svc, cast, case_id, "legal_review_opinion")
    assert "■存在问题，建议修改后重新送审" in text and "适用条款有误" in text


def test_approvals_carry_the_signers_fingerprint(svc: Services, cast: Cast) -> None:
    case_id = _major_case(svc, cast)  # filing approved with the leader's password
    svc.procedure.approve_extension(cast.leader2, case_id, 30, "某程序规定第五十条", "同意延期")
    filing, extension = svc.procedure.approvals(cast.officer, case_id)
    assert filing.fingerprint == fingerprint(_public_key(svc, cast.leader.user_id))
    assert extension.fingerprint == ""  # approved without a signature (the setting allows it)
