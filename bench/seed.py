"""A large, realistic data set for the performance harness (`make bench`, `flask seed-bench`).

Four authorities with the real value tables of marketplace/data/value-tables.json, contractors
with their owners, contracts whose obligation is computed by the domain rule `obligation_for`, and
realisations in every state whose value comes from the domain valuation. The few authorities and
policies go through the services; the bulk (users, organisations, contracts, realisations,
snapshots) is inserted with PostgreSQL COPY (SQLAlchemy Core executemany on SQLite), so 10,000
contracts and 200,000 realisations take well under a minute, most of it the 200,000 valuations.
Bulk rows write no audit log: they are not user actions.

The cached fulfilment (sums, status, percent) is computed with the domain rules on `today` and
`notified_status` is set to it, so a recompute on `today` changes nothing and sends no mail.
Everything is drawn from a seeded random generator: the same arguments give the same data."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import JSON, func, insert, select, text, update

from marketplace.demo_sroi import AUTHORITY_POLICIES, _authority, _policy, load_tables
from marketplace.domain import invoicing, valuation
from marketplace.domain import obligation as obligation_rules
from marketplace.domain.fulfilment import elapsed_share, fulfilment_status
from marketplace.domain.identifiers import identifier_key
from marketplace.domain.membership import DUNNING_STEPS
from marketplace.domain.taxonomy import ARBEIDSMARKTREGIOS
from marketplace.extensions import db
from marketplace.models import (
    BuildingBlock,
    Contract,
    FulfilmentSnapshot,
    Invoice,
    Listing,
    Membership,
    MembershipReminder,
    NetworkBilling,
    Organisation,
    OrganisationCertification,
    OrganisationMember,
    Plan,
    PsoCertificate,
    Realisation,
    SroiPolicy,
    User,
)
from marketplace.services import accounts, organisations, policies, search
from marketplace.services.realisations import PEOPLE_UNITS

BENCH_TODAY = date(2026, 6, 1)
PASSWORD = "bench-wachtwoord"
# Contracts per authority: one big municipality and three smaller ones.
AUTHORITY_SHARE = {
    "Gemeente Utrecht": 0.5,
    "Gemeente Den Haag": 0.25,
    "Gemeente Leiden": 0.15,
    "Gemeente Harlingen": 0.10,
}
STATE_WEIGHTS = {"approved": 60, "submitted": 15, "rejected": 10, "draft": 15}
DEPARTMENTS = ("Vastgoed", "Groen", "Facilitair", "ICT", "Sociaal Domein", "Verkeer", "Onderwijs")
WORKS = ("Onderhoud", "Renovatie", "Nieuwbouw", "Schoonmaak", "Beheer", "Levering", "Aanleg")
OBJECTS = ("sporthal", "openbaar groen", "stadskantoor", "fietspaden", "scholen", "riolering")
CHUNK = 10_000
# Awards from early 2024 on: the demo policies (which the bench reuses) are in force from 2024.
AWARDED_SINCE_DAYS = 880


@dataclass
class _Contract:
    id: int
    authority: str
    contractor_id: int
    obligation_cents: int
    obligation_status: str
    start: date
    end: date


def bench_authority_name(key: str) -> str:
    return f"{key} (benchmark)"


def is_seeded() -> bool:
    """Whether the bench authorities already exist in this database."""
    name = bench_authority_name(next(iter(AUTHORITY_SHARE)))
    return db.session.scalar(select(Organisation.id).where(Organisation.name == name)) is not None


def biggest_authority_officer() -> str:
    """E-mail of an officer of the authority with the most contracts (for the dashboard bench)."""
    return _officer_email(next(iter(AUTHORITY_SHARE)))


def seed_bench(
    n_contracts: int = 10_000,
    n_realisations: int = 200_000,
    contractors: int = 500,
    *,
    today: date = BENCH_TODAY,
    seed: int = 1,
) -> dict[str, int]:
    """Insert the bench data set; refuses to run twice on one database."""
    if is_seeded():
        raise ValueError("The benchmark data set is already in this database.")
    rng = random.Random(seed)
    officers, authority_policies = _authorities()
    template = next(iter(officers.values()))
    contractor_ids, owner_of = _contractors(contractors, rng, template)
    pso = _certificates(contractor_ids, rng, today)
    made = _contracts(n_contracts, authority_policies, contractor_ids, pso, rng, today)
    sums, inserted = _realisations(
        n_realisations, made, authority_policies, officers, owner_of, rng, today
    )
    _cache_fulfilment(made, sums, today)
    db.session.commit()
    _tidy()
    return {
        "authorities": len(officers),
        "contractors": len(contractor_ids),
        "contracts": len(made),
        "realisations": inserted,
    }


def _tidy() -> None:
    """Planner statistics for the fresh tables (PostgreSQL also reclaims the rows the cache
    update replaced), as autovacuum would do a while later."""
    postgres = db.engine.dialect.name == "postgresql"
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if postgres else "ANALYZE"))


def _officer_email(key: str) -> str:
    place = key.removeprefix("Gemeente ").lower().replace(" ", "")
    return f"inkoper.{place}@bench.example.com"


def _authorities() -> tuple[dict[str, User], dict[str, SroiPolicy]]:
    """The authorities and their policies, registered as the demo data does (through the
    services), each with its own officer."""
    tables = {t["authority"].split(" (")[0]: t for t in load_tables()}
    officers, found = {}, {}
    for n, key in enumerate(AUTHORITY_SHARE):
        _name, _kvk, region, pct, threshold = AUTHORITY_POLICIES[key]
        officer = accounts.create_user(_officer_email(key), PASSWORD, name=f"Inkoper {key}")
        org = _authority(bench_authority_name(key), f"{70000001 + n}", region, officer)
        name = f"Social return {key} (benchmark)"
        found[key] = _policy(org, tables[key], pct, threshold, name)
        officers[key] = officer
    return officers, found


def _contractors(n: int, rng: random.Random, template: User) -> tuple[list[int], dict[int, int]]:
    """Contractor organisations, each with one owner. The owners share the password hash the
    accounts service made for `template` (hashing 500 passwords would dominate the seeding)."""
    names = [f"Bench Aannemer {i:04d} B.V." for i in range(1, n + 1)]
    emails = [f"aannemer.{i:04d}@bench.example.com" for i in range(1, n + 1)]
    _bulk_users(emails, names, template)
    _bulk_insert(
        Organisation,
        [
            {
                "slug": organisations.slugify(name),
                "name": name,
                "kind": "contractor",
                "kvk_number": f"{80000001 + i}",
                "city": rng.choice(("Utrecht", "Den Haag", "Leiden", "Harlingen", "Amersfoort")),
                "arbeidsmarktregio": "Midden-Utrecht",
                "sectors": ["bouw"],
                "verified_at": template.created_at,
            }
            for i, name in enumerate(names)
        ],
    )
    user_ids = _ids(select(User.email, User.id).where(User.email.in_(emails)))
    org_ids = _ids(select(Organisation.name, Organisation.id).where(Organisation.name.in_(names)))
    _bulk_insert(
        OrganisationMember,
        [
            {"user_id": user_ids[e], "organisation_id": org_ids[name], "role": "owner"}
            for e, name in zip(emails, names, strict=True)
        ],
    )
    owner_of = {org_ids[name]: user_ids[e] for e, name in zip(emails, names, strict=True)}
    return [org_ids[name] for name in names], owner_of


def _certificates(
    contractor_ids: list[int], rng: random.Random, today: date
) -> dict[int, tuple[str, date]]:
    """A PSO certificate for one contractor in ten, some of them expired."""
    pso = {
        cid: (
            rng.choice(("trede_1", "trede_2", "trede_3", "pso_30_plus")),
            today + timedelta(days=rng.randint(-700, 700)),
        )
        for cid in contractor_ids
        if rng.random() < 0.1
    }
    if pso:
        _bulk_insert(
            PsoCertificate,
            [
                {
                    "organisation_id": cid,
                    "level": level,
                    "number": f"PSO-B-{cid}",
                    "valid_until": until,
                }
                for cid, (level, until) in pso.items()
            ],
        )
    return pso


def _contracts(
    n: int,
    authority_policies: dict[str, SroiPolicy],
    contractor_ids: list[int],
    pso: dict[int, tuple[str, date]],
    rng: random.Random,
    today: date,
) -> list[_Contract]:
    """Contracts with log-normal values (median about € 800.000), awarded since 2024, of 6
    to 48 months; the obligation is the domain's `obligation_for` under the authority's policy."""
    keys = list(AUTHORITY_SHARE)
    weights = list(AUTHORITY_SHARE.values())
    rules = {k: policies.rules_of(p) for k, p in authority_policies.items()}
    rows, meta = [], []
    for i in range(n):
        key = rng.choices(keys, weights)[0]
        contractor = rng.choice(contractor_ids)
        value = min(max(int(rng.lognormvariate(math.log(800_000), 1.0)), 20_000), 80_000_000)
        award = today - timedelta(days=rng.randint(-60, AWARDED_SINCE_DAYS))
        start = award + timedelta(days=rng.randint(14, 90))
        months = rng.choice((6, 12, 12, 18, 24, 24, 36, 48))
        end = obligation_rules.add_months(start, months) - timedelta(days=1)
        labour = rng.randrange(1500, 8001, 100) if rng.random() < 0.7 else None
        level, until = pso.get(contractor, (None, None))
        terms = obligation_rules.ContractTerms(
            value_cents=value * 100,
            award_date=award,
            start=start,
            end=end,
            labour_share_bp=labour,
            pso_level=level,
            pso_valid_until=until,
        )
        result = obligation_rules.obligation_for(terms, rules[key])
        rows.append(
            {
                "authority_id": authority_policies[key].authority_id,
                "contractor_id": contractor,
                "policy_id": authority_policies[key].id,
                "title": f"{rng.choice(WORKS)} {rng.choice(OBJECTS)} {i + 1}",
                "reference": f"BENCH-{i + 1:06d}",
                "department": rng.choice(DEPARTMENTS),
                "value_cents": value * 100,
                "labour_share_bp": labour,
                "award_date": award,
                "start_date": start,
                "end_date": end,
                "pso_level": level,
                "pso_valid_until": until,
                "obligation_cents": result.obligation_cents,
                "obligation_status": result.status,
                "obligation_steps": [list(step) for step in result.steps],
                "approved_cents": 0,
                "pending_cents": 0,
                "percent": Decimal("0.0"),
                "status": "not_applicable",
            }
        )
        meta.append((key, result))
    _bulk_insert(Contract, rows)
    ids = _ids(select(Contract.reference, Contract.id).where(Contract.reference.like("BENCH-%")))
    return [
        _Contract(
            ids[row["reference"]],
            key,
            row["contractor_id"],
            result.obligation_cents,
            result.status,
            row["start_date"],
            row["end_date"],
        )
        for row, (key, result) in zip(rows, meta, strict=True)
    ]


def _realisations(
    n: int,
    made: list[_Contract],
    authority_policies: dict[str, SroiPolicy],
    officers: dict[str, User],
    owner_of: dict[int, int],
    rng: random.Random,
    today: date,
) -> tuple[dict[int, list], int]:
    """Realisations spread over the due contracts that have started, more on larger obligations.

    Each contract aims at a realised share of 30% to 150% of what is expected by today, so the
    statuses come out mixed; inputs are chosen to approach a target value, and the value itself
    is always the domain valuation's. Returns per contract [approved, pending, last submission]
    and the number inserted."""
    due = [c for c in made if c.obligation_status == "due" and c.start <= today]
    if not due or n <= 0:
        return {}, 0
    expected = [c.obligation_cents * float(elapsed_share(c.start, c.end, today)) for c in due]
    counts = _apportion(n, [e + 1 for e in expected], rng)
    blocks = {
        key: [(b, policies.block_rules(b)) for b in p.blocks]
        for key, p in authority_policies.items()
    }
    approved_share = STATE_WEIGHTS["approved"] / sum(STATE_WEIGHTS.values())
    sums: dict[int, list] = {}
    rows: list[dict] = []
    for contract, count, by_today in zip(due, counts, expected, strict=True):
        target = by_today * rng.uniform(0.3, 1.5) / max(count * approved_share, 1)
        people = (owner_of[contract.contractor_id], officers[contract.authority].id)
        totals = sums.setdefault(contract.id, [0, 0, None])
        for k in range(count):
            row = _realisation(contract, k, blocks[contract.authority], target, people, rng, today)
            if row["state"] == "approved":
                totals[0] += row["value_cents"]
            elif row["state"] == "submitted":
                totals[1] += row["value_cents"]
            if row["submitted_at"] and (totals[2] is None or row["submitted_at"] > totals[2]):
                totals[2] = row["submitted_at"]
            rows.append(row)
            if len(rows) == CHUNK:
                _bulk_insert(Realisation, rows)
                rows = []
    _bulk_insert(Realisation, rows)
    return sums, sum(counts)


def _realisation(
    contract: _Contract,
    k: int,
    blocks: list[tuple[BuildingBlock, valuation.Block]],
    target: float,
    people: tuple[int, int],
    rng: random.Random,
    today: date,
) -> dict:
    """One realisation row worth about `target` cents, by the contractor's owner; approved and
    rejected ones decided by the authority's officer."""
    block, rules = rng.choice(blocks)
    state = rng.choices(list(STATE_WEIGHTS), list(STATE_WEIGHTS.values()))[0]
    last = min(today, contract.end)
    inputs = _inputs(rules, max(int(target * rng.uniform(0.5, 1.5)), 100), last, rng)
    result = valuation.valuate(rules, inputs)
    supplier = rng.randint(1, 40) if rules.unit == "invoice" else None
    happened = inputs.end or last - timedelta(days=rng.randint(0, 90))
    created = datetime.combine(happened, time(9)) + timedelta(minutes=rng.randint(0, 600))
    decided = state in ("approved", "rejected")
    owner_id, officer_id = people
    # Fixed-width k: the comparison key drops the dash, and K12-34 and K123-4 must stay two.
    candidate = f"K{contract.id}-{k:06d}" if rules.unit in PEOPLE_UNITS else None
    invoice = f"F{contract.id}-{k:06d}" if supplier else None
    return {
        "contract_id": contract.id,
        "block_id": block.id,
        "state": state,
        "contractor_id": contract.contractor_id,
        "candidate_ref": candidate,
        "candidate_key": identifier_key(candidate) if candidate else None,
        "attributes": sorted(inputs.attributes),
        "start_date": inputs.start,
        "end_date": inputs.end,
        "hours_per_week": inputs.hours_per_week,
        "hours": inputs.hours,
        "quantity": inputs.quantity,
        "cost_excl_vat_cents": inputs.cost_excl_vat_cents,
        "invoice_excl_vat_cents": inputs.invoice_excl_vat_cents,
        "invoice_number": invoice,
        "invoice_key": identifier_key(invoice) if invoice else None,
        "supplier_name": f"Werkbedrijf {supplier}" if supplier else None,
        "supplier_kvk": f"{60000000 + supplier}" if supplier else None,
        "supplier_certification": inputs.supplier_certification,
        "description": "",
        "value_cents": result.value_cents,
        "breakdown": [
            {"code": line.code, "value_cents": line.value_cents} for line in result.lines
        ],
        "rejection_reason": "Bewijs ontbreekt." if state == "rejected" else None,
        "created_by_id": owner_id,
        "decided_by_id": officer_id if decided else None,
        "created_at": created,
        "submitted_at": None if state == "draft" else created,
        "decided_at": created + timedelta(days=rng.randint(1, 20)) if decided else None,
    }


