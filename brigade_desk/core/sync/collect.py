"""What goes into a bundle: the records of each type, read from one consistent snapshot.

Town → county (`town_data`): the cases changed since the last bundle the county acknowledged, each
whole (the case, its links, records, evidence, steps, approvals, reviews, discussions, discretion,
documents, deliveries, voided numbers), the parties they name, the township's people and their
public keys, the catalogue items and benchmark versions they use (for matching only), attachment
rows and files not yet acknowledged, and the audit events since the watermark. "Changed" is read
from the audit chain: every write appends an event naming its entity, bulk inserts included, so the
chain's sequence numbers are the store's change sequence (docs/decisions/sync-change-sequence.md).

County → township (`county_data`): the whole reference set the county owns (always complete and
small: the catalogue, benchmarks, working-day overrides, thresholds, the form pack), the roster's
certificates of that township's officers, and receipts for the township's bundles applied since the
last county bundle to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, func, select, true
from sqlalchemy.orm import Session

from brigade_desk.core.model import (
    Attachment,
    AuditEvent,
    Case,
    CasePowerItem,
    Document,
    Evidence,
    Party,
    SyncBundle,
    SyncPeer,
    SyncQuarantine,
    SyncSentFile,
    SyncTownClaim,
    User,
)
from brigade_desk.core.sync.lines import RecordType
from brigade_desk.core.sync.records import (
    COUNTY_SETTINGS,
    COUNTY_TYPES,
    RECEIPT,
    REJECTION,
    TOWN_TYPES,
    TYPES,
    as_values,
)

IN_CHUNK = 500
# Entity types of audit events that name a case child by its own id (resolved to the case).
CASE_CHILD_TYPES = (
    "investigation_record",
    "evidence",
    "case_step",
    "approval",
    "legal_review",
    "collective_discussion",
    "case_discretion",
    "document",
    "delivery",
)


def _chunks(ids: Sequence[str], size: int = IN_CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@dataclass
class Selection:
    """Rows per record type (lazily read) and the attachment files to include."""

    streams: list[tuple[RecordType, Iterable[Values]]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    audit_from: int | None = None
    audit_to: int | None = None
    cases: int = 0
    # Rows are SQLite's stored values (town data on SQLite), not SQLAlchemy's processed ones.
    stored: bool = False


Values = Sequence[Any]  # one row's values in its record type's field order


def _rows(session: Session, query: Select[Any], stored: bool = False) -> Iterator[Values]:
    """The query's rows; with `stored`, SQLite's stored values read with the driver's own cursor
    in the session's transaction (records.stored_line_encoder turns them into lines)."""
    if not stored:
        yield from session.execute(query.execution_options(yield_per=2000))
        return
    conn = session.connection()
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    args = tuple(params[name] for name in compiled.positiontup or ())
    if any(not isinstance(a, str | int | None) for a in args):
        raise TypeError(f"stored read needs plain parameters: {args!r}")
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), args)
        while rows := cursor.fetchmany(2000):
            yield from rows
    finally:
        cursor.close()


def _dicts(session: Session, query: Select[Any]) -> Iterator[dict[str, Any]]:
    for row in session.execute(query.execution_options(yield_per=2000)).mappings():
        yield dict(row)


def _table(rtype: RecordType) -> Table:
    assert rtype.table is not None
    return rtype.table


def _by_ids(
    session: Session,
    rtype: RecordType,
    column: str,
    ids: Sequence[str] | None,
    order: Sequence[str] = (),
    stored: bool = False,
) -> Iterator[Values]:
    """Rows of a type whose `column` is in `ids` (None: every row)."""
    table = _table(rtype)
    cols = [table.c[f.name] for f in rtype.fields]
    ordering = [table.c[o] for o in order] or list(table.primary_key.columns)
    if ids is None:
        yield from _rows(session, stored=stored, query=select(*cols).order_by(*ordering))
        return
    if not order:
        for chunk in _chunks(sorted(ids)):
            yield from _rows(
                session,
                stored=stored,
                query=select(*cols).where(table.c[column].in_(chunk)).order_by(*ordering),
            )
        return
    # An order across chunks (documents before the corrections that name them): read the keys first.
    keys: list[tuple[Any, ...]] = []
    pk = [c.name for c in table.primary_key.columns]
    for chunk in _chunks(sorted(ids)):
        keys += [
            tuple(r)
            for r in session.execute(
                select(*(table.c[o] for o in order), *(table.c[k] for k in pk)).where(
                    table.c[column].in_(chunk)
                )
            )
        ]
    keys.sort()
    wanted = [k[len(order) :] for k in keys]
    positions = [rtype.field_names.index(k) for k in pk]
    for chunk in _chunks(wanted):  # type: ignore[arg-type]
        rows = {
            tuple(r[i] for i in positions): r
            for r in _rows(
                session, stored=stored, query=select(*cols).where(table.c[pk[0]].in_([c[0] for c in chunk]))
            )
        }
        for key in chunk:
            yield rows[tuple(key)]


