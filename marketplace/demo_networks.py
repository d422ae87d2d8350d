"""Demo data of the MetWerk network: its plans by organisation size and the IBAN its members
pay to, so an organisation of the demo can apply, be accepted and pay a manual invoice
(docs/domain.md "Memberships"). The fees are illustrative."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Organisation, User
from marketplace.services import invoices, plans

NETWORK = "MetWerk"
IBAN = "NL91 ABNA 0417 1643 00"
BENEFITS = (
    "Toegang tot vraag die alleen voor leden is, de ledenlijst en de ledenbijeenkomsten; "
    "een lidmaatschapsbadge op je profiel."
)
# (name, size band, yearly fee in euros excluding VAT)
PLANS = (
    ("Klein (tot 10 medewerkers)", "up_to_10", 450),
    ("Middelgroot (10-50 medewerkers)", "10_to_50", 1_200),
    ("Groot (50-250 medewerkers)", "50_to_250", 2_400),
    ("Zeer groot (250+ medewerkers)", "250_plus", 4_800),
)


def seed_networks() -> dict[str, int]:
    """Give MetWerk its IBAN and the plans it does not have yet; returns how many plans were
    made (none on a second run)."""
    network = db.session.scalar(select(Organisation).where(Organisation.name == NETWORK))
    owner = db.session.scalar(select(User).where(User.id == network.members[0].user_id))
    if invoices.iban_of(network.id) is None:
        invoices.set_iban(network, IBAN, owner)
    have = {p.name for p in plans.of_network(network, active_only=False)}
    made = 0
    for name, band, euros in PLANS:
        if name in have:
            continue
        plans.create(
            network,
            plans.PlanData(
                name=name,
                yearly_fee_cents=euros * 100,
                billing_rule="calendar_year_pro_rata",
                vat_rate_bp=2100,
                size_band=band,
                benefits=BENEFITS,
            ),
            owner,
        )
        made += 1
    return {"plans": made}
