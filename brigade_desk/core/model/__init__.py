"""SQLAlchemy models, one module per aggregate. Importing this package registers every table."""

from brigade_desk.core.model.attachment import Attachment
from brigade_desk.core.model.audit import AuditEvent, AuditHead
from brigade_desk.core.model.base import Base
from brigade_desk.core.model.case import Case, CaseOfficer, CaseParty, CasePowerItem
from brigade_desk.core.model.discretion import BenchmarkVersion, CaseDiscretion
from brigade_desk.core.model.document import Delivery, Document, VoidedNumber
from brigade_desk.core.model.evidence import Evidence, InvestigationRecord
from brigade_desk.core.model.form_pack import CountyFormFile
from brigade_desk.core.model.lead import Lead
from brigade_desk.core.model.organ import Organ
from brigade_desk.core.model.party import Party
from brigade_desk.core.model.power_item import LegalProvision, PowerItem
from brigade_desk.core.model.review import CollectiveDiscussion, LegalReview, UserKey
from brigade_desk.core.model.setting import NumberSequence, Setting
from brigade_desk.core.model.step import Approval, CaseStep, WorkdayOverride
from brigade_desk.core.model.sync import (
    SyncBundle,
    SyncKey,
    SyncPeer,
    SyncPeerAudit,
    SyncQuarantine,
    SyncRecord,
    SyncRejection,
    SyncSentFile,
    SyncTownClaim,
)
from brigade_desk.core.model.user import User

__all__ = [
    "Approval",
    "Attachment",
    "AuditEvent",
    "AuditHead",
    "Base",
    "BenchmarkVersion",
    "Case",
    "CaseDiscretion",
    "CaseOfficer",
    "CaseParty",
    "CasePowerItem",
    "CaseStep",
    "CollectiveDiscussion",
    "CountyFormFile",
    "Delivery",
    "Document",
    "Evidence",
    "InvestigationRecord",
    "Lead",
    "LegalProvision",
    "LegalReview",
    "NumberSequence",
    "Organ",
    "Party",
    "PowerItem",
    "Setting",
    "SyncBundle",
    "SyncKey",
    "SyncPeer",
    "SyncPeerAudit",
    "SyncQuarantine",
    "SyncRecord",
    "SyncRejection",
    "SyncSentFile",
    "SyncTownClaim",
    "User",
    "UserKey",
    "VoidedNumber",
    "WorkdayOverride",
]
