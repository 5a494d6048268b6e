"""Loading the reference seed files in resources/seed/ (power items, legal provisions, places)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

from brigade_desk.core.demo.rows import LegalProvisionSeed, PowerItemSeed, TownshipSeed

SEED_DIR = Path(__file__).resolve().parents[3] / "resources" / "seed"


def _load(name: str, seed_dir: Path | None) -> object:
    path = (seed_dir or SEED_DIR) / name
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def load_power_items(seed_dir: Path | None = None) -> list[PowerItemSeed]:
    return cast(list[PowerItemSeed], _load("power_items.json", seed_dir))


def load_legal_provisions(seed_dir: Path | None = None) -> list[LegalProvisionSeed]:
    return cast(list[LegalProvisionSeed], _load("legal_provisions.json", seed_dir))


def load_township(seed_dir: Path | None = None) -> TownshipSeed:
    return cast(TownshipSeed, _load("places.json", seed_dir))
