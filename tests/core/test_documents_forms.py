"""Form definitions: every shipped form loads; mistakes are refused at load time with a clear message."""

from __future__ import annotations

import shutil
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from brigade_desk.core.documents import (
    FormDefinitionError,
    FormLibrary,
    FormNotFoundError,
    MissingFieldsError,
    ValueFormatError,
    build_layout,
    check_forms,
    default_forms_dir,
    format_doc_number,
    free_fields,
    missing_required,
    parse_form,
    source_paths,
)
from brigade_desk.core.documents._money import amount_in_capitals, format_yuan
from brigade_desk.core.documents.loader import COMMON_FILE, load_common
from brigade_desk.core.documents.samples import sample_data
from brigade_desk.core.documents.values import format_date

REQUIRED_FORMS = {
    "filing_approval",
    "inspection_record",
    "inquiry_record",
    "rectification_notice",
    "prior_notice",
    "penalty_decision",
    "delivery_receipt",
}


@pytest.fixture(scope="module")
def library() -> FormLibrary:
    return FormLibrary()


@pytest.fixture(scope="module")
def common() -> dict[str, Any]:
    return load_common([default_forms_dir() / COMMON_FILE])


def minimal(**extra: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": "demo",
        "version": "1",
        "title": "演示文书",
        "doc_code": "演",
        "body": [{"type": "title"}, {"type": "paragraph", "text": "当事人：{party_name}"}],
    }
    raw.update(extra)
    return raw


# ----------------------------------------------------------------------------- shipped forms


def test_every_shipped_form_loads_and_validates(library: FormLibrary) -> None:
    assert set(library.ids()) >= REQUIRED_FORMS
    assert check_forms() == []
    for path in sorted(default_forms_dir().glob("*.toml")):
        if path.name.startswith("_"):
            continue
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
        assert raw["id"] in library.ids(), path.name
    for form in library.forms():
        assert form.version and form.title and form.step
        assert form.ref == f"{form.id}@{form.version}"
        assert not form.overridden
        assert len(form.block_refs) == len(form.body)


def test_outward_decisions_name_the_remedy_organs(library: FormLibrary) -> None:
    for form_id in ("penalty_decision", "rectification_notice"):
        form = library.get(form_id)
        assert "reconsideration_organ" in form.fields
        assert "court" in form.fields
        assert form.fields["reconsideration_organ"].required
        assert form.fields["court"].required


def test_records_carry_a_confirmation_on_every_page(library: FormLibrary) -> None:
    for form in library.forms():
        if form.kind == "record":
            assert "记录属实" in form.page.note, form.id


def test_unknown_form_id(library: FormLibrary) -> None:
    with pytest.raises(FormNotFoundError, match="no_such_form"):
        library.get("no_such_form")


# ----------------------------------------------------------------------------- validation


def test_unknown_placeholder_is_rejected_with_a_clear_message(common: dict[str, Any]) -> None:
    raw = minimal(body=[{"type": "paragraph", "text": "罚款{fine_amount}元，当事人{party_nmae}"}])
    with pytest.raises(FormDefinitionError) as err:
        parse_form(raw, "forms/demo.toml", common)
    msg = err.value.message
    assert "forms/demo.toml" in msg
    assert "未定义的占位符 {fine_amount}" in msg
    assert "未定义的占位符 {party_nmae}" in msg
    assert "正文第1块（段落）" in msg


