"""The county's form pack (县级文书格式包): checking its files, alone and together with the program's forms.

A pack is a set of files, file name -> TOML text: form definitions that shadow the program's forms
by ``id`` and, optionally, a ``_common.toml`` whose fields shadow shared fields by name. The county
sets it from a folder; its bundles carry it whole to each township, which checks it again before
taking it (docs/forms.md, docs/decisions/forms-county-pack.md). No database here: callers pass the
files and get problems back as (file name, Chinese message) pairs, every problem at once.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from brigade_desk.core.canonical import canonical_json, sha256_hex
from brigade_desk.core.documents.errors import FormDefinitionError
from brigade_desk.core.documents.loader import (
    COMMON_FILE,
    COUNTY_PACK_LABEL,
    FormLibrary,
    form_problems,
)

# Forms are a few kilobytes each (the largest shipped one is under 6 KB).
MAX_FILE_BYTES = 256 * 1024
MAX_FILES = 200
MAX_NAME = 80
NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*\.toml$")
BOM = "\ufeff"

Problem = tuple[str, str]  # (file name, what is wrong)


@dataclass(frozen=True)
class PackFile:
    name: str
    text: str

    @property
    def data(self) -> bytes:
        return self.text.encode("utf-8")

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)


def name_problem(name: str) -> str | None:
    """Why a file name cannot be in a pack, or None."""
    if not name.endswith(".toml"):
        return "不是 .toml 文件；文书格式包只能包含文书格式定义（*.toml）"
    if len(name) > MAX_NAME:
        return f"文件名超过 {MAX_NAME} 个字符"
    if not NAME_RE.match(name):
        return "文件名只能用英文字母、数字、下划线、点和连字符（例如 penalty_decision.toml）"
    if name.startswith("_") and name != COMMON_FILE:
        return f"以下划线开头的文件只能是共用字段文件 {COMMON_FILE}"
    return None


def text_problem(text: str) -> str | None:
    """Why a file's text cannot be in a pack (beyond its TOML), or None."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        return f"文件超过 {MAX_FILE_BYTES // 1024} KB（文书格式定义通常只有几 KB）"
    if "\x00" in text:
        return "含有空字符（NUL），不是文本文件"
    return None


def decode(data: bytes) -> tuple[str | None, str | None]:
    """(text, None) for UTF-8 bytes (a leading BOM is dropped), else (None, the problem)."""
    if len(data) > MAX_FILE_BYTES:
        return None, f"文件超过 {MAX_FILE_BYTES // 1024} KB（文书格式定义通常只有几 KB）"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return (
            None,
            f"不是 UTF-8 编码的文本（第 {exc.start + 1} 个字节起无法识别），请以 UTF-8 编码另存后再导入",
        )
    text = text.removeprefix(BOM)
    problem = text_problem(text)
    return (None, problem) if problem else (text, None)


def read_folder(folder: Path) -> tuple[list[PackFile], list[Problem]]:
    """Every file of a folder as a pack, and every problem found (nothing is read twice)."""
    if not folder.is_dir():
        return [], [("文件夹", f"{folder} 不存在或不是文件夹")]
    entries = sorted(folder.iterdir(), key=lambda p: p.name)
    if not entries:
        return [], [("文件夹", f"{folder} 中没有文件；要清空县级文书格式包请用“清空”")]
    if len(entries) > MAX_FILES:
        return [], [("文件夹", f"{folder} 中有 {len(entries)} 个文件，超过 {MAX_FILES} 个")]
    files: list[PackFile] = []
    problems: list[Problem] = []
    for entry in entries:
        if entry.is_symlink() or not entry.is_file():
            problems.append((entry.name, "不是普通文件（文件夹中只能放文书格式定义 *.toml 文件）"))
            continue
        problem = name_problem(entry.name)
        if problem:
            problems.append((entry.name, problem))
            continue
        try:
            if entry.stat().st_size > MAX_FILE_BYTES:
                problems.append(
                    (entry.name, f"文件超过 {MAX_FILE_BYTES // 1024} KB（文书格式定义通常只有几 KB）")
                )
                continue
            data = entry.read_bytes()
        except OSError as exc:
            problems.append((entry.name, f"无法读取：{exc.strerror or exc}"))
            continue
        text, problem = decode(data)
        if problem or text is None:
            problems.append((entry.name, problem or "无法读取"))
            continue
        files.append(PackFile(entry.name, text))
    return files, problems


