"""Reference data a new store starts with: the starter power-item catalogue and legal provisions.

The county owns reference data and sends its own catalogue in bundles; until the first one
arrives, a township works with the starter catalogue shipped in resources/seed/ (typical township
items with verified legal bases). Loading is idempotent: items already present (same code and
catalogue version) are left alone.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from brigade_desk.core import audit
from brigade_desk.core.demo.seed import load_legal_provisions, load_power_items
from brigade_desk.core.model import LegalProvision, PowerItem
from brigade_desk.core.rules.permissions import Actor


def _basis_text(item: dict[str, object]) -> str:
    parts = []
    for ref in item.get("legal_basis") or []:  # type: ignore[attr-defined]
        parts.append(f"《{ref['law']}》{ref['article']}")
    return "、".join(parts)


def load_starter_catalogue(session: Session, actor: Actor | None) -> int:
    """Insert the starter items and provisions not yet in the store; return how many items were added."""
    present = {
        (code, version)
        for code, version in session.execute(select(PowerItem.code, PowerItem.catalogue_version))
    }
    added = 0
    for raw in load_power_items():
        item = dict(raw)
        key = (str(item["code"]), str(item.get("catalogue_version") or ""))
        if key in present:
            continue
        session.add(
            PowerItem(
                code=key[0],
                name=str(item["name"]),
                item_type=str(item["item_type"]),
                legal_basis=_basis_text(item),
                source_department=str(item.get("source_department") or ""),
                mode=str(item.get("mode") or "下放"),
                claimed=bool(item.get("claimed")),
                valid_from=date.fromisoformat(str(item["valid_from"])),
                valid_to=date.fromisoformat(str(item["valid_to"])) if item.get("valid_to") else None,
                catalogue_version=key[1],
                scope_remark=str(item.get("scope_remark") or ""),
                penalty_min_fen=item.get("penalty_min_fen"),
                penalty_max_fen=item.get("penalty_max_fen"),
                statute_years=int(item.get("statute_years") or 2),  # type: ignore[call-overload]
            )
        )
        added += 1
    if not session.execute(select(LegalProvision.id).limit(1)).first():
        for prov in load_legal_provisions():
            p = dict(prov)
            session.add(
                LegalProvision(
                    law_name=str(p["law_name"]),
                    level=str(p.get("level") or "法律"),
                    version_date=date.fromisoformat(str(p["version_date"]))
                    if p.get("version_date")
                    else None,
                    article=str(p["article"]),
                    paragraph=str(p.get("paragraph") or ""),
                    item=str(p.get("item") or ""),
                    text=str(p.get("text") or ""),
                    role=str(p.get("role") or ""),
                )
            )
    if added:
        session.flush()
        audit.record(
            session,
            actor,
            audit.Change(
                "reference.starter",
                "power_item",
                "starter",
                f"载入初始权力事项目录（{added} 项，待县级目录替换）",
            ),
        )
    return added
