"""Demo data: real organisations of this field (names and places; KvK numbers and streets are
illustrative), clearly fictional contractors, and demo users whose logins the README lists.
Everything is looked up before it is created, so running it twice changes nothing."""

from __future__ import annotations

from sqlalchemy import delete, select

from marketplace.extensions import db
from marketplace.models import Organisation, OrganisationMember
from marketplace.services import accounts, organisations

DEMO_PASSWORD = "demo-wachtwoord"

ORGANISATIONS = [
    dict(
        name="Gemeente Emmen",
        kind="authority",
        authority_type="gemeente",
        kvk_number="01180000",
        city="Emmen",
        postcode="7811 AP",
        street="Raadhuisplein 1",
        arbeidsmarktregio="Drenthe",
        description="Gemeente in Zuidoost-Drenthe; vraagt social return bij aanbestedingen.",
        sectors=[],
    ),
    dict(
        name="EMCO-groep",
        kind="werkbedrijf",
        kvk_number="04064343",
        city="Emmen",
        postcode="7821 AA",
        street="Phileas Foggstraat 1",
        arbeidsmarktregio="Drenthe",
        description="Werkbedrijf van Emmen, Borger-Odoorn en Coevorden: detachering, "
        "groepsdetachering, beschut werk en leer-werkplekken.",
        sectors=["productie_assemblage", "groenvoorziening", "schoonmaak", "logistiek"],
    ),
    dict(
        name="Menso",
        kind="werkbedrijf",
        kvk_number="04064344",
        city="Emmen",
        postcode="7821 AB",
        street="Phileas Foggstraat 3",
        arbeidsmarktregio="Drenthe",
        description="Werkgeversdienstverlening en bemiddeling naar werk in Emmen.",
        sectors=["reintegratie_training"],
    ),
    dict(
        name="Buurtsupport Emmen",
        kind="social_enterprise",
        kvk_number="71234561",
        city="Emmen",
        postcode="7811 BA",
        street="Hoofdstraat 10",
        arbeidsmarktregio="Drenthe",
        description="Sociale onderneming voor klussen, schoonmaak en ondersteuning in de wijk.",
        sectors=["schoonmaak", "facilitair"],
    ),
    dict(
        name="WVS-groep",
        kind="werkbedrijf",
        kvk_number="20123456",
        city="Roosendaal",
        postcode="4704 RP",
        street="Argonweg 1",
        arbeidsmarktregio="West-Brabant",
        description="Leer-werkbedrijf in West-Brabant: productie, groen, schoonmaak, detachering.",
        sectors=["productie_assemblage", "groenvoorziening", "schoonmaak"],
    ),
    dict(
        name="MetWerk",
        kind="network",
        kvk_number="69123457",
        city="Emmen",
        postcode="7811 CC",
        street="Marktplein 5",
        arbeidsmarktregio="Drenthe",
        description="Netwerk van werkgevers die inclusief ondernemen in Zuidoost-Drenthe.",
        btw_number="NL853591234B01",
        sectors=[],
    ),
    dict(
        name="Weener XL",
        kind="werkbedrijf",
        kvk_number="17123458",
        city="'s-Hertogenbosch",
        postcode="5222 AV",
        street="Rietveldenweg 60",
        arbeidsmarktregio="Noordoost-Brabant",
        description="Werkbedrijf van 's-Hertogenbosch: werk, leren en detachering.",
        sectors=["productie_assemblage", "facilitair", "groenvoorziening"],
    ),
    dict(
        name="Zayaz",
        kind="werkbedrijf",
        kvk_number="17123459",
        city="'s-Hertogenbosch",
        postcode="5222 AW",
        street="Hambakenweg 2",
        arbeidsmarktregio="Noordoost-Brabant",
        description="Sociaal ontwikkelbedrijf: productie, verpakking en detachering.",
        sectors=["productie_assemblage", "logistiek"],
    ),
    dict(
        name="Wedeka",
        kind="werkbedrijf",
        kvk_number="02123450",
        city="Stadskanaal",
        postcode="9502 EV",
        street="Industrieweg 1",
        arbeidsmarktregio="Groningen",
        description="Werkbedrijf in Oost-Groningen en Drenthe: groen, schoonmaak, productie.",
        sectors=["groenvoorziening", "schoonmaak", "productie_assemblage"],
    ),
    dict(
        name="Bouwbedrijf De Voorbeeldige Hoek B.V. (fictief)",
        kind="contractor",
        kvk_number="99000001",
        city="Emmen",
        postcode="7825 AA",
        street="Voorbeeldweg 1",
        arbeidsmarktregio="Drenthe",
        btw_number="NL000099998B57",
        description="Fictieve aannemer voor de demo: wint bestekken met social return.",
        sectors=["bouw"],
    ),
    dict(
        name="Groen & Co Infra B.V. (fictief)",
        kind="contractor",
        kvk_number="99000002",
        city="Assen",
        postcode="9401 AA",
        street="Fictieflaan 2",
        arbeidsmarktregio="Drenthe",
        description="Fictieve groenaannemer voor de demo.",
        sectors=["groenvoorziening"],
    ),
]