def test_unknown_placeholder_in_a_table_cell_and_page_note(common: dict[str, Any]) -> None:
    raw = minimal(
        page={"note": "以上属实{signer}"},
        body=[{"type": "kv_table", "columns": [1, 3], "rows": [["案件编号", "{case_numbr}"]]}],
    )
    with pytest.raises(FormDefinitionError) as err:
        parse_form(raw, "x.toml", common)
    assert any("{case_numbr}" in p for p in err.value.problems)
    assert any("{signer}" in p for p in err.value.problems)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (minimal(body=[{"type": "paragraph", "text": "{filing_date|大写}"}]), "不适用于date类字段"),
        (minimal(body=[{"type": "chart"}]), "类型 'chart' 未知"),
        (minimal(body=[{"type": "paragraph", "txt": "x"}]), "未知的键：txt"),
        (minimal(body=[{"type": "paragraph", "text": "当事人{party_name"}]), "没有对应的"),
        (
            minimal(body=[{"type": "kv_table", "columns": [1, 2, 1, 2], "rows": [["案由", "{case_cause}"]]}]),
            "共占 2 列，与 columns 的 4 列不符",
        ),
        (minimal(fields={"extra": {"label": "多余"}}), "字段 extra 已定义但正文没有使用"),
        (minimal(kind="record"), "记录属实"),
        (minimal(number_pattern="{机关代字}{文种}〔{年}〕{序号}号"), "{文种} 未知"),
        (minimal(doc_code=""), "doc_code"),
        (minimal(fields={"x": {"label": "x", "type": "choice"}}), "需要 options"),
        (
            minimal(body=[{"type": "paragraph", "text": "{party_name}", "when": "nothing"}]),
            "未定义的字段 nothing",
        ),
        (
            minimal(
                body=[{"type": "table", "field": "evidence", "columns": [{"header": "名称", "key": "nm"}]}]
            ),
            "key = nm",
        ),
        (minimal(version=""), "version"),
    ],
)
def test_definition_mistakes_are_reported(raw: dict[str, Any], expected: str, common: dict[str, Any]) -> None:
    with pytest.raises(FormDefinitionError) as err:
        parse_form(raw, "demo.toml", common)
    assert expected in err.value.message


def test_all_problems_of_a_file_are_reported_at_once(common: dict[str, Any]) -> None:
    raw = minimal(
        body=[{"type": "paragraph", "text": "{a}{b}"}, {"type": "heading", "text": "{c}"}],
    )
    with pytest.raises(FormDefinitionError) as err:
        parse_form(raw, "demo.toml", common)
    assert len(err.value.problems) == 3


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    shutil.copy(default_forms_dir() / COMMON_FILE, tmp_path / COMMON_FILE)
    (tmp_path / "broken.toml").write_text('id = "broken\n', encoding="utf-8")
    with pytest.raises(FormDefinitionError, match=r"broken\.toml.*TOML 语法错误"):
        FormLibrary(tmp_path)


# ----------------------------------------------------------------------------- overrides


def test_township_override_shadows_by_id(tmp_path: Path) -> None:
    override = tmp_path / "town"
    override.mkdir()
    text = (default_forms_dir() / "penalty_decision.toml").read_text(encoding="utf-8")
    text = text.replace('version = "2026.1"', 'version = "2026.1-青石"', 1)
    text = text.replace("本决定书一式两份", "本决定书一式三份")
    (override / "my_decision.toml").write_text(text, encoding="utf-8")
    lib = FormLibrary(override_dir=override)
    form = lib.get("penalty_decision")
    assert form.version == "2026.1-青石"
    assert form.overridden
    assert lib.get("prior_notice").version == "2026.1"
    layout = build_layout(form, sample_data())
    assert layout.form_version == "2026.1-青石"
    assert any("一式三份" in line for line in layout.text_lines())


def test_override_common_fields_shadow_by_name(tmp_path: Path) -> None:
    override = tmp_path / "town"
    override.mkdir()
    (override / COMMON_FILE).write_text(
        '[fields.court]\nlabel = "管辖法院（铁路运输法院）"\nsource = "organ.court"\nrequired = true\n',
        encoding="utf-8",
    )
    lib = FormLibrary(override_dir=override)
    assert lib.get("penalty_decision").fields["court"].label == "管辖法院（铁路运输法院）"


