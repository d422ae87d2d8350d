"""The retention job: deletes a contract's candidate data and, later, its financial records
once the authority's terms after the contract's end have passed (domain/retention.py).

SQL selects the contracts that could be due under the shortest term the rules allow; the domain
decides each one under its authority's own terms. Each contract is claimed with one conditional
UPDATE of its deletion date, so two workers running the sweep at once delete and audit it once;
the files are unlinked after the commit (a rolled-back run deletes no file).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, select, update

from marketplace.domain import retention
from marketplace.extensions import db
from marketplace.models import BuildingBlock, Contract, Organisation, Realisation
from marketplace.services import audit, evidence
from marketplace.services.errors import ServiceError
from marketplace.services.realisations import PEOPLE_UNITS

BATCH = 200


@dataclass(frozen=True)
class SweepResult:
    candidate_data: int
    financial_records: int


def terms_of(authority: Organisation) -> retention.Terms:
    """The authority's retention terms, the app's defaults where it chose none."""
    config = current_app.config
    return retention.Terms(
        candidate_years=authority.retention_candidate_years
        or config.get("RETENTION_CANDIDATE_YEARS", retention.CANDIDATE_YEARS_DEFAULT),
        financial_years=authority.retention_financial_years
        or config.get("RETENTION_FINANCIAL_YEARS", retention.FINANCIAL_YEARS_DEFAULT),
    )


def set_terms(authority: Organisation, candidate_years: int, financial_years: int, by) -> None:
    """An authority's owner sets its terms (bounds in domain/retention.py); audited."""
    problems = retention.check_terms(candidate_years, financial_years)
    if problems:
        fields = {}
        if "candidate_years" in problems:
            low, high = retention.CANDIDATE_YEARS_RANGE
            fields["candidate_years"] = _(
                "Choose between %(low)d and %(high)d years.", low=low, high=high
            )
        if "financial_years" in problems:
            low, high = retention.FINANCIAL_YEARS_RANGE
            fields["financial_years"] = _(
                "Choose between %(low)d and %(high)d years: the law asks at least 7.",
                low=low,
                high=high,
            )
        raise ServiceError(_("Please correct the terms."), fields)
    before = terms_of(authority)
    authority.retention_candidate_years = candidate_years
    authority.retention_financial_years = financial_years
    audit.record(
        "retention.terms_changed",
        authority,
        before={
            "candidate_years": before.candidate_years,
            "financial_years": before.financial_years,
        },
        after={"candidate_years": candidate_years, "financial_years": financial_years},
        actor=by,
    )
    db.session.commit()


@dataclass(frozen=True)
class _Kind:
    """One kind of record the sweep deletes: where a contract notes it is done, the shortest
    term the rules allow (for the SQL preselection), whether the domain says it is due, which
    realisations it touches and what of them it clears."""

    marker: Any
    shortest_years: int
    is_due: Callable[[retention.Due], bool]
    realisations: Callable[[int], Select]
    cleared: dict[str, Any]
    action: str


def _about_people(contract_id: int) -> Select:
    return select(Realisation.id).where(
        Realisation.contract_id == contract_id,
        (Realisation.candidate_ref.is_not(None))
        | Realisation.block_id.in_(
            select(BuildingBlock.id).where(BuildingBlock.unit.in_(PEOPLE_UNITS))
        ),
    )


def _all_of(contract_id: int) -> Select:
    return select(Realisation.id).where(Realisation.contract_id == contract_id)


CANDIDATE_DATA = _Kind(
    marker=Contract.candidate_data_deleted_on,
    shortest_years=retention.CANDIDATE_YEARS_RANGE[0],
    is_due=lambda due: due.candidate_data,
    realisations=_about_people,
    cleared={"candidate_ref": None, "candidate_key": None, "attributes": []},
    action="retention.candidate_data_deleted",
)
FINANCIAL_RECORDS = _Kind(
    marker=Contract.financial_records_deleted_on,
    shortest_years=retention.FINANCIAL_YEARS_RANGE[0],
    is_due=lambda due: due.financial_records,
    realisations=_all_of,
    cleared={"invoice_number": None, "invoice_key": None, "description": ""},
    action="retention.financial_records_deleted",
)


def sweep(today: date) -> SweepResult:
    """Delete what is due on `today` for every contract (idempotent: a contract's deletion
    date is set once, and a second run finds nothing left to do)."""
    return SweepResult(
        candidate_data=_sweep(today, CANDIDATE_DATA),
        financial_records=_sweep(today, FINANCIAL_RECORDS),
    )


def _sweep(today: date, kind: _Kind) -> int:
    latest_end = retention.latest_end_due(today, kind.shortest_years)
    done = 0
    after_id = 0
    while True:
        rows = db.session.execute(
            select(Contract.id, Contract.end_date, Organisation)
            .join(Organisation, Organisation.id == Contract.authority_id)
            .where(kind.marker.is_(None), Contract.end_date <= latest_end, Contract.id > after_id)
            .order_by(Contract.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return done
        after_id = rows[-1][0]
        for contract_id, end_date, authority in rows:
            if kind.is_due(retention.due(end_date, terms_of(authority), today)):
                done += _delete(contract_id, today, kind)


def _claim(contract_id: int, marker, today: date) -> bool:
    """Set the contract's deletion date unless a run already did: one winner."""
    won = db.session.execute(
        update(Contract)
        .where(Contract.id == contract_id, marker.is_(None))
        .values({marker.key: today})
        .execution_options(synchronize_session=False)
    )
    return won.rowcount == 1


def _delete(contract_id: int, today: date, kind: _Kind) -> int:
    """Claim the contract for `kind`, clear its realisations' fields and delete their evidence
    rows in one transaction; the files go after the commit. 1 when this run did it."""
    if not _claim(contract_id, kind.marker, today):
        db.session.rollback()
        return 0
    ids = list(db.session.scalars(kind.realisations(contract_id)))
    files = evidence.delete_of(ids)
    cleared = db.session.execute(
        update(Realisation)
        .where(Realisation.id.in_(ids))
        .values(**kind.cleared)
        .execution_options(synchronize_session=False)
    ).rowcount
    _record(contract_id, kind.action, cleared, files)
    db.session.commit()
    _unlink(files)
    return 1


def _record(contract_id: int, action: str, realisations: int, files: list[Path]) -> None:
    contract = db.session.get(Contract, contract_id)
    audit.record(
        action, contract, after={"realisations": realisations, "evidence_files": len(files)}
    )


def _unlink(files: list[Path]) -> None:
    for path in files:
        path.unlink(missing_ok=True)