def _inputs(
    rules: valuation.Block, wanted: int, last: date, rng: random.Random
) -> valuation.RealisationInput:
    """Realisation inputs whose value is close to `wanted` cents, ending by `last`."""
    if rules.unit in ("fte_year", "month"):
        minimum = math.ceil(rules.min_hours_per_week or 0)
        hours = max(rng.choice((16, 20, 24, 28, 32, 36)), minimum)
        per_day = rules.rate_cents * (hours / 36 if rules.unit == "fte_year" else 12) / 365
        days = min(max(int(wanted / max(per_day, 1)), 7), rules.max_days or 730, 730)
        end = last - timedelta(days=rng.randint(0, 60))
        bonus = [a for a in rules.bonuses if rng.random() < 0.1] if rules.unit == "fte_year" else []
        return valuation.RealisationInput(
            start=end - timedelta(days=days - 1),
            end=end,
            hours_per_week=Decimal(hours) if rules.unit == "fte_year" else None,
            attributes=frozenset(bonus),
        )
    if rules.unit == "hour":
        return valuation.RealisationInput(hours=Decimal(max(1, round(wanted / rules.rate_cents))))
    if rules.unit == "fixed":
        return valuation.RealisationInput(quantity=max(1, round(wanted / rules.rate_cents)))
    if rules.unit == "cost":
        return valuation.RealisationInput(cost_excl_vat_cents=wanted)
    credits = rules.credit_bp_by_certification or valuation.DEFAULT_CREDIT_BP
    certification = rng.choice([c for c, bp in credits.items() if bp > 0])
    return valuation.RealisationInput(
        invoice_excl_vat_cents=wanted * 10000 // credits[certification],
        supplier_certification=certification,
    )


