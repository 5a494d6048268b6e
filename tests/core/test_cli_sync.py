"""The command line for bundles: init --county, peers from cards, export, verify, import, status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from brigade_desk.cli import main as cli

TOWN = ["init", "--town", "青溪镇人民政府", "--area-code", "330185", "--prefix", "青综执", "--admin", "admin"]
COUNTY = ["init", "--county", "--town", "临溪县人民政府", "--area-code", "330100", "--admin", "admin"]
PASSWORD = ["--admin-password", "Admin12345"]


def run(data_dir: Path, *args: str) -> int:
    return cli(["--data-dir", str(data_dir), *args])


@pytest.fixture
def homes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path, Path]:
    town, county, usb = tmp_path / "town", tmp_path / "county", tmp_path / "usb"
    usb.mkdir()
    assert run(town, *TOWN, *PASSWORD) == 0
    assert run(county, *COUNTY, *PASSWORD) == 0
    assert run(town, "peers", "key", "-o", str(tmp_path / "town.card")) == 0
    assert run(county, "peers", "key", "-o", str(tmp_path / "county.card")) == 0
    assert run(county, "peers", "add", "--card", str(tmp_path / "town.card"), "--yes") == 0
    assert run(town, "peers", "add", "--card", str(tmp_path / "county.card"), "--yes") == 0
    capsys.readouterr()
    return town, county, usb


def test_a_round_trip_on_the_command_line(
    homes: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    town, county, usb = homes
    assert run(town, "demo", "--cases", "15") == 0
    assert run(town, "bundle", "export", "-o", str(usb)) == 0
    assert "已导出第 1 号数据包" in capsys.readouterr().out
    [bundle] = list(usb.glob("*.bdbundle"))
    assert run(county, "bundle", "verify", str(bundle)) == 0
    assert "校验通过" in capsys.readouterr().out
    assert run(county, "bundle", "import", str(bundle), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "试导入完成" in out and "案件" in out
    assert run(county, "bundle", "import", str(bundle), "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "applied" and result["counts"]["case"]["created"] == 15
    assert run(county, "county", "overview", "--json") == 0
    overview = json.loads(capsys.readouterr().out)
    assert overview["townships"][0]["cases"] == 15
    assert run(county, "county", "cases", "330185") == 0
    assert run(county, "bundle", "export", "-o", str(usb)) == 0
    assert "含回执 1 份" in capsys.readouterr().out
    back = usb / "bd-330100-to-330185-00001.bdbundle"
    assert run(town, "bundle", "import", str(back)) == 0
    assert run(town, "bundle", "status") == 0
    assert "对方已回执" in capsys.readouterr().out
    assert run(town, "bundle", "status", "--json") == 0
    status = json.loads(capsys.readouterr().out)
    assert status["sent"][0]["status"] == "acknowledged"
    assert run(county, "bundle", "quarantine") == 0
    assert "隔离区为空" in capsys.readouterr().out


def test_bad_bundle_exit_codes_and_nothing_written(
    homes: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _town, county, usb = homes
    bad = usb / "bad.bdbundle"
    bad.write_bytes(b"not a bundle at all")
    assert run(county, "bundle", "verify", str(bad)) == 1
    assert "校验未通过" in capsys.readouterr().err
    assert run(county, "bundle", "import", str(bad)) == 2
    assert "已损坏或不完整" in capsys.readouterr().err


def test_peer_registration_needs_confirmation_when_not_interactive(
    tmp_path: Path, homes: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    town, _county, _usb = homes
    assert run(town, "peers", "add", "--card", str(tmp_path / "county.card")) == 2
    assert "--yes" in capsys.readouterr().err
    assert run(town, "peers", "list", "--json") == 0
    assert len(json.loads(capsys.readouterr().out)) == 1


def test_county_init_without_prefix_and_town_needs_prefix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path / "t", *[a for a in TOWN if a not in ("--prefix", "青综执")], *PASSWORD) == 2
    assert "机关代字" in capsys.readouterr().err


def test_peer_key_replacement_on_the_command_line(
    tmp_path: Path, homes: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _town, county, _usb = homes
    card = tmp_path / "town.card"
    # The same key again, no reason, an unknown area, another area's card: refused, named, exit 2.
    assert run(county, "peers", "rekey", "330185", "--card", str(card), "--reason", "重装", "--yes") == 2
    assert "相同" in capsys.readouterr().err
    assert run(county, "peers", "rekey", "330185", "--card", str(card), "--yes") == 2
    assert "原因" in capsys.readouterr().err
    assert run(county, "peers", "rekey", "330185", "--reason", "重装", "--yes") == 2
    assert "--card" in capsys.readouterr().err
    assert run(county, "peers", "rekey", "330199", "--card", str(card), "--reason", "重装", "--yes") == 2
    assert "330185" in capsys.readouterr().err
    assert run(county, "peers", "rekey", "330185", "--public-key", "bad", "--reason", "重装") == 2
    assert "公钥" in capsys.readouterr().err
    assert run(county, "peers", "list", "--json") == 0
    [peer] = json.loads(capsys.readouterr().out)
    assert peer["public_key"] in card.read_text(encoding="utf-8")  # nothing was changed


def test_a_township_renews_its_key_and_the_county_registers_it(
    tmp_path: Path, homes: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    town, county, usb = homes
    assert run(town, "demo", "--cases", "3") == 0
    # The PC died and the secret file with it: the township cannot sign until it makes a new key.
    (town / "keys" / "organ-signing.secret").unlink()
    assert run(town, "bundle", "export", "-o", str(usb)) == 2
    assert "签名密钥文件" in capsys.readouterr().err
    assert run(town, "peers", "key", "--renew", "--yes") == 2  # a reason is required
    assert "原因" in capsys.readouterr().err
    new_card = tmp_path / "town-new.card"
    assert run(town, "peers", "key", "--renew", "--reason", "原电脑损坏", "--yes", "-o", str(new_card)) == 0
    capsys.readouterr()
    assert run(town, "bundle", "export", "-o", str(usb)) == 0
    [bundle] = list(usb.glob("*.bdbundle"))
    assert run(county, "bundle", "import", str(bundle)) == 2  # still the old key registered
    assert "签名验证失败" in capsys.readouterr().err
    assert (
        run(county, "peers", "rekey", "330185", "--card", str(new_card), "--reason", "乡镇换机", "--yes") == 0
    )
    assert run(county, "bundle", "import", str(bundle)) == 0
