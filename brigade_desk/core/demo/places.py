"""Demo addresses of parties and places of violations in the township's villages and streets."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from brigade_desk.core.demo import narrative
from brigade_desk.core.demo.sampling import Weighted, pick


class Places:
    """Address and place pools built once from places.json.

    Place pools: "town" (streets of the 社区, i.e. the town centre), "street" (town and village
    roads), "rural" (fields, hills, village groups). Each place carries the village it lies in.
    """

    def __init__(
        self, rng: random.Random, county: str, town: str, villages: Sequence[Mapping[str, Any]]
    ) -> None:
        self.town = town
        self.prefix = f"{county}{town}"
        self.villages = Weighted((v, float(v.get("households") or 100)) for v in villages)
        self.roads = [str(r) for v in villages for r in v.get("roads") or []] or [town]
        town_pool: list[tuple[str, str]] = []
        street: list[tuple[str, str]] = []
        rural: list[tuple[str, str]] = []
        for v in villages:
            vname = str(v["name"])
            community = v.get("kind") == "社区"
            for road in v.get("roads") or []:
                for _ in range(4 if community else 1):
                    other = pick(self.roads, rng)
                    suffix = pick(narrative.STREET_SUFFIXES, rng).format(
                        n=rng.randint(1, 188), other=other if other != road else "文化路"
                    )
                    place = (f"{town}{'' if community else vname}{road}{suffix}", vname)
                    street.append(place)
                    if community:
                        town_pool.append(place)
            rural.extend((f"{town}{vname}{spot}", vname) for spot in v.get("spots") or [])
            rural.extend((f"{town}{vname}{g}组", vname) for g in range(1, int(v.get("groups") or 0) + 1, 3))
        fallback = [(f"{town}{v['name']}", str(v["name"])) for v in villages]
        self.pools: dict[str, list[tuple[str, str]]] = {
            "town": town_pool or street or fallback,
            "street": street or fallback,
            "rural": rural or street or fallback,
        }

    def place(self, rng: random.Random, pool: str) -> tuple[str, str]:
        """(place, village) for a violation; pool "mixed" is street or rural at even odds."""
        if pool == "mixed":
            pool = "street" if rng.random() < 0.5 else "rural"
        return pick(self.pools[pool], rng)

    def home(self, rng: random.Random) -> str:
        v = self.villages.draw(rng)
        roads = v.get("roads") or []
        if v.get("kind") == "社区" and roads:
            road = pick(roads, rng)
            if rng.random() < 0.45:
                return (
                    f"{self.prefix}{road[:2]}{pick(narrative.XIAOQU, rng)}{rng.randint(1, 24)}幢"
                    f"{rng.randint(1, 4)}单元{rng.randint(1, 18)}0{rng.randint(1, 4)}室"
                )
            return f"{self.prefix}{road}{rng.randint(1, 300)}号"
        groups = max(int(v.get("groups") or 1), 1)
        return f"{self.prefix}{v['name']}{rng.randint(1, groups)}组{rng.randint(1, 99)}号"

    def business(self, rng: random.Random) -> str:
        return f"{self.prefix}{pick(self.roads, rng)}{rng.randint(1, 360)}号"
