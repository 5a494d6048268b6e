"""The composition root: one place that builds the store and every service over it.

The GUI and the command line receive a `Services` and call nothing else in core.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from brigade_desk.core.services.audit_log import AuditService
from brigade_desk.core.services.backups import BackupService
from brigade_desk.core.services.base import Service
from brigade_desk.core.services.calendar import CalendarService
from brigade_desk.core.services.cases import CaseService
from brigade_desk.core.services.county import CountyService
from brigade_desk.core.services.dashboard import DashboardService
from brigade_desk.core.services.discretion import DiscretionService
from brigade_desk.core.services.documents import DocumentService
from brigade_desk.core.services.evidence import EvidenceService
from brigade_desk.core.services.form_packs import FormPackService
from brigade_desk.core.services.leads import LeadService
from brigade_desk.core.services.parties import PartyService
from brigade_desk.core.services.procedure import ProcedureService
from brigade_desk.core.services.reviews import ReviewService
from brigade_desk.core.services.settings import SettingsService
from brigade_desk.core.services.setup import SetupService
from brigade_desk.core.services.sync import SyncService
from brigade_desk.core.services.users import UserService
from brigade_desk.core.store import Store, open_store
from brigade_desk.core.timeutil import utc_now


@dataclass(frozen=True)
class Services:
    store: Store
    setup: SetupService
    users: UserService
    settings: SettingsService
    parties: PartyService
    cases: CaseService
    audit: AuditService
    backups: BackupService
    leads: LeadService
    procedure: ProcedureService
    reviews: ReviewService
    calendar: CalendarService
    dashboard: DashboardService
    evidence: EvidenceService
    discretion: DiscretionService
    documents: DocumentService
    form_packs: FormPackService
    sync: SyncService
    county: CountyService

    @classmethod
    def over(cls, store: Store, clock: Callable[[], datetime] = utc_now) -> Services:
        return cls(
            store=store,
            setup=SetupService(store, clock),
            users=UserService(store, clock),
            settings=SettingsService(store, clock),
            parties=PartyService(store, clock),
            cases=CaseService(store, clock),
            audit=AuditService(store, clock),
            backups=BackupService(store, clock),
            leads=LeadService(store, clock),
            procedure=ProcedureService(store, clock),
            reviews=ReviewService(store, clock),
            calendar=CalendarService(store, clock),
            dashboard=DashboardService(store, clock),
            evidence=EvidenceService(store, clock),
            discretion=DiscretionService(store, clock),
            documents=DocumentService(store, clock),
            form_packs=FormPackService(store, clock),
            sync=SyncService(store, clock),
            county=CountyService(store, clock),
        )

    def all(self) -> list[Service]:
        return [v for v in self.__dict__.values() if isinstance(v, Service)]

    def close(self) -> None:
        self.store.dispose()


def open_services(data_dir: Path, db_url: str | None = None) -> Services:
    return Services.over(open_store(data_dir, db_url))