def changed_since(session: Session, after_seq: int, upto_seq: int) -> tuple[set[str], set[str]]:
    """Case ids and party ids named by audit events in (after_seq, upto_seq]."""
    cases: set[str] = set()
    parties: set[str] = set()
    others: set[str] = set()
    query = (
        select(AuditEvent.entity_type, AuditEvent.entity_id)
        .where(AuditEvent.seq > after_seq, AuditEvent.seq <= upto_seq)
        .distinct()
    )
    for entity_type, entity_id in session.execute(query):
        if entity_type == "case":
            cases.add(entity_id)
        elif entity_type == "party":
            parties.add(entity_id)
        elif entity_type not in ("user", "organ", "setting", "sync_bundle", "sync_key", "sync_peer"):
            others.add(entity_id)
    # An event that names a case child by its own id still changes that case.
    for type_name in CASE_CHILD_TYPES:
        if not others:
            break
        table = _table(TYPES[type_name])
        for chunk in _chunks(sorted(others)):
            for row_id, case_id in session.execute(
                select(table.c.id, table.c.case_id).where(table.c.id.in_(chunk))
            ):
                cases.add(case_id)
                others.discard(row_id)
    existing: set[str] = set()
    for chunk in _chunks(sorted(cases)):
        existing.update(session.execute(select(Case.id).where(Case.id.in_(chunk))).scalars())
    return existing, parties


def acknowledged_files(session: Session, receiver_area: str) -> set[str]:
    query = (
        select(SyncSentFile.sha256)
        .join(SyncBundle, SyncBundle.id == SyncSentFile.bundle_id)
        .where(
            SyncBundle.direction == "sent",
            SyncBundle.status == "acknowledged",
            SyncBundle.receiver_area_code == receiver_area,
        )
    )
    return set(session.execute(query).scalars())


