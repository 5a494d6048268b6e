"""The county's form pack (县级文书格式包): set from a folder, listed, cleared.

Forms are data the county controls. At the county an admin replaces the whole pack from a folder of
TOML files; a pack that does not load together with the program's forms is refused with every
problem named by file, and nothing is written. The county's bundles carry the pack whole to each
township (core.sync), where the documents service loads forms as program < county pack < the
township's own override directory (docs/forms.md, docs/decisions/forms-county-pack.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from brigade_desk.core import audit
from brigade_desk.core.documents.loader import COMMON_FILE, check_forms
from brigade_desk.core.documents.packs import (
    PackFile,
    Problem,
    check_pack,
    describe,
    pack_digest,
    read_folder,
)
from brigade_desk.core.errors import FieldError, RuleViolation, ValidationError
from brigade_desk.core.model import CountyFormFile, Organ
from brigade_desk.core.rules.permissions import Actor, Permission
from brigade_desk.core.services.base import Service, operation


@dataclass(frozen=True)
class PackFileView:
    file_name: str
    sha256: str
    size: int
    version: int
    updated_at: datetime
    updated_by: str
    # The form the file defines ("" for _common.toml).
    form_id: str
    form_version: str
    title: str


@dataclass(frozen=True)
class PackView:
    files: tuple[PackFileView, ...]
    # One hash over the files' names and hashes ("" for no pack).
    digest: str
    # Set at the county (from a folder) or received from the county (at a township).
    is_county: bool
    # Problems of the stored pack with this program's forms (empty: it loads).
    problems: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.files


@dataclass(frozen=True)
class PackChange:
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: tuple[str, ...]
    pack: PackView

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)


def stored_pack(session: Session) -> dict[str, str]:
    """The pack as the store holds it: file name -> TOML text."""
    return {
        name: text for name, text in session.execute(select(CountyFormFile.file_name, CountyFormFile.content))
    }


def stored_digest(session: Session) -> str:
    """The stored pack's digest, read from names and hashes only (cheap enough for every use)."""
    rows = session.execute(select(CountyFormFile.file_name, CountyFormFile.sha256))
    return pack_digest((name, sha) for name, sha in rows)


def _require_county(session: Session) -> Organ:
    own = session.execute(select(Organ).where(Organ.is_self)).scalar_one_or_none()
    if own is None or own.kind != "county":
        raise RuleViolation(
            "县级文书格式包只能在县级存储中设定，由县级数据包下发到各乡镇；"
            "乡镇自己的文书格式请放在数据目录的 forms 文件夹中"
        )
    return own


def _refuse(problems: list[Problem]) -> ValidationError:
    return ValidationError([FieldError(name, message) for name, message in problems])


def _view(session: Session, override_dir: Path) -> PackView:
    rows = list(session.execute(select(CountyFormFile).order_by(CountyFormFile.file_name)).scalars())
    own = session.execute(select(Organ.kind).where(Organ.is_self)).scalar_one_or_none()
    files = []
    for row in rows:
        form_id, form_version, title = ("", "", "") if row.file_name == COMMON_FILE else describe(row.content)
        files.append(
            PackFileView(
                row.file_name,
                row.sha256,
                len(row.content.encode("utf-8")),
                row.version,
                row.updated_at,
                row.updated_by,
                form_id,
                form_version,
                title,
            )
        )
    # A newer program may no longer take an older pack; a township's own forms may clash with it.
    # Either way the documents service falls back to the forms without the pack: say why here.
    lines = [
        f"{name}：{message}" for name, message in check_pack([PackFile(r.file_name, r.content) for r in rows])
    ]
    if rows and not lines and override_dir.is_dir():
        pack = {r.file_name: r.content for r in rows}
        clash = check_forms(override_dir=override_dir, county_pack=pack)
        lines += [f"与本机 {override_dir} 中的文书格式一起载入时出错：{line}" for line in clash]
    return PackView(
        tuple(files),
        pack_digest((r.file_name, r.sha256) for r in rows),
        own == "county",
        tuple(lines),
    )


