"""A county store holding one township's bundle: two townships registered (青溪镇 sent its first bundle,
石门乡 nothing yet); 青溪镇's bundle carries demo cases and one case walked through the procedure with
an issued 事先告知书 (its archived PDF) and a photograph as evidence.

Built the way the core sync tests build theirs (tests/core/sync_support.py): real stores, real
services, a real bundle exported by the township and imported by the county.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from brigade_desk.core.app import Services
from brigade_desk.core.services.demo import DemoService
from brigade_desk.core.services.evidence import EvidenceInput
from brigade_desk.core.services.sync import read_card
from brigade_desk.core.store import open_store
from tests.core.sync_support import TOWN_B, Side, make_county, make_town, pair
from tests.core.test_documents_service import closed_investigation, issue
from tests.core.test_evidence import make_jpeg
from tests.factories import Clock, cast_of

DEMO_CASES = 12


@dataclass
class CountyWorld:
    county: Side
    town: Side
    case_id: str  # the case with a document and evidence
    case_number: str
    doc_number: str
    photo: Path
    photo_name: str

    def close(self) -> None:
        self.county.close()
        self.town.close()


def build_county_world(root: Path) -> CountyWorld:
    clock = Clock(datetime(2025, 9, 22, 2, 0, tzinfo=UTC))
    (root / "town").mkdir(parents=True)
    services = Services.over(open_store(root / "town"), clock)
    cast = cast_of(services)  # initialises 青溪镇 with its people
    town = Side(services, cast.admin, root / "town")
    DemoService(services.store).generate(
        cast.admin, cases=DEMO_CASES, seed=7
    )  # only into a store without cases
    case_id = closed_investigation(services, cast)
    clock.set_day(date(2025, 9, 29))
    notice = issue(services, cast, case_id, "prior_notice")
    photo = make_jpeg(root / "现场照片.jpg")
    with photo.open("rb") as stream:
        services.evidence.add_file(
            cast.officer,
            case_id,
            stream,
            EvidenceInput(
                kind="audio_visual",
                description="占道经营现场照片",
                proves="当事人占用人行道摆摊",
                collected_by="张三",
                collected_at=datetime(2025, 9, 22, 2, 15, tzinfo=UTC),
            ),
            file_name=photo.name,
        )
    case_number = services.cases.get(cast.admin, case_id).case_number

    county = make_county(root / "county")
    pair(town, county)
    # A second township is registered but has sent nothing yet.
    town_b = make_town(root / "town-b", organ=TOWN_B)
    try:
        card = read_card(town_b.sync.peer_card(town_b.admin))
        county.sync.add_peer(
            county.admin,
            kind="township",
            area_code=card["area_code"],
            name=card["name"],
            public_key=card["public_key"],
        )
    finally:
        town_b.close()
    usb = root / "usb"
    usb.mkdir()
    [sent] = town.sync.export(town.admin, usb)
    result = county.sync.import_bundle(county.admin, sent.path)
    assert result.status == "applied", result.message  # a small import indexes its cases for search
    return CountyWorld(county, town, case_id, case_number, notice.doc_number, photo, photo.name)