USERS = [
    # (email, name, organisation name or None, role, admin)
    ("admin@example.com", "Platformbeheer", None, None, True),
    ("inkoper.emmen@example.com", "Inkoper Gemeente Emmen", "Gemeente Emmen", "owner", False),
    (
        "aannemer@example.com",
        "Eigenaar Voorbeeldige Hoek",
        "Bouwbedrijf De Voorbeeldige Hoek B.V. (fictief)",
        "owner",
        False,
    ),
    ("accountmanager.emco@example.com", "Accountmanager EMCO", "EMCO-groep", "owner", False),
    ("netwerk.metwerk@example.com", "Coördinator MetWerk", "MetWerk", "owner", False),
    ("accountmanager.menso@example.com", "Accountmanager Menso", "Menso", "owner", False),
    ("accountmanager.wvs@example.com", "Accountmanager WVS-groep", "WVS-groep", "owner", False),
    (
        "accountmanager.weenerxl@example.com",
        "Accountmanager Weener XL",
        "Weener XL",
        "owner",
        False,
    ),
    ("accountmanager.wedeka@example.com", "Accountmanager Wedeka", "Wedeka", "owner", False),
    ("buurtsupport@example.com", "Coördinator Buurtsupport", "Buurtsupport Emmen", "owner", False),
]


def seed_demo() -> dict[str, int]:
    """Create what is missing; returns counts of what was created."""
    created = {"organisations": 0, "users": 0}
    admin = None
    for email, name, _org, _role, is_admin in USERS:
        user = accounts.find_by_email(email)
        if user is None:
            user = accounts.create_user(email, DEMO_PASSWORD, name=name, admin=is_admin)
            created["users"] += 1
        if is_admin:
            admin = user
    for spec in ORGANISATIONS:
        org = db.session.scalar(
            select(Organisation).where(Organisation.kvk_number == spec["kvk_number"])
        )
        if org is None:
            from marketplace.domain.taxonomy import ARBEIDSMARKTREGIOS

            data = organisations.OrganisationData(
                province=ARBEIDSMARKTREGIOS[spec["arbeidsmarktregio"]], **spec
            )
            org = organisations.register(data, admin)
            organisations.verify(org, admin)  # also lists it in the directory
            created["organisations"] += 1
    for email, _name, org_name, role, _admin in USERS:
        if org_name is None:
            continue
        user = accounts.find_by_email(email)
        org = db.session.scalar(select(Organisation).where(Organisation.name == org_name))
        if organisations.role_of(user, org) is None:
            db.session.add(OrganisationMember(user_id=user.id, organisation_id=org.id, role=role))
    # The admin registered these organisations; their demo owners take over. Only these: the
    # admin stays owner of the policy authorities seed_sroi registers, and a second run must
    # not take those away.
    demo_orgs = select(Organisation.id).where(
        Organisation.kvk_number.in_([spec["kvk_number"] for spec in ORGANISATIONS])
    )
    db.session.execute(
        delete(OrganisationMember).where(
            OrganisationMember.user_id == admin.id,
            OrganisationMember.organisation_id.in_(demo_orgs),
        )
    )
    db.session.commit()
    from marketplace import clock
    from marketplace.demo_market import seed_market
    from marketplace.demo_networks import seed_networks
    from marketplace.demo_sroi import seed_sroi

    created.update(seed_sroi(admin, clock.today()))
    created.update(seed_networks())
    created.update(seed_market(clock.today()))
    return created
