"""Power items as the case generator needs them: which apply on a date, to a party kind, with a fine."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final, Literal

from brigade_desk.core.demo import narrative
from brigade_desk.core.demo.rows import PARTY_KINDS
from brigade_desk.core.demo.sampling import Weighted, pick

PENALTY: Final = "行政处罚"
KIND_INDEX: Final[dict[str, int]] = {k: i for i, k in enumerate(PARTY_KINDS)}
NATURAL, LEGAL, OTHER, BUSINESS = 0, 1, 2, 3
CITIZEN_KINDS: Final = frozenset({NATURAL, BUSINESS})
# APL Art 51: on-the-spot fines up to 200 yuan for a citizen, 3,000 yuan for an organisation. An
# individual business is treated as a citizen here.
SIMPLE_LIMIT_FEN: Final = {True: 20_000, False: 300_000}
FAR_FUTURE: Final = date(9999, 12, 31).toordinal()

PlacePool = Literal["town", "street", "rural", "mixed"]


@dataclass(slots=True, frozen=True)
class CatalogueItem:
    code: str
    item_type: str
    claimed: bool
    field: str
    violation: str
    citation: str  # 《法名》第…条 of the first legal basis
    source_department: str
    valid_from: int  # date ordinal
    valid_to: int  # date ordinal, FAR_FUTURE when open-ended
    kinds: frozenset[int]
    pmin: int | None
    pmax: int | None
    weight: float
    place_pool: PlacePool

    def valid_on(self, ordinal: int) -> bool:
        return self.valid_from <= ordinal <= self.valid_to


def parse_item(raw: Mapping[str, Any]) -> CatalogueItem:
    """One power_items.json entry; missing optional keys get defaults."""
    basis = raw.get("legal_basis") or []
    citation = f"《{basis[0].get('law', '')}》{basis[0].get('article', '')}" if basis else "有关规定"
    kinds = frozenset(KIND_INDEX[k] for k in raw.get("applicable_parties") or () if k in KIND_INDEX)
    field = str(raw.get("field") or "")
    violation = str(raw.get("violation") or "")
    if not violation:
        name = str(raw.get("name") or "")
        violation = name.removeprefix("对").removesuffix("的处罚").removesuffix("的处理")
    pool: PlacePool
    if field in narrative.TOWN_FIELDS:
        pool = "town"
    elif field in narrative.RURAL_FIELDS or any(w in violation for w in narrative.RURAL_WORDS):
        pool = "rural"
    elif field in narrative.MIXED_FIELDS:
        pool = "mixed"
    else:
        pool = "street"
    valid_to = raw.get("valid_to")
    pmin, pmax = raw.get("penalty_min_fen"), raw.get("penalty_max_fen")
    return CatalogueItem(
        code=str(raw["code"]),
        item_type=str(raw.get("item_type") or PENALTY),
        claimed=bool(raw.get("claimed", True)),
        field=field,
        violation=violation,
        citation=citation,
        source_department=str(raw.get("source_department") or "有关部门"),
        valid_from=date.fromisoformat(str(raw["valid_from"])).toordinal(),
        valid_to=date.fromisoformat(str(valid_to)).toordinal() if valid_to else FAR_FUTURE,
        kinds=kinds or frozenset(range(len(PARTY_KINDS))),
        pmin=None if pmin is None else int(pmin),
        pmax=None if pmax is None else int(pmax),
        weight=narrative.FIELD_WEIGHTS.get(field, 3.0),
        place_pool=pool,
    )


class ItemPicker:
    """Claimed penalty items by month, party kind and procedure, ready to draw from.

    Cases may only be filed against an item claimed by the township and valid on both the
    violation date and the filing date (DOMAIN.md 7.1); the month tables narrow the choice and
    each draw is checked against the exact dates.
    """

    def __init__(self, items: Sequence[CatalogueItem], first: date, last: date) -> None:
        self.items = [i for i in items if i.claimed and i.item_type == PENALTY]
        if not self.items:
            raise ValueError("赋权事项中没有本镇认领的行政处罚事项，无法生成案件")
        # Violations precede receipt, so the tables start a year before the first receipt.
        self.month0 = _month(date(first.year - 1, 1, 1))
        self.tables: dict[tuple[int, int, bool], Weighted[CatalogueItem]] = {}
        for month in range(self.month0, _month(last) + 1):
            lo, hi = _month_bounds(month)
            valid = [i for i in self.items if i.valid_from <= hi and i.valid_to >= lo]
            if not valid and hi >= first.toordinal():
                y, m = divmod(month, 12)
                raise ValueError(f"{y}年{m + 1}月没有本镇认领的有效行政处罚事项，无法生成案件")
            for kind in range(len(PARTY_KINDS)):
                fitting = [i for i in valid if kind in i.kinds] or valid
                if fitting:
                    self.tables[(month, kind, False)] = Weighted((i, i.weight) for i in fitting)
                # Simple procedure only where a fine within the APL Art 51 limit is possible.
                limit = SIMPLE_LIMIT_FEN[kind in CITIZEN_KINDS]
                simple = [i for i in fitting if i.pmax is not None and (i.pmin or 0) <= limit]
                if simple:
                    self.tables[(month, kind, True)] = Weighted((i, i.weight) for i in simple)

    def simple_possible(self, violation: int, kind: int) -> bool:
        return (self._month_of(violation), kind, True) in self.tables

    def draw(self, rng: random.Random, violation: int, filed: int, kind: int, simple: bool) -> CatalogueItem:
        month = self._month_of(violation)
        table = self.tables.get((month, kind, simple)) or self.tables.get((month, kind, False))
        if table is not None:
            for _ in range(6):
                item = table.draw(rng)
                if item.valid_on(violation) and item.valid_on(filed):
                    return item
        # Rare: a validity boundary inside the month, or a violation before the tables start.
        exact = [i for i in self.items if i.valid_on(violation) and i.valid_on(filed)]
        exact = exact or [i for i in self.items if i.valid_on(filed)] or self.items
        return pick([i for i in exact if kind in i.kinds] or exact, rng)

    def _month_of(self, ordinal: int) -> int:
        return max(_month(date.fromordinal(ordinal)), self.month0)


def fine_for(rng: random.Random, item: CatalogueItem, limit: int | None) -> int | None:
    """A fine inside the item's statutory range and not above ``limit``, or None when the item
    sets no range or its minimum is above ``limit``.

    Tiers as in DOMAIN.md 3.2 (illustrative, not a county benchmark): with a minimum, 从轻 is the
    lowest 30% of the range, 一般 30–70%, 从重 the rest; with only a maximum ("…以下"), 从轻 is up
    to 20% of it, 一般 40–60%, 从重 above. Most cases fall in 从轻, few in 从重; amounts are
    rounded to 50 / 100 / 1,000 yuan as decisions usually are.
    """
    if item.pmax is None:
        return None
    lo, top = item.pmin or 0, item.pmax
    hi = top if limit is None else min(top, limit)
    if hi < lo:
        return None
    u = rng.random()
    bands = _ONLY_MAX_BANDS if lo == 0 else _RANGE_BANDS
    _, start, end = bands[-1]
    for share, band_start, band_end in bands:
        if u < share:
            start, end = band_start, band_end
            break
        u -= share
    span = top - lo
    band_lo, band_hi = lo + start * span, lo + end * span
    step = 5_000 if top <= 500_000 else 10_000 if top <= 5_000_000 else 100_000
    value = round((band_lo + (band_hi - band_lo) * rng.random()) / step) * step
    floor = max(lo, min(step, hi))  # no fine of 0 yuan: "…以下" ranges start at one step
    return int(min(max(value, floor), hi))


# (share of cases, band start, band end) as fractions of the statutory range.
_RANGE_BANDS: Final = ((0.60, 0.0, 0.3), (0.30, 0.3, 0.7), (0.10, 0.7, 1.0))
_ONLY_MAX_BANDS: Final = ((0.70, 0.0, 0.2), (0.25, 0.4, 0.6), (0.05, 0.6, 1.0))


def _month(d: date) -> int:
    return d.year * 12 + d.month - 1


def _month_bounds(month: int) -> tuple[int, int]:
    y, m = divmod(month, 12)
    first = date(y, m + 1, 1)
    nxt = date(y + 1, 1, 1) if m == 11 else date(y, m + 2, 1)
    return first.toordinal(), (nxt - timedelta(days=1)).toordinal()
