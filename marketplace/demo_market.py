"""Demo marketplace: offerings of the real werkbedrijven and social enterprises of demo.py (what
they offer in practice: groepsdetachering, schoonmaak, groen, post en drukwerk, catering,
re-integratie; prices and volumes illustrative), and demand of the fictional contractor and the
network, the contractor's linked to its contracts. Posted and published through the listings
service by each organisation's demo user. Idempotent like demo.py: a listing is looked up by
organisation and title before it is posted."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Contract, Listing, Organisation, User
from marketplace.services import listings

# (organisation, kind, title, description, sector, type, region, amount in euros,
#  volume, fte, contract reference or None, days until its last day or None)
LISTINGS = [
    (
        "EMCO-groep",
        "offering",
        "Groepsdetachering productie en assemblage",
        "Een vaste groep van 8 medewerkers met een eigen leidinggevende werkt op jouw locatie "
        "aan productie, montage of verpakking. EMCO regelt de begeleiding, de planning en "
        "vervanging bij ziekte. Prijs per maand voor de hele groep.",
        "productie_assemblage",
        "placement",
        "Drenthe",
        29500,
        "8 fte",
        "8",
        None,
        None,
    ),
    (
        "EMCO-groep",
        "offering",
        "Groenonderhoud openbare ruimte en bedrijfsterreinen",
        "Ploegen van 4 tot 6 medewerkers met voorman en eigen materieel: maaien, snoeien, "
        "schoffelen en zwerfvuil. Ook als onderaanneming binnen een groenbestek.",
        "groenvoorziening",
        "service",
        "Drenthe",
        38000,
        "5 fte",
        "5",
        None,
        365,
    ),
    (
        "EMCO-groep",
        "offering",
        "Schoonmaak van kantoren, scholen en bouwketen",
        "Dagelijkse en periodieke schoonmaak door vaste teams, met VCA-gecertificeerde "
        "leidinggevenden. Opleverschoonmaak na bouw en renovatie.",
        "schoonmaak",
        "service",
        "Drenthe",
        None,
        "200 uur per maand",
        None,
        None,
        None,
    ),
    (
        "Menso",
        "offering",
        "Re-integratietrajecten en jobcoaching",
        "Van werkfit-traject tot plaatsing: intake, werkervaring, scholing en jobcoaching op de "
        "werkplek tot een half jaar na de start. Telt als social return voor jouw contract.",
        "reintegratie_training",
        "service",
        "Drenthe",
        4500,
        "per kandidaat",
        None,
        None,
        None,
    ),
    (
        "Menso",
        "offering",
        "Leerwerkplekken met begeleiding in Emmen",
        "Kandidaten met een uitkering die bij jou een leerwerkplek invullen, met begeleiding "
        "vanuit Menso en afspraken over een vast contract daarna.",
        "reintegratie_training",
        "placement",
        "Drenthe",
        None,
        "6 plekken",
        None,
        None,
        None,
    ),
    (
        "WVS-groep",
        "offering",
        "Verpakken en assemblage in onze eigen productiehal",
        "Handmatig en machinaal verpakken, assembleren en orderpicking in Roosendaal, met "
        "opslag en transport. Kleine en grote series.",
        "productie_assemblage",
        "service",
        "West-Brabant",
        None,
        "12 fte",
        "12",
        None,
        None,
    ),
    (
        "WVS-groep",
        "offering",
        "Groenvoorziening voor gemeenten en bedrijventerreinen",
        "Onderhoud van openbaar groen, sportvelden en bedrijventerreinen in West-Brabant, met "
        "eigen ploegen en materieel.",
        "groenvoorziening",
        "service",
        "West-Brabant",
        42000,
        "6 fte",
        "6",
        None,
        None,
    ),
    (
        "Weener XL",
        "offering",
        "Post en drukwerk: printen, couverteren en bezorgen",
        "Printen en afwerken van drukwerk, couverteren en adresseren van mailings, en "
        "postbezorging in 's-Hertogenbosch en omgeving.",
        "drukwerk_post",
        "service",
        "Noordoost-Brabant",
        None,
        "50.000 poststukken per maand",
        None,
        None,
        None,
    ),
    (
        "Weener XL",
        "offering",
        "Catering en bedrijfsrestaurant",
        "Lunch, vergaderarrangementen en het runnen van een bedrijfsrestaurant met een team "
        "van koks en medewerkers in opleiding.",
        "horeca_catering",
        "service",
        "Noordoost-Brabant",
        None,
        "tot 300 lunches per dag",
        None,
        None,
        None,
    ),
    (
        "Wedeka",
        "offering",
        "Schoonmaak en glazenwassen in Oost-Groningen",
        "Schoonmaak van kantoren, scholen en zorglocaties, en glazenwassen, door vaste teams "
        "van Wedeka in Stadskanaal en omgeving.",
        "schoonmaak",
        "service",
        "Groningen",
        None,
        "4 fte",
        "4",
        None,
        None,
    ),
    (
        "Wedeka",
        "offering",
        "Groenvoorziening en gladheidsbestrijding",
        "Het hele jaar door: groenonderhoud in de zomer, strooien en sneeuwruimen in de "
        "winter, voor gemeenten en woningcorporaties.",
        "groenvoorziening",
        "service",
        "Groningen",
        None,
        "3 ploegen",
        None,
        None,
        None,
    ),
    (
        "Buurtsupport Emmen",
        "offering",
        "Klussen- en schoonmaakteam voor de wijk",
        "Kleine klussen, schoonmaak en verhuishulp door buurtbewoners die weer aan het werk "
        "gaan, begeleid door onze coördinatoren.",
        "facilitair",
        "service",
        "Drenthe",
        3500,
        "100 uur per maand",
        None,
        None,
        None,
    ),
    (
        "Buurtsupport Emmen",
        "offering",
        "Catering voor vergaderingen en buurtbijeenkomsten",
        "Broodjes, soep en koffie voor 10 tot 80 personen, bereid en geserveerd door ons "
        "buurtteam.",
        "horeca_catering",
        "product",
        "Drenthe",
        None,
        "10 tot 80 personen",
        None,
        None,
        None,
    ),
    (
        "Bouwbedrijf De Voorbeeldige Hoek B.V. (fictief)",
        "demand",
        "Opleverschoonmaak en schoonmaak bouwkeet Raadhuisplein",
        "Voor de renovatie van het Raadhuisplein zoeken we een sociale onderneming of "
        "werkbedrijf voor de wekelijkse schoonmaak van de bouwkeet en de opleverschoonmaak.",
        "schoonmaak",
        "service",
        "Drenthe",
        18000,
        "12 uur per week",
        None,
        "EM-2025-014",
        60,
    ),
    (
        "Bouwbedrijf De Voorbeeldige Hoek B.V. (fictief)",
        "demand",
        "Schoonmaakploeg voor gemeentelijke panden",
        "Voor het contract schoonmaak gemeentelijke panden zoeken we een vaste ploeg via "
        "groepsdetachering, met begeleiding op locatie.",
        "schoonmaak",
        "placement",
        "Drenthe",
        60000,
        "3 fte",
        "3",
        "EM-2026-003",
        45,
    ),
    (
        "Bouwbedrijf De Voorbeeldige Hoek B.V. (fictief)",
        "demand",
        "Drukwerk en bezorging bewonersbrieven brede school",
        "Printen, couverteren en bezorgen van bewonersbrieven over de bouw van de brede school "
        "Angelslo, vier keer dit jaar.",
        "drukwerk_post",
        "product",
        "Drenthe",
        4500,
        "4 mailings van 1.500 brieven",
        None,
        "EM-2024-031",
        30,
    ),
    (
        "MetWerk",
        "demand",
        "Leerwerkplekken logistiek voor leden van het netwerk",
        "Werkgevers van MetWerk zoeken samen leerwerkplekken in logistiek en magazijn voor "
        "kandidaten uit de regio, met een werkbedrijf dat de begeleiding doet.",
        "logistiek",
        "placement",
        "Drenthe",
        None,
        "10 plekken",
        None,
        None,
        90,
    ),
]


def seed_market(today: date) -> dict[str, int]:
    """Post and publish each listing that is not there yet; returns how many were posted."""
    made = 0
    for (
        org_name,
        kind,
        title,
        description,
        sector,
        type_,
        region,
        euros,
        volume,
        fte,
        reference,
        days,
    ) in LISTINGS:
        org = db.session.scalar(select(Organisation).where(Organisation.name == org_name))
        if db.session.scalar(
            select(Listing.id).where(Listing.organisation_id == org.id, Listing.title == title)
        ):
            continue
        poster = db.session.scalar(select(User).where(User.id == org.members[0].user_id))
        contract_id = (
            db.session.scalar(select(Contract.id).where(Contract.reference == reference))
            if reference
            else None
        )
        data = listings.ListingData(
            title=title,
            description=description,
            sector=sector,
            type=type_,
            region=region,
            amount_cents=euros * 100 if euros is not None else None,
            volume=volume,
            fte=Decimal(fte) if fte else None,
            date_from=today if kind == "offering" else None,
            last_day=today + timedelta(days=days) if days is not None else None,
            contract_id=contract_id,
            # A network's own demand is for its members only.
            network_id=org.id if org.kind == "network" else None,
        )
        listings.create(org, poster, kind, data, today, publish=True)
        made += 1
    return {"listings": made}