def test_duplicate_ids_in_one_directory_are_refused(tmp_path: Path) -> None:
    for name in (COMMON_FILE, "prior_notice.toml"):
        shutil.copy(default_forms_dir() / name, tmp_path / name)
    shutil.copy(default_forms_dir() / "prior_notice.toml", tmp_path / "prior_notice_copy.toml")
    with pytest.raises(FormDefinitionError, match="重复"):
        FormLibrary(tmp_path)


# ----------------------------------------------------------------------------- required data


def test_missing_required_gives_one_full_chinese_list(library: FormLibrary) -> None:
    form = library.get("penalty_decision")
    missing = missing_required(form, {})
    for label in (
        "当事人",
        "案件编号",
        "违法事实",
        "违反的法律条款",
        "处罚依据",
        "行政复议机关（县级人民政府）",
    ):
        assert label in missing, label
    assert "文书编号" in missing
    assert len(missing) == len(set(missing))
    with pytest.raises(MissingFieldsError) as err:
        build_layout(form, {})
    assert err.value.message.startswith("生成《行政处罚决定书》还需填写：")
    assert err.value.missing == missing


def test_draft_does_not_need_the_number(library: FormLibrary) -> None:
    form = library.get("penalty_decision")
    data = sample_data()
    del data["doc"]["number"]
    assert missing_required(form, data) == ["文书编号"]
    assert missing_required(form, data, draft=True) == []
    layout = build_layout(form, data, draft=True)
    assert any("签发时生成文号" in line for line in layout.text_lines())


def test_party_sub_items_and_list_items_are_listed(library: FormLibrary) -> None:
    form = library.get("penalty_decision")
    data = sample_data()
    data["party"] = {"kind": "legal_person", "name": "青石玥珺建材有限公司", "address": ""}
    data["officers"] = [{"name": "赵昇", "certificate_no": ""}, {"name": "钱瑄", "certificate_no": "1"}]
    missing = missing_required(form, data)
    assert "当事人统一社会信用代码" in missing
    assert "当事人法定代表人" in missing
    assert "当事人住所" in missing
    assert "执法人员第1项的执法证号" in missing


def test_conditional_requirements(library: FormLibrary) -> None:
    form = library.get("penalty_decision")
    data = sample_data()
    data["decision"]["payment_place"] = ""
    assert "罚款缴纳银行或缴款渠道" in missing_required(form, data)
    data["decision"]["fine_fen"] = None  # no fine: no payment place needed
    assert "罚款缴纳银行或缴款渠道" not in missing_required(form, data)

    receipt = library.get("delivery_receipt")
    data = sample_data()
    assert missing_required(receipt, data) == []
    data["delivery"]["mode"] = "留置送达"
    missing = missing_required(receipt, data)
    assert "拒收事由" in missing and "见证人" in missing


def test_allow_missing_renders_blanks_and_lists_them(library: FormLibrary) -> None:
    form = library.get("prior_notice")
    layout = build_layout(form, {"organ": sample_data()["organ"]}, allow_missing=True, draft=True)
    assert "当事人" in layout.missing
    assert layout.organ_name == "青石镇人民政府"


def test_wrong_value_types_are_refused(library: FormLibrary) -> None:
    form = library.get("penalty_decision")
    data = sample_data()
    data["decision"]["fine_fen"] = 2000.0
    with pytest.raises(ValueFormatError, match="以分为单位的整数"):
        build_layout(form, data)
    data = sample_data()
    data["case"]["filing_date"] = "2026-13-45"
    with pytest.raises(ValueFormatError, match="立案日期"):
        build_layout(form, data)
    data = sample_data()
    data["case"]["source"] = "路过"
    with pytest.raises(ValueFormatError, match="不是可选项"):
        build_layout(library.get("filing_approval"), data)


