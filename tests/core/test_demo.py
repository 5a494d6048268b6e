"""Demo data in the store: every state, valid identities, a whole audit chain, the same for a seed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from stdnum.cn import ric, uscc

from brigade_desk.cli import main as cli
from brigade_desk.core.app import Services
from brigade_desk.core.model import Case, CaseStep, Party, PowerItem
from brigade_desk.core.rules.permissions import Actor, Role
from brigade_desk.core.services.demo import DemoService
from brigade_desk.core.store import open_store


def test_demo_fills_the_store(services: Services, admin: Actor) -> None:
    report = DemoService(services.store).generate(admin, cases=400, seed=7)
    assert report.cases == 400
    with services.store.read() as session:
        states = set(session.execute(select(Case.state)).scalars())
        kinds = set(session.execute(select(Party.kind)).scalars())
        parties = session.execute(select(Party.id_number, Party.credit_code)).all()
        open_without_due = session.execute(
            select(func.count())
            .select_from(Case)
            .where(Case.state == "notice_served", Case.next_due_on.is_(None))
        ).scalar_one()
        steps = session.execute(select(func.count()).select_from(CaseStep)).scalar_one()
        claimed = session.execute(
            select(func.count()).select_from(PowerItem).where(PowerItem.claimed)
        ).scalar_one()
    assert {"closed", "archived", "investigating"} <= states and len(states) >= 10
    assert kinds == {"natural_person", "legal_person", "other_org", "individual_business"}
    assert all(ric.is_valid(i) for i, _ in parties if i)
    assert all(uscc.is_valid(c) for _, c in parties if c)
    assert open_without_due == 0 and steps > 400 and claimed > 20
    assert services.audit.verify(admin).ok


def test_demo_deadlines_are_the_ones_the_procedure_keeps(services: Services, admin: Actor) -> None:
    """Demo data computes next deadlines in bulk; each open case's must be what a recorded step would
    have left there (`procedure.next_due`, the one rule for both)."""
    from brigade_desk.core.rules.procedure import TERMINAL_STATES
    from brigade_desk.core.services.calendar import load_calendar
    from brigade_desk.core.services.procedure import case_steps, clock_settings, next_due
    from brigade_desk.core.timeutil import beijing_today

    demo = DemoService(services.store)
    demo.generate(admin, cases=300, seed=11)
    today = beijing_today(demo.clock())
    settings = clock_settings(services.store)
    with services.store.read() as session:
        calendar = load_calendar(session)
        open_cases = session.execute(
            select(Case).where(Case.state.notin_([s.value for s in TERMINAL_STATES]))
        ).scalars()
        checked = 0
        for case in open_cases:
            expected = next_due(case_steps(session, case.id), calendar, today, settings, case.serious_harm)
            assert (case.next_due_on, case.next_due_label) == expected, case.case_number
            checked += 1
    assert checked > 50


def test_demo_simple_procedure_cases_never_have_general_procedure_steps(
    services: Services, admin: Actor
) -> None:
    """A 简罚 case is decided and handed over on the spot, then 备案'd: no 事先告知书, no filing."""
    DemoService(services.store).generate(admin, cases=600, seed=5)
    with services.store.read() as session:
        rows = session.execute(
            select(Case.id, Case.state, CaseStep.kind)
            .join(CaseStep, CaseStep.case_id == Case.id)
            .where(Case.procedure == "simple")
        ).all()
    kinds: dict[tuple[str, str], set[str]] = {}
    for case_id, state, kind in rows:
        kinds.setdefault((case_id, state), set()).add(kind)
    assert {state for _id, state in kinds} >= {"on_the_spot", "closed"}
    for (_id, state), steps in kinds.items():
        assert not steps & {"filed", "prior_notice_served", "discovered"}, (state, steps)
        assert "penalty_decided" in steps
        assert ("filed_for_record" in steps) == (state != "on_the_spot")