def _file_of(source: str, pack: Mapping[str, str]) -> tuple[str, bool]:
    """The file a loader error names, and whether it is one of the pack's."""
    prefix = f"{COUNTY_PACK_LABEL}/"
    if source.startswith(prefix) and source.removeprefix(prefix) in pack:
        return source.removeprefix(prefix), True
    return Path(source).name, False


def check_pack(files: Iterable[PackFile], forms_dir: Path | None = None) -> list[Problem]:
    """Every problem of a pack: names, texts, and loading together with the program's forms.

    A pack form whose ``id`` the program also has must carry another ``version``: documents record
    the form's id@version, and one id@version must always mean one text (DESIGN.md invariant 8).
    """
    pack: dict[str, str] = {}
    problems: list[Problem] = []
    for f in files:
        problem = name_problem(f.name) or text_problem(f.text)
        if f.name in pack:
            problem = "文件名重复"
        if problem:
            problems.append((f.name, problem))
        else:
            pack[f.name] = f.text
    if len(pack) > MAX_FILES:
        problems.append(("文书格式包", f"文件超过 {MAX_FILES} 个"))
    if problems:
        return problems
    if not pack:
        return []
    program_errors: list[Problem] = []
    for error in form_problems(forms_dir, county_pack=pack):
        name, own = _file_of(error.source, pack)
        for line in error.problems:
            (problems if own else program_errors).append((name, line))
    if program_errors:
        # Usually the pack's _common.toml changed a shared field the program's forms use: say so
        # once, with the first few, rather than once for every form of the program.
        count = len({name for name, _line in program_errors})
        shown = "；".join(f"{name}：{line}" for name, line in program_errors[:3])
        problems.append(
            (
                COMMON_FILE if COMMON_FILE in pack else "文书格式包",
                f"程序自带的 {count} 个文书格式与本包一起载入时出错，多因本包改变了它们使用的共用字段：{shown}"
                + ("……" if len(program_errors) > 3 else ""),
            )
        )
    if problems:
        return problems
    try:
        program = FormLibrary(forms_dir)
        together = FormLibrary(forms_dir, county_pack=pack)
    except FormDefinitionError as exc:  # checked just above; only a file changing under us
        return [(Path(exc.source).name, exc.message)]
    file_of = {describe(text)[0]: name for name, text in pack.items() if name != COMMON_FILE}
    for form in together.forms():
        if form.origin != "county" or form.id not in program:
            continue
        if program.get(form.id).version == form.version:
            name = file_of.get(form.id, form.id)
            problems.append(
                (
                    name,
                    f"文书格式 {form.id}（{form.title}）的版本号 {form.version} 与程序自带的相同；"
                    f"县级修改过的格式请用新的版本号（例如 {form.version}-县级），文书上记录的版本才能区分",
                )
            )
    return problems


def pack_digest(entries: Iterable[tuple[str, str]]) -> str:
    """One hash over the pack's (file name, SHA-256) pairs; "" for an empty pack."""
    pairs = sorted(entries)
    if not pairs:
        return ""
    return sha256_hex(canonical_json([list(p) for p in pairs]))


def describe(text: str) -> tuple[str, str, str]:
    """(id, version, title) of a form's text, as far as it parses ("" where it does not)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return "", "", ""

    def text_of(key: str) -> str:
        value = raw.get(key)
        return str(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else ""

    return text_of("id"), text_of("version"), text_of("title")


__all__ = [
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "PackFile",
    "Problem",
    "check_pack",
    "decode",
    "describe",
    "name_problem",
    "pack_digest",
    "read_folder",
    "text_problem",
]
