"""Discretion benchmarks (行政裁量权基准) in the store, and the discretion result saved on a case.

A ``BenchmarkVersion`` row is one version of one benchmark: the searchable header columns and the
whole benchmark as JSON (``core.rules.discretion.benchmark_to_dict``) with its SHA-256 digest. Its id
is the benchmark's own UUID (the file's 标识, or the one derived from 基准代码, 版本 and 生效日期), so
importing the same file twice, or the county's bundle on several PCs, gives the same row.

A ``CaseDiscretion`` row is the evaluation an officer saved on a case: the inputs, the engine's
result (``DiscretionResult.to_dict()``), the version and digest it was computed from, and any other
amount proposed with its reason. Whether a version has been *used by a decision* is derived, never
stored: some case saved a result with it (applied or as the APL Art 37 alternative) and that case has
a decision step (docs/discretion.md).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from brigade_desk.core.model.base import Base, uuid_pk


class BenchmarkVersion(Base):
    __tablename__ = "discretion_benchmark"

    # The benchmark's UUID (Benchmark.uuid): stable across imports and bundles.
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # 基准代码: the same for every version of one benchmark.
    series: Mapped[str] = mapped_column(String(64))
    # 版本 within the series (1, 2, …).
    version_number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    issuer: Mapped[str] = mapped_column(String(200))
    doc_number: Mapped[str] = mapped_column(String(100), default="")
    effective_from: Mapped[date]
    effective_to: Mapped[date | None] = mapped_column(default=None)
    source: Mapped[str] = mapped_column(Text, default="")
    is_starter: Mapped[bool] = mapped_column(default=False)
    item_count: Mapped[int] = mapped_column(default=0)
    tier_count: Mapped[int] = mapped_column(default=0)
    # SHA-256 of the canonical JSON of `data` (core.rules.discretion.benchmark_digest).
    digest: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("series", "version_number", name="uq_discretion_benchmark_series_number"),
    )


class CaseDiscretion(Base):
    """The discretion result saved on a case (one per case; earlier saves are in the audit trail)."""

    __tablename__ = "case_discretion"

    id: Mapped[str] = uuid_pk()
    case_id: Mapped[str] = mapped_column(
        ForeignKey("case_record.id", ondelete="CASCADE"), unique=True, index=True
    )
    # The version whose figures applied, and the other version consulted under APL Art 37 (if any).
    # Deleting an unused version leaves the saved result without a link: it must be recomputed.
    benchmark_id: Mapped[str | None] = mapped_column(
        ForeignKey("discretion_benchmark.id", ondelete="SET NULL"), default=None, index=True
    )
    alternative_benchmark_id: Mapped[str | None] = mapped_column(
        ForeignKey("discretion_benchmark.id", ondelete="SET NULL"), default=None, index=True
    )
    # The digest of the version when the result was computed: a later edit shows as a mismatch.
    benchmark_digest: Mapped[str] = mapped_column(String(64))
    series: Mapped[str] = mapped_column(String(64))
    item_code: Mapped[str] = mapped_column(String(64))
    # EvaluationInputs.to_dict() plus how the prior penalties were found ("prior_cases").
    inputs: Mapped[dict[str, Any]]
    # DiscretionResult.to_dict()
    result: Mapped[dict[str, Any]]
    tier_code: Mapped[str | None] = mapped_column(String(80), default=None)
    recommended_fen: Mapped[int | None] = mapped_column(default=None)
    # Another amount the officer proposed (None: the recommendation stands), with the reason.
    proposed_fen: Mapped[int | None] = mapped_column(default=None)
    proposal_reason: Mapped[str] = mapped_column(Text, default="")
    proposal_within_tier: Mapped[bool | None] = mapped_column(default=None)
    # Outside the tier: a major decision (legal review and collective discussion).
    requires_major_review: Mapped[bool] = mapped_column(default=False)
    saved_at: Mapped[datetime]
    saved_by: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    saved_by_name: Mapped[str] = mapped_column(String(64), default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_case_discretion_item", "item_code"),)
