"""Documents on the command line: doc render (draft), doc verify (exit 0 genuine, 1 changed or
unknown), casefile with its self-check, forms list and forms check; refusals in Chinese, exit 2."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from brigade_desk.cli import main as cli
from brigade_desk.core.app import Services
from brigade_desk.core.store import Store
from tests.core.test_documents_service import closed_investigation, issue, norm, pdf_text
from tests.factories import Cast, Clock, cast_of


def run(data_dir: Path, *args: str) -> int:
    return cli(["--data-dir", str(data_dir), *args])


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 9, 22, 2, 0, tzinfo=UTC))


@pytest.fixture
def svc(sqlite_store: Store, clock: Clock) -> Services:
    return Services.over(sqlite_store, clock)


@pytest.fixture
def cast(svc: Services) -> Cast:
    return cast_of(svc)


def test_doc_verify_exit_codes(
    svc: Services, cast: Cast, clock: Clock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case_id = closed_investigation(svc, cast)
    clock.set_day(date(2025, 9, 29))
    notice = issue(svc, cast, case_id, "prior_notice")
    home = svc.store.data_dir
    good = tmp_path / "notice.pdf"
    good.write_bytes(svc.documents.render(cast.clerk, notice.id).content)
    assert run(home, "doc", "verify", str(good)) == 0
    assert "与存档一致" in capsys.readouterr().out
    # A tampered copy: a line drawn over the first page (a forged mark), metadata kept.
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(good.read_bytes())))
    overlay = io.BytesIO()
    canvas = Canvas(overlay, pagesize=A4)
    canvas.line(100, 400, 400, 400)
    canvas.save()
    writer.pages[0].merge_page(PdfReader(overlay).pages[0])
    tampered = tmp_path / "tampered.pdf"
    with tampered.open("wb") as fh:
        writer.write(fh)
    assert run(home, "doc", "verify", str(tampered)) == 1
    assert "已被改动" in capsys.readouterr().err
    blank = tmp_path / "blank.pdf"
    blank.write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert run(home, "doc", "verify", str(blank)) == 1
    assert "无法确认真伪" in capsys.readouterr().err
    assert run(home, "doc", "verify", str(tmp_path / "missing.pdf")) == 2
    assert "无法读取" in capsys.readouterr().err


def test_doc_render_drafts_and_refusals(
    svc: Services, cast: Cast, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case_id = closed_investigation(svc, cast)
    number = svc.cases.get(cast.officer, case_id).case_number
    home = svc.store.data_dir
    out = tmp_path / "report.pdf"
    args = ["doc", "render", "--case", number, "--type", "investigation_report", "-o", str(out)]
    assert run(home, *args, "--format", "pdf") == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：生成《案件调查终结报告》还需填写：") and "裁量基准条款" in err
    assert not out.exists()
    filled = [
        "--set",
        "discretion_basis=《临溪县城市管理行政处罚裁量基准》第12项",
        "--set",
        "discretion_tier=一般",
        "--set",
        "discretion_reason=初次违法",
    ]
    assert run(home, *args, *filled) == 0
    text = pdf_text(out.read_bytes())
    assert "陈喆" in text and norm(number) in text and "伍佰元整" in text and "草" in text
    word = tmp_path / "report.docx"
    assert run(home, *args[:-1], str(word), "--format", "docx", *filled) == 0
    assert word.read_bytes()[:2] == b"PK"
    assert run(home, *args, "--allow-missing") == 0
    assert "仍需填写（已留空白）" in capsys.readouterr().err
    assert run(home, "doc", "render", "--case", number, "--type", "nonsense", "-o", str(out)) == 2
    assert "没有编号为 nonsense 的文书格式" in capsys.readouterr().err
    assert (
        run(
            home,
            "doc",
            "render",
            "--case",
            "青综执立字〔2099〕第9号",
            "--type",
            "prior_notice",
            "-o",
            str(out),
        )
        == 2
    )
    assert "没有案号为“青综执立字〔2099〕第9号”的案件" in capsys.readouterr().err


def test_casefile_and_forms(
    svc: Services, cast: Cast, clock: Clock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case_id = closed_investigation(svc, cast)
    clock.set_day(date(2025, 9, 29))
    issue(svc, cast, case_id, "prior_notice")
    number = svc.cases.get(cast.officer, case_id).case_number
    out = tmp_path / "case.pdf"
    assert run(svc.store.data_dir, "casefile", "--case", number, "-o", str(out)) == 1
    captured = capsys.readouterr()
    assert "已生成案卷" in captured.out and "［缺少］" in captured.err and "《立案审批表》" in captured.err
    assert len(PdfReader(str(out)).pages) >= 5
    assert run(svc.store.data_dir, "forms", "check") == 0
    assert "全部" in capsys.readouterr().out
    assert run(svc.store.data_dir, "forms", "list") == 0
    listing = capsys.readouterr().out
    assert "penalty_decision" in listing and "行政处罚决定书" in listing and "个文书格式" in listing