def _apportion(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """Split `total` in whole numbers proportional to `weights` (largest remainders win)."""
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (exact[i] - counts[i], rng.random()))
    for i in order[len(order) - (total - sum(counts)) :]:
        counts[i] += 1
    return counts


def _cache_fulfilment(made: list[_Contract], sums: dict, today: date) -> None:
    """The cached sums and status as recompute would write them, and one snapshot per contract."""
    updates, snapshots = [], []
    for c in made:
        approved, pending, last_submission = sums.get(c.id, (0, 0, None))
        result = fulfilment_status(
            c.obligation_cents,
            approved,
            pending,
            c.start,
            c.end,
            today,
            obligation_status=c.obligation_status,
        )
        updates.append(
            {
                "id": c.id,
                "approved_cents": approved,
                "pending_cents": pending,
                "status": result.status,
                "percent": result.percent,
                "notified_status": result.status,
                "computed_on": today,
                "last_submission_at": last_submission,
            }
        )
        snapshots.append(
            {
                "contract_id": c.id,
                "on_date": today,
                "approved_cents": approved,
                "pending_cents": pending,
                "status": result.status,
            }
        )
    for chunk in _chunks(updates):
        db.session.execute(update(Contract), chunk)
    _bulk_insert(FulfilmentSnapshot, snapshots)