def test_demo_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    numbers = []
    for run in ("a", "b"):
        home = tmp_path / run
        assert (
            cli(
                [
                    "--data-dir",
                    str(home),
                    "init",
                    "--town",
                    "青溪镇人民政府",
                    "--area-code",
                    "330127",
                    "--prefix",
                    "青综执",
                    "--admin",
                    "admin",
                    "--admin-password",
                    "Admin12345",
                ]
            )
            == 0
        )
        assert cli(["--data-dir", str(home), "demo", "--cases", "150", "--seed", "3"]) == 0
        store = open_store(home)
        with store.read() as session:
            numbers.append(
                sorted(session.execute(select(Case.case_number, Case.summary, Case.fine_fen)).all(), key=str)
            )
        store.dispose()
    assert numbers[0] == numbers[1]


def test_demo_needs_admin(sqlite_services: Services, sqlite_admin: Actor) -> None:
    officer = Actor("x", "x", "队员", frozenset({Role.OFFICER}))
    with pytest.raises(Exception, match="无权生成演示数据"):
        DemoService(sqlite_services.store).generate(officer, cases=1)


def test_demo_cli_refuses_negative_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["--data-dir", str(tmp_path), "demo", "--cases", "-5"]) == 2
    assert "--cases" in capsys.readouterr().err


def test_filing_after_demo_continues_the_register(sqlite_services: Services, sqlite_admin: Actor) -> None:
    from datetime import date

    from brigade_desk.core.rules.procedure import CaseState
    from brigade_desk.core.services.procedure import FilingInput
    from brigade_desk.core.timeutil import beijing_today

    services = sqlite_services
    DemoService(services.store).generate(sqlite_admin, cases=300, seed=2)
    year = beijing_today().year
    with services.store.read() as session:
        numbers = [
            n
            for n in session.execute(select(Case.case_number)).scalars()
            if n and f"〔{year}〕" in n and "立字" in n
        ]
        simple = [
            n
            for n in session.execute(
                select(Case.case_number).where(Case.state == CaseState.ON_THE_SPOT.value)
            ).scalars()
        ]
    last = max(int(n.split("第")[1].rstrip("号")) for n in numbers)
    assert all(n and "简罚字" in n for n in simple)
    with pytest.raises(Exception, match="尚无案件的存储"):
        DemoService(services.store).generate(sqlite_admin, cases=1)
    # A real case filed now takes the next number of this year's register.
    from brigade_desk.core.services.users import NewUser

    for login, name in (("ga", "甲"), ("gb", "乙")):
        services.users.add_user(
            sqlite_admin,
            NewUser(
                login,
                name,
                "Passw0rd1",
                roles=("officer",),
                certificate_no=f"ZJ9{login}",
                certificate_valid_from=date(2020, 1, 1),
                certificate_valid_to=date(2035, 1, 1),
            ),
        )
    officer = services.users.sign_in("ga", "Passw0rd1")
    leader_id = services.users.add_user(
        sqlite_admin, NewUser("boss", "领导", "Passw0rd1", roles=("leader",))
    ).id
    leader = services.users.sign_in("boss", "Passw0rd1")
    assert leader.user_id == leader_id
    with services.store.read() as session:
        item_id = (
            session.execute(
                select(PowerItem.id).where(PowerItem.claimed, PowerItem.penalty_max_fen.is_not(None))
            )
            .scalars()
            .first()
        )
        party_id = session.execute(select(Party.id)).scalars().first()
    assert item_id and party_id
    ids = [u.id for u in services.users.list_users(sqlite_admin) if u.login in ("ga", "gb")]
    case_id = services.procedure.propose_filing(
        officer, FilingInput((item_id,), (party_id,), tuple(ids), beijing_today(), "测试案")
    )
    version = services.cases.get(officer, case_id).version
    number = services.procedure.approve_filing(leader, case_id, True, "同意", version)
    assert number.endswith(f"〔{year}〕第{last + 1}号")
