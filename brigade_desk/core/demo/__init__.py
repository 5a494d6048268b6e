"""Reference seed data and a deterministic demo-data generator (no database, no Qt)."""

from brigade_desk.core.demo.generator import DemoGenerator
from brigade_desk.core.demo.rows import (
    PARTY_KINDS,
    CaseRow,
    LegalBasisRef,
    LegalProvisionSeed,
    OfficerRow,
    PartyKind,
    PartyRow,
    PowerItemSeed,
    TownshipSeed,
    VillageSeed,
)
from brigade_desk.core.demo.seed import SEED_DIR, load_legal_provisions, load_power_items, load_township

__all__ = [
    "PARTY_KINDS",
    "SEED_DIR",
    "CaseRow",
    "DemoGenerator",
    "LegalBasisRef",
    "LegalProvisionSeed",
    "OfficerRow",
    "PartyKind",
    "PartyRow",
    "PowerItemSeed",
    "TownshipSeed",
    "VillageSeed",
    "load_legal_provisions",
    "load_power_items",
    "load_township",
]
