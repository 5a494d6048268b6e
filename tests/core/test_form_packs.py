"""The county's form pack (县级文书格式包): set at the county from a folder, carried whole in county
bundles, checked again and applied at the township, where documents use the county's forms
(program < county pack < township override). Bad packs are refused with the file named and nothing
written; a bad pack arriving at a township is quarantined and the old pack kept; a township cannot
send form files. Real SQLite stores; the county also on PostgreSQL where reachable."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from brigade_desk.cli import main as cli
from brigade_desk.core.canonical import sha256_hex
from brigade_desk.core.documents import FormLibrary, default_forms_dir
from brigade_desk.core.documents.packs import MAX_FILE_BYTES, PackFile, check_pack, decode, name_problem
from brigade_desk.core.errors import PermissionDenied, RuleViolation, ValidationError
from brigade_desk.core.model import AuditEvent, CountyFormFile, SyncQuarantine
from brigade_desk.core.rules.permissions import Actor, Role
from brigade_desk.core.services.documents import GenerateOptions
from brigade_desk.core.sync.format import BundleRefused
from tests.core.sync_support import (
    Side,
    case_ids,
    demo,
    lines_of,
    make_county,
    make_town,
    officer,
    pair,
    rewrite_bundle,
    store_digest,
)

PROGRAM = default_forms_dir()
COUNTY_VERSION = "2026.1-临溪"


def county_form(name: str, version: str = COUNTY_VERSION, title_suffix: str = "（临溪县格式）") -> str:
    """A program form as the county changes it: another version and a distinctive title."""
    text = (PROGRAM / name).read_text(encoding="utf-8")
    text = re.sub(r'^version = ".*"$', f'version = "{version}"', text, count=1, flags=re.M)
    return re.sub(
        r'^title = "(.*)"$', lambda m: f'title = "{m.group(1)}{title_suffix}"', text, count=1, flags=re.M
    )


def pack_folder(root: Path, name: str, files: dict[str, str | bytes]) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    for file_name, content in files.items():
        path = folder / file_name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def pdf_text(content: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(content)).pages))


@pytest.fixture
def town(tmp_path: Path) -> Iterator[Side]:
    side = make_town(tmp_path / "town")
    yield side
    side.close()


@pytest.fixture
def county(tmp_path: Path) -> Iterator[Side]:
    side = make_county(tmp_path / "county")
    yield side
    side.close()


@pytest.fixture
def any_county(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Iterator[Side]:
    """The county on SQLite and on PostgreSQL (a county aggregating many towns runs PostgreSQL)."""
    url = str(request.getfixturevalue("pg_url")) if backend == "postgresql" else None
    side = make_county(tmp_path / "county", url)
    yield side
    side.close()


@pytest.fixture
def out(tmp_path: Path) -> Path:
    path = tmp_path / "usb"
    path.mkdir()
    return path


def _pack_rows(side: Side) -> dict[str, tuple[str, int]]:
    with side.store.read() as session:
        return {r.file_name: (r.sha256, r.version) for r in session.execute(select(CountyFormFile)).scalars()}


def _send(county: Side, town: Side, out: Path) -> object:
    [back] = county.sync.export(county.admin, out)
    result = town.sync.import_bundle(town.admin, back.path)
    assert result.status == "applied"
    return result


# --- the whole way: county folder -> store -> bundle -> township -> documents ---------------------


def test_the_countys_pack_travels_and_the_towns_documents_use_it(
    town: Side, any_county: Side, out: Path, tmp_path: Path
) -> None:
    county = any_county
    pair(town, county)
    demo(town, 3)
    folder = pack_folder(
        tmp_path,
        "pack",
        {
            "filing_approval.toml": county_form("filing_approval.toml"),
            "prior_notice.toml": county_form("prior_notice.toml"),
        },
    )
    change = county.services.form_packs.replace_from_folder(county.admin, folder)
    assert change.added == ("filing_approval.toml", "prior_notice.toml") and not change.removed
    shown = county.services.form_packs.show(county.admin)
    assert shown.is_county and not shown.problems
    assert {(f.file_name, f.form_id, f.form_version, f.version) for f in shown.files} == {
        ("filing_approval.toml", "filing_approval", COUNTY_VERSION, 1),
        ("prior_notice.toml", "prior_notice", COUNTY_VERSION, 1),
    }
    with county.store.read() as session:
        events = list(
            session.execute(select(AuditEvent).where(AuditEvent.action == "forms.pack.set")).scalars()
        )
    assert {e.entity_id for e in events} == {"filing_approval.toml", "prior_notice.toml"}
    assert all(e.actor_name == "系统管理员" for e in events)

    [back] = county.sync.export(county.admin, out)
    assert back.counts["form_file"] == 2
    result = town.sync.import_bundle(town.admin, back.path)
    assert result.status == "applied" and not result.refusals
    assert result.counts["form_file"]["created"] == 2
    view = town.services.form_packs.show(town.admin)
    assert not view.is_county and view.digest == shown.digest and not view.problems

    # The township's documents now use the county's version of the form.
    form = town.services.documents.library.get("filing_approval")
    assert (form.version, form.origin) == (COUNTY_VERSION, "county")
    assert town.services.documents.library.get("penalty_decision").origin == "program"
    case_id = case_ids(town)[0]
    zhang = officer(town)
    draft = town.services.documents.save_draft(zhang, GenerateOptions(case_id, "filing_approval"))
    assert draft.form_version == COUNTY_VERSION and draft.title == "立案审批表（临溪县格式）"
    pdf = town.services.documents.preview(
        zhang, GenerateOptions(case_id, "filing_approval"), "pdf", allow_missing=True
    )
    assert "立案审批表（临溪县格式）" in pdf_text(pdf.content)

    # The township's own override directory still wins over the county's pack.
    own = town.data_dir / "forms"
    own.mkdir()
    (own / "filing_approval.toml").write_text(
        county_form("filing_approval.toml", "2026.1-青溪", "（青溪镇格式）"), encoding="utf-8"
    )
    form = town.services.documents.library.get("filing_approval")
    assert (form.version, form.origin) == ("2026.1-青溪", "township")
    assert town.services.documents.library.get("prior_notice").version == COUNTY_VERSION


def test_a_file_the_county_removes_or_changes_follows_at_the_town(
    town: Side, any_county: Side, out: Path, tmp_path: Path
) -> None:
    county = any_county
    pair(town, county)
    first = pack_folder(
        tmp_path,
        "first",
        {
            "filing_approval.toml": county_form("filing_approval.toml"),
            "prior_notice.toml": county_form("prior_notice.toml"),
        },
    )
    county.services.form_packs.replace_from_folder(county.admin, first)
    _send(county, town, out)
    assert set(_pack_rows(town)) == {"filing_approval.toml", "prior_notice.toml"}

    # The same folder again changes nothing and writes no event.
    with county.store.read() as session:
        before = session.execute(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
    again = county.services.form_packs.replace_from_folder(county.admin, first)
    assert again.changes == 0 and len(again.unchanged) == 2
    with county.store.read() as session:
        after = session.execute(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
    assert after == before

    second = pack_folder(
        tmp_path,
        "second",
        {"filing_approval.toml": county_form("filing_approval.toml", "2026.2-临溪", "（临溪县2026年第2版）")},
    )
    change = county.services.form_packs.replace_from_folder(county.admin, second)
    assert change.changed == ("filing_approval.toml",) and change.removed == ("prior_notice.toml",)
    assert _pack_rows(county)["filing_approval.toml"][1] == 2
    with county.store.read() as session:
        removal = session.execute(
            select(AuditEvent).where(AuditEvent.action == "forms.pack.remove")
        ).scalar_one()
    assert removal.entity_id == "prior_notice.toml"

    result = _send(county, town, out)
    assert result.counts["form_file"] == {"created": 0, "updated": 2, "skipped": 0, "refused": 0}  # type: ignore[attr-defined]
    assert _pack_rows(town) == _pack_rows(county)
    library = town.services.documents.library
    assert library.get("filing_approval").version == "2026.2-临溪"
    assert library.get("prior_notice").origin == "program"  # back to the program's form

    # Cleared at the county: the next bundle clears the township's copy too.
    assert county.services.form_packs.clear(county.admin) == 1
    assert county.services.form_packs.clear(county.admin) == 0
    result = _send(county, town, out)
    assert _pack_rows(town) == {}
    assert town.services.documents.library.get("filing_approval").origin == "program"
    # Set again after clearing: the file starts at revision 1, and still replaces the town's copy.
    county.services.form_packs.replace_from_folder(county.admin, first)
    _send(county, town, out)
    assert _pack_rows(town) == _pack_rows(county)
    assert town.services.documents.library.get("filing_approval").version == COUNTY_VERSION


# --- bad packs -------------------------------------------------------------------------------------

BROKEN_FORM = county_form("prior_notice.toml").replace("{statement_period}", "{statement_periode}", 1)
BAD_PACKS: list[tuple[str, dict[str, str | bytes], str, str]] = [
    ("not toml", {"README.txt": "说明"}, "README.txt", ".toml"),
    (
        "GBK text",
        {"filing_approval.toml": county_form("filing_approval.toml").encode("gbk")},
        "filing_approval.toml",
        "UTF-8",
    ),
    ("too large", {"big.toml": "# " + "x" * MAX_FILE_BYTES}, "big.toml", "KB"),
    ("TOML syntax", {"broken.toml": 'id = "broken\n'}, "broken.toml", "TOML 语法错误"),
    ("unknown placeholder", {"prior_notice.toml": BROKEN_FORM}, "prior_notice.toml", "{statement_periode}"),
    (
        "same version as the program",
        {"filing_approval.toml": county_form("filing_approval.toml", "2026.1")},
        "filing_approval.toml",
        "版本号 2026.1 与程序自带的相同",
    ),
    (
        "shared field the program's forms need",
        {"_common.toml": '[fields.party]\nlabel = "当事人"\ntype = "text"\nsource = "party.name"\n'},
        "_common.toml",
        "程序自带的",
    ),
    ("other underscore file", {"_notes.toml": ""}, "_notes.toml", "_common.toml"),
    (
        "bad file name",
        {"立案审批表.toml": county_form("filing_approval.toml")},
        "立案审批表.toml",
        "英文字母",
    ),
]


def test_bad_packs_are_refused_at_the_county_with_the_file_named_and_nothing_written(
    county: Side, town: Side, tmp_path: Path
) -> None:
    good = pack_folder(tmp_path, "good", {"filing_approval.toml": county_form("filing_approval.toml")})
    county.services.form_packs.replace_from_folder(county.admin, good)
    for n, (label, files, culprit, says) in enumerate(BAD_PACKS):
        # Each bad file beside a good one: the whole folder is refused.
        folder = pack_folder(
            tmp_path, f"bad-{n}", {"prior_notice.toml": county_form("prior_notice.toml"), **files}
        )
        before = store_digest(county.store)
        with pytest.raises(ValidationError) as info:
            county.services.form_packs.replace_from_folder(county.admin, folder)
        named = [e.message for e in info.value.errors if e.field == culprit]
        assert any(says in m for m in named), (label, info.value.message)
        assert store_digest(county.store) == before, label
    assert set(_pack_rows(county)) == {"filing_approval.toml"}

    with pytest.raises(ValidationError, match="不存在或不是文件夹"):
        county.services.form_packs.replace_from_folder(county.admin, tmp_path / "nowhere")
    with pytest.raises(ValidationError, match="没有文件"):
        county.services.form_packs.replace_from_folder(county.admin, pack_folder(tmp_path, "empty", {}))
    # Only an admin sets the pack; a township never does (it receives the county's).
    clerk = Actor("c", "clerk", "周内勤", frozenset({Role.CLERK}))
    with pytest.raises(PermissionDenied, match="无权维护基础数据"):
        county.services.form_packs.replace_from_folder(clerk, good)
    before = store_digest(town.store)
    with pytest.raises(RuleViolation, match="县级存储"):
        town.services.form_packs.replace_from_folder(town.admin, good)
    with pytest.raises(RuleViolation, match="县级存储"):
        town.services.form_packs.clear(town.admin)
    assert store_digest(town.store) == before


def test_pack_file_checks() -> None:
    assert name_problem("penalty_decision.toml") is None and name_problem("_common.toml") is None
    assert name_problem("a.TOML") and name_problem("../x.toml") and name_problem("x" * 80 + ".toml")
    text, problem = decode("\ufeffid = 1".encode())
    assert (text, problem) == ("id = 1", None)  # a byte-order mark (Notepad) is dropped
    assert decode(b"a\x00b")[1] and decode(b"\xb2\xe2")[1]
    assert check_pack([]) == []
    assert check_pack([PackFile("x.toml", ""), PackFile("x.toml", "")])[0] == ("x.toml", "文件名重复")
    # A form the program does not have is a new document type: allowed.
    new = county_form("filing_approval.toml").replace('id = "filing_approval"', 'id = "county_filing"', 1)
    assert check_pack([PackFile("county_filing.toml", new)]) == []
    assert "county_filing" in FormLibrary(county_pack={"county_filing.toml": new})


# --- at the township: a bad pack is quarantined, the old one kept -------------------------------


def test_a_bad_pack_arriving_at_a_town_is_quarantined_and_the_old_pack_kept(
    town: Side, county: Side, out: Path, tmp_path: Path
) -> None:
    pair(town, county)
    good = pack_folder(tmp_path, "good", {"filing_approval.toml": county_form("filing_approval.toml")})
    county.services.form_packs.replace_from_folder(county.admin, good)
    _send(county, town, out)
    kept = _pack_rows(town)

    newer = pack_folder(
        tmp_path,
        "newer",
        {
            "filing_approval.toml": county_form("filing_approval.toml", "2026.2-临溪"),
            "prior_notice.toml": county_form("prior_notice.toml"),
        },
    )
    county.services.form_packs.replace_from_folder(county.admin, newer)

    def break_one(streams: dict[str, list[dict[str, object]]]) -> None:
        # Valid records (hash matches the text), but the form no longer loads.
        for line in streams["form_file"]:
            data = line["data"]
            assert isinstance(data, dict)
            if data["file_name"] == "prior_notice.toml":
                data["content"] = BROKEN_FORM
                data["sha256"] = sha256_hex(BROKEN_FORM.encode("utf-8"))

    [back] = county.sync.export(county.admin, out)
    bad = rewrite_bundle(back.path, county, tmp_path / "bad-pack.bdbundle", break_one)
    result = town.sync.import_bundle(town.admin, bad)
    assert result.status == "applied"  # the rest of the county's data is taken
    refused = {r.record_id: r.reason for r in result.refusals if r.record_type == "form_file"}
    assert set(refused) == {"filing_approval.toml", "prior_notice.toml"}  # the pack is judged whole
    assert all("prior_notice.toml" in r and "{statement_periode}" in r for r in refused.values())
    assert all("继续使用原有" in r for r in refused.values())
    assert _pack_rows(town) == kept
    assert town.services.documents.library.get("filing_approval").version == COUNTY_VERSION
    with town.store.read() as session:
        quarantined = {
            q.record_id
            for q in session.execute(
                select(SyncQuarantine).where(SyncQuarantine.record_type == "form_file")
            ).scalars()
        }
    assert quarantined == set(refused)

    # A text that does not match its hash is refused the same way.
    def mismatch(streams: dict[str, list[dict[str, object]]]) -> None:
        data = streams["form_file"][0]["data"]
        assert isinstance(data, dict)
        data["content"] = str(data["content"]) + "\n# 改动\n"

    [back2] = county.sync.export(county.admin, out)
    result = town.sync.import_bundle(
        town.admin, rewrite_bundle(back2.path, county, tmp_path / "mismatch.bdbundle", mismatch)
    )
    assert any("SHA-256 不符" in r.reason for r in result.refusals if r.record_type == "form_file")
    assert _pack_rows(town) == kept

    # The county's next, untouched bundle is taken.
    _send(county, town, out)
    assert _pack_rows(town) == _pack_rows(county)
    assert town.services.documents.library.get("filing_approval").version == "2026.2-临溪"


def test_a_township_cannot_send_form_files(town: Side, county: Side, out: Path, tmp_path: Path) -> None:
    pair(town, county)
    demo(town, 2)
    county.services.form_packs.replace_from_folder(
        county.admin,
        pack_folder(tmp_path, "pack", {"filing_approval.toml": county_form("filing_approval.toml")}),
    )
    [back] = county.sync.export(county.admin, out)
    form_line = lines_of(back.path, "form_file")[0]
    [sent] = town.sync.export(town.admin, out)

    def smuggle(streams: dict[str, list[dict[str, object]]]) -> None:
        streams["form_file"] = [{**form_line, "data": {**form_line["data"], "content": "# 乡镇改的"}}]

    bad = rewrite_bundle(sent.path, town, tmp_path / "town-forms.bdbundle", smuggle)
    before = store_digest(county.store)
    with pytest.raises(BundleRefused) as info:
        county.sync.import_bundle(county.admin, bad)
    assert info.value.code == "type_not_allowed" and "文书格式" in info.value.message
    assert store_digest(county.store) == before
    # The untouched bundle still imports.
    assert county.sync.import_bundle(county.admin, sent.path).status == "applied"


# --- the command line ------------------------------------------------------------------------------


def run(data_dir: Path, *args: str) -> int:
    return cli(["--data-dir", str(data_dir), *args])


def test_pack_commands(county: Side, town: Side, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = pack_folder(
        tmp_path,
        "good",
        {"filing_approval.toml": county_form("filing_approval.toml"), "_common.toml": "[fields]\n"},
    )
    assert run(county.data_dir, "forms", "pack", "show") == 0
    assert "尚未设定" in capsys.readouterr().out
    assert run(county.data_dir, "forms", "pack", "import", str(good)) == 0
    assert "加入 2 个" in capsys.readouterr().out
    assert run(county.data_dir, "forms", "pack", "import", str(good)) == 0
    assert "未改变" in capsys.readouterr().out
    assert run(county.data_dir, "forms", "pack", "show") == 0
    listing = capsys.readouterr().out
    assert f"filing_approval@{COUNTY_VERSION}" in listing and "共用字段" in listing
    assert run(county.data_dir, "forms", "pack", "show", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert [f["file_name"] for f in shown["files"]] == ["_common.toml", "filing_approval.toml"]
    assert run(county.data_dir, "forms", "list") == 0
    assert "县级版本" in capsys.readouterr().out
    assert run(county.data_dir, "forms", "check") == 0
    assert "县级文书格式包 2 个文件" in capsys.readouterr().out
    with county.store.read() as session:
        actors = set(
            session.execute(
                select(AuditEvent.actor_name).where(AuditEvent.action == "forms.pack.set")
            ).scalars()
        )
    assert all(a.startswith("命令行") for a in actors)

    # Bad input: exit 2, the file named, nothing written.
    bad = pack_folder(tmp_path, "bad", {"filing_approval.toml": "id = ", "notes.txt": "x"})
    before = store_digest(county.store)
    assert run(county.data_dir, "forms", "pack", "import", str(bad)) == 2
    err = capsys.readouterr().err
    assert "notes.txt" in err and "错误" in err
    assert run(county.data_dir, "forms", "pack", "import", str(tmp_path / "nowhere")) == 2
    assert "文件夹" in capsys.readouterr().err
    assert store_digest(county.store) == before
    assert run(town.data_dir, "forms", "pack", "import", str(good)) == 2
    assert "县级存储" in capsys.readouterr().err

    assert run(county.data_dir, "forms", "pack", "clear") == 0
    assert "已清空" in capsys.readouterr().out
    assert _pack_rows(county) == {}


def test_a_stored_pack_that_no_longer_loads_is_set_aside_with_the_reason(town: Side) -> None:
    """The pack was checked when it arrived, but the township's own forms can clash with it (or a
    newer program no longer take it): documents fall back to the forms without the pack, a warning
    is logged, and `forms pack show` says why."""
    from datetime import UTC, datetime

    common = '[fields.county_fee]\nlabel = "县定收费"\ntype = "money"\nsource = "input.county_fee"\n'
    form = county_form("filing_approval.toml").replace(
        "[[body]]", '[[body]]\ntype = "paragraph"\ntext = "收费：{county_fee|大写}"\n\n[[body]]', 1
    )
    pack = {"_common.toml": common, "filing_approval.toml": form}
    assert check_pack([PackFile(n, t) for n, t in pack.items()]) == []
    with town.store.write() as session:
        for name, text in pack.items():
            session.add(
                CountyFormFile(
                    file_name=name,
                    content=text,
                    sha256=sha256_hex(text.encode("utf-8")),
                    version=1,
                    updated_at=datetime(2026, 3, 1, tzinfo=UTC),
                    updated_by="县管理员",
                )
            )
    assert town.services.documents.library.get("filing_approval").version == COUNTY_VERSION
    assert not town.services.form_packs.show(town.admin).problems

    # The township's own _common.toml makes the same field text: the county's form no longer loads.
    own = town.data_dir / "forms"
    own.mkdir()
    (own / "_common.toml").write_text(common.replace('"money"', '"text"'), encoding="utf-8")
    assert town.services.documents.library.get("filing_approval").origin == "program"
    problems = town.services.form_packs.show(town.admin).problems
    assert problems and "一起载入时出错" in problems[0] and "大写" in problems[0]
