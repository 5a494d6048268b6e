"""The command line: init, users, refusals with clear messages and exit codes, nothing written on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from brigade_desk.cli import main as cli

INIT = ["init", "--town", "青溪镇人民政府", "--area-code", "330185", "--prefix", "青综执", "--admin", "admin"]


def run(data_dir: Path, *args: str) -> int:
    return cli(["--data-dir", str(data_dir), *args])


def test_init_then_users(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    assert run(home, *INIT, "--admin-password", "Admin12345") == 0
    assert "已初始化" in capsys.readouterr().out
    assert (
        run(
            home,
            "users",
            "add",
            "zhangsan",
            "--name",
            "张三",
            "--roles",
            "officer,clerk",
            "--password",
            "Passw0rd1",
            "--certificate-no",
            "ZJ12345678",
        )
        == 0
    )
    assert run(home, "users", "list", "--json") == 0
    users = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert {u["login"] for u in users} == {"admin", "zhangsan"}
    assert run(home, "users", "lock", "zhangsan") == 0
    assert run(home, "users", "unlock", "zhangsan") == 0
    assert run(home, "users", "passwd", "zhangsan", "--password", "NewPassw0rd") == 0
    assert run(home, *INIT, "--admin-password", "Admin12345") == 2
    assert "已完成初始化" in capsys.readouterr().err


def test_environment_variable_names_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIGADE_DESK_HOME", str(tmp_path / "env-home"))
    assert cli([*INIT, "--admin-password", "Admin12345"]) == 0
    assert (tmp_path / "env-home" / "brigade-desk.sqlite3").exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--area-code", "33018"], "行政区划代码"),
        (["--prefix", "XZ"], "机关代字"),
        (["--credit-code", "123"], "统一社会信用代码"),
        (["--admin", "Bad Name"], "登录名"),
    ],
)
def test_init_refuses_bad_input_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    home = tmp_path / "home"
    argv = list(INIT)
    for flag, value in zip(args[::2], args[1::2], strict=True):
        if flag in argv:
            argv[argv.index(flag) + 1] = value
        else:
            argv += [flag, value]
    assert run(home, *argv, "--admin-password", "Admin12345") == 2
    assert words in capsys.readouterr().err
    assert not home.exists()


def test_init_refuses_weak_password(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tmp_path / "h", *INIT, "--admin-password", "123") == 2
    assert "密码" in capsys.readouterr().err
    assert not (tmp_path / "h").exists()


def test_init_without_password_when_not_interactive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path / "h", *INIT) == 2
    assert "--admin-password" in capsys.readouterr().err


def test_commands_on_an_uninitialised_store_create_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "nothing"
    for args in (["users", "list"], ["audit", "verify"], ["backup", "create", str(tmp_path)]):
        assert run(home, *args) == 2
        assert "尚未初始化" in capsys.readouterr().err
    assert not home.exists()


def test_bad_db_url_and_unwritable_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["--db", "oracle://x/y", "--data-dir", str(tmp_path / "d"), "users", "list"]) == 2
    assert "不支持的数据库类型" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert cli(["--data-dir", str(blocker / "sub"), *INIT, "--admin-password", "Admin12345"]) == 2
    assert "数据目录不可写" in capsys.readouterr().err


def test_users_add_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    assert run(home, *INIT, "--admin-password", "Admin12345") == 0
    capsys.readouterr()
    assert run(home, "users", "add", "x", "--name", "某", "--roles", "king", "--password", "Passw0rd1") == 2
    err = capsys.readouterr().err
    assert "登录名" in err and "未知角色“king”" in err
    assert run(home, "users", "passwd", "ghost", "--password", "Passw0rd1") == 2
    assert "没有登录名为“ghost”的用户" in capsys.readouterr().err


def test_init_on_postgres(pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["--db", pg_url, "--data-dir", str(tmp_path), *INIT, "--admin-password", "Admin12345"]) == 0
    assert "PostgreSQL" in capsys.readouterr().out
    assert cli(["--db", pg_url, "--data-dir", str(tmp_path), "audit", "verify"]) == 0