class FormPackService(Service):
    """The county's form pack: replaced whole from a folder, listed, cleared (county only)."""

    @property
    def _override_dir(self) -> Path:
        """The township's own forms, which shadow the pack (as DocumentService loads them)."""
        return self.store.data_dir / "forms"

    @operation(Permission.CASE_VIEW)
    def show(self, actor: Actor) -> PackView:
        """The pack this store holds: the county's own, or the one its county last sent."""
        with self.store.read() as session:
            return _view(session, self._override_dir)

    @operation(Permission.CASE_VIEW)
    def texts(self, actor: Actor) -> dict[str, str]:
        """The pack's files, name -> TOML text (for FormLibrary(county_pack=…))."""
        with self.store.read() as session:
            return stored_pack(session)

    @operation(Permission.REFERENCE_MANAGE)
    def replace_from_folder(self, actor: Actor, folder: Path) -> PackChange:
        """Make the TOML files of `folder` the county's pack: files not in the folder leave the pack.

        Refused whole, with every problem named by file and nothing written, when a file is not
        `*.toml`, too large or not UTF-8, or the files do not load together with the program's forms.
        """
        with self.store.read() as session:
            _require_county(session)
        files, problems = read_folder(folder)
        if problems:
            raise _refuse(problems)
        problems = check_pack(files)
        if problems:
            raise _refuse(problems)
        with self.store.write() as session:
            _require_county(session)
            now = self.clock()
            stored = {r.file_name: r for r in session.execute(select(CountyFormFile)).scalars()}
            wanted = {f.name: f for f in files}
            added, changed, unchanged = [], [], []
            events: list[audit.Change] = []
            for name, f in sorted(wanted.items()):
                row = stored.get(name)
                if row is not None and row.sha256 == f.sha256:
                    unchanged.append(name)
                    continue
                before = {"sha256": row.sha256, "version": row.version} if row is not None else None
                if row is None:
                    row = CountyFormFile(file_name=name, version=1)
                    session.add(row)
                    added.append(name)
                else:
                    row.version += 1
                    changed.append(name)
                row.content, row.sha256 = f.text, f.sha256
                row.updated_at, row.updated_by = now, actor.display_name
                form_id, form_version, _title = describe(f.text)
                what = f"（{form_id}@{form_version}）" if form_id else ""
                events.append(
                    audit.Change(
                        "forms.pack.set",
                        "county_form_file",
                        name,
                        f"{'更新' if before else '加入'}县级文书格式 {name}{what}，第 {row.version} 版",
                        before=before,
                        after={"sha256": f.sha256, "version": row.version},
                    )
                )
            removed = sorted(set(stored) - set(wanted))
            for name in removed:
                row = stored[name]
                session.delete(row)
                events.append(
                    audit.Change(
                        "forms.pack.remove",
                        "county_form_file",
                        name,
                        f"从县级文书格式包中移除 {name}",
                        before={"sha256": row.sha256, "version": row.version},
                    )
                )
            if events:
                audit.record_many(session, actor, events)
            session.flush()
            return PackChange(
                tuple(added),
                tuple(changed),
                tuple(removed),
                tuple(unchanged),
                _view(session, self._override_dir),
            )

    @operation(Permission.REFERENCE_MANAGE)
    def clear(self, actor: Actor) -> int:
        """Empty the county's pack; the next county bundle clears it at each township. Returns how
        many files were removed."""
        with self.store.write() as session:
            _require_county(session)
            rows = list(session.execute(select(CountyFormFile).order_by(CountyFormFile.file_name)).scalars())
            if not rows:
                return 0
            session.execute(delete(CountyFormFile))
            audit.record_many(
                session,
                actor,
                [
                    audit.Change(
                        "forms.pack.remove",
                        "county_form_file",
                        r.file_name,
                        f"清空县级文书格式包：移除 {r.file_name}",
                        before={"sha256": r.sha256, "version": r.version},
                    )
                    for r in rows
                ],
            )
            return len(rows)
