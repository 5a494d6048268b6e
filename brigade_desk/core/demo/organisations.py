"""Demo organisations and individual businesses: names, trade names and credit codes."""

from __future__ import annotations

import random
from collections.abc import Callable

from brigade_desk.core.demo import narrative
from brigade_desk.core.demo.identifiers import make_uscc
from brigade_desk.core.demo.people import split_name
from brigade_desk.core.demo.sampling import pick


class Organisations:
    """Unique organisation names, 字号 and credit codes for one county and township.

    Credit-code registration prefixes (GB 32100): 91 enterprise (and branch), 92 individual
    business, 93 farmers' cooperative, 51 association, 52 private non-enterprise unit.
    """

    def __init__(self, county: str, town: str, area_code: str) -> None:
        self.county = county
        self.county_short = county[:-1] if len(county) > 2 else county
        self.town = town
        self.area_code = area_code
        self.credit_codes: set[str] = set()
        self.names: set[str] = set()
        self.trade_names: set[str] = set()

    def credit_code(self, rng: random.Random, authority_and_type: str) -> str:
        while True:
            code = make_uscc(authority_and_type, self.area_code, f"{rng.randrange(100_000_000):08d}")
            if code not in self.credit_codes:
                self.credit_codes.add(code)
                return code

    def company(self, rng: random.Random) -> str:
        def make() -> str:
            region = (self.county, self.county_short, "浙江")[min(int(rng.random() * 4), 2)]
            u = rng.random()
            form = "有限公司" if u < 0.92 else "有限责任公司" if u < 0.97 else "股份有限公司"
            return f"{region}{self._brand(rng)}{pick(narrative.INDUSTRIES, rng)}{form}"

        return _unique(self.names, make)

    def trade_name(self, rng: random.Random, operator: str) -> str:
        """字号 of an individual business, e.g. 青溪镇阿强小吃店."""
        surname, given = split_name(operator)

        def make() -> str:
            u = rng.random()
            if u < 0.3:
                nick = "阿" + given[-1]
            elif u < 0.5:
                nick = "老" + surname
            elif u < 0.65:
                nick = surname + "记"
            elif u < 0.8:
                nick = given if len(given) == 2 else operator
            else:
                nick = pick(narrative.SHOP_WORDS, rng)
            return f"{self.town}{nick}{pick(narrative.SHOP_TYPES, rng)}"

        return _unique(self.trade_names, make)

    def other_org(self, rng: random.Random) -> tuple[str, str]:
        """(name, credit-code prefix).

        Shares: cooperative 50%, branch of a company 30%, private non-enterprise unit 15%,
        association 5% (one per trade, then a branch instead). Village collective economic
        organisations are left out: their codes start with "N" (农业), which GB 32100 allows but
        python-stdnum, and so ``core.rules.identity``, rejects.
        """
        u = rng.random()
        if u < 0.50:
            crops = narrative.CROPS
            name = _unique(self.names, lambda: f"{self.county}{self._brand(rng)}{pick(crops, rng)}专业合作社")
            return name, "93"
        if 0.80 <= u < 0.95:
            kinds = narrative.NONPROFIT_KINDS
            name = _unique(
                self.names, lambda: f"{self.county}{self.town}{self._brand(rng)}{pick(kinds, rng)}"
            )
            return name, "52"
        if u >= 0.95:
            name = f"{self.county}{self.town}{pick(narrative.ASSOCIATIONS, rng)}"
            if name not in self.names:
                self.names.add(name)
                return name, "51"

        def branch() -> str:
            return f"浙江{self._brand(rng)}{pick(narrative.INDUSTRIES, rng)}有限公司{self.county_short}分公司"

        return _unique(self.names, branch), "91"

    @staticmethod
    def _brand(rng: random.Random) -> str:
        a, b = pick(narrative.BRAND_CHARS, rng), pick(narrative.BRAND_CHARS, rng)
        return a + b if a != b else a + "达"


def _unique(taken: set[str], make: Callable[[], str]) -> str:
    for _ in range(30):
        value = make()
        if value not in taken:
            taken.add(value)
            return value
    # The pattern's name space is crowded: number the name, as registries do.
    base, k = make(), 2
    while f"{base}（{k}）" in taken:
        k += 1
    taken.add(f"{base}（{k}）")
    return f"{base}（{k}）"
