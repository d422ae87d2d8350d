"""SROI compliance: policies with their value tables, PSO certificates, contracts with their
obligation and cached fulfilment, realisations with evidence, and fulfilment snapshots."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.domain.identifiers import identifier_key
from marketplace.extensions import db
from marketplace.models._types import utcnow
from marketplace.models.accounts import Organisation, User

# `questioned`: the officer asked for more information ("vraag om aanvulling"); the contractor
# answers, corrects and sends it again, as after a rejection (services/realisations.py).
REALISATION_STATES = ("draft", "submitted", "approved", "rejected", "questioned")
# The states in which the contractor may change a realisation and send it (again).
EDITABLE_STATES = ("draft", "rejected", "questioned")
# The states whose value counts (approved) or may count (submitted): only these take part in "one
# candidate's period counts once" and "one invoice counts once". A draft is unsent work and a
# rejected claim counts for nothing, so neither blocks a claim; a draft is checked when it is sent.
COUNTED_STATES = ("submitted", "approved")
_COUNTED = "state IN ('submitted', 'approved')"
# The rows whose periods the candidate rule compares: a realisation without dates (hours of a
# social activity) has no period, and daterange(NULL, NULL) would overlap every period.
CANDIDATE_PERIOD_ROWS = (
    "candidate_key IS NOT NULL AND start_date IS NOT NULL AND end_date IS NOT NULL"
)
CANDIDATE_PERIOD_CONSTRAINT = "ex_realisations_candidate_period"
INVOICE_KEY_INDEX = "uq_realisations_invoice_key"


class SroiPolicy(db.Model):
    """One version of an authority's SROI policy, in force from `effective_from`."""

    __tablename__ = "sroi_policies"
    __table_args__ = (UniqueConstraint("authority_id", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    effective_from: Mapped[date]
    threshold_cents: Mapped[int] = mapped_column(BigInteger)
    min_duration_months: Mapped[int]
    percentage_bp: Mapped[int]
    low_labour_share_bp: Mapped[int | None]
    low_labour_percentage_bp: Mapped[int | None]
    cap_cents: Mapped[int | None] = mapped_column(BigInteger)
    pso_remaining_bp: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    credit_bp_by_certification: Mapped[dict[str, int] | None] = mapped_column(JSON)
    source: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    authority: Mapped[Organisation] = relationship()
    blocks: Mapped[list[BuildingBlock]] = relationship(
        back_populates="policy", cascade="all, delete-orphan", order_by="BuildingBlock.id"
    )


class BuildingBlock(db.Model):
    """A row of a policy's value table (bouwblok)."""

    __tablename__ = "building_blocks"
    __table_args__ = (UniqueConstraint("policy_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("sroi_policies.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(10))
    rate_cents: Mapped[int | None] = mapped_column(BigInteger)
    min_hours_per_week: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    max_days: Mapped[int | None]
    bonuses: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # Purchase credit per supplier certification; overrides the policy's table for this block.
    credit_bp_by_certification: Mapped[dict[str, int] | None] = mapped_column(JSON)

    policy: Mapped[SroiPolicy] = relationship(back_populates="blocks")


class PsoCertificate(db.Model):
    """A company's Prestatieladder Socialer Ondernemen certificate. It counts for obligations
    only once verified (services/pso.py); until then, or once rejected, contracts are computed
    without it. The uploaded certificate file, if any, is stored like evidence files."""

    __tablename__ = "pso_certificates"
    __table_args__ = (UniqueConstraint("organisation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    level: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(40))
    valid_until: Mapped[date]
    reminded_at: Mapped[datetime | None]
    expired_noticed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rejected_at: Mapped[datetime | None]
    rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_stored_name: Mapped[str | None] = mapped_column(String(80), unique=True)
    file_content_type: Mapped[str | None] = mapped_column(String(60))
    file_sha256: Mapped[str | None] = mapped_column(String(64))

    organisation: Mapped[Organisation] = relationship()
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])

    @property
    def verification(self) -> str:
        """ "verified", "rejected" or "pending" (recorded by the company, not checked yet)."""
        if self.verified_at is not None:
            return "verified"
        return "rejected" if self.rejected_at is not None else "pending"


class Contract(db.Model):
    """A public contract with its SROI obligation (fixed at registration under the policy in
    force on the award date) and its fulfilment, cached by the recompute job.

    A contract awarded to a company not on the platform yet waits for it: no contractor, the
    KvK number and/or e-mail address it was invited by instead (services/invitations.py links it
    when that company registers, and stamps `contractor_linked_at`)."""

    __tablename__ = "contracts"
    __table_args__ = (
        UniqueConstraint("authority_id", "reference"),
        Index("ix_contracts_authority_status", "authority_id", "status"),
        Index("ix_contracts_invited_kvk", "invited_kvk"),
        CheckConstraint(
            "contractor_id IS NOT NULL OR invited_kvk IS NOT NULL OR invited_email IS NOT NULL",
            name="contractor_or_invited",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    contractor_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    invited_kvk: Mapped[str | None] = mapped_column(String(8))
    invited_email: Mapped[str | None] = mapped_column(String(254))
    contractor_linked_at: Mapped[datetime | None]
    policy_id: Mapped[int] = mapped_column(ForeignKey("sroi_policies.id"))
    title: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(60))
    department: Mapped[str] = mapped_column(String(120), default="")
    value_cents: Mapped[int] = mapped_column(BigInteger)
    labour_share_bp: Mapped[int | None]
    award_date: Mapped[date]
    start_date: Mapped[date]
    end_date: Mapped[date]
    pso_level: Mapped[str | None] = mapped_column(String(20))
    pso_valid_until: Mapped[date | None]

    obligation_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    obligation_status: Mapped[str] = mapped_column(String(20), default="due")
    # The steps of the obligation's explanation, [[code, params], ...] (domain.obligation `Step`),
    # worded in the reader's language by labels.obligation_steps.
    obligation_steps: Mapped[list[Any]] = mapped_column(JSON, default=list)

    # Cached by the recompute job; expected and forecast depend on today and are derived on display.
    approved_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    pending_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    percent: Mapped[Decimal] = mapped_column(Numeric(7, 1), default=Decimal("0.0"))
    status: Mapped[str] = mapped_column(String(20), default="on_track")
    notified_status: Mapped[str | None] = mapped_column(String(20))
    computed_on: Mapped[date | None]
    last_submission_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the retention job deleted the contract's candidate data and financial records
    # (services/retention.py); set once, by the one run that wins the conditional update.
    candidate_data_deleted_on: Mapped[date | None]
    financial_records_deleted_on: Mapped[date | None]

    authority: Mapped[Organisation] = relationship(foreign_keys=[authority_id])
    contractor: Mapped[Organisation | None] = relationship(foreign_keys=[contractor_id])
    policy: Mapped[SroiPolicy] = relationship()

    @property
    def contractor_name(self) -> str | None:
        return self.contractor.name if self.contractor is not None else None

    @property
    def is_waiting(self) -> bool:
        """Invited, and its contractor has not registered yet."""
        return self.contractor_id is None

    @property
    def obligation_fixed_at(self) -> datetime | None:
        """Until when a PSO certificate must have been recorded to count: the registration, or
        for a contract linked by invitation no limit (None). The officer could not see the
        company's PSO level when registering it, so a verified certificate valid on the award
        date counts whenever the company records it (services/contracts.covered_by)."""
        return None if self.contractor_linked_at is not None else self.created_at

    @property
    def remaining_cents(self) -> int:
        return max(self.obligation_cents - self.approved_cents, 0)


def _contract_contractor(context) -> int | None:
    """Insert default of Realisation.contractor_id: the contractor of its contract."""
    contract_id = context.get_current_parameters().get("contract_id")
    return context.connection.scalar(
        text("SELECT contractor_id FROM contracts WHERE id = :id"), {"id": contract_id}
    )


def _key_of(column: str):
    """Insert default of a comparison key: identifier_key of the `column` it is the key of."""

    def default(context) -> str | None:
        value = context.get_current_parameters().get(column)
        return identifier_key(value) if value else None

    return default


class Realisation(db.Model):
    """A contractor's claim on one contract; only approved value counts as realised."""

    __tablename__ = "realisations"
    __table_args__ = (
        Index("ix_realisations_contract_state", "contract_id", "state"),
        # A contract's realisations newest first, a page at a time (the contract page).
        Index("ix_realisations_contract_id", "contract_id", "id"),
        # The officers' approval queue: submitted rows, oldest first.
        Index("ix_realisations_state_submitted", "state", "submitted_at"),
        Index("ix_realisations_candidate", "candidate_ref"),
        Index("ix_realisations_invoice", "supplier_kvk", "invoice_number"),
        Index("ix_realisations_contractor_candidate", "contractor_id", "candidate_key"),
        # One invoice counts once, whoever claims it (docs/domain.md); held by the database.
        Index(
            INVOICE_KEY_INDEX,
            "supplier_kvk",
            "invoice_key",
            unique=True,
            postgresql_where=text(f"invoice_key IS NOT NULL AND {_COUNTED}"),
            sqlite_where=text(f"invoice_key IS NOT NULL AND {_COUNTED}"),
        ),
        # One candidate's period counts on one contract of a contractor: PostgreSQL holds it
        # whatever the number of app servers (btree_gist); SQLite has no exclusion
        # constraints, there the service checks under the database's single write lock.
        ExcludeConstraint(
            (text("contractor_id"), "="),
            (text("candidate_key"), "="),
            (func.daterange(text("start_date"), text("end_date"), text("'[]'")), "&&"),
            name=CANDIDATE_PERIOD_CONSTRAINT,
            using="gist",
            where=text(f"{CANDIDATE_PERIOD_ROWS} AND {_COUNTED}"),
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    # The contract's contractor, copied so the database can hold the double-counting rule
    # across its contracts (a contract's contractor no longer changes once it has realisations).
    contractor_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id"), default=_contract_contractor
    )
    block_id: Mapped[int] = mapped_column(ForeignKey("building_blocks.id"))
    state: Mapped[str] = mapped_column(String(10), default="submitted")
    candidate_ref: Mapped[str | None] = mapped_column(String(40))
    # domain.identifiers.identifier_key of candidate_ref / invoice_number: what "the same" means.
    candidate_key: Mapped[str | None] = mapped_column(String(40), default=_key_of("candidate_ref"))
    attributes: Mapped[list[str]] = mapped_column(JSON, default=list)
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    hours_per_week: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    hours: Mapped[Decimal | None] = mapped_column(Numeric(9, 2))
    quantity: Mapped[int | None]
    cost_excl_vat_cents: Mapped[int | None] = mapped_column(BigInteger)
    invoice_excl_vat_cents: Mapped[int | None] = mapped_column(BigInteger)
    invoice_number: Mapped[str | None] = mapped_column(String(60))
    invoice_key: Mapped[str | None] = mapped_column(String(60), default=_key_of("invoice_number"))
    supplier_name: Mapped[str | None] = mapped_column(String(200))
    supplier_kvk: Mapped[str | None] = mapped_column(String(8))
    supplier_certification: Mapped[str | None] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text, default="")
    value_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    breakdown: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    # The officer's latest question ("vraag om aanvulling") and the contractor's answer to it, kept
    # after the answer is sent; every earlier round stays in the audit log (the history).
    question: Mapped[str | None] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    contract: Mapped[Contract] = relationship()
    block: Mapped[BuildingBlock] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="realisation", cascade="all, delete-orphan", order_by="Evidence.id"
    )


event.listen(
    Realisation.__table__,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS btree_gist").execute_if(dialect="postgresql"),
)


class Evidence(db.Model):
    """An uploaded evidence file, stored outside static/ under a random name."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    realisation_id: Mapped[int] = mapped_column(
        ForeignKey("realisations.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(60))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    realisation: Mapped[Realisation] = relationship(back_populates="evidence")


class PendingUpload(db.Model):
    """An evidence file chosen on the realisation form and kept between its posts (the value
    preview, a refused field), so the contractor need not choose it again (issue 15). Tied to
    the user who chose it and named in the form only by its random token, never by a path; the
    realisation saved with it takes the file over as its Evidence, and the hourly clean-up
    removes what is left after a day (services/evidence.py)."""

    __tablename__ = "pending_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(60))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class FulfilmentSnapshot(db.Model):
    """A contract's fulfilment from `on_date` on; a row is written only on the days something
    changed, so the chart draws steps between them (expected follows from the dates)."""

    __tablename__ = "fulfilment_snapshots"
    __table_args__ = (UniqueConstraint("contract_id", "on_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    on_date: Mapped[date]
    approved_cents: Mapped[int] = mapped_column(BigInteger)
    pending_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20))
