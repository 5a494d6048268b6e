"""Leads (线索): intake from every source, the decision to file or not, transfer, replies owed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from brigade_desk.core import audit
from brigade_desk.core.errors import FieldError, NotFound, RuleViolation, ValidationError
from brigade_desk.core.model import Lead, Organ
from brigade_desk.core.rules.permissions import Actor, Permission
from brigade_desk.core.rules.procedure import CASE_SOURCES
from brigade_desk.core.services.base import Service, ensure_unchanged, operation
from brigade_desk.core.timeutil import beijing_today

# What the source reference means for each source (shown as the field label).
SOURCE_REF_LABELS = {
    "12345热线转办": "工单编号",
    "网格员上报": "网格名称",
    "部门移送": "移送部门",
    "上级交办": "交办单位",
    "投诉举报": "举报方式",
}
LEAD_STATUS_LABELS = {
    "open": "待处理",
    "filed": "已立案",
    "on_the_spot": "已当场处罚",
    "not_filed": "不予立案",
    "transferred": "已移送",
}


@dataclass(frozen=True)
class LeadInput:
    source: str
    description: str
    received_at: datetime
    place: str = ""
    source_ref: str = ""
    reply_due: date | None = None
    violation_date: date | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_id_number: str = ""


@dataclass(frozen=True)
class LeadView:
    id: str
    source: str
    source_ref: str
    received_at: datetime
    violation_date: date | None
    place: str
    description: str
    reply_due: date | None
    replied_on: date | None
    status: str
    status_label: str
    decision_reason: str
    transferred_to: str
    case_id: str | None
    # Masked ("***") unless the viewer may see the reporter's identity.
    reporter_name: str
    reporter_phone: str
    reporter_visible: bool
    version: int

    @property
    def origin(self) -> str:
        """The source with its reference, as forms show it: 12345热线转办（GD-2025-0001）."""
        return f"{self.source}（{self.source_ref}）" if self.source_ref else self.source


def validate_lead(data: LeadInput, today: date) -> list[FieldError]:
    errors: list[FieldError] = []
    if data.source not in CASE_SOURCES:
        errors.append(FieldError("来源", "请选择：" + "、".join(CASE_SOURCES)))
    if not data.description.strip():
        errors.append(FieldError("线索内容", "请简要写明发现或反映的违法行为"))
    if data.source == "12345热线转办":
        if not data.source_ref.strip():
            errors.append(FieldError("工单编号", "12345 转办须填写工单编号"))
        if data.reply_due is None:
            errors.append(FieldError("答复期限", "12345 转办须填写工单要求的答复期限"))
    if data.source == "网格员上报" and not data.source_ref.strip():
        errors.append(FieldError("网格名称", "请填写上报的网格"))
    if data.violation_date and data.violation_date > today:
        errors.append(FieldError("违法行为发生日期", "不能晚于今天"))
    if data.reporter_phone and not all(ch.isdigit() or ch in "-+ " for ch in data.reporter_phone):
        errors.append(FieldError("举报人电话", "只能包含数字、空格、+ 和 -"))
    return errors


def lead_view(lead: Lead, actor: Actor) -> LeadView:
    visible = actor.can(Permission.REPORTER_VIEW) or lead.created_by == actor.user_id
    mask = "***" if not visible else None
    return LeadView(
        lead.id,
        lead.source,
        lead.source_ref,
        lead.received_at,
        lead.violation_date,
        lead.place,
        lead.description,
        lead.reply_due,
        lead.replied_on,
        lead.status,
        LEAD_STATUS_LABELS.get(lead.status, lead.status),
        lead.decision_reason,
        lead.transferred_to,
        lead.case_id,
        mask or lead.reporter_name if lead.reporter_name else "",
        mask or lead.reporter_phone if lead.reporter_phone else "",
        visible,
        lead.version,
    )


class LeadService(Service):
    @operation(Permission.CASE_EDIT)
    def register(self, actor: Actor, data: LeadInput) -> LeadView:
        errors = validate_lead(data, beijing_today(self.clock()))
        if errors:
            raise ValidationError(errors)
        with self.store.write() as session:
            organ_id = session.execute(select(Organ.id).where(Organ.is_self)).scalar_one()
            lead = Lead(
                organ_id=organ_id,
                source=data.source,
                source_ref=data.source_ref.strip(),
                reply_due=data.reply_due,
                received_at=data.received_at,
                violation_date=data.violation_date,
                place=data.place.strip(),
                description=data.description.strip(),
                reporter_name=data.reporter_name.strip(),
                reporter_phone=data.reporter_phone.strip(),
                reporter_id_number=data.reporter_id_number.strip(),
                created_by=actor.user_id or None,
                created_at=self.clock(),
            )
            session.add(lead)
            session.flush()
            # The audit digest covers the reporter too, but the summary never names them.
            audit.record(
                session,
                actor,
                audit.Change(
                    "lead.register", "lead", lead.id, f"登记线索（{lead.source}）", after=data.__dict__
                ),
            )
            return lead_view(lead, actor)

    @operation(Permission.CASE_VIEW)
    def list(self, actor: Actor, status: str | None = "open", limit: int = 500) -> list[LeadView]:
        with self.store.read() as session:
            query = select(Lead).order_by(Lead.received_at.desc()).limit(limit)
            if status:
                query = query.where(Lead.status == status)
            return [lead_view(lead, actor) for lead in session.execute(query).scalars()]

    @operation(Permission.CASE_VIEW)
    def get(self, actor: Actor, lead_id: str) -> LeadView:
        with self.store.read() as session:
            return lead_view(_lead(session, lead_id), actor)

    @operation(Permission.CASE_APPROVE)
    def decide_not_to_file(self, actor: Actor, lead_id: str, reason: str, version: int) -> LeadView:
        """不予立案, with the reason (a leader's decision)."""
        if not reason.strip():
            raise ValidationError.single("不予立案理由", "请写明不予立案的理由")
        return self._close(actor, lead_id, version, "not_filed", reason.strip(), "", "决定不予立案")

    @operation(Permission.CASE_EDIT)
    def transfer(self, actor: Actor, lead_id: str, to_organ: str, reason: str, version: int) -> LeadView:
        """移送: the matter belongs to another organ (typically the county department)."""
        errors = []
        if not to_organ.strip():
            errors.append(FieldError("移送单位", "请填写接收移送的单位"))
        if not reason.strip():
            errors.append(FieldError("移送理由", "请写明移送理由"))
        if errors:
            raise ValidationError(errors)
        return self._close(
            actor, lead_id, version, "transferred", reason.strip(), to_organ.strip(), f"移送{to_organ}"
        )

    @operation(Permission.CASE_EDIT)
    def record_reply(self, actor: Actor, lead_id: str, replied_on: date) -> LeadView:
        """The reply owed to the reporter (or the 12345 ticket) was given."""
        with self.store.write() as session:
            lead = _lead(session, lead_id)
            lead.replied_on = replied_on
            audit.record(
                session, actor, audit.Change("lead.reply", "lead", lead.id, f"答复举报人（{replied_on}）")
            )
            return lead_view(lead, actor)

    def _close(
        self, actor: Actor, lead_id: str, version: int, status: str, reason: str, to_organ: str, summary: str
    ) -> LeadView:
        with self.store.write() as session:
            lead = _lead(session, lead_id)
            ensure_unchanged(lead, version, "线索")
            if lead.status != "open":
                raise RuleViolation(f"该线索已{LEAD_STATUS_LABELS[lead.status]}，不能再处理")
            lead.status, lead.decision_reason, lead.transferred_to = status, reason, to_organ
            lead.decided_at, lead.decided_by = self.clock(), actor.user_id or None
            audit.record(
                session,
                actor,
                audit.Change(
                    f"lead.{status}", "lead", lead.id, summary, after={"status": status, "reason": reason}
                ),
            )
            return lead_view(lead, actor)


def _lead(session: Session, lead_id: str) -> Lead:
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFound("线索不存在")
    return lead
