"""The legal-review package: exactly what a reviewer signs, and what changed since.

The package is a canonical document built from the store: the proposed decision, facts, parties,
evidence with hashes, investigation records, the discretion result, the hearing record and the
draft documents. Its SHA-256 is what a signature binds to (DESIGN.md invariant 6): any later change
gives another hash, and the review is stale.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from brigade_desk.core.canonical import canonical_json, digest
from brigade_desk.core.model import (
    Case,
    CaseParty,
    CaseStep,
    Evidence,
    InvestigationRecord,
    Party,
)

# Package sections and the words a person reads when one changed.
SECTION_LABELS = {
    "case": "案件事实",
    "parties": "当事人信息",
    "proposal": "拟作出的处理决定（种类或金额）",
    "evidence": "证据",
    "records": "调查笔录",
    "discretion": "裁量基准适用",
    "hearing": "听证记录",
    "documents": "文书草稿",
}

# The legal-review checklist (DOMAIN.md 2.3), answered item by item. Each question is put so that
# the answer a sound case gets is `ok` (no problem); a "not ok" answer needs a note saying what is
# wrong. Every question reads 是 for ok except the last: 是否涉嫌犯罪需要移送 is answered 否 when
# nothing needs transferring (INVERTED), so the form shows and prints the words a reviewer means.
CHECKLIST = (
    ("subject", "执法主体是否合法，是否在法定权限内"),
    ("officers", "执法人员是否具备执法资格"),
    ("party", "当事人基本情况是否清楚准确"),
    ("facts", "事实是否清楚，证据是否合法、充分、确凿"),
    ("law", "适用法律、法规、规章是否准确"),
    ("discretion", "裁量基准适用是否适当"),
    ("procedure", "程序是否合法，当事人权利是否得到保障"),
    ("documents", "执法文书是否完备、规范"),
    ("crime", "是否涉嫌犯罪需要移送司法机关"),
)
OPINIONS = ("同意", "存在问题、建议修改后重新提交", "不同意")
INVERTED = frozenset({"crime"})


def answer_text(item: str, ok: bool) -> str:
    """The reviewer's answer as words: 是 / 否 (the crime-transfer question the other way round)."""
    return ("否" if ok else "是") if item in INVERTED else ("是" if ok else "否")


def checklist_label(item: str) -> str:
    return dict(CHECKLIST).get(item, item)


def build_package(session: Session, case: Case) -> dict[str, Any]:
    parties = session.execute(
        select(Party).join(CaseParty, CaseParty.party_id == Party.id).where(CaseParty.case_id == case.id)
    ).scalars()
    evidence = session.execute(select(Evidence).where(Evidence.case_id == case.id)).scalars()
    records = session.execute(
        select(InvestigationRecord).where(InvestigationRecord.case_id == case.id)
    ).scalars()
    hearing = session.execute(
        select(CaseStep.on, CaseStep.note).where(CaseStep.case_id == case.id, CaseStep.kind == "hearing_held")
    ).all()
    package: dict[str, Any] = {
        "case": {
            "id": case.id,
            "case_number": case.case_number,
            "summary": case.summary,
            "facts": case.facts,
            "place": case.place,
            "violation_date": case.violation_date,
        },
        "parties": sorted(
            (
                {
                    "id": p.id,
                    "name": p.name,
                    "id_number": p.id_number,
                    "credit_code": p.credit_code,
                    "address": p.address,
                }
                for p in parties
            ),
            key=lambda p: p["id"],
        ),
        "proposal": {
            "outcome": case.proposed_outcome,
            "kinds": sorted(case.penalty_kinds),
            "fine_fen": case.proposed_fine_fen,
            "mitigation_ground": case.mitigation_ground,
        },
        "evidence": sorted(
            (
                {"id": e.id, "kind": e.kind, "description": e.description, "sha256": e.sha256}
                for e in evidence
            ),
            key=lambda e: e["id"],
        ),
        "records": sorted(
            ({"id": r.id, "kind": r.kind, "content": digest(r.content), "place": r.place} for r in records),
            key=lambda r: r["id"],
        ),
        "discretion": _discretion(session, case),
        "hearing": [{"on": on, "note": note} for on, note in hearing],
        "documents": _draft_documents(session, case),
    }
    # Stored as JSON and hashed in the same plain form (dates as ISO text), so both sides agree.
    return dict(json.loads(canonical_json(package)))


def _discretion(session: Session, case: Case) -> dict[str, Any] | None:
    from brigade_desk.core.model import CaseDiscretion

    row = session.execute(
        select(CaseDiscretion)
        .where(CaseDiscretion.case_id == case.id)
        .order_by(CaseDiscretion.saved_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    if row is None:
        return None
    return {
        "item": row.item_code,
        "benchmark": row.benchmark_digest,
        "inputs": digest(row.inputs),
        "result": digest(row.result),
    }


def _draft_documents(session: Session, case: Case) -> list[dict[str, Any]]:
    from brigade_desk.core.model import Document

    docs = session.execute(
        select(Document).where(Document.case_id == case.id, Document.status == "draft")
    ).scalars()
    return sorted(
        ({"id": d.id, "form": d.form_id, "inputs": digest(d.inputs)} for d in docs), key=lambda d: d["id"]
    )


def package_hash(package: dict[str, Any]) -> str:
    return digest(package)


def changed_sections(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Which parts of the package changed, in the words of SECTION_LABELS."""
    return [label for key, label in SECTION_LABELS.items() if digest(old.get(key)) != digest(new.get(key))]


def signed_content(
    *,
    review_id: str,
    case_id: str,
    round_no: int,
    package_hash: str,
    opinion: str,
    opinion_text: str,
    checklist: list[dict[str, Any]],
    reviewer_id: str,
    signed_at: str,
) -> bytes:
    """The bytes a reviewer signs: the package hash with the opinion, the checklist, who and when."""
    return canonical_json(
        {
            "purpose": "legal_review",
            "review_id": review_id,
            "case_id": case_id,
            "round": round_no,
            "package_hash": package_hash,
            "opinion": opinion,
            "opinion_text": opinion_text,
            "checklist": checklist,
            "reviewer_id": reviewer_id,
            "signed_at": signed_at,
        }
    )
