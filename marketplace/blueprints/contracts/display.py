"""What the SROI pages show beyond the models: labels.py's labels of units, statuses and states, and
numbers the local way. `create_app` hands them to every template (`display_helpers`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import format_decimal

from marketplace.domain.money import percent_from_bp
from marketplace.labels import (
    block_field_label,
    bonus_label,
    certification_label,
    pso_level_label,
    state_label,
    status_label,
    unit_label,
)
from marketplace.services import invitations


def percent_1(value: Decimal | None) -> str:
    """A percentage with one decimal the local way ("33,3%" in Dutch)."""
    return "—" if value is None else format_decimal(value, format="0.0") + "%"


def two_decimals(value: Decimal | None) -> str:
    """An FTE or a number of hours as shown, rounded already ("0,33", "1.204,00" in Dutch)."""
    return "—" if value is None else format_decimal(value, format="#,##0.00")


def display_helpers() -> dict[str, Any]:
    """Template helpers for the SROI pages, which create_app makes global to every template."""
    return {
        "status_label": status_label,
        "state_label": state_label,
        "unit_label": unit_label,
        "bonus_label": bonus_label,
        "certification_label": certification_label,
        "block_field_label": block_field_label,
        "percent_1": percent_1,
        "percent_bp": lambda bp: "—" if bp is None else percent_from_bp(bp),
        "pso_label": pso_level_label,
        "contractor_label": invitations.contractor_label,
        "contractor_shown": invitations.shown_to_contractor,
        "number": lambda value: "—" if value is None else format_decimal(value, format="#,##0.##"),
        "two_decimals": two_decimals,
    }
