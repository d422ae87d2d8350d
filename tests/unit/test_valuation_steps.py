"""A valuation explains itself in steps, as an obligation does: the hours and period a line is pro
rata on, one step per line and the total, each a code with plain parameters that labels.py words
in the reader's language (docs/domain.md "Building blocks")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale

from marketplace import labels
from marketplace.domain.valuation import STEP_CODES, Block, RealisationInput, valuate

PW = Block("PW", "fte_year", 4_000_000, max_days=730, bonuses={"age_50_plus": 1_000_000})
HALF_YEAR = {"start": date(2026, 1, 1), "end": date(2026, 6, 30)}


def _codes(valuation) -> list[str]:
    return [code for code, _params in valuation.steps]


def test_an_fte_year_explains_hours_period_each_line_and_the_total():
    result = valuate(
        PW,
        RealisationInput(
            **HALF_YEAR, hours_per_week=Decimal(24), attributes=frozenset({"age_50_plus"})
        ),
    )
    assert result.steps == (
        ("hours", {"hours_per_week": "24", "hours": "24", "fte_hours": 36}),
        (
            "period",
            {
                "start": "2026-01-01",
                "end": "2026-06-30",
                "days": 181,
                "max_days": 730,
                "counted_days": 181,
            },
        ),
        (
            "fte_year_line",
            {
                "code": "PW",
                "rate_cents": 4_000_000,
                "hours": "24",
                "fte_hours": 36,
                "days": 181,
                "amount_cents": 1_322_374,
            },
        ),
        (
            "bonus_line",
            {
                "code": "age_50_plus",
                "rate_cents": 1_000_000,
                "hours": "24",
                "fte_hours": 36,
                "days": 181,
                "amount_cents": 330_594,
            },
        ),
        ("total", {"amount_cents": 1_652_968}),
    )


def test_the_steps_lines_add_up_to_the_value():
    result = valuate(
        PW,
        RealisationInput(
            start=date(2026, 1, 1),
            end=date(2029, 1, 1),
            hours_per_week=Decimal(40),
            attributes=frozenset({"age_50_plus"}),
        ),
    )
    lines = [p["amount_cents"] for code, p in result.steps if code.endswith("_line")]
    assert sum(lines) == result.value_cents == dict(result.steps)["total"]["amount_cents"]
    assert dict(result.steps)["hours"]["hours"] == "36"  # 40 hours count as a full week
    assert dict(result.steps)["period"]["counted_days"] == 730


@pytest.mark.parametrize(
    ("block", "realisation", "codes"),
    [
        (Block("WEP", "month", 75_000), RealisationInput(**HALF_YEAR), ["period", "month_line"]),
        (Block("MA", "hour", 10_000), RealisationInput(hours=Decimal("7.5")), ["hour_line"]),
        (Block("DIP", "fixed", 50_000), RealisationInput(quantity=3), ["fixed_line"]),
        (Block("KOS", "cost"), RealisationInput(cost_excl_vat_cents=250_000), ["cost_line"]),
        (
            Block("INK", "invoice"),
            RealisationInput(
                invoice_excl_vat_cents=1_000_000, supplier_certification="social_enterprise_nl"
            ),
            ["invoice_line"],
        ),
    ],
)
def test_a_single_line_unit_explains_its_line_without_a_total(block, realisation, codes):
    result = valuate(block, realisation)
    assert _codes(result) == codes
    assert result.steps[-1][1]["amount_cents"] == result.value_cents


# One example of every step, worded in Dutch and English.
WORDED = [
    (
        ("hours", {"hours_per_week": "15.5", "hours": "15.5", "fte_hours": 36}),
        "15,5 uur per week van een volledige werkweek van 36 uur",
        "15.5 hours a week of a full-time week of 36 hours",
    ),
    (
        (
            "period",
            {
                "start": "2026-01-01",
                "end": "2029-01-01",
                "days": 1097,
                "max_days": 730,
                "counted_days": 730,
            },
        ),
        "1 januari 2026 tot en met 1 januari 2029: 1.097 dagen, waarvan er maximaal 730 tellen",
        "1 January 2026 to 1 January 2029: 1,097 days, of which at most 730 count",
    ),
    (
        (
            "fte_year_line",
            {"code": "PW", "rate_cents": 4_000_000, "hours": "24", "fte_hours": 36, "days": 181}
            | {"amount_cents": 1_322_374},
        ),
        "PW: € 40.000,00 per fte-jaar × 24/36 uur × 181/365 dagen = € 13.223,74",
        "PW: €40,000.00 per FTE-year × 24/36 hours × 181/365 days = €13,223.74",
    ),
    (
        (
            "bonus_line",
            {"code": "age_50_plus", "rate_cents": 1_000_000, "hours": "24", "fte_hours": 36}
            | {"days": 181, "amount_cents": 330_594},
        ),
        "Bonus 50 jaar of ouder: € 10.000,00 per fte-jaar × 24/36 uur × 181/365 dagen = € 3.305,94",
        "Bonus Aged 50 or over: €10,000.00 per FTE-year × 24/36 hours × 181/365 days = €3,305.94",
    ),
    (
        ("month_line", {"code": "WEP", "rate_cents": 75_000, "days": 181, "amount_cents": 446_301}),
        "WEP: € 750,00 per maand × 181 dagen × 12/365 = € 4.463,01",
        "WEP: €750.00 per month × 181 days × 12/365 = €4,463.01",
    ),
    (
        ("hour_line", {"code": "MA", "rate_cents": 10_000, "hours": "7.5", "amount_cents": 75_000}),
        "MA: € 100,00 per uur × 7,5 uur = € 750,00",
        "MA: €100.00 per hour × 7.5 hours = €750.00",
    ),
    (
        (
            "fixed_line",
            {"code": "DIP", "rate_cents": 50_000, "quantity": 3, "amount_cents": 150_000},
        ),
        "DIP: € 500,00 per keer × 3 = € 1.500,00",
        "DIP: €500.00 per occurrence × 3 = €1,500.00",
    ),
    (
        ("cost_line", {"code": "KOS", "amount_cents": 250_000}),
        "KOS: de gemaakte kosten tellen volledig mee: € 2.500,00",
        "KOS: the costs incurred count in full: €2,500.00",
    ),
    (
        (
            "invoice_line",
            {"code": "INK", "invoice_cents": 1_000_000, "certification": "werkbedrijf"}
            | {"credit_bp": 10_000, "amount_cents": 1_000_000},
        ),
        "INK: factuur € 10.000,00 × 100% (Werkbedrijf / SW-bedrijf) = € 10.000,00",
        "INK: invoice €10,000.00 × 100% (Werkbedrijf / SW-bedrijf) = €10,000.00",
    ),
    (("total", {"amount_cents": 1_652_968}), "Totaal: € 16.529,68", "Total: €16,529.68"),
]


def test_every_step_code_has_an_example():
    assert {step[0] for step, _nl, _en in WORDED} == set(STEP_CODES)


@pytest.mark.parametrize(("step", "dutch", "english"), WORDED, ids=lambda v: str(v)[:20])
def test_each_step_is_worded_in_the_readers_language(app, step, dutch, english):
    with app.test_request_context():
        with force_locale("nl"):
            assert labels.valuation_steps([step]) == [dutch]
        with force_locale("en"):
            assert labels.valuation_steps([step]) == [english]