def town_selection(
    session: Session, *, receiver_area: str, watermark: int, head: int, full: bool
) -> Selection:
    stored = session.get_bind().dialect.name == "sqlite"
    sel = Selection(audit_from=0 if full else watermark, audit_to=head, stored=stored)
    if full:
        case_ids: list[str] | None = None
        party_ids: list[str] | None = None
        sel.cases = int(session.execute(select(func.count()).select_from(Case)).scalar_one())
    else:
        changed_cases, changed_parties = changed_since(session, watermark, head)
        case_ids = sorted(changed_cases)
        linked: set[str] = set(changed_parties)
        for chunk in _chunks(case_ids):
            linked.update(
                session.execute(
                    select(TYPES["case_party"].table.c.party_id).where(  # type: ignore[union-attr]
                        TYPES["case_party"].table.c.case_id.in_(chunk)  # type: ignore[union-attr]
                    )
                ).scalars()
            )
            linked.update(
                p
                for p in session.execute(
                    select(Document.party_id).where(Document.case_id.in_(chunk))
                ).scalars()
                if p
            )
        existing: set[str] = set()
        for chunk in _chunks(sorted(linked)):
            existing.update(session.execute(select(Party.id).where(Party.id.in_(chunk))).scalars())
        party_ids = sorted(existing)
        sel.cases = len(case_ids)

    types = {t.name: t for t in TOWN_TYPES}

    def case_rows(name: str, order: Sequence[str] = ()) -> Iterator[Values]:
        return _by_ids(session, types[name], "case_id", case_ids, order, stored)

    # Items and benchmark versions the selected cases use, and the files they hold.
    item_ids: set[str] = set()
    bench_ids: set[str] = set()
    shas: set[str] = set()
    thumbs: set[str] = set()
    chunks: list[Sequence[str] | None] = list(_chunks(case_ids)) if case_ids is not None else [None]
    for part in chunks:

        def where(column: Any, chunk: Sequence[str] | None = part) -> ColumnElement[bool]:
            return column.in_(chunk) if chunk is not None else true()

        item_ids.update(
            session.execute(select(CasePowerItem.power_item_id).where(where(CasePowerItem.case_id))).scalars()
        )
        disc = _table(types["case_discretion"])
        for applied, alternative in session.execute(
            select(disc.c.benchmark_id, disc.c.alternative_benchmark_id).where(where(disc.c.case_id))
        ):
            bench_ids.update(b for b in (applied, alternative) if b)
        for sha, thumb in session.execute(
            select(Evidence.sha256, Evidence.thumbnail_sha256).where(where(Evidence.case_id))
        ):
            if sha:
                shas.add(sha)
            if thumb:
                thumbs.add(thumb)
        shas.update(
            s
            for s in session.execute(select(Document.pdf_sha256).where(where(Document.case_id))).scalars()
            if s
        )
    attachment_ids = sorted(shas)
    present_thumbs: set[str] = set()
    for chunk in _chunks(sorted(thumbs)):
        present_thumbs.update(
            session.execute(select(Attachment.sha256).where(Attachment.sha256.in_(chunk))).scalars()
        )
    skip = set() if full else acknowledged_files(session, receiver_area)
    sel.files = sorted((shas | thumbs) - skip)
    document_ids: list[str] | None = None
    if case_ids is not None:
        document_ids = []
        for chunk in _chunks(case_ids):
            document_ids += session.execute(select(Document.id).where(Document.case_id.in_(chunk))).scalars()

    def voided() -> Iterator[Values]:
        rtype = types["voided_doc_number"]
        if document_ids is None:
            yield from _by_ids(session, rtype, "id", None, stored=stored)
            return
        yield from _by_ids(session, rtype, "document_id", document_ids, stored=stored)
        table = _table(rtype)
        cols = [table.c[f.name] for f in rtype.fields]
        yield from _rows(
            session, select(*cols).where(table.c.document_id.is_(None)).order_by(table.c.id), stored
        )

    def audit_rows() -> Iterator[Values]:
        rtype = types["audit_event"]
        table = _table(rtype)
        cols = [table.c[f.name] for f in rtype.fields]
        low = 0 if full else watermark
        yield from _rows(
            session, select(*cols).where(table.c.seq > low, table.c.seq <= head).order_by(table.c.seq), stored
        )

    own_organ = select(*(_table(types["organ"]).c[f.name] for f in types["organ"].fields)).where(
        _table(types["organ"]).c.is_self.is_(True)
    )
    sel.streams = [
        (types["organ"], _rows(session, own_organ, stored)),
        (types["user"], _by_ids(session, types["user"], "id", None, stored=stored)),
        (types["user_key"], _by_ids(session, types["user_key"], "id", None, stored=stored)),
        (types["party"], _by_ids(session, types["party"], "id", party_ids, stored=stored)),
        (
            types["power_item_ref"],
            _by_ids(session, types["power_item_ref"], "id", sorted(item_ids), stored=stored),
        ),
        (
            types["benchmark_ref"],
            _by_ids(session, types["benchmark_ref"], "id", sorted(bench_ids), stored=stored),
        ),
        (
            types["attachment"],
            _by_ids(
                session,
                types["attachment"],
                "sha256",
                sorted(set(attachment_ids) | present_thumbs),
                stored=stored,
            ),
        ),
        (types["case"], _by_ids(session, types["case"], "id", case_ids, stored=stored)),
        (types["case_party"], case_rows("case_party")),
        (types["case_officer"], case_rows("case_officer")),
        (types["case_power_item"], case_rows("case_power_item")),
        (types["investigation_record"], case_rows("investigation_record")),
        (types["evidence"], case_rows("evidence")),
        (types["case_step"], case_rows("case_step")),
        (types["approval"], case_rows("approval")),
        (types["legal_review"], case_rows("legal_review")),
        (types["collective_discussion"], case_rows("collective_discussion")),
        (types["case_discretion"], case_rows("case_discretion")),
        # Originals before the corrections and receipts that name them.
        (types["document"], case_rows("document", ("created_at", "id"))),
        (types["delivery"], case_rows("delivery")),
        (types["voided_doc_number"], voided()),
        (types["audit_event"], audit_rows()),
    ]
    return sel