def _bulk_users(emails: list[str], names: list[str], template: User) -> None:
    """Confirmed users, one per (e-mail, name), sharing the password hash the accounts service
    made for `template` (hashing thousands of passwords would dominate the seeding)."""
    _bulk_insert(
        User,
        [
            {
                "email": e,
                "password_hash": template.password_hash,
                "name": name,
                "email_confirmed_at": template.email_confirmed_at,
                "is_admin": False,
            }
            for e, name in zip(emails, names, strict=True)
        ],
    )


def _bulk_insert(model, rows: list[dict]) -> None:
    """Insert many rows in the session's transaction: PostgreSQL COPY (about ten times faster
    than executemany), SQLAlchemy Core executemany elsewhere. Columns a row leaves out get the
    model's Python-side default, as an ORM insert would."""
    if not rows:
        return
    table = model.__table__
    given = list(rows[0])
    defaults = {
        c.name: (c.default.arg(None) if c.default.is_callable else c.default.arg)
        for c in table.columns
        if c.name not in given and c.default is not None and not c.primary_key
    }
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        for chunk in _chunks(rows):
            connection.execute(insert(table), [{**defaults, **row} for row in chunk])
        return
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    dump = {k: (json.dumps if k in json_columns else None) for k in [*given, *defaults]}
    fixed = [dump[k](v) if dump[k] else v for k, v in defaults.items()]
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join([*given, *defaults])}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([dump[k](row[k]) if dump[k] else row[k] for k in given] + fixed)


