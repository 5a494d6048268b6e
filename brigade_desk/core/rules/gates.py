"""Hard rules that block a procedural action (DOMAIN.md 7.3), as pure functions.

Each function returns the list of problems in plain Chinese (empty when the action may go on);
services raise them together so the person sees everything that is missing at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from brigade_desk.core.rules.money import format_yuan
from brigade_desk.core.rules.workdays import WorkdayCalendar
from brigade_desk.core.timeutil import format_date as cn_date

# APL Art 51: simple procedure only up to these fines (or a warning).
SIMPLE_LIMIT_PERSON_FEN = 200_00
SIMPLE_LIMIT_ORG_FEN = 3_000_00
# APL Art 68: on-the-spot collection up to 100 yuan (or hard to enforce / remote area).
ON_SPOT_COLLECTION_LIMIT_FEN = 100_00
DECISION_DAYS = 90  # APL Art 60


def certificate_valid_on(number: str, valid_from: date | None, valid_to: date | None, day: date) -> bool:
    """The one reading of an enforcement certificate's validity: a number is required; a date not
    recorded leaves that end of the period open (the procedure's gates, the officer choosers in
    documents and the people screens all ask this)."""
    return bool(
        number
        and number.strip()
        and (valid_from is None or valid_from <= day)
        and (valid_to is None or day <= valid_to)
    )


@dataclass(frozen=True)
class OfficerOnDuty:
    name: str
    certificate_no: str
    valid_from: date | None
    valid_to: date | None

    def valid_on(self, day: date) -> bool:
        return certificate_valid_on(self.certificate_no, self.valid_from, self.valid_to, day)


def two_certified_officers(officers: Sequence[OfficerOnDuty], day: date) -> list[str]:
    """Rule 1 (APL Art 42, 55; AEL Art 18): at least two officers with certificates valid that day."""
    valid = [o for o in officers if o.valid_on(day)]
    if len(valid) >= 2:
        return []
    invalid = [o.name for o in officers if not o.valid_on(day)]
    detail = f"（{'、'.join(invalid)}的执法证在{cn_date(day)}无效或未登记）" if invalid else ""
    if not valid:
        return [f"缺少两名持有效执法证的执法人员{detail}"]
    return [f"缺少第二名持有效执法证的执法人员{detail}"]


def limitation_problem(violation_end: date, discovered: date, years: int) -> list[str]:
    """Rule 9 (APL Art 36): not discovered within the limitation period, no penalty."""
    try:
        expiry = violation_end.replace(year=violation_end.year + years)
    except ValueError:  # 29 February
        expiry = violation_end.replace(year=violation_end.year + years, day=28)
    if discovered > expiry:
        return [
            f"违法行为终了于{cn_date(violation_end)}，至{cn_date(discovered)}发现时已超过{years}年追责时效"
            f"（《行政处罚法》第三十六条），不得给予行政处罚"
        ]
    return []


def fine_in_statutory_range(
    fine_fen: int | None, minimum_fen: int | None, maximum_fen: int | None, mitigation_ground: str
) -> list[str]:
    """Rule 10 (APL Art 29, 32): inside the range; below the minimum only with a 减轻 ground; never above."""
    if fine_fen is None:
        return []
    if fine_fen < 0:
        return ["罚款金额不能为负数"]
    if maximum_fen is not None and fine_fen > maximum_fen:
        return [f"罚款{format_yuan(fine_fen)}超过法定最高额{format_yuan(maximum_fen)}"]
    if minimum_fen is not None and fine_fen < minimum_fen and not mitigation_ground.strip():
        return [
            f"罚款{format_yuan(fine_fen)}低于法定最低额{format_yuan(minimum_fen)}；"
            "减轻处罚须写明《行政处罚法》第三十条至第三十二条规定的法定情节"
        ]
    return []


def simple_procedure_problems(
    fine_fen: int, warning_only: bool, party_is_person: bool, collect_on_spot: bool, hard_to_enforce: bool
) -> list[str]:
    """Rule 11 (APL Art 51, 68, 69)."""
    problems: list[str] = []
    limit = SIMPLE_LIMIT_PERSON_FEN if party_is_person else SIMPLE_LIMIT_ORG_FEN
    if not warning_only and fine_fen > limit:
        who = "公民" if party_is_person else "法人或者其他组织"
        problems.append(
            f"简易程序对{who}罚款不得超过{format_yuan(limit)}（《行政处罚法》第五十一条），请按普通程序办理"
        )
    if warning_only and fine_fen:
        problems.append("警告不应同时填写罚款金额")
    if warning_only and collect_on_spot:
        problems.append("警告没有罚款可当场收缴")
    if collect_on_spot and fine_fen > ON_SPOT_COLLECTION_LIMIT_FEN and not hard_to_enforce:
        problems.append(
            f"当场收缴罚款限于{format_yuan(ON_SPOT_COLLECTION_LIMIT_FEN)}以下，或不当场收缴事后难以执行、边远地区（《行政处罚法》第六十八条、第六十九条）"
        )
    return problems


def decision_period_problem(filed_on: date, decided_on: date, extension_days: int) -> list[str]:
    """Rule 8 (APL Art 60): decide within 90 days of filing unless an extension was approved."""
    limit = DECISION_DAYS + extension_days
    if (decided_on - filed_on).days > limit:
        return [
            f"自立案（{cn_date(filed_on)}）起已超过{limit}日，须先经负责人批准延长办案期限（《行政处罚法》第六十条）"
        ]
    return []


def statement_window_problem(
    calendar: WorkdayCalendar,
    notice_served_on: date | None,
    statement_workdays: int,
    decided_on: date,
    waived: bool,
) -> list[str]:
    """Rule 2 (APL Art 44, 62): no decision before the notice was served and its window passed, unless waived."""
    if notice_served_on is None:
        return ["尚未送达行政处罚事先告知书，不得作出处罚决定（《行政处罚法》第六十二条）"]
    if waived:
        return []
    ends = calendar.add_workdays(notice_served_on, statement_workdays)
    if decided_on <= ends:
        return [f"陈述申辩期至{cn_date(ends)}届满，之前不得作出决定；当事人书面放弃的除外"]
    return []


def hearing_window_ends(calendar: WorkdayCalendar, notice_served_on: date, workdays: int = 5) -> date:
    return calendar.add_workdays(notice_served_on, workdays)


def hearing_notice_problem(
    calendar: WorkdayCalendar, notified_on: date, hearing_on: date, workdays: int = 7
) -> list[str]:
    """Rule 5 (APL Art 64): the party is told of the hearing at least 7 working days before."""
    latest = calendar.add_workdays(hearing_on, -workdays)
    if notified_on > latest:
        return [
            f"听证通知须在举行听证的七个工作日前送达（{cn_date(hearing_on)}举行的听证最迟应于{cn_date(latest)}通知）"
        ]
    return []


def heavier_than_notice_problem(
    noticed_fine_fen: int | None, fine_fen: int | None, noticed_kinds: Sequence[str], kinds: Sequence[str]
) -> list[str]:
    """Rule 4 (APL Art 45): a heavier penalty than noticed needs a new prior notice."""
    problems = []
    if fine_fen is not None and (noticed_fine_fen is None or fine_fen > noticed_fine_fen):
        noticed = format_yuan(noticed_fine_fen) if noticed_fine_fen is not None else "未告知罚款"
        problems.append(f"拟决定罚款{format_yuan(fine_fen)}重于事先告知的{noticed}，须重新事先告知")
    new_kinds = [k for k in kinds if k not in noticed_kinds]
    if new_kinds:
        problems.append(f"处罚种类“{'、'.join(new_kinds)}”未经事先告知，须重新事先告知")
    return problems