def test_free_fields_and_source_paths(library: FormLibrary) -> None:
    paths = {sp.path: sp for sp in source_paths(library.forms())}
    assert "party.name" in paths and "case.case_number" in paths and "organ.court" in paths
    assert "penalty_decision" in paths["decision.fine_fen"].forms
    raw = minimal(
        fields={"remark": {"label": "备注"}},
        body=[{"type": "paragraph", "text": "{party_name}{remark}"}],
    )
    form = parse_form(raw, "demo.toml", load_common([default_forms_dir() / COMMON_FILE]))
    assert [f.name for f in free_fields(form)] == ["remark"]
    assert form.fields["remark"].source == "input.remark"
    data = sample_data()
    data["input"] = {"remark": "请于工作日上午到场"}
    assert "请于工作日上午到场" in "".join(build_layout(form, data).text_lines())


# ----------------------------------------------------------------------------- numbers, money, dates


def test_doc_number_pattern(library: FormLibrary) -> None:
    form = library.get("penalty_decision")
    assert (
        format_doc_number(form, organ_code="青石综执", year=2026, serial=8) == "青石综执罚决字〔2026〕第8号"
    )
    raw = minimal(number_pattern="{机关代字}{文书代字}〔{年}〕{序号|3}号")
    padded = parse_form(raw, "demo.toml", load_common([default_forms_dir() / COMMON_FILE]))
    assert format_doc_number(padded, organ_code="青石", year=2026, serial=7) == "青石演〔2026〕007号"


@pytest.mark.parametrize(
    ("fen", "capitals", "figures"),
    [
        (0, "零元整", "0.00元"),
        (50, "伍角整", "0.50元"),
        (1005, "壹拾元零伍分", "10.05元"),
        (200000, "贰仟元整", "2,000.00元"),
        (100050, "壹仟元伍角整", "1,000.50元"),
        (1001000, "壹万零壹拾元整", "10,010.00元"),
        (10000100000, "壹亿零壹仟元整", "100,001,000.00元"),
        (123456789, "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分", "1,234,567.89元"),
    ],
)
def test_money_text(fen: int, capitals: str, figures: str) -> None:
    from brigade_desk.core.documents import values

    # the private stand-in and whatever the engine uses (the shared money rules when present) agree
    assert amount_in_capitals(fen) == values._amount_in_capitals(fen) == capitals
    assert format_yuan(fen) == values._format_yuan(fen) == figures


def test_dates_in_figures_and_in_chinese() -> None:
    assert format_date(date(2026, 11, 26)) == "2026年11月26日"
    assert format_date(date(2026, 1, 30), "中文") == "二〇二六年一月三十日"
    assert format_date(date(2026, 10, 1), "中文") == "二〇二六年十月一日"


def test_party_kinds_and_several_parties(library: FormLibrary) -> None:
    form = library.get("penalty_decision")
    data = sample_data()
    data["party"] = {
        "kind": "legal_person",
        "name": "青石玥珺建材有限公司",
        "credit_code": "91330100MA2AAAAA1X",
        "legal_representative": "周彧",
        "address": "青石镇工业园区8号",
    }
    lines = build_layout(form, data).text_lines()
    assert "当事人：青石玥珺建材有限公司" in lines
    assert "统一社会信用代码：91330100MA2AAAAA1X" in lines
    assert "法定代表人：周彧" in lines
    assert any(line.startswith("你单位的上述行为违反了") for line in lines)

    data["party"] = [
        {
            "kind": "个体工商户",
            "name": "吴镕",
            "trade_name": "青石赟祎小吃店",
            "id_number": "330102199001011234",
            "address": "青石镇人民路1号",
        },
        {"kind": "natural_person", "name": "郑燚", "id_number": "330102199202021234", "address": "青石镇2号"},
    ]
    lines = build_layout(form, data).text_lines()
    assert "当事人一：青石赟祎小吃店（个体工商户）" in lines
    assert "经营者：吴镕" in lines
    assert "当事人二：郑燚" in lines
    assert any(line.startswith("你的上述行为违反了") for line in lines)
    data["party"][1]["address"] = ""
    assert "当事人2住址" in missing_required(form, data)