def county_selection(session: Session, peer: SyncPeer) -> tuple[Selection, list[str]]:
    """The reference set for one township and the receipts owed to it; returns the ids of the
    received bundles whose receipts this carries."""
    types = {t.name: t for t in COUNTY_TYPES}
    claims = {
        item_id: claimed
        for item_id, claimed in session.execute(
            select(SyncTownClaim.power_item_id, SyncTownClaim.claimed).where(SyncTownClaim.peer_id == peer.id)
        )
    }

    def items() -> Iterator[Values]:
        rtype = types["power_item"]
        table = _table(rtype)
        for row in _dicts(session, select(*(table.c[f.name] for f in rtype.fields)).order_by(table.c.id)):
            if claims:
                row["claimed"] = claims.get(row["id"], False)
            yield as_values(rtype, row)

    def settings() -> Iterator[Values]:
        rtype = types["setting"]
        table = _table(rtype)
        yield from _rows(
            session,
            select(*(table.c[f.name] for f in rtype.fields))
            .where(table.c.key.in_(COUNTY_SETTINGS))
            .order_by(table.c.key),
        )

    def roster() -> Iterator[Values]:
        rtype = types["officer_certificate"]
        table = _table(rtype)
        yield from _rows(
            session,
            select(*(table.c[f.name] for f in rtype.fields))
            .where(User.login.startswith(f"{peer.area_code}:", autoescape=True))
            .order_by(table.c.id),
        )

    owed = list(
        session.execute(
            select(SyncBundle)
            .where(
                SyncBundle.direction == "received",
                SyncBundle.status == "applied",
                SyncBundle.sender_area_code == peer.area_code,
                SyncBundle.receipt_bundle_id.is_(None),
            )
            .order_by(SyncBundle.sequence)
        ).scalars()
    )
    owed_ids = [b.id for b in owed]
    rejected: dict[str, int] = {}
    for chunk in _chunks(owed_ids):
        for (bundle_id,) in session.execute(
            select(SyncQuarantine.bundle_id).where(SyncQuarantine.bundle_id.in_(chunk))
        ):
            rejected[bundle_id] = rejected.get(bundle_id, 0) + 1

    def receipts() -> Iterator[Values]:
        for b in owed:
            yield as_values(
                RECEIPT,
                {
                    "bundle_id": b.id,
                    "sequence": b.sequence,
                    "applied_at": b.applied_at or b.recorded_at,
                    "outcome": b.outcome,
                    "rejected": rejected.get(b.id, 0),
                },
            )

    def rejections() -> Iterator[Values]:
        for chunk in _chunks(owed_ids):
            for q in session.execute(
                select(SyncQuarantine)
                .where(SyncQuarantine.bundle_id.in_(chunk))
                .order_by(SyncQuarantine.bundle_id, SyncQuarantine.record_type, SyncQuarantine.record_id)
            ).scalars():
                yield (q.bundle_id, q.record_type, q.record_id, q.reason)

    sel = Selection()
    sel.streams = [
        (types["power_item"], items()),
        (types["discretion_benchmark"], _by_ids(session, types["discretion_benchmark"], "id", None)),
        (types["workday_override"], _by_ids(session, types["workday_override"], "day", None)),
        (types["setting"], settings()),
        (types["officer_certificate"], roster()),
        (types["form_file"], _by_ids(session, types["form_file"], "file_name", None)),
        (RECEIPT, receipts()),
        (REJECTION, _dedupe(rejections())),
    ]
    return sel, owed_ids


def _dedupe(rows: Iterator[Values]) -> Iterator[Values]:
    seen: set[tuple[str, str, str]] = set()
    for row in rows:
        key = (row[0], row[1], row[2])
        if key not in seen:
            seen.add(key)
            yield row