def _ids(query) -> dict:
    """A {key: id} map from a two-column select."""
    return dict(db.session.execute(query).tuples().all())


def _chunks(rows: list[dict]) -> Iterator[list[dict]]:
    for i in range(0, len(rows), CHUNK):
        yield rows[i : i + CHUNK]


def bench_counts() -> dict[str, int]:
    """How many contracts and realisations the database holds (the bench reports them)."""
    return {
        "contracts": db.session.scalar(select(func.count()).select_from(Contract)) or 0,
        "realisations": db.session.scalar(select(func.count()).select_from(Realisation)) or 0,
    }


# --- the marketplace: organisations and listings for the search bench ------------------------

MARKET_PREFIX = "Bench Markt"
# Per sector: the words of titles, so that a word like "schoonmaak" matches a realistic share.
SECTOR_WORK = {
    "schoonmaak": ("Schoonmaak", "Glasbewassing", "Schoonmaakonderhoud", "Dagelijkse schoonmaak"),
    "groenvoorziening": ("Groenonderhoud", "Maaiwerk", "Snoeiwerk", "Onkruidbestrijding"),
    "logistiek": ("Inpakwerk", "Magazijnwerk", "Orderpicken", "Bezorging"),
    "horeca_catering": ("Catering", "Lunchverzorging", "Bedrijfsrestaurant", "Koffievoorziening"),
    "productie_assemblage": ("Assemblage", "Montagewerk", "Metaalbewerking", "Houtbewerking"),
    "facilitair": ("Receptie", "Postkamer", "Facilitaire dienstverlening", "Beveiliging"),
    "ict_administratie": ("Digitaliseren", "Scanwerk", "Data-invoer", "Administratie"),
    "textiel": ("Naaiwerk", "Wasserij", "Textielherstel", "Bedrijfskleding"),
    "drukwerk_post": ("Drukwerk", "Postverwerking", "Mailings", "Archivering"),
    "bouw": ("Sloopwerk", "Schilderwerk", "Renovatie", "Tegelwerk"),
}
MARKET_PLACES = (
    "kantoorpanden",
    "scholen",
    "sporthallen",
    "bedrijventerreinen",
    "parken",
    "woonwijken",
    "zorglocaties",
    "gemeentehuizen",
)
LISTING_STATUS_WEIGHTS = {"open": 80, "in_conversation": 5, "draft": 7, "paused": 4, "closed": 4}


