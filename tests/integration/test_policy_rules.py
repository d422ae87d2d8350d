"""A stored policy version gives the rules back exactly what it was created with: the columns are
named like the domain's Policy and Block fields (services/policies.py, domain/inputs.py)."""

from __future__ import annotations

from decimal import Decimal

from marketplace.domain.obligation import Policy
from marketplace.domain.valuation import Block
from marketplace.extensions import db
from marketplace.models import SroiPolicy
from marketplace.services import policies
from tests.factories import make_policy


def test_a_stored_policy_gives_back_the_rules_it_was_created_with(authority):
    blocks = [
        policies.BlockData(
            "Participatiewet",
            Block("PW", "fte_year", 4_000_000, Decimal("12.5"), 730, {"age_50_plus": 1_000_000}),
        ),
        policies.BlockData(
            "Inkoop", Block("INK", "invoice", credit_bp_by_certification={"werkbedrijf": 8000})
        ),
        policies.BlockData("Inkoop (beleid)", Block("INK2", "invoice")),
    ]
    stored_id = make_policy(
        authority,
        low_labour_share_bp=3000,
        low_labour_percentage_bp=200,
        cap_cents=4_000_000,
        pso_remaining_bp={"trede_1": 5000, "trede_3": 0},
        credit_bp_by_certification={"social_enterprise_nl": 2500},
        blocks=blocks,
    ).id
    db.session.expire_all()  # read back what was stored
    stored = db.session.get(SroiPolicy, stored_id)

    assert policies.rules_of(stored) == Policy(
        threshold_cents=25_000_000,
        min_duration_months=6,
        percentage_bp=500,
        low_labour_share_bp=3000,
        low_labour_percentage_bp=200,
        cap_cents=4_000_000,
        pso_remaining_bp={"trede_1": 5000, "trede_3": 0},
    )
    # A block without a credit table of its own reads the policy's.
    policy_credits = {"social_enterprise_nl": 2500}
    assert [policies.block_rules(b) for b in stored.blocks] == [
        Block(
            "PW",
            "fte_year",
            4_000_000,
            Decimal("12.5"),
            730,
            {"age_50_plus": 1_000_000},
            credit_bp_by_certification=policy_credits,
        ),
        blocks[1].rules,
        Block("INK2", "invoice", credit_bp_by_certification=policy_credits),
    ]
