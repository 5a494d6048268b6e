"""What every benchmark shares: the result record of DESIGN.md, the table, the --json file."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Figure:
    figure: str
    value: float
    unit: str
    baseline: float | None
    target: str
    met: bool

    @property
    def ratio(self) -> float | None:
        """How many times better than the baseline (baseline / value for times)."""
        if self.baseline is None or self.value == 0:
            return None
        return round(self.baseline / self.value, 2)


def report(figures: list[Figure], json_path: Path | None) -> int:
    print(f"{'figure':<44} {'value':>12} {'baseline':>12} {'ratio':>8}  {'target':<22} met")
    for f in figures:
        baseline = f"{f.baseline:.3f}" if f.baseline is not None else "-"
        ratio = f"{f.ratio:.1f}x" if f.ratio is not None else "-"
        print(
            f"{f.figure:<44} {f.value:>10.3f} {f.unit:<2}{baseline:>11} {ratio:>8}  {f.target:<22} {'yes' if f.met else 'NO'}"
        )
    if json_path is not None:
        rows = [{**asdict(f), "ratio": f.ratio} for f in figures]
        json_path.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if all(f.met for f in figures) else 1
