"""Demo SROI data: the four real municipal value tables (marketplace/data/value-tables.json),
a policy for Gemeente Emmen modelled on Utrecht's table, PSO certificates, contracts of the
fictional contractors and realisations in every state. Idempotent like demo.py."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from marketplace.domain.taxonomy import ARBEIDSMARKTREGIOS
from marketplace.extensions import db
from marketplace.models import (
    Contract,
    Organisation,
    PsoCertificate,
    Realisation,
    SroiPolicy,
    User,
)
from marketplace.models._types import utcnow
from marketplace.services import contracts, fulfilment, organisations, policies, realisations

TABLES = Path(__file__).parent / "data" / "value-tables.json"

# Policy parameters are illustrative (typical municipal values); the value tables are real.
AUTHORITY_POLICIES = {
    "Gemeente Utrecht": ("Gemeente Utrecht", "30112345", "Midden-Utrecht", 500, 15000000),
    "Gemeente Den Haag": ("Gemeente Den Haag", "27112345", "Haaglanden", 500, 20000000),
    "Gemeente Leiden": ("Gemeente Leiden", "28112345", "Holland Rijnland", 400, 15000000),
    "Gemeente Harlingen": ("Gemeente Harlingen", "01112345", "Fryslân", 300, 10000000),
}
PSO_RULE = {"trede_1": 5000, "trede_2": 2500, "trede_3": 0, "pso_30_plus": 0}


def load_tables() -> list[dict]:
    return json.loads(TABLES.read_text(encoding="utf-8"))["tables"]


def blocks_from(table: dict) -> list[policies.BlockData]:
    return [
        policies.block_data(
            {
                **b,
                "label": b["label"][:200],
                "min_hours_per_week": (
                    Decimal(str(b["min_hours_per_week"])) if "min_hours_per_week" in b else None
                ),
            }
        )
        for b in table["blocks"]
    ]


def _authority(name: str, kvk: str, region: str, owner: User) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.kvk_number == kvk))
    if org is None:
        org = organisations.register(
            organisations.OrganisationData(
                name=name,
                kind="authority",
                authority_type="gemeente",
                kvk_number=kvk,
                city=name.removeprefix("Gemeente "),
                arbeidsmarktregio=region,
                province=ARBEIDSMARKTREGIOS[region],
                street="Stadhuis",
                postcode="1011 AA",
            ),
            owner,
        )
        org.verified_at = utcnow()
    return org


def _policy(org: Organisation, table: dict, pct: int, threshold: int, name: str) -> SroiPolicy:
    existing = policies.policies_of(org)
    if existing:
        return existing[-1]
    return policies.create_policy(
        org,
        policies.policy_data(
            {
                "name": name,
                "effective_from": date(2024, 1, 1),
                "threshold_cents": threshold,
                "min_duration_months": 6,
                "percentage_bp": pct,
                "low_labour_share_bp": 3000,
                "low_labour_percentage_bp": 200,
                "pso_remaining_bp": PSO_RULE,
                "source": table["source"],
            },
            blocks_from(table),
        ),
        None,
    )


def seed_municipal_policies(admin: User) -> dict[str, SroiPolicy]:
    """The four municipalities with their real value tables, by authority name: verified
    authorities with a policy in force since 2024, so the public calculator offers each
    (services/policies.py `published_policies`)."""
    tables = {t["authority"].split(" (")[0]: t for t in load_tables()}
    seeded = {}
    for key, (name, kvk, region, pct, threshold) in AUTHORITY_POLICIES.items():
        org = _authority(name, kvk, region, admin)
        seeded[key] = _policy(
            org, tables[key], pct, threshold, f"Social return {name} (bouwblokken)"
        )
    return seeded


def seed_sroi(admin: User, today: date) -> dict[str, int]:
    tables = {t["authority"].split(" (")[0]: t for t in load_tables()}
    seed_municipal_policies(admin)
    emmen = db.session.scalar(select(Organisation).where(Organisation.name == "Gemeente Emmen"))
    _policy(
        emmen,
        tables["Gemeente Utrecht"],
        500,
        25000000,
        "Social return Gemeente Emmen (model: tabel Utrecht)",
    )
    hoek = db.session.scalar(select(Organisation).where(Organisation.kvk_number == "99000001"))
    groen = db.session.scalar(select(Organisation).where(Organisation.kvk_number == "99000002"))
    if not db.session.scalar(
        select(PsoCertificate.id).where(PsoCertificate.organisation_id == groen.id)
    ):
        db.session.add(
            PsoCertificate(
                organisation_id=groen.id,
                level="trede_1",
                number="PSO-2025-0412",
                valid_until=today + timedelta(days=45),
                # Checked by the admin against the register: only verified certificates count.
                verified_at=utcnow(),
                verified_by_id=admin.id,
            )
        )
        db.session.commit()
    officer = db.session.scalar(select(User).where(User.email == "inkoper.emmen@example.com"))
    owner = db.session.scalar(select(User).where(User.email == "aannemer@example.com"))
    made = 0
    specs = [
        ("Renovatie Raadhuisplein", "EM-2025-014", hoek, 120000000, -400, 330, "Vastgoed"),
        ("Onderhoud openbaar groen Emmen-Zuid", "EM-2025-022", groen, 48000000, -200, 530, "Groen"),
        ("Nieuwbouw brede school Angelslo", "EM-2024-031", hoek, 310000000, -700, 30, "Vastgoed"),
        ("Schoonmaak gemeentelijke panden", "EM-2026-003", hoek, 9000000, -30, 700, "Facilitair"),
    ]
    for title, ref, contractor, value, start_offset, length, dept in specs:
        if db.session.scalar(select(Contract.id).where(Contract.reference == ref)):
            continue
        start = today + timedelta(days=start_offset)
        contracts.register(
            emmen,
            contracts.ContractData(
                title=title,
                reference=ref,
                contractor_id=contractor.id,
                value_cents=value,
                award_date=start - timedelta(days=30),
                start_date=start,
                end_date=start + timedelta(days=start_offset * -1 + length),
                labour_share_bp=4500,
                department=dept,
            ),
            officer,
        )
        made += 1
    if made:
        _realisations(owner, officer, today)
    fulfilment.recompute_all(today)
    return {"contracts": made}


def _realisations(owner: User, officer: User, today: date) -> None:
    """Realisations submitted and decided over the past months, replayed in date order so the
    fulfilment snapshots (the charts) show a history rather than one jump today."""
    main = db.session.scalar(select(Contract).where(Contract.reference == "EM-2025-014"))
    school = db.session.scalar(select(Contract).where(Contract.reference == "EM-2024-031"))
    ago = lambda days: today - timedelta(days=days)  # noqa: E731

    def person(code: str, ref: str, start: int, end: int, hours: int, *attributes: str) -> dict:
        return dict(
            block_code=code,
            candidate_ref=ref,
            start_date=ago(start),
            end_date=ago(end),
            hours_per_week=Decimal(hours),
            attributes=list(attributes),
        )

    invoice = dict(
        block_code="INK",
        invoice_excl_vat_cents=1850000,
        invoice_number="EMCO-25-118",
        supplier_name="EMCO-groep",
        supplier_kvk="04064343",
        supplier_certification="werkbedrijf",
    )
    # (contract, realisation, submitted days ago, approved days ago or None = awaiting)
    rows = [
        (school, person("DGR", "KAND-0003", 600, 420, 20), 410, 395),
        (school, person("PW", "KAND-0004", 500, 200, 28, "statushouder"), 190, 170),
        (main, person("PW", "KAND-0001", 380, 200, 32, "age_50_plus"), 190, 160),
        (main, person("WW", "KAND-0005", 199, 40, 36), 35, 12),
        (main, person("BBL", "KAND-0002", 300, 30, 24), 20, None),
        (main, invoice, 6, None),
    ]
    events = []
    for contract, data, submitted, approved in rows:
        events.append((ago(submitted), "submit", contract, data))
        if approved is not None:
            events.append((ago(approved), "approve", contract, data))
    made: dict[str, Realisation] = {}
    for on, action, contract, data in sorted(events, key=lambda e: e[0]):
        key = data.get("candidate_ref") or data["invoice_number"]
        moment = datetime.combine(on, time(10))
        if action == "submit":
            made[key] = realisations.submit(contract, realisations.RealisationData(**data), owner)
            made[key].submitted_at = moment
        else:
            realisations.approve([made[key].id], officer)
            made[key].decided_at = moment
        db.session.commit()
        fulfilment.recompute_contract(contract.id, on)
