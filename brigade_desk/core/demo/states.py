"""How demo cases spread over case states, by the age of the case.

The generator is given the state names to use; it only needs to know roughly how far along each
state is. Names of DOMAIN.md 7.2 and of ``core.rules.procedure.CaseState`` are both listed; any other
name counts as "mid" (in progress after filing).
"""

from __future__ import annotations

from bisect import bisect
from collections.abc import Sequence
from typing import Final

from brigade_desk.core.demo.sampling import Weighted

STATE_CATEGORY: Final[dict[str, str]] = {
    "clue": "clue",
    "pending_filing": "clue",
    "not_filed": "not_filed",
    "filed": "early",
    "investigating": "early",
    "preserved": "early",
    "seized": "early",
    "investigation_closed": "mid",
    "no_penalty_proposed": "mid",
    "facts_not_established": "mid",
    "transfer": "mid",
    "penalty_proposed": "mid",
    "notice_served": "mid",
    "hearing": "mid",
    "hearing_requested": "mid",
    "hearing_held": "mid",
    "hearing_waived": "mid",
    "statement_received": "mid",
    "reexamined": "mid",
    "legal_review": "mid",
    "review_passed": "mid",
    "review_returned": "mid",
    "collective_discussion": "mid",
    "decided": "decided",
    "decision_served": "decided",
    "performing": "decided",
    "overdue": "enforcement",
    "urged": "enforcement",
    "court_applied": "enforcement",
    "decided_no_penalty": "end",
    "case_withdrawn": "end",
    "withdrawn": "end",
    "transferred": "end",
    "paid": "end",
    "executed": "end",
    "on_the_spot": "simple_done",
    "on_the_spot_decided": "simple_open",
    "payment_due": "simple_open",
    "paid_on_spot": "simple_done",
    "filed_for_record": "simple_done",
    "closed": "closed",
    "archived": "archived",
}

# A case's age (days from receipt to as_of) falls in one of six buckets. Each category has a weight
# per bucket, shared equally by the given states of that category: recent cases are mostly in
# progress, cases older than a year mostly closed or archived.
AGE_BOUNDS: Final = (30, 90, 180, 365, 730)
CATEGORY_WEIGHTS: Final[dict[str, tuple[float, float, float, float, float, float]]] = {
    #              <30d  <90d  <180d <1y   <2y   older
    "clue": (30, 4, 1, 0.3, 0.1, 0.05),
    "not_filed": (1.5, 2, 2, 1.5, 1, 0.8),
    "early": (30, 18, 5, 1, 0.3, 0.1),
    "mid": (16, 30, 14, 3, 0.6, 0.2),
    "decided": (4, 18, 18, 6, 1.2, 0.4),
    "enforcement": (0.3, 2, 7, 6, 3, 1),
    "end": (2, 6, 8, 7, 5, 3),
    "simple_open": (10, 1.5, 0.5, 0.2, 0.1, 0.05),
    "simple_done": (6, 8, 8, 6, 4, 2),
    "closed": (1.5, 10, 30, 40, 30, 15),
    "archived": (0.1, 1, 8, 30, 55, 78),
}

# Never filed (so no case number): leads awaiting or refused filing.
UNFILED_CATEGORIES: Final = frozenset({"clue", "not_filed"})
# Simple procedure (简易程序): no filing, no case number, fine within the APL Art 51 limits.
SIMPLE_CATEGORIES: Final = frozenset({"simple_open", "simple_done"})
SIMPLE_SHARE_OF_CLOSED: Final = 0.12
# States in which a penalty decision exists, so a fine may be set.
FINED_CATEGORIES: Final = frozenset({"decided", "enforcement", "simple_open", "simple_done"})
FINED_END_STATES: Final = frozenset({"paid", "executed"})
CLOSED_CATEGORIES: Final = frozenset({"closed", "archived"})
CLOSED_FINED_SHARE: Final = 0.85  # the rest closed with a warning or order only
# States that only major decisions (APL Art 57, 58) reach.
MAJOR_STATES: Final = frozenset({"legal_review", "review_passed", "review_returned", "collective_discussion"})


class StateTable:
    """Per age bucket, the given states with their weights."""

    def __init__(self, states: Sequence[str]) -> None:
        self.states = tuple(states)
        self.categories = tuple(STATE_CATEGORY.get(s, "mid") for s in self.states)
        count: dict[str, int] = {}
        for c in self.categories:
            count[c] = count.get(c, 0) + 1

        def tables(indices: Sequence[int]) -> tuple[Weighted[int], ...]:
            return tuple(
                Weighted(
                    (i, CATEGORY_WEIGHTS[self.categories[i]][b] / count[self.categories[i]]) for i in indices
                )
                for b in range(len(AGE_BOUNDS) + 1)
            )

        self.by_bucket = tables(range(len(self.states)))
        # The same without simple-procedure states, for cases where no item allows one.
        general = [i for i, c in enumerate(self.categories) if c not in SIMPLE_CATEGORIES]
        self.general_by_bucket = tables(general) if general else self.by_bucket

    def draw(self, age_days: int, rng_random: float, *, simple_possible: bool = True) -> int:
        """Index of a state for a case received ``age_days`` before as_of."""
        tables = self.by_bucket if simple_possible else self.general_by_bucket
        table = tables[bisect(AGE_BOUNDS, age_days)]
        return table.values[bisect(table.cum, rng_random * table.total)]
