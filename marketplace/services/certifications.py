"""What the platform knows of suppliers' certifications, read for the domain's
`certification.best_certification` (docs/domain.md "Matches and their SROI value").

The marketplace's SROI preview and a deal's invoice realisation both ask which certification of a
supplier counts on a date; both read the facts here, so a preview and the realisation it previews
cannot disagree about the supplier.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import literal, null, select, union_all

from marketplace.domain.certification import (
    HeldCertification,
    HeldPsoCertificate,
    SupplierFacts,
    best_certification,
)
from marketplace.domain.valuation import Block
from marketplace.extensions import db
from marketplace.models import Organisation, OrganisationCertification, PsoCertificate


def supplier_facts(orgs: Iterable[Organisation]) -> dict[int, SupplierFacts]:
    """The certification facts of each organisation, by id, in one query whatever their number:
    its kind and verification (from `orgs`), its recorded certifications and its PSO
    certificates (a rejected PSO certificate is never verified: a rejection clears the
    verification). Only the columns the rule reads are loaded: matching asks this for a hundred
    suppliers at once."""
    by_id = {org.id: org for org in orgs}
    if not by_id:
        return {}
    recorded = select(
        OrganisationCertification.organisation_id,
        literal(False).label("pso"),
        OrganisationCertification.code,
        OrganisationCertification.valid_from,
        OrganisationCertification.valid_until,
        OrganisationCertification.verified_at,
    ).where(OrganisationCertification.organisation_id.in_(by_id))
    pso_certificates = select(
        PsoCertificate.organisation_id,
        literal(True).label("pso"),
        PsoCertificate.level,
        null().label("valid_from"),
        PsoCertificate.valid_until,
        PsoCertificate.verified_at,
    ).where(PsoCertificate.organisation_id.in_(by_id))
    held: dict[int, list[HeldCertification]] = defaultdict(list)
    pso: dict[int, list[HeldPsoCertificate]] = defaultdict(list)
    for org_id, is_pso, code, valid_from, valid_until, verified_at in db.session.execute(
        union_all(recorded, pso_certificates)
    ):
        verified = verified_at is not None
        if is_pso:
            pso[org_id].append(HeldPsoCertificate(code, valid_until, verified))
        else:
            held[org_id].append(HeldCertification(code, valid_from, valid_until, verified))
    return {
        org_id: SupplierFacts(
            kind=org.kind,
            verified=org.is_verified,
            certifications=tuple(held[org_id]),
            pso_certificates=tuple(pso[org_id]),
        )
        for org_id, org in by_id.items()
    }


def certification_of(org: Organisation, on: date, block: Block | None = None) -> str:
    """The certification of `org` that earns the most purchase credit on `on` under the invoice
    `block`'s credit table (None: the defaults), as an invoice realisation records it."""
    return best_certification(supplier_facts([org])[org.id], on, block)
