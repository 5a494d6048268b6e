"""`brigade-desk discretion`: the bare form and `eval` alike, JSON output, the starter on a fresh
machine, import (dry run, bad file: exit 2 and nothing written), export and list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from brigade_desk.cli import build_parser
from brigade_desk.cli import main as cli
from brigade_desk.core.rules.discretion import PUBLISHED_EXAMPLE_FILE
from tests.core.test_discretion_format import FIRST, ITEM, TIERS, make_csv

INIT = [
    "init",
    "--town",
    "青溪镇人民政府",
    "--area-code",
    "330185",
    "--prefix",
    "青综执",
    "--admin",
    "admin",
    "--admin-password",
    "Admin12345",
]


def run(data_dir: Path, *args: str) -> int:
    return cli(["--data-dir", str(data_dir), *args])


@pytest.fixture
def home(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "home"
    assert run(path, *INIT) == 0
    capsys.readouterr()
    return path


def versions(home: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    assert run(home, "discretion", "list", "--json") == 0
    return list(json.loads(capsys.readouterr().out))


def test_bare_form_and_eval_parse_to_the_same_options() -> None:
    parser = build_parser()
    bare = parser.parse_args(
        ["discretion", "--item", "X", "--fact", "及时改正", "--party-priors", "2", "--json"]
    )
    spelled = parser.parse_args(
        ["discretion", "eval", "--item", "X", "--fact", "及时改正", "--party-priors", "2", "--json"]
    )
    for name in ("item", "fact", "party_priors", "json", "quantity", "date"):
        assert getattr(bare, name) == getattr(spelled, name), name
    assert bare.discretion_command is None and spelled.discretion_command == "eval"
    imported = parser.parse_args(["discretion", "import", "f.csv", "--dry-run"])
    assert imported.discretion_command == "import" and imported.dry_run and imported.file == Path("f.csv")


@pytest.mark.parametrize("spelling", [[], ["eval"]])
def test_json_from_the_starter_on_a_fresh_machine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spelling: list[str]
) -> None:
    home = tmp_path / "fresh"
    argv = [
        "discretion",
        *spelling,
        "--item",
        "DL-27-1",
        "--date",
        "2025-09-20",
        "--fact",
        "阻碍执法",
        "--json",
    ]
    assert run(home, *argv) == 0
    out = capsys.readouterr()
    result = json.loads(out.out)
    assert (result["tier_label"], result["recommended_fen"]) == ("从重", 16_000_00)
    assert result["inputs"]["facts"] == {"obstructed_officers": True}
    assert "初始裁量基准" in out.err
    assert not home.exists()  # nothing was created


def test_facts_quantities_and_priors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "fresh"
    base = ["discretion", "--item", "DL-27-1", "--date", "2025-09-20", "--json"]
    assert run(home, *base, "--fact", "及时改正=是", "--fact", "阻碍执法=否") == 0
    assert json.loads(capsys.readouterr().out)["tier_label"] == "从轻"
    assert run(home, *base, "--party-priors", "1") == 0
    assert json.loads(capsys.readouterr().out)["prior_penalty_count"] == 1
    assert run(home, *base, "--quantity", "面积=120") == 0
    assert json.loads(capsys.readouterr().out)["tier_label"] == "从重"
    assert run(home, "discretion", "--item", "GH-64", "--quantity", "工程造价=1,000,000", "--json") == 0
    assert json.loads(capsys.readouterr().out)["recommended_fen"] == 75_000_00


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--item", "NOPE-1"], "没有事项编码为“NOPE-1”"),
        (["--item", "DL-27-1", "--fact", "飞行"], "未知的情节“飞行”"),
        (["--item", "DL-27-1", "--fact", "及时改正=也许"], "应为 是 或 否"),
        (["--item", "DL-27-1", "--quantity", "面积"], "名称=数值"),
        (["--item", "GH-64"], "工程造价"),
        ([], "--item"),
    ],
)
def test_bad_evaluation_input_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    assert run(tmp_path / "fresh", "discretion", *args) == 2
    err = capsys.readouterr().err
    assert "错误：" in err and words in err


def test_import_dry_run_then_import_then_evaluate_from_the_store(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(home, "discretion", "import", str(PUBLISHED_EXAMPLE_FILE), "--dry-run") == 0
    assert "检查通过" in capsys.readouterr().out
    assert len(versions(home, capsys)) == 1  # the starter only: nothing written
    assert run(home, "discretion", "import", str(PUBLISHED_EXAMPLE_FILE)) == 0
    assert "已导入" in capsys.readouterr().out
    assert {v["series"] for v in versions(home, capsys)} == {"STARTER-TOWNSHIP", "SZ-CG-2023"}
    day = ["--date", "2024-06-01", "--json"]
    amounts = []
    for priors in ("0", "1", "2"):
        assert run(home, "discretion", "--item", "sz_cg_2023_002", "--party-priors", priors, *day) == 0
        amounts.append(json.loads(capsys.readouterr().out)["recommended_fen"])
    assert amounts == [1000_00, 3000_00, 5000_00]
    # --benchmark restricts the series.
    assert run(home, "discretion", "--item", "DL-27-1", "--benchmark", "SZ-CG-2023", *day) == 2
    assert "SZ-CG-2023" in capsys.readouterr().err


def test_bad_file_exits_2_with_row_level_messages_and_writes_nothing(
    home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    rows = [{**ITEM, **TIERS[0], "法定上限": "abc"}, {"事项编码": "LJ-1", **TIERS[1]}]
    bad.write_text(make_csv(rows), encoding="utf-8")
    for extra in (["--dry-run"], []):
        assert run(home, "discretion", "import", str(bad), *extra) == 2
        err = capsys.readouterr().err
        assert f"错误：第{FIRST}行【法定上限】" in err and "未导入任何内容" in err
    assert len(versions(home, capsys)) == 1
    assert run(home, "discretion", "import", str(bad), "--json") == 2
    report = json.loads(capsys.readouterr().out)
    assert not report["ok"] and {"row": FIRST, "column": "法定上限"}.items() <= report["errors"][0].items()
    assert run(home, "discretion", "import", str(tmp_path / "missing.csv")) == 2
    assert "无法读取" in capsys.readouterr().err


def test_export_writes_the_exchange_format(
    home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(home, "discretion", "import", str(PUBLISHED_EXAMPLE_FILE)) == 0
    out = tmp_path / "sz.csv"
    assert run(home, "discretion", "export", "--benchmark", "SZ-CG-2023@1", "-o", str(out)) == 0
    assert "已导出" in capsys.readouterr().out
    assert out.read_bytes() == PUBLISHED_EXAMPLE_FILE.read_bytes()
    assert run(home, "discretion", "export", "--benchmark", "nope", "-o", str(out)) == 2
    assert "没有找到裁量基准版本" in capsys.readouterr().err


def test_import_needs_an_initialised_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tmp_path / "fresh", "discretion", "import", str(PUBLISHED_EXAMPLE_FILE)) == 2
    assert "尚未初始化" in capsys.readouterr().err
