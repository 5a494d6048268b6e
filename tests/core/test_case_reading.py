"""What the case screens read: the catalogue for the filing form, a case's people, items, records and
approvals, and the next deadline on each list row."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from brigade_desk.core.app import Services
from brigade_desk.core.services.cases import CaseFilter, due_status
from brigade_desk.core.services.procedure import FilingInput, RecordInput
from brigade_desk.core.store import Store
from tests.factories import Cast, Clock, cast_of


@pytest.fixture
def svc(store: Store) -> Services:
    return Services.over(store, Clock(datetime(2025, 9, 22, 2, 0, tzinfo=UTC)))


@pytest.fixture
def cast(svc: Services) -> Cast:
    return cast_of(svc)


def _filed(svc: Services, cast: Cast) -> str:
    case_id = svc.procedure.propose_filing(
        cast.officer,
        FilingInput(
            (cast.item_id,),
            (cast.person_id, cast.company_id),
            cast.officer_ids,
            date(2025, 9, 20),
            "陈喆擅自占用城市道路从事经营活动案",
            place="青溪镇东村路口",
        ),
    )
    version = svc.cases.get(cast.officer, case_id).version
    svc.procedure.approve_filing(cast.leader, case_id, True, "同意立案", version)
    return case_id


def test_power_items_claimed_first_and_by_validity(svc: Services, cast: Cast) -> None:
    items = svc.procedure.power_items(cast.officer)
    ours = [i for i in items if i.id in (cast.item_id, cast.unclaimed_item_id)]
    assert [i.claimed for i in ours] == [True, False]
    claimed_flags = [i.claimed for i in items]
    assert claimed_flags == sorted(claimed_flags, reverse=True)  # every claimed item before the county's
    county = next(i for i in items if i.id == cast.unclaimed_item_id)
    assert county.source_department == "县自然资源和规划局"
    assert {i.id for i in svc.procedure.power_items(cast.officer, on=date(2021, 12, 31))}.isdisjoint(
        {cast.item_id, cast.unclaimed_item_id}
    )


def test_handling_records_and_approvals(svc: Services, cast: Cast) -> None:
    case_id = _filed(svc, cast)
    handling = svc.procedure.handling(cast.officer, case_id)
    assert [o.name for o in handling.officers] == ["张三", "李四"]
    assert handling.officers[0].duty == "lead" and handling.officers[0].certificate_no == "ZJ10000001"
    assert set(handling.party_ids) == {cast.person_id, cast.company_id}
    assert [i.id for i in handling.power_items] == [cast.item_id]
    assert handling.state == "filed" and handling.filed_on == date(2025, 9, 22)
    assert handling.version == svc.cases.get(cast.officer, case_id).version

    assert svc.procedure.records(cast.officer, case_id) == []
    svc.procedure.add_record(
        cast.officer,
        case_id,
        RecordInput(
            kind="inquiry",
            started_at=datetime(2025, 9, 22, 1, 0, tzinfo=UTC),
            ended_at=datetime(2025, 9, 22, 1, 40, tzinfo=UTC),
            place="青溪镇综合行政执法队询问室",
            officer_ids=cast.officer_ids,
            persons=({"name": "陈喆", "role": "被询问人"},),
            qa=(("你在东村路口摆摊多久了？", "大约一个月。"), ("有没有办理许可？", "没有。")),
            recorder="李四",
        ),
    )
    (record,) = svc.procedure.records(cast.officer, case_id)
    assert record.kind_label == "询问笔录"
    assert record.officers == ("张三（ZJ10000001）", "李四（ZJ10000002）")
    assert record.qa[1] == ("有没有办理许可？", "没有。")
    assert record.persons == ({"name": "陈喆", "role": "被询问人"},)

    (approval,) = svc.procedure.approvals(cast.officer, case_id)
    assert (approval.kind_label, approval.approved, approval.opinion, approval.approver_name) == (
        "立案审批",
        True,
        "同意立案",
        "赵镇长",
    )


def test_list_rows_carry_the_next_deadline(svc: Services, cast: Cast) -> None:
    case_id = _filed(svc, cast)
    (row,) = svc.cases.page_filtered(cast.officer, CaseFilter(), 0, 10)
    assert row.id == case_id
    assert row.next_due_on is not None and row.next_due_label
    assert row.is_major is False
    assert row.due_status == "ok"  # 90 days to decide, from 22 September


def test_due_status_of_a_row() -> None:
    today, soon = date(2025, 9, 29), date(2025, 10, 10)  # three working days across National Day
    assert due_status("investigating", date(2025, 9, 28), today, soon) == "overdue"
    assert due_status("investigating", today, today, soon) == "due_today"
    assert due_status("investigating", date(2025, 10, 10), today, soon) == "due_soon"
    assert due_status("investigating", date(2025, 10, 11), today, soon) == "ok"
    assert due_status("closed", date(2025, 9, 1), today, soon) == ""
    assert due_status("investigating", None, today, soon) == ""


def test_list_sorts_in_sql_by_each_sortable_column(svc: Services, cast: Cast) -> None:
    ids = [_filed(svc, cast) for _ in range(3)]  # 立字第1号, 第2号, 第3号, all received at the same time
    svc.procedure.propose_filing(
        cast.officer,
        FilingInput((cast.item_id,), (cast.person_id,), cast.officer_ids, date(2025, 9, 20), "未立案的案件"),
    )

    def order(sort: str, descending: bool) -> list[str]:
        flt = CaseFilter(sort=sort, descending=descending)
        return [r.case_number for r in svc.cases.page_filtered(cast.officer, flt, 0, 10)]

    numbers = [svc.cases.get(cast.officer, i).case_number for i in ids]
    # The unnumbered case (NULL) comes first on SQLite and last on PostgreSQL; the others in order.
    assert [n for n in order("case_number", False) if n in numbers] == numbers
    assert [n for n in order("case_number", True) if n in numbers] == numbers[::-1]
    assert order("state", False)[0] in numbers  # filed before pending_filing
    assert order("state", True)[0] == "（未立案）"
    # Equal keys keep one stable order, page after page.
    assert [r.id for r in svc.cases.page_filtered(cast.officer, CaseFilter(sort="source"), 0, 2)] + [
        r.id for r in svc.cases.page_filtered(cast.officer, CaseFilter(sort="source"), 2, 2)
    ] == [r.id for r in svc.cases.page_filtered(cast.officer, CaseFilter(sort="source"), 0, 4)]


def test_search_alone_pages_through_the_index_and_with_filters_through_sql(svc: Services, cast: Cast) -> None:
    ids = [_filed(svc, cast) for _ in range(3)]  # parties 陈喆 and 临溪县青禾建材有限公司
    svc.procedure.propose_filing(
        cast.officer,
        FilingInput((cast.item_id,), (cast.company_id,), cast.officer_ids, date(2025, 9, 20), "青禾公司案"),
    )
    alone = CaseFilter(query="陈喆")
    assert svc.cases.count_filtered(cast.officer, alone) == 3 == svc.cases.count_search(cast.officer, "陈喆")
    pages = [r.id for off in (0, 2) for r in svc.cases.page_filtered(cast.officer, alone, off, 2)]
    assert sorted(pages) == sorted(ids)  # every match once, page after page
    with_state = CaseFilter(query="陈喆", states=("filed",))
    assert svc.cases.count_filtered(cast.officer, with_state) == 3
    assert svc.cases.count_filtered(cast.officer, CaseFilter(query="陈喆", states=("pending_filing",))) == 0
    assert [r.summary for r in svc.cases.page_filtered(cast.officer, CaseFilter(query="公司案"), 0, 10)] == [
        "青禾公司案"
    ]


def test_deadlines_set_today_are_the_steps_recorded_on_this_beijing_day(store: Store) -> None:
    clock = Clock(datetime(2025, 9, 22, 2, 0, tzinfo=UTC))
    svc = Services.over(store, clock)
    cast = cast_of(svc)
    _filed(svc, cast)  # filed on Monday 22 September: the 90-day decision clock starts
    assert [(d.clock, d.start) for d in svc.dashboard.set_today(cast.officer)] == [
        ("作出处罚决定", date(2025, 9, 22))
    ]
    clock.now = datetime(2025, 9, 22, 16, 30, tzinfo=UTC)  # 00:30 on the 23rd in Beijing
    assert svc.dashboard.set_today(cast.officer) == []  # yesterday's steps are not today's
    _filed(svc, cast)
    (today,) = svc.dashboard.set_today(cast.officer)
    assert today.case_number == "青综执立字〔2025〕第2号" and today.start == date(2025, 9, 23)


def test_pages_read_from_the_other_end_match_pages_read_forward(svc: Services, cast: Cast) -> None:
    for _ in range(3):
        _filed(svc, cast)
    for summary in ("甲案", "乙案"):
        svc.procedure.propose_filing(
            cast.officer,
            FilingInput((cast.item_id,), (cast.person_id,), cast.officer_ids, date(2025, 9, 20), summary),
        )
    for flt in (
        CaseFilter(),
        CaseFilter(sort="case_number", descending=False),
        CaseFilter(states=("filed", "pending_filing"), sort="state"),
        CaseFilter(states=("filed",)),
    ):
        total = svc.cases.count_filtered(cast.officer, flt)
        forward = [
            r.id for off in range(0, total, 2) for r in svc.cases.page_filtered(cast.officer, flt, off, 2)
        ]
        both_ends = [
            r.id
            for off in range(0, total, 2)
            for r in svc.cases.page_filtered(cast.officer, flt, off, 2, total)
        ]
        assert both_ends == forward and len(forward) == total, flt


def test_search_with_filters_finds_every_match_the_filters_allow(store: Store) -> None:
    from brigade_desk.core.services.demo import DemoService

    svc = Services.over(store)
    admin = cast_of(svc).admin
    DemoService(store).generate(admin, cases=120, seed=7)

    def every(flt: CaseFilter) -> set[str]:
        total = svc.cases.count_filtered(admin, flt)
        found = [
            r.id for off in range(0, total + 25, 25) for r in svc.cases.page_filtered(admin, flt, off, 25)
        ]
        assert len(found) == len(set(found)) == total
        return set(found)

    filters = [
        CaseFilter(states=("archived",)),
        CaseFilter(states=("filed", "investigating", "decided")),
        CaseFilter(source="网格员上报"),
        CaseFilter(major_only=True),
    ]
    for query in ("青溪", "王", "垃圾", "330"):
        matches = every(CaseFilter(query=query))
        assert matches, query
        for flt in filters:
            combined = every(replace(flt, query=query))
            assert combined == matches & every(flt), (query, flt)
