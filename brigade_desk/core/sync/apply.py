"""Applying a verified bundle's records inside one write transaction, deciding each record.

Every record ends as created, updated, skipped (already here, or an older version) or refused
(wrong owner, a reference that is missing or itself refused, a conflict); refused records go to
the quarantine whole, with the reason. Ownership (DESIGN.md invariant 9): a township owns its cases
and everything under them, its parties, people and audit chain; the county owns the catalogue,
benchmarks, working-day overrides, the thresholds, the roster's certificates and the form pack.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import JSON, Date, Table, and_, bindparam, delete, insert, select, tuple_, update
from sqlalchemy.orm import Session

from brigade_desk.core import audit
from brigade_desk.core.canonical import canonical_json
from brigade_desk.core.files import path_for
from brigade_desk.core.model import (
    BenchmarkVersion,
    Case,
    CountyFormFile,
    Document,
    PowerItem,
    Setting,
    SyncBundle,
    SyncPeerAudit,
    SyncQuarantine,
    SyncRecord,
    SyncRejection,
    User,
    WorkdayOverride,
)
from brigade_desk.core.model.base import UTCDateTime
from brigade_desk.core.sync.lines import Record, RecordType
from brigade_desk.core.sync.records import COUNTY_SETTINGS, TYPES, _encode_value
from brigade_desk.core.timeutil import as_utc

CHUNK = 1000
Row = dict[str, Any]

# What a foreign key's target table is called in messages.
TABLE_LABELS = {
    "organ": "执法主体",
    "app_user": "人员",
    "party": "当事人",
    "case_record": "案件",
    "attachment": "附件",
    "investigation_record": "笔录",
    "evidence": "证据",
    "document": "文书",
    "power_item": "权责事项",
    "discretion_benchmark": "裁量基准",
}


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    refused: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "refused": self.refused,
        }


@dataclass(frozen=True)
class Refusal:
    record_type: str
    record_id: str
    reason: str


@dataclass
class Context:
    bundle_id: str
    sender_organ_id: str
    sender_area_code: str
    sender_name: str
    own_organ_id: str
    own_kind: str
    now: datetime
    files_dir: Path
    # sha256 of every attachment file the bundle carries (verified); the store's own are looked up.
    available_files: set[str] = field(default_factory=set)


def _chunks(items: Iterable[Record], size: int = CHUNK) -> Iterator[list[Record]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


_PKS: dict[str, list[str]] = {}


def _pk(table: Table) -> list[str]:
    found = _PKS.get(table.name)
    if found is None:
        found = _PKS[table.name] = [c.name for c in table.primary_key.columns]
    return found


_KEY_GETTERS: dict[str, Callable[[Row], tuple[Any, ...]]] = {}


def _key_getter(table: Table) -> Callable[[Row], tuple[Any, ...]]:
    """row -> its primary key as a tuple (one itemgetter per table)."""
    found = _KEY_GETTERS.get(table.name)
    if found is None:
        pk = _pk(table)
        if len(pk) == 1:
            one = itemgetter(pk[0])
            found = _KEY_GETTERS[table.name] = lambda row: (one(row),)
        else:
            found = _KEY_GETTERS[table.name] = itemgetter(*pk)
    return found


class Applier:
    def __init__(self, session: Session, ctx: Context) -> None:
        self.session = session
        self.ctx = ctx
        self.counts: dict[str, Counts] = {}
        self.refusals: list[Refusal] = []
        # Local keys accepted (created, updated or skipped) in this bundle, per table.
        self.accepted: dict[str, set[Any]] = {}
        self.refused: dict[str, set[Any]] = {}
        self.remap: dict[str, dict[str, str]] = {}
        self.touched_cases: set[str] = set()
        self.touched_parties: set[str] = set()
        self._owned_cases: dict[str, bool] = {}
        self._empty_tables: dict[str, bool] = {}
        self._quarantine: list[Row] = []
        self._form_files: list[Record] = []

    # --- bookkeeping -------------------------------------------------------------------------------

    def _count(self, rtype: RecordType) -> Counts:
        return self.counts.setdefault(rtype.name, Counts())

    def refuse(self, rec: Record, reason: str, table: str | None = None) -> None:
        self._count(rec.type).refused += 1
        self.refusals.append(Refusal(rec.type.name, rec.id, reason))
        if table and rec.type.table is not None:
            self.refused.setdefault(table, set()).add(rec.data.get(_pk(rec.type.table)[0]))
        self._quarantine.append(
            {
                "bundle_id": self.ctx.bundle_id,
                "sender_area_code": self.ctx.sender_area_code,
                "record_type": rec.type.name,
                "record_id": rec.id[:80],
                "version": rec.version,
                "reason": reason,
                "data": rec.raw,
                "at": self.ctx.now,
            }
        )

    def flush_quarantine(self) -> None:
        if self._quarantine:
            from brigade_desk.core.ids import new_id

            rows = [{"id": new_id(), **q} for q in self._quarantine]
            self.session.execute(insert(SyncQuarantine.__table__), rows)  # type: ignore[arg-type]
            self._quarantine = []

    # --- the run -----------------------------------------------------------------------------------

    def apply(self, rtype: RecordType, records: Iterable[Record]) -> None:
        handler = getattr(self, f"_on_{rtype.name}", None)
        for chunk in _chunks(records):
            if handler is None:
                for rec in chunk:
                    self.refuse(rec, f"本机不接收{rtype.label}记录")
            else:
                handler(rtype, chunk)
            self.flush_quarantine()

    # --- shared steps ------------------------------------------------------------------------------

    def _fk_check(self, rtype: RecordType, items: list[tuple[Record, Row]]) -> list[tuple[Record, Row]]:
        """Refuse rows whose references are neither accepted in this bundle nor in the store."""
        table = rtype.table
        assert table is not None
        fks = [
            (col.name, fk.column.table.name, fk.column.name)
            for col in table.columns
            for fk in col.foreign_keys
            if col.name in rtype.field_names
        ]
        if not fks:
            return items
        to_check: dict[tuple[str, str], set[Any]] = {}
        for col, target, target_col in fks:
            remap = self.remap.get(target)
            if remap:
                for _rec, row in items:
                    value = row.get(col)
                    if value is not None and value in remap:
                        row[col] = remap[value]
            values = {row[col] for _rec, row in items} - {None}
            values -= self.accepted.get(target, set())
            values -= self.refused.get(target, set())
            if values:
                to_check.setdefault((target, target_col), set()).update(values)
        if not to_check and not any(self.refused.get(target) for _col, target, _tc in fks):
            return items  # every reference is to a record accepted in this bundle
        found: dict[tuple[str, str], set[Any]] = {}
        for (target, target_col), values in to_check.items():
            target_table = Case.metadata.tables[target]
            present: set[Any] = set()
            ordered = sorted(values, key=str)
            for start in range(0, len(ordered), 500):
                part = ordered[start : start + 500]
                present.update(
                    self.session.execute(
                        select(target_table.c[target_col]).where(target_table.c[target_col].in_(part))
                    ).scalars()
                )
            found[(target, target_col)] = present
        kept: list[tuple[Record, Row]] = []
        for rec, row in items:
            problem = None
            for col, target, target_col in fks:
                value = row.get(col)
                if value is None or value in self.accepted.get(target, ()):
                    continue
                label = TABLE_LABELS.get(target, target)
                if value in self.refused.get(target, ()):
                    problem = f"所依赖的{label}（{value}）已被拒收"
                    break
                if value not in found.get((target, target_col), ()):
                    problem = f"引用的{label}（{value}）在数据包和本机中都不存在"
                    break
            if problem:
                self.refuse(rec, problem, table.name)
            else:
                kept.append((rec, row))
        return kept

    def _existing(self, table: Table, keys: list[tuple[Any, ...]]) -> dict[tuple[Any, ...], Row]:
        """The stored rows with these keys. Which keys exist is asked with plain driver SQL first:
        most keys of an import are new, and SQLAlchemy's expanding IN costs more than the query."""
        pk = _pk(table)
        present = self._present(table, keys)
        if not present:
            return {}
        out: dict[tuple[Any, ...], Row] = {}
        for start in range(0, len(present), 500):
            part = present[start : start + 500]
            if len(pk) == 1:
                cond = table.c[pk[0]].in_([k[0] for k in part])
            else:
                cond = tuple_(*(table.c[k] for k in pk)).in_(part)
            for row in self.session.execute(select(table).where(cond)).mappings():
                out[tuple(row[k] for k in pk)] = dict(row)
        return out

    def _present(self, table: Table, keys: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        pk = _pk(table)
        if self._empty_before(table):
            # Every row in it was written by this import, and its keys are in `accepted` (a
            # township's first bundle fills empty tables: no need to ask the database).
            accepted = self.accepted.get(table.name, ())
            return [key for key in keys if (key[0] if len(key) == 1 else key) in accepted]
        if any(type(v) is not str for key in keys[:1] for v in key):
            return keys  # not text keys (dates, numbers): let the full query decide
        conn = self.session.connection()
        quote = conn.dialect.identifier_preparer.quote
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        columns = ", ".join(quote(k) for k in pk)
        found: list[tuple[Any, ...]] = []
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            one = "(" + ", ".join([mark] * len(pk)) + ")"
            where = (
                f"{quote(pk[0])} IN ({', '.join([mark] * len(part))})"
                if len(pk) == 1
                else f"({columns}) IN (VALUES {', '.join([one] * len(part))})"
            )
            args = tuple(v for key in part for v in key)
            sql = f"SELECT {columns} FROM {quote(table.name)} WHERE {where}"
            found += [tuple(r) for r in conn.exec_driver_sql(sql, args)]
        return found

    def _empty_before(self, table: Table) -> bool:
        """Whether the table had no rows when this import first asked about it."""
        empty = self._empty_tables.get(table.name)
        if empty is None:
            first = self.session.execute(select(table.c[_pk(table)[0]]).limit(1)).first()
            empty = self._empty_tables[table.name] = first is None
        return empty

    def _write(
        self,
        rtype: RecordType,
        items: list[tuple[Record, Row]],
        *,
        keep: Iterable[str] = (),
        compare_skip: Iterable[str] = (),
    ) -> list[tuple[Record, Row, str]]:
        """Insert new rows, update changed ones, skip equal or older ones; returns each outcome."""
        table = rtype.table
        assert table is not None
        keep, compare_skip = set(keep), set(compare_skip) | set(keep)
        compared = [f.name for f in rtype.fields if f.name not in compare_skip]
        key_of = _key_getter(table)
        keys = [key_of(row) for _rec, row in items]
        existing = self._existing(table, keys)
        creates: list[Row] = []
        updates: list[Row] = []
        outcomes: list[tuple[Record, Row, str]] = []
        counts = self._count(rtype)
        accepted = self.accepted.setdefault(table.name, set())
        for (rec, row), key in zip(items, keys, strict=True):
            old = existing.get(key)
            if old is None:
                creates.append(row)
                counts.created += 1
                outcome = "created"
            elif (rtype.versioned and int(old["version"]) > int(row["version"])) or _same(old, row, compared):
                counts.skipped += 1
                outcome = "skipped"
            else:
                merged = {**old, **{k: v for k, v in row.items() if k not in keep}}
                updates.append(merged)
                counts.updated += 1
                outcome = "updated"
            accepted.add(key[0] if len(key) == 1 else key)
            outcomes.append((rec, row, outcome))
        if creates:
            bulk_insert(self.session, table, creates)
        if updates:
            pk = _pk(table)
            cols = [c.name for c in table.columns if c.name not in pk]
            if cols:
                stmt = (
                    update(table)
                    .where(and_(*(table.c[k] == bindparam(f"k_{k}") for k in pk)))
                    .values({c: bindparam(f"v_{c}") for c in cols})
                )
                self.session.execute(
                    stmt,
                    [{**{f"k_{k}": u[k] for k in pk}, **{f"v_{c}": u[c] for c in cols}} for u in updates],
                )
        return outcomes

    def _ledger(self, rtype: RecordType, pairs: list[tuple[str, str]]) -> None:
        """Record the owner (the sender) of received records that have no owner column."""
        if not pairs:
            return
        ids = [remote for remote, _local in pairs]
        for start in range(0, len(ids), 500):
            self.session.execute(
                delete(SyncRecord).where(
                    SyncRecord.record_type == rtype.name, SyncRecord.record_id.in_(ids[start : start + 500])
                )
            )
        self.session.execute(
            insert(SyncRecord.__table__),  # type: ignore[arg-type]
            [
                {
                    "record_type": rtype.name,
                    "record_id": remote,
                    "owner_organ_id": self.ctx.sender_organ_id,
                    "local_id": local,
                    "bundle_id": self.ctx.bundle_id,
                    "updated_at": self.ctx.now,
                }
                for remote, local in pairs
            ],
        )

    def _owners(self, rtype_name: str, ids: list[str]) -> dict[str, tuple[str, str]]:
        """remote id -> (owner organ, local id) from the ledger."""
        out: dict[str, tuple[str, str]] = {}
        for start in range(0, len(ids), 500):
            for rid, owner, local in self.session.execute(
                select(SyncRecord.record_id, SyncRecord.owner_organ_id, SyncRecord.local_id).where(
                    SyncRecord.record_type == rtype_name, SyncRecord.record_id.in_(ids[start : start + 500])
                )
            ):
                out[rid] = (owner, local)
        return out

    def _owned_by_sender(self, rtype: RecordType, chunk: list[Record]) -> list[tuple[Record, Row]]:
        """For records without an owner column: refuse those another organ (or this one) owns."""
        table = rtype.table
        assert table is not None
        ids = [rec.id for rec in chunk]
        owners = self._owners(rtype.name, ids)
        existing = self._existing(table, [(i,) for i in ids])
        kept = []
        for rec in chunk:
            owner = owners.get(rec.id)
            if owner is not None and owner[0] != self.ctx.sender_organ_id:
                self.refuse(
                    rec, f"该{rec.type.label}记录属于另一机关，{self.ctx.sender_name}不能修改", table.name
                )
            elif owner is None and (rec.id,) in existing:
                self.refuse(rec, f"与本机自己的{rec.type.label}记录标识相同，不能用数据包覆盖", table.name)
            else:
                kept.append((rec, dict(rec.data)))
        return kept

    # --- county side: a township's data ------------------------------------------------------------

    def _cases_owned(self, case_ids: Iterable[str]) -> dict[str, bool]:
        known = self._owned_cases
        # Not `set(ids) - known.keys()`: that builds a set of every case known so far, per chunk.
        unknown = sorted({cid for cid in case_ids if cid not in known})
        for start in range(0, len(unknown), 500):
            part = unknown[start : start + 500]
            found = dict(self.session.execute(select(Case.id, Case.organ_id).where(Case.id.in_(part))).all())
            for cid in part:
                if cid in found:
                    self._owned_cases[cid] = found[cid] == self.ctx.sender_organ_id
        return self._owned_cases

    def _on_organ(self, rtype: RecordType, chunk: list[Record]) -> None:
        items = []
        for rec in chunk:
            if rec.id != self.ctx.sender_organ_id:
                self.refuse(rec, "乡镇只能发送本机关自己的机关信息", "organ")
                continue
            items.append((rec, {**rec.data, "parent_id": self.ctx.own_organ_id, "is_self": False}))
        self._write(rtype, items, keep=("parent_id", "is_self"))

    def _on_user(self, rtype: RecordType, chunk: list[Record]) -> None:
        area = self.ctx.sender_area_code
        items = []
        for rec, row in self._owned_by_sender(rtype, chunk):
            login = f"{area}:{row['login']}"
            if len(login) > 64:
                self.refuse(rec, "登录名过长，无法在县级登记", "app_user")
                continue
            items.append(
                (
                    rec,
                    {
                        **row,
                        "login": login,
                        "active": False,  # a township's people never sign in at the county
                        "password_hash": "",
                        "failed_attempts": 0,
                        "locked_until": None,
                    },
                )
            )
        clash = dict(
            self.session.execute(
                select(User.login, User.id).where(User.login.in_([r["login"] for _rec, r in items]))
            ).all()
        )
        kept = []
        for rec, row in items:
            other = clash.get(row["login"])
            if other is not None and other != row["id"]:
                self.refuse(rec, f"登录名 {row['login']} 已被另一人员使用", "app_user")
            else:
                kept.append((rec, row))
        # The county's roster decides certificates once a person is known (county-owned fields).
        outcomes = self._write(
            rtype,
            kept,
            keep=(
                "password_hash",
                "failed_attempts",
                "locked_until",
                "certificate_no",
                "certificate_valid_from",
                "certificate_valid_to",
                "legal_review_qualified",
            ),
        )
        self._ledger(rtype, [(rec.id, rec.id) for rec, _row, _o in outcomes])

    def _on_user_key(self, rtype: RecordType, chunk: list[Record]) -> None:
        user_ids = {rec.data["user_id"] for rec in chunk}
        owners = self._owners("user", sorted(user_ids))
        items = []
        for rec in chunk:
            owner = owners.get(rec.data["user_id"])
            if owner is None or owner[0] != self.ctx.sender_organ_id:
                self.refuse(rec, "公钥所属人员不属于发送方乡镇", "user_key")
            else:
                items.append((rec, {**rec.data, "sealed": ""}))
        self._write(rtype, self._fk_check(rtype, items), keep=("sealed",))

    def _on_party(self, rtype: RecordType, chunk: list[Record]) -> None:
        outcomes = self._write(rtype, self._owned_by_sender(rtype, chunk))
        self._ledger(rtype, [(rec.id, rec.id) for rec, _row, _o in outcomes])
        self.touched_parties.update(rec.id for rec, _row, o in outcomes if o == "updated")

    def _on_power_item_ref(self, rtype: RecordType, chunk: list[Record]) -> None:
        ids = [rec.id for rec in chunk]
        by_id = set(self.session.execute(select(PowerItem.id).where(PowerItem.id.in_(ids))).scalars())
        keys = {(rec.data["code"], rec.data["catalogue_version"]) for rec in chunk}
        by_key = {
            (code, version): pid
            for pid, code, version in self.session.execute(
                select(PowerItem.id, PowerItem.code, PowerItem.catalogue_version).where(
                    PowerItem.code.in_([k[0] for k in keys])
                )
            )
        }
        remap = self.remap.setdefault("power_item", {})
        for rec in chunk:
            local = (
                rec.id if rec.id in by_id else by_key.get((rec.data["code"], rec.data["catalogue_version"]))
            )
            if local is None:
                self.refuse(
                    rec,
                    f"县级目录中没有权责事项“{rec.data['name'][:40]}”（代码 {rec.data['code']}，"
                    f"目录版本 {rec.data['catalogue_version'] or '无'}）；引用它的案件事项链接不能接收",
                    "power_item",
                )
                continue
            remap[rec.id] = local
            self.accepted.setdefault("power_item", set()).add(local)
            self._count(rtype).skipped += 1

    def _on_benchmark_ref(self, rtype: RecordType, chunk: list[Record]) -> None:
        ids = [rec.id for rec in chunk]
        present = set(
            self.session.execute(select(BenchmarkVersion.id).where(BenchmarkVersion.id.in_(ids))).scalars()
        )
        for rec in chunk:
            if rec.id in present:
                self.accepted.setdefault("discretion_benchmark", set()).add(rec.id)
                self._count(rtype).skipped += 1
            else:
                self.refuse(
                    rec,
                    f"县级没有裁量基准 {rec.data['series']} 第 {rec.data['version_number']} 版；"
                    "引用它的裁量结果不能接收",
                    "discretion_benchmark",
                )

    def _on_attachment(self, rtype: RecordType, chunk: list[Record]) -> None:
        items = []
        for rec in chunk:
            if rec.id not in self.ctx.available_files and not path_for(self.ctx.files_dir, rec.id).exists():
                self.refuse(rec, "附件文件既不在数据包中，本机也没有", "attachment")
            else:
                items.append((rec, dict(rec.data)))
        # Same hash, same bytes: an attachment row already here is kept as it is.
        self._write(rtype, items, compare_skip=[f.name for f in rtype.fields])

    def _on_case(self, rtype: RecordType, chunk: list[Record]) -> None:
        owned = self._cases_owned(rec.id for rec in chunk)
        items = []
        for rec in chunk:
            if rec.data["organ_id"] != self.ctx.sender_organ_id:
                self.refuse(rec, "案件的办案机关不是发送方乡镇", "case_record")
            elif owned.get(rec.id) is False:
                self.refuse(rec, "本机已有标识相同、属于另一机关的案件", "case_record")
            else:
                items.append((rec, dict(rec.data)))
        for rec, row, outcome in self._write(rtype, self._fk_check(rtype, items)):
            self._owned_cases[rec.id] = True
            if outcome != "skipped":
                self.touched_cases.add(row["id"])

    def _case_child(self, rtype: RecordType, chunk: list[Record]) -> None:
        table = rtype.table.name if rtype.table is not None else None
        accepted_cases = self.accepted.get("case_record", set())
        owned = self._cases_owned(cid for rec in chunk if (cid := rec.data["case_id"]) not in accepted_cases)
        items = []
        for rec in chunk:
            case_id = rec.data["case_id"]
            if case_id in accepted_cases or owned.get(case_id):
                items.append((rec, rec.data))  # a checked record's own dict: nothing else reads it
            elif case_id in self.refused.get("case_record", ()):
                self.refuse(rec, f"所属案件（{case_id}）已被拒收", table)
            elif owned.get(case_id) is False:
                self.refuse(rec, "所属案件属于另一机关", table)
            else:
                self.refuse(rec, f"所属案件（{case_id}）在数据包和本机中都不存在", table)
        for _rec, row, outcome in self._write(rtype, self._fk_check(rtype, items)):
            if outcome != "skipped":
                self.touched_cases.add(row["case_id"])

    _on_case_party = _case_child
    _on_case_officer = _case_child
    _on_case_power_item = _case_child
    _on_investigation_record = _case_child
    _on_evidence = _case_child
    _on_case_step = _case_child
    _on_approval = _case_child
    _on_legal_review = _case_child
    _on_collective_discussion = _case_child
    _on_case_discretion = _case_child
    _on_delivery = _case_child

    def _on_document(self, rtype: RecordType, chunk: list[Record]) -> None:
        # A correction or a receipt may name a document earlier in the same chunk: write in runs
        # that never hold both, so the earlier one is in the store when the later one is checked.
        run: list[Record] = []
        ids: set[str] = set()
        for rec in chunk:
            refs = {rec.data.get("subject_id"), rec.data.get("corrects_id")} - {None}
            if refs & ids:
                self._case_child(rtype, run)
                run, ids = [], set()
            run.append(rec)
            ids.add(rec.id)
        if run:
            self._case_child(rtype, run)

    def _on_voided_doc_number(self, rtype: RecordType, chunk: list[Record]) -> None:
        doc_ids = sorted({rec.data["document_id"] for rec in chunk if rec.data["document_id"]})
        doc_case = dict(
            self.session.execute(select(Document.id, Document.case_id).where(Document.id.in_(doc_ids))).all()
        )
        owned = self._cases_owned(doc_case.values())
        owners = self._owners(rtype.name, [rec.id for rec in chunk if not rec.data["document_id"]])
        items = []
        for rec in chunk:
            doc = rec.data["document_id"]
            if doc is None:
                owner = owners.get(rec.id)
                ok = owner is None or owner[0] == self.ctx.sender_organ_id
            else:
                ok = doc in doc_case and owned.get(doc_case[doc], False)
            if ok:
                items.append((rec, dict(rec.data)))
            else:
                self.refuse(rec, "作废文号所属文书不属于发送方乡镇", "voided_doc_number")
        outcomes = self._write(rtype, self._fk_check(rtype, items))
        self._ledger(rtype, [(rec.id, rec.id) for rec, row, _o in outcomes if row["document_id"] is None])

    def _on_audit_event(self, rtype: RecordType, chunk: list[Record]) -> None:
        from brigade_desk.core.audit import GENESIS_HASH, event_hash

        organ = self.ctx.sender_organ_id
        state = getattr(self, "_chain", None)
        if state is None:
            last = self.session.execute(
                select(SyncPeerAudit.seq, SyncPeerAudit.hash)
                .where(SyncPeerAudit.organ_id == organ)
                .order_by(SyncPeerAudit.seq.desc())
                .limit(1)
            ).first()
            state = {"seq": last[0] if last else 0, "hash": last[1] if last else GENESIS_HASH, "broken": ""}
            self._chain = state
        stored = {
            seq: h
            for seq, h in self.session.execute(
                select(SyncPeerAudit.seq, SyncPeerAudit.hash).where(
                    SyncPeerAudit.organ_id == organ,
                    SyncPeerAudit.seq.in_([rec.data["seq"] for rec in chunk]),
                )
            )
        }
        creates: list[Row] = []
        counts = self._count(rtype)
        for rec in chunk:
            d = rec.data
            seq = d["seq"]
            if seq in stored:
                if stored[seq] == d["hash"]:
                    counts.skipped += 1
                else:
                    self.refuse(rec, f"与已收到的第 {seq} 号事件不同：对方的执法全过程记录被改写过")
                continue
            if state["broken"]:
                self.refuse(rec, state["broken"])
                continue
            computed = event_hash(
                seq=seq,
                event_id=d["id"],
                at=d["at"],
                actor_id=d["actor_id"],
                actor_name=d["actor_name"],
                action=d["action"],
                entity_type=d["entity_type"],
                entity_id=d["entity_id"],
                before_digest=d["before_digest"],
                after_digest=d["after_digest"],
                summary=d["summary"],
                detail=d["detail"],
                prev_hash=d["prev_hash"],
            )
            problem = ""
            if seq != state["seq"] + 1:
                problem = f"执法全过程记录不连续：缺少第 {state['seq'] + 1} 号事件"
            elif d["prev_hash"] != state["hash"]:
                problem = f"第 {seq} 号事件与前一事件的链接不符"
            elif computed != d["hash"]:
                problem = f"第 {seq} 号事件内容与其哈希不符（已被改动）"
            if problem:
                state["broken"] = f"哈希链在第 {seq} 号事件处断开：{problem}"
                self.refuse(rec, problem)
                continue
            creates.append({**d, "organ_id": organ, "bundle_id": self.ctx.bundle_id})
            state["seq"], state["hash"] = seq, d["hash"]
            counts.created += 1
        if creates:
            bulk_insert(self.session, SyncPeerAudit.__table__, creates)  # type: ignore[arg-type]

    # --- township side: the county's reference data and receipts -----------------------------------

    def _on_power_item(self, rtype: RecordType, chunk: list[Record]) -> None:
        ids = [rec.id for rec in chunk]
        ledger = self._owners(rtype.name, ids)
        by_id = set(self.session.execute(select(PowerItem.id).where(PowerItem.id.in_(ids))).scalars())
        by_key = {
            (code, version): pid
            for pid, code, version in self.session.execute(
                select(PowerItem.id, PowerItem.code, PowerItem.catalogue_version).where(
                    PowerItem.code.in_([rec.data["code"] for rec in chunk])
                )
            )
        }
        items = []
        pairs = []
        for rec in chunk:
            key = (rec.data["code"], rec.data["catalogue_version"])
            if rec.id in ledger:
                local = ledger[rec.id][1]
            elif rec.id in by_id:
                local = rec.id
            else:
                local = by_key.get(key, rec.id)
            holder = by_key.get(key)
            if holder is not None and holder != local:
                self.refuse(
                    rec,
                    f"本机目录中已有代码 {key[0]}、版本 {key[1] or '无'} 的另一事项，无法对应",
                    "power_item",
                )
                continue
            items.append((rec, {**rec.data, "id": local}))
            pairs.append((rec.id, local))
        self._write(rtype, items)
        self._ledger(rtype, pairs)

    def _on_discretion_benchmark(self, rtype: RecordType, chunk: list[Record]) -> None:
        from brigade_desk.core.services.discretion import _used_by

        ids = [rec.id for rec in chunk]
        existing = {
            row.id: row
            for row in self.session.execute(
                select(
                    BenchmarkVersion.id,
                    BenchmarkVersion.series,
                    BenchmarkVersion.version_number,
                    BenchmarkVersion.digest,
                )
            )
        }
        by_number = {(r.series, r.version_number): r.id for r in existing.values()}
        used = _used_by(self.session, ids)
        items = []
        for rec in chunk:
            d = rec.data
            other = by_number.get((d["series"], d["version_number"]))
            if other is not None and other != rec.id:
                self.refuse(
                    rec,
                    f"本机已有基准代码 {d['series']} 第 {d['version_number']} 版的另一基准（标识不同），不能覆盖",
                    "discretion_benchmark",
                )
                continue
            old = existing.get(rec.id)
            if old is not None and old.digest != d["digest"] and used.get(rec.id):
                self.refuse(
                    rec,
                    f"此版本已被处罚决定使用（{'、'.join(used[rec.id][:3])}），内容不能再改；请县级发布新版本",
                    "discretion_benchmark",
                )
                continue
            # The county's people are not known here.
            items.append((rec, {**d, "created_by": None}))
        outcomes = self._write(rtype, items, compare_skip=("created_by",))
        self._ledger(rtype, [(rec.id, rec.id) for rec, _r, _o in outcomes])

    def _on_workday_override(self, rtype: RecordType, chunk: list[Record]) -> None:
        deletes = [rec for rec in chunk if rec.op == "delete"]
        for rec in deletes:
            self.session.execute(delete(WorkdayOverride).where(WorkdayOverride.day == rec.data["day"]))
            self._count(rtype).updated += 1
        items = [(rec, dict(rec.data)) for rec in chunk if rec.op == "upsert"]
        outcomes = self._write(rtype, items)
        self._ledger(rtype, [(rec.id, rec.id) for rec, _r, _o in outcomes])
        self._seen_days = getattr(self, "_seen_days", set()) | {rec.data["day"] for rec in chunk}

    def finish_workdays(self) -> None:
        """A county bundle carries the whole override set: overrides it sent before and no longer
        lists are removed (a township's own overrides stay)."""
        seen = {d.isoformat() for d in getattr(self, "_seen_days", set())}
        owned = [
            rid
            for rid, owner in self.session.execute(
                select(SyncRecord.record_id, SyncRecord.owner_organ_id).where(
                    SyncRecord.record_type == "workday_override"
                )
            )
            if owner == self.ctx.sender_organ_id and rid not in seen
        ]
        from datetime import date

        for rid in owned:
            self.session.execute(
                delete(WorkdayOverride).where(WorkdayOverride.day == date.fromisoformat(rid))
            )
            self.session.execute(
                delete(SyncRecord).where(
                    SyncRecord.record_type == "workday_override", SyncRecord.record_id == rid
                )
            )
            self._count(TYPES["workday_override"]).updated += 1

    def _on_form_file(self, rtype: RecordType, chunk: list[Record]) -> None:
        # The pack is judged whole, once its last record is read (finish_form_files).
        self._form_files.extend(chunk)

    def finish_form_files(self) -> None:
        """The county's form pack arrives whole. It must load together with the program's forms;
        then it replaces the township's copy (files the county removed go, an empty stream clears
        it). A pack that does not load is refused whole, into the quarantine with the reason, and
        the township keeps the pack it had."""
        from brigade_desk.core.documents.packs import PackFile, check_pack

        rtype = TYPES["form_file"]
        records, self._form_files = self._form_files, []
        problems = [
            f"{rec.id}：内容与其 SHA-256 不符"
            for rec in records
            if hashlib.sha256(rec.data["content"].encode("utf-8")).hexdigest() != rec.data["sha256"]
        ]
        if not problems:
            pack = [PackFile(rec.id, rec.data["content"]) for rec in records]
            problems = [f"{name}：{message}" for name, message in check_pack(pack)]
        if problems:
            shown = "；".join(problems[:8]) + (f"（共 {len(problems)} 个问题）" if len(problems) > 8 else "")
            reason = f"县级文书格式包未通过校验，整包未采用，本机继续使用原有的文书格式：{shown}"
            for rec in records:
                self.refuse(rec, reason)
            self.flush_quarantine()
            return
        table = CountyFormFile.__table__
        stored = {row["file_name"]: dict(row) for row in self.session.execute(select(table)).mappings()}
        counts = self._count(rtype)
        incoming = {rec.id for rec in records}
        for name in sorted(set(stored) - incoming):
            self.session.execute(delete(CountyFormFile).where(CountyFormFile.file_name == name))
            counts.updated += 1
        fields = rtype.field_names
        for rec in records:
            row = {f: rec.data[f] for f in fields}
            old = stored.get(rec.id)
            # The county's bundles arrive in order, so the pack in the newest one is the county's
            # pack: compared by content, never by the file's revision number (a pack cleared and set
            # again at the county starts its files at 1).
            if old is None:
                self.session.execute(insert(CountyFormFile), [row])
                counts.created += 1
            elif _same(old, row, list(fields)):
                counts.skipped += 1
            else:
                self.session.execute(
                    update(CountyFormFile).where(CountyFormFile.file_name == rec.id).values(row)
                )
                counts.updated += 1

    def _on_setting(self, rtype: RecordType, chunk: list[Record]) -> None:
        from brigade_desk.core.settings import SETTINGS

        items = []
        for rec in chunk:
            key = rec.data["key"]
            value = rec.data["value"]
            definition = SETTINGS.get(key)
            if key not in COUNTY_SETTINGS or definition is None:
                self.refuse(rec, f"设置“{key}”不由县级规定，不能由数据包修改")
                continue
            v = value.get("v") if isinstance(value, dict) and set(value) == {"v"} else None
            ok = isinstance(v, bool) if definition.kind is bool else (type(v) is int and v >= 0)
            if not ok:
                self.refuse(rec, f"设置“{definition.label}”的值不合规定")
                continue
            items.append((rec, dict(rec.data)))
        self._write(rtype, items, compare_skip=("updated_at",))

    def _on_officer_certificate(self, rtype: RecordType, chunk: list[Record]) -> None:
        ids = [rec.id for rec in chunk]
        users = {
            row["id"]: dict(row)
            for row in self.session.execute(select(User.__table__).where(User.id.in_(ids))).mappings()
        }
        fields = (
            "certificate_no",
            "certificate_valid_from",
            "certificate_valid_to",
            "legal_review_qualified",
        )
        counts = self._count(rtype)
        for rec in chunk:
            user = users.get(rec.id)
            if user is None:
                self.refuse(rec, f"本机没有人员 {rec.data['display_name']}（{rec.id}）")
                continue
            if all(user[f] == rec.data[f] for f in fields):
                counts.skipped += 1
                continue
            self.session.execute(
                update(User.__table__)  # type: ignore[arg-type]
                .where(User.id == rec.id)
                .values({**{f: rec.data[f] for f in fields}, "version": user["version"] + 1})
            )
            counts.updated += 1

    def _on_receipt(self, rtype: RecordType, chunk: list[Record]) -> None:
        counts = self._count(rtype)
        for rec in chunk:
            sent = self.session.get(SyncBundle, rec.data["bundle_id"])
            if (
                sent is None
                or sent.direction != "sent"
                or sent.receiver_area_code != self.ctx.sender_area_code
            ):
                self.refuse(rec, "回执所指的数据包不是本机发给该机关的")
                continue
            if sent.status == "acknowledged":
                counts.skipped += 1
                continue
            sent.status = "acknowledged"
            sent.receipt_bundle_id = self.ctx.bundle_id
            sent.outcome = rec.data["outcome"] if isinstance(rec.data["outcome"], dict) else {}
            sent.status_reason = f"对方拒收 {rec.data['rejected']} 条" if rec.data["rejected"] else ""
            counts.updated += 1
        self.session.flush()

    def _on_rejection(self, rtype: RecordType, chunk: list[Record]) -> None:
        from brigade_desk.core.ids import new_id

        counts = self._count(rtype)
        bundle_ids = {rec.data["bundle_id"] for rec in chunk}
        ours = {
            b.id
            for b in self.session.execute(
                select(SyncBundle).where(SyncBundle.id.in_(bundle_ids), SyncBundle.direction == "sent")
            ).scalars()
        }
        have = {
            (b, t, i)
            for b, t, i in self.session.execute(
                select(SyncRejection.bundle_id, SyncRejection.record_type, SyncRejection.record_id).where(
                    SyncRejection.bundle_id.in_(bundle_ids)
                )
            )
        }
        rows = []
        for rec in chunk:
            d = rec.data
            if d["bundle_id"] not in ours:
                self.refuse(rec, "回执所指的数据包不是本机发出的")
            elif (d["bundle_id"], d["record_type"], d["record_id"]) in have:
                counts.skipped += 1
            else:
                rows.append(
                    {
                        "id": new_id(),
                        "bundle_id": d["bundle_id"],
                        "receipt_bundle_id": self.ctx.bundle_id,
                        "record_type": d["record_type"],
                        "record_id": d["record_id"],
                        "reason": d["reason"],
                        "at": self.ctx.now,
                    }
                )
                counts.created += 1
        if rows:
            self.session.execute(insert(SyncRejection.__table__), rows)  # type: ignore[arg-type]

    # --- the end -------------------------------------------------------------------------------------

    def audit(self, actor: Any, summary: str, detail: dict[str, Any]) -> None:
        audit.record(
            self.session,
            actor,
            audit.Change("sync.import", "sync_bundle", self.ctx.bundle_id, summary, after=detail),
        )


# Per (dialect, table): the SQL and a function from a row to its parameters.
_INSERTS: dict[tuple[str, str], tuple[str, Callable[[Row], Any]]] = {}


def _row_params(order: list[str], processors: dict[str, Any], positional: bool) -> Callable[[Row], Any]:
    """A generated function giving a row's parameters in bind order, each value through its
    column's bind processor where it has one (one expression per column, no per-row loop)."""
    scope: dict[str, Any] = {}
    parts = []
    for n, name in enumerate(order):
        if name in processors:
            scope[f"p{n}"] = processors[name]
            parts.append(f"p{n}(r[{name!r}])")
        else:
            parts.append(f"r[{name!r}]")
    if positional:
        body = "(" + ", ".join(parts) + ",)"
    else:
        body = "{" + ", ".join(f"{name!r}: {part}" for name, part in zip(order, parts, strict=True)) + "}"
    exec(compile(f"def params(r):\n    return {body}\n", "<bulk insert params>", "exec"), scope)
    return scope["params"]  # type: ignore[no-any-return]


def bulk_insert(session: Session, table: Table, rows: list[Row]) -> None:
    """Insert many rows with one executemany, values converted by each column's own bind processor
    (the same conversion SQLAlchemy applies, without its per-row bookkeeping: an import writes
    hundreds of thousands of rows). Rows must carry every column; otherwise the usual path is taken."""
    names = [c.key for c in table.columns]
    if any(len(row) != len(names) for row in rows) or any(name not in rows[0] for name in names):
        session.execute(insert(table), rows)
        return
    conn = session.connection()
    dialect = conn.dialect
    key = (dialect.name, table.name)
    prepared = _INSERTS.get(key)
    if prepared is None:
        compiled = insert(table).values({n: bindparam(n) for n in names}).compile(dialect=dialect)
        order = list(compiled.positiontup or []) if dialect.positional else names
        processors = {n: p for n in order if (p := _bind_processor(table.c[n].type, dialect)) is not None}
        prepared = _INSERTS[key] = (str(compiled), _row_params(order, processors, dialect.positional))
    sql, params = prepared
    conn.exec_driver_sql(sql, [params(row) for row in rows])


def _sqlite_datetime(value: datetime | None) -> str | None:
    """UTCDateTime's stored form on SQLite (naive UTC, SQLAlchemy's 'YYYY-MM-DD HH:MM:SS.ffffff'),
    made by one C call and a slice instead of two processors."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = as_utc(value)
    return value.isoformat(" ", "microseconds")[:26]  # without the "+00:00" (years have 4 digits)


def _sqlite_json(value: Any) -> str:
    return orjson.dumps(value).decode("utf-8")


def _bind_processor(col_type: Any, dialect: Any) -> Any:
    """The column's bind processor; on SQLite, faster equivalents for the three that dominate an
    import (tests/core/test_sync_encoding.py checks they store what SQLAlchemy stores)."""
    if dialect.name == "sqlite":
        if isinstance(col_type, UTCDateTime):
            return _sqlite_datetime
        if isinstance(col_type, JSON):
            return _sqlite_json
        if isinstance(col_type, Date):
            theirs = col_type._cached_bind_processor(dialect)
            assert theirs is not None  # SQLite stores dates as text: there is always one
            # YYYY-MM-DD is a date's ISO form; anything else goes to SQLAlchemy's own processor.
            return lambda value: value.isoformat() if type(value) is date else theirs(value)
    return col_type._cached_bind_processor(dialect)


def _same(old: Row, new: Row, fields: list[str]) -> bool:
    for name in fields:
        a, b = old.get(name), new.get(name)
        if a == b:
            continue
        if canonical_json(_encode_value(a)) != canonical_json(_encode_value(b)):
            return False
    return True


__all__ = ["Applier", "Context", "Counts", "Refusal", "Setting"]
