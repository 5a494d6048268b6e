"""Demo people: names by sex and generation, resident ID numbers, phone numbers, logins."""

from __future__ import annotations

import random
from datetime import date
from typing import Final

from brigade_desk.core.demo import names, narrative
from brigade_desk.core.demo.identifiers import ric_check_digit
from brigade_desk.core.demo.sampling import Weighted, pick

COMPOUND_SURNAMES: Final = frozenset(s for s, _ in names.SURNAMES if len(s) == 2)
MALE_SHARE: Final = 0.52
MINOR_SHARE: Final = 0.012  # 14–17 years old on as_of
RARE_CHAR_SHARE: Final = 0.012
SINGLE_GIVEN_SHARE: Final = 0.25


def minus_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def split_name(name: str) -> tuple[str, str]:
    n = 2 if name[:2] in COMPOUND_SURNAMES else 1
    return name[:n], name[n:]


def login_for(name: str) -> str:
    """Full pinyin of a name from the demo pools, e.g. 欧阳玥 -> ouyangyue."""
    surname, given = split_name(name)
    return names.SURNAME_PINYIN[surname] + "".join(names.GIVEN_PINYIN[c] for c in given)


class People:
    """Makes people with unique, valid resident ID numbers and unique phone numbers.

    ID numbers: area code (weighted: mostly the county, some migrants) + birth date + sequence
    (odd for men) + GB 11643 check digit. Adults are 18–80 on ``as_of``; about 1.2% of those who
    may be minors are 14–17.
    """

    def __init__(self, area_codes: Weighted[str], as_of: date) -> None:
        self.area_codes = area_codes
        oldest = date(as_of.year - 80, 1, 1)
        self._base = oldest.toordinal()
        self._ymd = [date.fromordinal(o).strftime("%Y%m%d") for o in range(self._base, as_of.toordinal() + 1)]
        self._adult = (self._base, minus_years(as_of, 18).toordinal())
        self._minor = (minus_years(as_of, 18).toordinal() + 1, minus_years(as_of, 14).toordinal())
        self._surnames = Weighted((s, float(w)) for s, w in names.SURNAMES)
        self.id_numbers: set[str] = set()
        self.phones: set[str] = set()

    def person(self, rng: random.Random, *, allow_minor: bool) -> tuple[str, str, bool]:
        """(name, resident ID number, is_minor)."""
        male = rng.random() < MALE_SHARE
        minor = allow_minor and rng.random() < MINOR_SHARE
        if minor:
            lo, hi = self._minor
            birth = lo + int(rng.random() * (hi - lo + 1))
        else:
            lo, hi = self._adult
            birth = lo + int((rng.random() + rng.random()) / 2 * (hi - lo))  # fewer of the very old
        ymd = self._ymd[birth - self._base]
        name = self.name(rng, male, young=ymd >= "1980")
        area = self.area_codes.draw(rng)
        while True:
            seq = rng.randrange(500) * 2 + 1 if male else rng.randrange(499) * 2 + 2
            body = f"{area}{ymd}{seq:03d}"
            number = body + ric_check_digit(body)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return name, number, minor

    def name(self, rng: random.Random, male: bool, *, young: bool) -> str:
        surname = self._surnames.draw(rng)
        if male:
            pool, rare = (names.MALE_NEW if young else names.MALE_OLD), names.RARE_MALE
        else:
            pool, rare = (names.FEMALE_NEW if young else names.FEMALE_OLD), names.RARE_FEMALE
        first = pick(rare, rng) if rng.random() < RARE_CHAR_SHARE else pick(pool, rng)
        if rng.random() < SINGLE_GIVEN_SHARE:
            return surname + first
        return surname + first + pick(pool, rng)

    def phone(self, rng: random.Random) -> str:
        while True:
            phone = f"{pick(narrative.PHONE_PREFIXES, rng)}{rng.randrange(100_000_000):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone
