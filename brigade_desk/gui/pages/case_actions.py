"""The steps a case can take next, as buttons: what each asks, which service it calls, and — when it
cannot be taken — why, in one sentence of plain Chinese.

The reasons come from core (`status().blocked_by`, the clocks) and from the signed-in person's roles;
core refuses the step all the same if the button is used anyway (DESIGN.md invariant 7).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from PySide6.QtWidgets import QDialog, QWidget

from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.rules.permissions import Permission
from brigade_desk.core.rules.procedure import OUTCOMES, PENALTY_KINDS
from brigade_desk.core.services.cases import CaseDetail
from brigade_desk.core.services.procedure import DELIVERY_MODES, CaseHandling, CaseStatus, Proposal
from brigade_desk.gui.action_dialog import ActionDialog, Field
from brigade_desk.gui.discussion_dialog import DiscussionDialog
from brigade_desk.gui.fields import session_today
from brigade_desk.gui.formatting import show_date, show_fen
from brigade_desk.gui.pages.filing import ApproveFilingDialog
from brigade_desk.gui.pages.record_dialog import RecordDialog
from brigade_desk.gui.pages.review_desk import ReviewDialog
from brigade_desk.gui.session import DeskSession

OPEN_CLOCK = ("overdue", "due_today", "due_soon", "ok")
FINE_ROUTES = (("罚款", "罚款金额"), ("最高额", "罚款金额"), ("最低", "罚款金额"), ("减轻", "减轻处罚依据"))
WHO = {
    Permission.CASE_APPROVE: "须由负责人办理",
    Permission.LEGAL_REVIEW: "须由具有法制审核资格的人员办理",
    Permission.CASE_DELIVER: "须由执法人员或内勤登记送达",
    Permission.CASE_EDIT: "须由执法人员办理",
    Permission.CASE_ARCHIVE: "须由内勤归档",
}


@dataclass
class Action:
    key: str
    label: str
    permission: Permission
    make: Callable[[QWidget], QDialog]
    blocked: str = ""
    # Leaders' approvals must come from someone who did not handle the case (职能分离).
    separate_duty: bool = False
    tip: str = ""


def _choices(values: Sequence[str]) -> list[tuple[str, str]]:
    return [(v, v) for v in values]


class ActionBuilder:
    """Builds the actions open to a case in its current state."""

    def __init__(
        self, session: DeskSession, case: CaseDetail, status: CaseStatus, handling: CaseHandling
    ) -> None:
        self.session = session
        self.case = case
        self.status = status
        self.handling = handling
        self.services = session.services
        self.today = session_today(session)
        self.officer_ids = tuple(o.user_id for o in handling.officers)

    # --- helpers ---------------------------------------------------------------------------------

    def dialog(
        self,
        title: str,
        fields: Sequence[Field],
        submit: Callable[[dict[str, object]], object],
        *,
        intro: str = "",
        save_text: str = "保存",
        routes: Sequence[tuple[str, str]] = (),
        sign: str = "",
    ) -> Callable[[QWidget], QDialog]:
        """`sign`: a leader's approval, signed with their password (签名确认) when saved."""

        def make(parent: QWidget) -> QDialog:
            kwargs = {"routes": (*routes, ("执法证", "执法人员"), ("负责人参加", "参加讨论的负责人"))}
            return ActionDialog(
                self.session,
                title,
                fields,
                submit,
                intro=intro,
                save_text=save_text,
                sign=sign,
                parent=parent,
                **kwargs,
            )

        return make

    def clock(self, clock: str) -> object | None:
        return next((d for d in self.status.deadlines if d.clock == clock), None)

    def reason_for(self, action: Action) -> str:
        """Why the signed-in person cannot take the action now ("" when they can)."""
        if not self.session.can(action.permission):
            return WHO[action.permission]
        if action.separate_duty and self.session.actor.user_id in self.officer_ids:
            return "您是本案承办人员，须由其他负责人审批（职能分离）"
        return action.blocked

    # --- the actions -------------------------------------------------------------------------------

    def actions(self) -> list[Action]:
        state = self.status.state
        a = self.services.procedure
        actor = self.session.actor
        case = self.case
        h = self.handling
        found: list[Action] = []
        add = found.append
        general = case.procedure == "general"

        if state == "pending_filing":
            add(
                Action(
                    "approve_filing",
                    "审批立案",
                    Permission.CASE_APPROVE,
                    lambda parent: ApproveFilingDialog(self.session, case, h, parent),
                    separate_duty=True,
                )
            )
        if state in ("filed", "investigating", "notice_served", "hearing"):
            add(
                Action(
                    "add_record",
                    "制作笔录",
                    Permission.CASE_EDIT,
                    lambda parent: RecordDialog(self.session, case.id, parent),
                    tip="现场检查（勘验）笔录、询问笔录等",
                )
            )
        if state in ("filed", "investigating"):
            add(
                Action(
                    "close_investigation",
                    "调查终结",
                    Permission.CASE_EDIT,
                    self._close_investigation(),
                    blocked="尚无调查笔录：先制作现场检查或询问笔录" if state == "filed" else "",
                )
            )
        if state == "investigation_closed":
            if h.proposed_outcome in ("penalty", "no_penalty"):
                add(
                    Action(
                        "serve_prior_notice",
                        "送达事先告知书",
                        Permission.CASE_DELIVER,
                        self._serve("送达行政处罚事先告知书", a.serve_prior_notice),
                    )
                )
            elif h.proposed_outcome == "not_established":
                add(
                    Action(
                        "withdraw",
                        "批准销案",
                        Permission.CASE_APPROVE,
                        self.dialog(
                            "批准销案",
                            [Field("审批意见", "审批意见", "long", "违法事实不能成立，同意销案。")],
                            lambda v: a.withdraw(
                                actor, case.id, str(v["审批意见"]), password=str(v["签名密码"])
                            ),
                            save_text="批准销案",
                            sign=f"批准{case.case_number}销案（签名对象：审批事项、意见、审批人和时间）。",
                        ),
                        separate_duty=True,
                    )
                )
            elif h.proposed_outcome == "transfer":
                add(
                    Action(
                        "transfer",
                        "批准移送",
                        Permission.CASE_APPROVE,
                        self.dialog(
                            "批准移送",
                            [
                                Field("移送单位", "移送单位", "text", placeholder="如：县公安局"),
                                Field("审批意见", "审批意见", "long", "同意移送。"),
                            ],
                            lambda v: a.transfer(
                                actor,
                                case.id,
                                str(v["移送单位"]),
                                str(v["审批意见"]),
                                password=str(v["签名密码"]),
                            ),
                            save_text="批准移送",
                            sign=f"批准{case.case_number}移送（签名对象：审批事项、意见、审批人和时间）。",
                        ),
                        separate_duty=True,
                    )
                )
        if state in ("notice_served", "hearing"):
            add(
                Action(
                    "record_statement",
                    "记录陈述申辩",
                    Permission.CASE_EDIT,
                    self.dialog(
                        "记录陈述申辩",
                        [
                            Field("日期", "陈述申辩日期", "date"),
                            Field("陈述申辩内容", "陈述申辩内容", "long"),
                            Field("采纳", "复核意见", "bool", placeholder="采纳当事人的陈述申辩"),
                        ],
                        lambda v: a.record_statement(
                            actor, case.id, v["日期"], str(v["陈述申辩内容"]), bool(v["采纳"])
                        ),
                    ),
                )
            )
        if state == "notice_served":
            add(
                Action(
                    "record_waiver",
                    "记录放弃权利",
                    Permission.CASE_EDIT,
                    self.dialog(
                        "记录当事人书面放弃",
                        [
                            Field("日期", "书面放弃日期", "date"),
                            Field("放弃陈述申辩", "放弃事项", "bool", True, placeholder="放弃陈述、申辩"),
                            Field("放弃听证", "", "bool", h.hearing_eligible, placeholder="放弃听证"),
                        ],
                        lambda v: a.record_waiver(
                            actor, case.id, v["日期"], bool(v["放弃陈述申辩"]), bool(v["放弃听证"])
                        ),
                        intro="当事人书面放弃后，无须等待陈述申辩期（或听证申请期）届满即可作出决定。",
                    ),
                )
            )
            if h.hearing_eligible:
                add(
                    Action(
                        "request_hearing",
                        "登记听证申请",
                        Permission.CASE_EDIT,
                        self.dialog(
                            "登记听证申请",
                            [Field("申请日期", "申请日期", "date")],
                            lambda v: a.request_hearing(actor, case.id, v["申请日期"]),
                        ),
                    )
                )
        if state == "hearing":
            presiders = [
                (u.id, u.display_name)
                for u in self._users()
                if u.id not in self.officer_ids
                and ("leader" in u.roles or "legal_reviewer" in u.roles or u.certificate_no)
            ]
            add(
                Action(
                    "schedule_hearing",
                    "安排听证",
                    Permission.CASE_EDIT,
                    self.dialog(
                        "安排听证",
                        [
                            Field("听证日期", "听证日期", "date"),
                            Field("通知送达日期", "听证通知送达日期", "date"),
                            Field("听证主持人", "听证主持人", "choice", choices=presiders),
                        ],
                        lambda v: a.schedule_hearing(
                            actor, case.id, v["听证日期"], v["通知送达日期"], str(v["听证主持人"])
                        ),
                        intro="听证通知书须在举行听证七个工作日前送达；主持人不得是本案调查人员。",
                        routes=(("七个工作日", "通知送达日期"), ("主持", "听证主持人")),
                    ),
                )
            )
            add(
                Action(
                    "hold_hearing",
                    "举行听证",
                    Permission.CASE_EDIT,
                    self.dialog(
                        "举行听证",
                        [Field("举行日期", "举行日期", "date"), Field("听证报告", "听证报告", "long")],
                        lambda v: a.hold_hearing(actor, case.id, v["举行日期"], str(v["听证报告"])),
                    ),
                )
            )
        if (
            general
            and state in ("filed", "investigating", "investigation_closed", "notice_served", "hearing")
            and not h.is_major
        ):
            add(
                Action(
                    "mark_major",
                    "列为重大案件",
                    Permission.CASE_EDIT,
                    self.dialog(
                        "列为重大执法决定",
                        [
                            Field("理由", "理由", "text", placeholder="如：拟作出较大数额罚款"),
                            Field("集体讨论", "", "bool", True, placeholder="须经负责人集体讨论决定"),
                        ],
                        lambda v: a.mark_major(actor, case.id, str(v["理由"]), bool(v["集体讨论"])),
                    ),
                )
            )
        if state in ("notice_served", "hearing", "legal_review") and h.is_major:
            add(
                Action(
                    "submit_legal_review",
                    "提交法制审核",
                    Permission.CASE_EDIT,
                    self.dialog(
                        "提交法制审核",
                        [],
                        lambda v: self.services.reviews.submit(actor, case.id),
                        intro="提交后由法制审核人员在七个工作日内出具审核意见。",
                        save_text="提交",
                    ),
                )
            )
        if state == "legal_review":
            add(
                Action(
                    "complete_legal_review",
                    "出具审核意见",
                    Permission.LEGAL_REVIEW,
                    # The package, the checklist and the signature (review_desk.py).
                    lambda parent: ReviewDialog(self.session, case.id, parent),
                    separate_duty=True,
                )
            )
        if state in ("investigation_closed", "notice_served", "hearing", "legal_review") and (
            h.is_major or h.discussion_required
        ):
            add(
                Action(
                    "record_discussion",
                    "记录集体讨论",
                    Permission.CASE_EDIT,
                    # Each leader's opinion and reasons; confirmed afterwards in the 审核 tab.
                    lambda parent: DiscussionDialog(
                        self.session, case.id, f"{case.case_number} {case.summary}", parent
                    ),
                )
            )
        if general and state in (
            "filed",
            "investigating",
            "investigation_closed",
            "notice_served",
            "hearing",
            "legal_review",
        ):
            add(
                Action(
                    "approve_extension",
                    "批准延期",
                    Permission.CASE_APPROVE,
                    self.dialog(
                        "批准延长办案期限",
                        [
                            Field("延长天数", "延长天数", "int", 30),
                            Field(
                                "延期依据",
                                "延期依据",
                                "text",
                                placeholder="允许延期的规定，如 某某程序规定第某条",
                            ),
                            Field("审批意见", "审批意见", "long", "同意延期。"),
                        ],
                        lambda v: a.approve_extension(
                            actor,
                            case.id,
                            int(v["延长天数"]),
                            str(v["延期依据"]),
                            str(v["审批意见"]),  # type: ignore[call-overload]
                            password=str(v["签名密码"]),
                        ),
                        sign=f"批准{case.case_number}延长办案期限（签名对象：审批事项、意见、审批人和时间）。",
                    ),
                    separate_duty=True,
                )
            )
        if state in ("notice_served", "hearing", "legal_review") or (
            state == "investigation_closed" and h.proposed_outcome == "no_penalty"
        ):
            blocked = "；".join(self.status.blocked_by)
            add(
                Action(
                    "decide",
                    "作出决定",
                    Permission.CASE_APPROVE,
                    self._decide(),
                    blocked=blocked,
                    separate_duty=True,
                )
            )
        if state in ("decided", "decided_no_penalty"):
            add(
                Action(
                    "serve_decision",
                    "送达决定书",
                    Permission.CASE_DELIVER,
                    self._serve("送达处罚决定书", a.serve_decision),
                )
            )
        publication = self.clock("publication")
        if publication is not None and getattr(publication, "status", "") in OPEN_CLOCK:
            add(
                Action(
                    "record_publication",
                    "登记公示",
                    Permission.CASE_EDIT,
                    self.dialog(
                        "处罚决定公示",
                        [
                            Field("公示日期", "公示日期", "date"),
                            Field("公示渠道", "公示渠道", "text", placeholder="如：县政府门户网站"),
                            Field(
                                "不予公开理由", "不予公开理由", "text", placeholder="依法不予公开的，写明理由"
                            ),
                        ],
                        lambda v: a.record_publication(
                            actor, case.id, v["公示日期"], str(v["公示渠道"]), str(v["不予公开理由"])
                        ),
                    ),
                )
            )
        if state in ("performing", "overdue", "urged"):
            add(
                Action(
                    "record_payment",
                    "登记缴款",
                    Permission.CASE_EDIT,
                    self.dialog(
                        "登记缴纳罚款",
                        [
                            Field("缴款日期", "缴款日期", "date"),
                            Field("缴纳金额", "缴纳金额", "money", h.fine_fen),
                            Field("票据号", "票据号", "text", placeholder="罚没款票据或缴款凭证号"),
                            Field(
                                "缴纳方式", "缴纳方式", "choice", choices=_choices(("银行缴纳", "电子缴纳"))
                            ),
                        ],
                        lambda v: a.record_payment(
                            actor,
                            case.id,
                            v["缴款日期"],  # type: ignore[arg-type]
                            int(v["缴纳金额"] or 0),  # type: ignore[call-overload]
                            str(v["票据号"]),
                            str(v["缴纳方式"]),
                        ),
                        intro="普通程序的罚款由当事人到银行或通过电子支付缴纳（罚缴分离），执法人员不得自行收缴。",
                    ),
                )
            )
        if state in ("performing", "overdue"):
            payment = self.clock("payment")
            blocked = ""
            due = getattr(payment, "due", None)
            if isinstance(due, date) and self.today <= due:
                blocked = f"缴款期限至{show_date(due)}届满，之后方可催告"
            add(
                Action(
                    "serve_demand_notice",
                    "送达催告书",
                    Permission.CASE_DELIVER,
                    self.dialog(
                        "送达催告书",
                        [Field("送达日期", "送达日期", "date")],
                        lambda v: a.serve_demand_notice(actor, case.id, v["送达日期"]),  # type: ignore[arg-type]
                    ),
                    blocked=blocked,
                )
            )
        if state == "urged":
            court = self.session.organ.court if self.session.organ else ""
            add(
                Action(
                    "apply_to_court",
                    "申请强制执行",
                    Permission.CASE_APPROVE,
                    self.dialog(
                        "申请人民法院强制执行",
                        [
                            Field("申请日期", "申请日期", "date"),
                            Field("人民法院", "人民法院", "text", court),
                        ],
                        lambda v: a.apply_to_court(actor, case.id, v["申请日期"], str(v["人民法院"])),  # type: ignore[arg-type]
                    ),
                )
            )
        if state in ("paid", "court_applied", "decision_served"):
            add(
                Action(
                    "close_case",
                    "结案",
                    Permission.CASE_APPROVE,
                    self.dialog(
                        "结案审批",
                        [Field("审批意见", "审批意见", "long", "处罚决定已执行完毕，同意结案。")],
                        lambda v: a.close_case(
                            actor, case.id, str(v["审批意见"]), password=str(v["签名密码"])
                        ),
                        save_text="同意结案",
                        sign=f"批准{case.case_number}结案（签名对象：审批事项、意见、审批人和时间）。",
                    ),
                    separate_duty=True,
                )
            )
        if state == "closed" and general:
            add(
                Action(
                    "archive",
                    "归档",
                    Permission.CASE_ARCHIVE,
                    self.dialog("案卷归档", [], lambda v: a.archive(actor, case.id), save_text="归档"),
                )
            )
        if state == "on_the_spot":
            add(
                Action(
                    "file_for_record",
                    "备案",
                    Permission.CASE_APPROVE,
                    self.dialog(
                        "当场处罚备案",
                        [],
                        lambda v: a.file_for_record(actor, case.id),
                        intro="当场作出的行政处罚决定报所属行政机关备案后结案。",
                        save_text="备案",
                    ),
                )
            )
        return found

    def _users(self) -> list:  # type: ignore[type-arg]
        try:
            return list(self.services.users.list_users(self.session.actor, include_inactive=False))
        except BrigadeError:
            return []

    def _serve(self, title: str, call: Callable[..., None]) -> Callable[[QWidget], QDialog]:
        actor, case_id = self.session.actor, self.case.id
        return self.dialog(
            title,
            [
                Field("送达日期", "送达日期", "date"),
                Field("送达方式", "送达方式", "choice", "直接送达", choices=_choices(DELIVERY_MODES)),
                Field("执法人员", "执法人员", "officers", self.officer_ids, day_field="送达日期"),
            ],
            lambda v: call(actor, case_id, v["送达日期"], tuple(v["执法人员"]), str(v["送达方式"])),  # type: ignore[arg-type]
            intro="直接送达、留置送达须由两名持有效执法证的执法人员进行。",
            routes=(("送达日期", "送达日期"),),
        )

    def _close_investigation(self) -> Callable[[QWidget], QDialog]:
        actor, case = self.session.actor, self.case
        procedure = self.services.procedure
        item = self.handling.power_items[0] if self.handling.power_items else None
        intro = ""
        if item is not None and item.penalty_max_fen is not None:
            intro = (
                f"{item.name}：罚款{show_fen(item.penalty_min_fen or 0)}至{show_fen(item.penalty_max_fen)}。"
            )

        def submit(v: dict[str, object]) -> None:
            outcome = str(v["处理意见"])
            penalty = outcome == "penalty"
            kinds = tuple(v["处罚种类"]) if penalty else ()  # type: ignore[arg-type]
            procedure.close_investigation(
                actor,
                case.id,
                Proposal(
                    outcome,
                    kinds,
                    v["罚款金额"] if penalty else None,  # type: ignore[arg-type]
                    str(v["减轻处罚依据"]),
                    str(v["调查终结报告"]),
                ),
                case.version,
            )

        return self.dialog(
            "案件调查终结报告",
            [
                Field("处理意见", "处理意见", "choice", "penalty", choices=list(OUTCOMES.items())),
                Field("处罚种类", "处罚种类", "checks", ("罚款",), choices=_choices(PENALTY_KINDS)),
                Field("罚款金额", "拟罚款金额", "money"),
                Field("减轻处罚依据", "减轻处罚依据", "text", placeholder="低于法定最低额时写明法定依据"),
                Field(
                    "调查终结报告",
                    "调查终结报告",
                    "long",
                    placeholder="案件事实、证据、性质、法律依据和处理意见",
                ),
            ],
            submit,
            intro=intro,
            routes=(*FINE_ROUTES, ("笔录", "调查终结报告")),
        )

    def _decide(self) -> Callable[[QWidget], QDialog]:
        actor, case, h = self.session.actor, self.case, self.handling
        procedure = self.services.procedure
        outcome = h.proposed_outcome if h.proposed_outcome in ("penalty", "no_penalty") else "penalty"

        def submit(v: dict[str, object]) -> None:
            penalty = v["决定"] == "penalty"
            procedure.decide(
                actor,
                case.id,
                v["决定日期"],  # type: ignore[arg-type]
                str(v["决定"]),
                v["罚款金额"] if penalty else None,  # type: ignore[arg-type]
                tuple(v["处罚种类"]) if penalty else (),  # type: ignore[arg-type]
                case.version,
                password=str(v["签名密码"]),
            )

        return self.dialog(
            "作出行政处罚决定",
            [
                Field("决定日期", "决定日期", "date"),
                Field(
                    "决定",
                    "决定",
                    "choice",
                    outcome,
                    choices=[("penalty", "给予行政处罚"), ("no_penalty", "不予行政处罚")],
                ),
                Field("处罚种类", "处罚种类", "checks", h.penalty_kinds, choices=_choices(PENALTY_KINDS)),
                Field("罚款金额", "罚款金额", "money", h.noticed_fine_fen or h.proposed_fine_fen),
            ],
            submit,
            intro="决定不得重于事先告知的处罚；陈述申辩期、听证申请期届满（或当事人书面放弃）后方可作出。",
            routes=(*FINE_ROUTES, ("届满", "决定日期"), ("九十日", "决定日期"), ("90日", "决定日期")),
            save_text="作出决定",
            sign=f"对{case.case_number}作出决定（签名对象：决定内容、审批人和时间）。",
        )