def market_is_seeded() -> bool:
    """Whether the marketplace bench organisations already exist in this database."""
    name = f"{MARKET_PREFIX} 00001"
    return db.session.scalar(select(Organisation.id).where(Organisation.name == name)) is not None


def seed_market(
    n_listings: int = 100_000,
    n_organisations: int = 5_000,
    *,
    today: date = BENCH_TODAY,
    seed: int = 1,
) -> dict[str, int]:
    """Organisations (7 in 10 verified social enterprises and werkbedrijven, some certified,
    the others contractors) and listings of every status, bulk inserted, then the search index
    built by the search service itself (`search.reindex_all`, as `flask reindex-search` does).
    Refuses to run twice on one database."""
    if market_is_seeded():
        raise ValueError("The marketplace benchmark data set is already in this database.")
    rng = random.Random(seed)
    verified = datetime.combine(today - timedelta(days=400), time(9))
    regions = list(ARBEIDSMARKTREGIOS)
    sectors = list(SECTOR_WORK)
    rows = []
    for i in range(n_organisations):
        supplier = rng.random() < 0.7
        own = rng.sample(sectors, rng.randint(1, 3))
        name = f"{MARKET_PREFIX} {i + 1:05d}"
        rows.append(
            {
                "slug": organisations.slugify(name),
                "name": name,
                "kind": rng.choice(("social_enterprise", "werkbedrijf"))
                if supplier
                else "contractor",
                "kvk_number": f"{90000001 + i}",
                "city": rng.choice(("Utrecht", "Emmen", "Breda", "Enschede", "Zwolle", "Tilburg")),
                "arbeidsmarktregio": rng.choice(regions),
                "regions": rng.sample(regions, rng.randint(0, 2)),
                "capacity": f"{rng.randint(2, 400)} medewerkers" if supplier else "",
                "description": " ".join(SECTOR_WORK[s][0] for s in own) + " met mensen met een "
                "afstand tot de arbeidsmarkt.",
                "sectors": own,
                "verified_at": verified,
            }
        )
    _bulk_insert(Organisation, rows)
    ids = _ids(
        select(Organisation.name, Organisation.id).where(
            Organisation.name.like(f"{MARKET_PREFIX}%")
        )
    )
    by_kind = {"supplier": [], "contractor": []}
    for row in rows:
        by_kind["contractor" if row["kind"] == "contractor" else "supplier"].append(
            (ids[row["name"]], row)
        )
    suppliers = by_kind["supplier"]
    _bulk_insert(
        PsoCertificate,
        [
            {
                "organisation_id": oid,
                "level": rng.choice(("trede_1", "trede_2", "trede_3", "pso_30_plus")),
                "number": f"PSO-M-{oid}",
                "valid_until": today + timedelta(days=rng.randint(30, 700)),
                "verified_at": verified,
            }
            for oid, _row in suppliers
            if rng.random() < 0.15
        ],
    )
    _bulk_insert(
        OrganisationCertification,
        [
            {
                "organisation_id": oid,
                "code": rng.choice(("code_sociale_ondernemingen", "social_enterprise_nl")),
                "reference": f"REG-{oid}",
                "valid_from": today - timedelta(days=300),
                "valid_until": None,
                "verified_at": verified,
            }
            for oid, _row in suppliers
            if rng.random() < 0.2
        ],
    )
    statuses = list(LISTING_STATUS_WEIGHTS)
    weights = list(LISTING_STATUS_WEIGHTS.values())
    listings = []
    for i in range(n_listings):
        offering = rng.random() < 0.6 or not by_kind["contractor"]
        oid, org = rng.choice(suppliers if offering else by_kind["contractor"])
        sector = rng.choice(org["sectors"]) if offering else rng.choice(sectors)
        work = rng.choice(SECTOR_WORK[sector])
        place = rng.choice(MARKET_PLACES)
        status = rng.choices(statuses, weights)[0]
        published = datetime.combine(today - timedelta(days=rng.randint(0, 365)), time(8))
        last_day = today + timedelta(days=rng.randint(10, 300)) if rng.random() < 0.7 else None
        listings.append(
            {
                "organisation_id": oid,
                "kind": "offering" if offering else "demand",
                "title": f"{work} {place} {i + 1}",
                "description": f"{work} voor {place} in de regio, met een vast team en "
                f"begeleiding op de werkvloer. Referentie {i + 1}.",
                "sector": sector,
                "type": rng.choice(("service", "service", "product", "placement")),
                "region": rng.choice([*regions, "national"]),
                "amount_cents": rng.randrange(500_000, 50_000_000, 100_000),
                "volume": f"{rng.randint(1, 12)} fte",
                "expires_on": last_day,
                "wanted_by": last_day if not offering else None,
                "visibility": "public",
                "status": status,
                "published_at": None if status == "draft" else published,
                "created_at": published,
                "updated_at": published,
            }
        )
        if len(listings) == CHUNK:
            _bulk_insert(Listing, listings)
            listings = []
    _bulk_insert(Listing, listings)
    db.session.flush()
    written = search.reindex_all(batch=2000)
    _tidy()
    return {"organisations": n_organisations, "listings": n_listings, "indexed": written}


