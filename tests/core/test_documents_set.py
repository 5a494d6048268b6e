"""The document set of issue 4: every form present, the DOMAIN.md 4.2 items each must carry, remedy
text naming the county government and the basic court with their time limits, amounts in figures
and in capitals, and the DOCX of the newer forms converting in LibreOffice with the same text."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from brigade_desk.core.documents import FormLibrary, build_layout, render_docx, render_pdf
from brigade_desk.core.documents.samples import sample_data
from brigade_desk.core.fonts import shipped_font_dir

_WS = re.compile(r"[\s\u00a0\u3000]+")

# The set issue 4 names, by form id.
ISSUE_SET = {
    "filing_approval": "立案审批表",
    "no_filing_approval": "不予立案审批表",
    "inspection_record": "现场检查（勘验）笔录",
    "inquiry_record": "询问笔录",
    "preservation_notice": "先行登记保存证据通知书",
    "preservation_decision": "先行登记保存证据处理决定书",
    "seizure_decision": "查封（扣押）决定书",
    "rectification_notice": "责令（限期）改正通知书",
    "investigation_report": "案件调查终结报告",
    "prior_notice": "行政处罚事先告知书",
    "statement_record": "陈述申辩笔录",
    "hearing_notice": "听证通知书",
    "hearing_record": "听证笔录",
    "hearing_report": "听证报告",
    "legal_review_opinion": "重大执法决定法制审核意见书",
    "collective_discussion": "集体讨论记录",
    "penalty_decision": "行政处罚决定书",
    "no_penalty_decision": "不予行政处罚决定书",
    "on_the_spot_decision": "当场行政处罚决定书",
    "delivery_receipt": "送达回证",
    "delivery_address": "送达地址确认书",
    "deferral_decision": "延期（分期）缴纳罚款决定书",
    "demand_notice": "催告书",
    "enforcement_application": "强制执行申请书",
    "closing_approval": "结案审批表",
    "case_cover": "行政处罚案卷",
    "case_index": "卷内目录",
    "case_notes": "卷内备考表",
}
# DOMAIN.md 4.2: fields each form must carry (by field name).
DOMAIN_FIELDS = {
    "no_filing_approval": {"not_filing_reason", "filing_basis", "approval_decision", "officers"},
    "preservation_notice": {
        "preservation_reason",
        "preservation_basis",
        "preservation_start",
        "preservation_end",
        "preservation_manner",
        "preserved_items",
        "reconsideration_organ",
        "court",
    },
    "preservation_decision": {
        "preservation_notice_number",
        "preservation_handling",
        "handling_basis",
        "preserved_items",
    },
    "seizure_decision": {
        "measure",
        "seizure_reason",
        "seizure_basis",
        "seizure_days",
        "seizure_place",
        "seized_items",
        "reconsideration_organ",
        "court",
    },
    "investigation_report": {
        "facts",
        "evidence",
        "violated_provisions",
        "penalty_basis",
        "discretion_basis",
        "discretion_tier",
        "discretion_reason",
        "investigation_proposal",
        "is_major",
    },
    "statement_record": {
        "start_time",
        "end_time",
        "record_place",
        "speaker_name",
        "statement_content",
        "review_result",
        "review_reason",
    },
    "hearing_notice": {
        "hearing_time",
        "hearing_place",
        "hearing_form",
        "presider",
        "hearing_officers",
        "hearing_clerk",
    },
    "hearing_record": {
        "start_time",
        "end_time",
        "hearing_place",
        "presider",
        "hearing_clerk",
        "agents",
        "witnesses",
        "investigator_statement",
        "party_statement",
        "cross_examination",
        "last_statement",
    },
    "hearing_report": {
        "report_facts",
        "investigator_opinion",
        "party_opinion",
        "presider_opinion",
        "presider",
    },
    "legal_review_opinion": {
        "unit_name",
        "unit_proposal",
        "checklist",
        "opinion_type",
        "review_opinion",
        "reviewers",
        "completed_date",
    },
    "collective_discussion": {
        "start_time",
        "discussion_place",
        "leaders",
        "recorder",
        "attendees",
        "case_report",
        "opinions",
        "conclusion",
    },
    "no_penalty_decision": {
        "no_penalty_ground",
        "no_penalty_basis",
        "education",
        "reconsideration_organ",
        "court",
    },
    "on_the_spot_decision": {
        "spot_time",
        "violation_place",
        "penalty_basis",
        "fine",
        "payment_manner",
        "reconsideration_organ",
        "court",
        "officers",
    },
    "delivery_address": {
        "service_address",
        "service_phone",
        "electronic_consent",
        "electronic_address",
        "receiver",
    },
    "deferral_decision": {
        "decision_number",
        "fine",
        "deferral_kind",
        "deferral_reason",
        "deferral_deadline",
        "instalments",
    },
    "demand_notice": {
        "decision_number",
        "fine",
        "late_fine",
        "total",
        "demand_deadline",
        "payment_place",
        "statement_period",
    },
    "enforcement_application": {
        "court",
        "organ_head",
        "decision_number",
        "facts",
        "penalty_basis",
        "demand_number",
        "demand_served",
        "party_opinion",
        "execution_object",
        "total",
    },
    "closing_approval": {
        "decision_number",
        "closure_type",
        "penalty_content",
        "correction_status",
        "payment_status",
        "receipt_numbers",
        "remedy_status",
        "handler_opinion",
        "legal_opinion",
        "approval_opinion",
    },
    "case_cover": {
        "archive_title",
        "decision_number",
        "unit_name",
        "filing_date",
        "closing_date",
        "retention",
        "doc_count",
        "page_count",
        "archive_no",
    },
    "case_index": {"archive_items"},
    "case_notes": {"page_count", "text_pages", "photo_pages", "filer", "filed_date", "checker"},
}
# Forms that are appealable acts, with the remedy periods they must state.
REMEDY_FORMS = {
    "penalty_decision": ("六十日", "六个月"),
    "no_penalty_decision": ("六十日", "六个月"),
    "rectification_notice": ("六十日", "六个月"),
    "preservation_notice": ("六十日", "六个月"),
    "preservation_decision": ("六十日", "六个月"),
    "seizure_decision": ("六十日", "六个月"),
    "on_the_spot_decision": ("应当先在收到本决定书之日起六十日内", "十五日内"),
}
# Forms printing an amount, and the sample amount they print (in figures and in capitals).
MONEY_FORMS = {
    "penalty_decision": ("贰仟元整", "2,000.00"),
    "prior_notice": ("贰仟元整", "2,000.00"),
    "on_the_spot_decision": ("贰仟元整", "2,000.00"),
    "deferral_decision": ("贰仟元整", "2,000.00"),
    "demand_notice": ("贰仟玖佰元整", "2,900.00"),
    "enforcement_application": ("贰仟玖佰元整", "2,900.00"),
    "investigation_report": ("贰仟元整", "2,000.00"),
    "legal_review_opinion": ("贰仟元整", "2,000.00"),
    "closing_approval": ("贰仟元整", "2,000.00"),
}


def norm(text: str) -> str:
    return _WS.sub("", text)


@pytest.fixture(scope="module")
def library() -> FormLibrary:
    return FormLibrary()


@pytest.fixture(scope="module")
def texts(library: FormLibrary) -> dict[str, str]:
    out = {}
    for form in library.forms():
        pdf = render_pdf(form, sample_data())
        out[form.id] = norm("".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf.content)).pages))
    return out


def test_the_set_of_issue_4_is_complete(library: FormLibrary) -> None:
    for form_id, title in ISSUE_SET.items():
        assert form_id in library, form_id
        assert title in library.get(form_id).title, (form_id, library.get(form_id).title)


@pytest.mark.parametrize("form_id", sorted(DOMAIN_FIELDS))
def test_each_form_carries_the_domain_fields(library: FormLibrary, form_id: str) -> None:
    assert DOMAIN_FIELDS[form_id] <= set(library.get(form_id).fields), DOMAIN_FIELDS[form_id] - set(
        library.get(form_id).fields
    )


@pytest.mark.parametrize("form_id", sorted(REMEDY_FORMS))
def test_remedy_text_names_the_county_government_and_the_court(texts: dict[str, str], form_id: str) -> None:
    text = texts[form_id]
    assert "某某县人民政府申请行政复议" in text, form_id
    assert "某某县人民法院提起行政诉讼" in text, form_id
    for period in REMEDY_FORMS[form_id]:
        assert period in text, (form_id, period)


@pytest.mark.parametrize("form_id", sorted(MONEY_FORMS))
def test_amounts_in_figures_and_capitals(texts: dict[str, str], form_id: str) -> None:
    capitals, figures = MONEY_FORMS[form_id]
    assert capitals in texts[form_id] and figures in texts[form_id], form_id


def test_outward_numbered_forms_print_their_number(library: FormLibrary, texts: dict[str, str]) -> None:
    for form in library.forms():
        if form.kind == "outward" and form.numbered:
            assert norm(sample_data()["doc"]["number"]) in texts[form.id], form.id


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_docx_of_the_newer_forms_converts_in_libreoffice(library: FormLibrary, tmp_path: Path) -> None:
    chosen = [
        "no_penalty_decision",
        "seizure_decision",
        "demand_notice",
        "closing_approval",
        "hearing_record",
    ]
    sources = []
    for form_id in chosen:
        path = tmp_path / f"{form_id}.docx"
        path.write_bytes(render_docx(library.get(form_id), sample_data()).content)
        sources.append(str(path))
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{shipped_font_dir()}</dir><cachedir>{tmp_path / 'fc-cache'}</cachedir>"
        '<alias binding="same"><family>仿宋</family><prefer><family>Noto Serif SC</family></prefer></alias>'
        '<alias binding="same"><family>黑体</family><prefer><family>Noto Sans SC</family></prefer></alias>'
        "</fontconfig>",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *sources,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "FONTCONFIG_FILE": str(conf)},
    )
    for form_id in chosen:
        pdf = out / f"{form_id}.pdf"
        assert pdf.is_file(), proc.stderr
        text = "".join(
            re.sub(r"第\d+页共\d+页", "", norm(p.extract_text() or "")) for p in PdfReader(str(pdf)).pages
        )
        layout = build_layout(library.get(form_id), sample_data())
        for para in layout.paragraphs():
            if para.text.strip():
                assert norm(para.text) in text, (form_id, para.text)
