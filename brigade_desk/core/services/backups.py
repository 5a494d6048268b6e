"""Backups as an operation of a signed-in admin, and the record of the last verified backup."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from brigade_desk.core import audit
from brigade_desk.core.backup import BackupCheck, BackupResult, Progress, create_backup, verify_backup
from brigade_desk.core.model import Setting
from brigade_desk.core.rules.permissions import Actor, Permission
from brigade_desk.core.services.base import Service, operation
from brigade_desk.core.timeutil import as_utc

LAST_VERIFIED_KEY = "state.last_verified_backup"


@dataclass(frozen=True)
class LastBackup:
    at: datetime
    path: str


class BackupService(Service):
    @operation(Permission.BACKUP_MANAGE)
    def create(
        self, actor: Actor, dest: Path, progress: Progress | None = None
    ) -> tuple[BackupResult, BackupCheck]:
        """Write a backup and verify it at once; only a verified backup counts as the last good one."""
        result = create_backup(self.store, dest, progress)
        check = verify_backup(result.path)
        self._record(actor, "backup.create", result.path, check)
        return result, check

    @operation(Permission.BACKUP_MANAGE)
    def verify(self, actor: Actor, path: Path, progress: Progress | None = None) -> BackupCheck:
        check = verify_backup(path, progress)
        self._record(actor, "backup.verify", path, check)
        return check

    @operation(Permission.DASHBOARD_VIEW)
    def last_verified(self, actor: Actor) -> LastBackup | None:
        with self.store.read() as session:
            row = session.get(Setting, LAST_VERIFIED_KEY)
            if row is None:
                return None
            return LastBackup(as_utc(datetime.fromisoformat(row.value["at"])), row.value["path"])

    def _record(self, actor: Actor, action: str, path: Path, check: BackupCheck) -> None:
        now = self.clock()
        with self.store.write() as session:
            if check.ok:
                value = {"at": now.isoformat(), "path": str(path)}
                row = session.get(Setting, LAST_VERIFIED_KEY)
                if row is None:
                    session.add(Setting(key=LAST_VERIFIED_KEY, value=value, updated_at=now))
                else:
                    row.value, row.updated_at = value, now
            verdict = "通过" if check.ok else f"未通过：{check.message}"
            audit.record(
                session,
                actor,
                audit.Change(
                    action, "backup", path.name, f"备份 {path.name} 校验{verdict}", detail={"path": str(path)}
                ),
            )