# --- memberships: networks, members and their open invoices for the dunning bench ------------

NETWORK_PREFIX = "Bench Netwerk"
MEMBER_PREFIX = "Bench Lid"
# Due dates of the open invoices run from this many days before the bench day to after it, so
# that on the bench day every dunning step is due for about one invoice in sixty-six.
DUE_FROM, DUE_TO = -45, 20


def memberships_are_seeded() -> bool:
    """Whether the dunning bench's networks already exist in this database."""
    name = f"{NETWORK_PREFIX} 01"
    return db.session.scalar(select(Organisation.id).where(Organisation.name == name)) is not None


def seed_memberships(
    n_members: int = 10_000, n_networks: int = 10, *, today: date = BENCH_TODAY, seed: int = 1
) -> dict[str, int]:
    """Networks (each with an owner, a plan and an IBAN) and `n_members` member organisations
    (each with an owner), one membership and one invoice each, as if the daily dunning sweep
    ran every day until yesterday: the steps whose day has passed are recorded in
    `membership_reminders` and the memberships are in the state those steps left them in. One
    in ten invoices is paid and one in twenty memberships comped, which the sweep skips.
    Refuses to run twice on one database."""
    if memberships_are_seeded():
        raise ValueError("The memberships benchmark data set is already in this database.")
    rng = random.Random(seed)
    template = accounts.create_user("bench.leden@bench.example.com", PASSWORD)
    stamp = datetime.combine(today - timedelta(days=400), time(9))

    def owned(prefix: str, kind: str, n: int, kvk_from: int) -> list[int]:
        names = [
            f"{prefix} {i:05d}" if kind != "network" else f"{prefix} {i:02d}"
            for i in range(1, n + 1)
        ]
        emails = [f"{organisations.slugify(name)}@bench.example.com" for name in names]
        _bulk_users(emails, names, template)
        _bulk_insert(
            Organisation,
            [
                {
                    "slug": organisations.slugify(name),
                    "name": name,
                    "kind": kind,
                    "kvk_number": f"{kvk_from + i}",
                    "street": "Benchstraat 1",
                    "postcode": "3511 AA",
                    "city": "Utrecht",
                    "arbeidsmarktregio": "Midden-Utrecht",
                    "btw_number": "NL004495445B01" if kind == "network" else None,
                    "verified_at": stamp,
                }
                for i, name in enumerate(names)
            ],
        )
        users = _ids(select(User.email, User.id).where(User.email.in_(emails)))
        orgs = _ids(select(Organisation.name, Organisation.id).where(Organisation.name.in_(names)))
        _bulk_insert(
            OrganisationMember,
            [
                {"user_id": users[e], "organisation_id": orgs[name], "role": "owner"}
                for e, name in zip(emails, names, strict=True)
            ],
        )
        return [orgs[name] for name in names]

    networks = owned(NETWORK_PREFIX, "network", n_networks, 70000001)
    members = owned(MEMBER_PREFIX, "contractor", n_members, 71000001)
    _bulk_insert(
        NetworkBilling, [{"network_id": n, "iban": "NL91ABNA0417164300"} for n in networks]
    )
    _bulk_insert(
        Plan,
        [
            {
                "network_id": n,
                "name": "Basis",
                "yearly_fee_cents": 120_000,
                "billing_rule": "yearly_from_join",
                "vat_rate_bp": 2100,
            }
            for n in networks
        ],
    )
    plan_of = _ids(select(Plan.network_id, Plan.id).where(Plan.network_id.in_(networks)))
    memberships, invoices, reminders = [], [], []
    sequence = dict.fromkeys(networks, 0)
    for i, org_id in enumerate(members):
        network_id = networks[i % n_networks]
        due = today + timedelta(days=rng.randint(DUE_FROM, DUE_TO))
        paid = rng.random() < 0.1
        comped = not paid and rng.random() < 0.05
        taken = (
            []
            if paid or comped
            else [s for s in DUNNING_STEPS if due + timedelta(days=s.days_after_due) < today]
        )
        moves = [s.moves_to for s in taken if s.moves_to]
        memberships.append(
            {
                "network_id": network_id,
                "organisation_id": org_id,
                "plan_id": plan_of[network_id],
                "status": moves[-1] if moves else "active",
                "accepted_at": stamp,
                "joined_on": due - timedelta(days=365),
                "current_period_start": due - timedelta(days=365),
                "current_period_end": due - timedelta(days=1),
                "comped_until": today + timedelta(days=90) if comped else None,
            }
        )
        sequence[network_id] += 1
        invoice_date = due - timedelta(days=invoicing.PAYMENT_TERM_DAYS)
        year, number = invoice_date.year, sequence[network_id]
        invoices.append(
            {
                "network_id": network_id,
                "year": year,
                "sequence": number,
                "number": invoicing.invoice_number(year, number),
                "invoice_date": invoice_date,
                "due_date": due,
                "seller_name": f"{NETWORK_PREFIX} {network_id}",
                "seller_address": "Benchstraat 1, 3511 AA Utrecht",
                "seller_kvk": "70000001",
                "seller_btw": "NL004495445B01",
                "seller_iban": "NL91ABNA0417164300",
                "buyer_name": f"{MEMBER_PREFIX} {org_id}",
                "buyer_address": "Benchstraat 1, 3511 AA Utrecht",
                "buyer_kvk": "71000001",
                "description": "Lidmaatschap, pakket Basis",
                "period_start": due,
                "period_end": due + timedelta(days=364),
                "amount_excl_vat_cents": 120_000,
                "vat_rate_bp": 2100,
                "vat_cents": 25_200,
                "total_cents": 145_200,
                "payment_reference": invoicing.payment_reference(network_id, year, number),
                "status": "paid" if paid else "open",
                "paid_at": invoice_date if paid else None,
                "paid_amount_cents": 145_200 if paid else 0,
            }
        )
        reminders.append([s.name for s in taken])
    _bulk_insert(Membership, memberships)
    membership_of = _ids(
        select(Membership.organisation_id, Membership.id).where(
            Membership.organisation_id.in_(members)
        )
    )
    for invoice, org_id in zip(invoices, members, strict=True):
        invoice["membership_id"] = membership_of[org_id]
    _bulk_insert(Invoice, invoices)
    invoice_of = _ids(
        select(Invoice.membership_id, Invoice.id).where(
            Invoice.membership_id.in_(list(membership_of.values()))
        )
    )
    sent = datetime.combine(today - timedelta(days=1), time(5, 45))
    _bulk_insert(
        MembershipReminder,
        [
            {
                "membership_id": membership_of[org_id],
                "invoice_id": invoice_of[membership_of[org_id]],
                "step": step,
                "sent_at": sent,
            }
            for org_id, steps in zip(members, reminders, strict=True)
            for step in steps
        ],
    )
    db.session.commit()
    _tidy()
    return {"networks": n_networks, "memberships": n_members}
