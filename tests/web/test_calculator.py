"""The public SROI calculator page: two forms, Dutch by default, the same rules as the API."""

from __future__ import annotations

import html
import re

URL = "/sroi-calculator"

OBLIGATION = {
    "calculator": "obligation",
    "obligation-value": "1.200.000",
    "obligation-percentage": "5",
    "obligation-threshold": "250.000",
    "obligation-min_duration_months": "6",
    "obligation-award_date": "2026-02-01",
    "obligation-start": "2026-03-01",
    "obligation-end": "2028-02-29",
    "obligation-labour_share": "40",
    "obligation-low_labour_share": "30",
    "obligation-low_labour_percentage": "2",
    "obligation-cap": "",
    "obligation-pso_level": "trede_1",
    "obligation-pso_valid_until": "2027-01-31",
    "obligation-pso_remaining": "50",
}
BLOCK = {
    "calculator": "block",
    "block-unit": "fte_year",
    "block-code": "PW",
    "block-rate": "40.000",
    "block-min_hours_per_week": "12",
    "block-max_days": "730",
    "block-start": "2026-01-01",
    "block-end": "2026-06-30",
    "block-hours_per_week": "24",
    "block-bonus_rate": "10.000",
    "block-attributes": ["age_50_plus"],
    "block-certification": "none",
}


def field_errors(page: str) -> dict[str, str]:
    return {k: html.unescape(v) for k, v in re.findall(r'id="([\w-]+)-error">([^<]*)<', page)}


def input_value(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]* name="{name}"[^>]*>', page).group(0)
    return html.unescape(re.search(r'value="([^"]*)"', tag).group(1))


def placeholder(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]* name="{name}"[^>]*>', page).group(0)
    return html.unescape(re.search(r'placeholder="([^"]*)"', tag).group(1))


def test_page_is_public_and_dutch_with_examples_as_placeholders(client):
    response = client.get(URL)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="nl"' in page
    assert "SROI-verplichting van een opdracht" in page
    assert "Waarde van een bouwblok" in page
    for name, example in [
        ("obligation-percentage", "5"),
        ("obligation-threshold", "250.000"),
        ("obligation-min_duration_months", "6"),
        ("block-rate", "40.000"),
        ("block-min_hours_per_week", "12"),
    ]:
        assert input_value(page, name) == ""
        assert placeholder(page, name) == example


def test_hours_below_the_example_minimum_count_when_no_minimum_is_typed(client):
    """The example minimum of 12 hours is a placeholder: 8 hours a week are valued."""
    data = {**BLOCK, "block-min_hours_per_week": "", "block-hours_per_week": "8"}
    response = client.post(URL, data=data)
    page = html.unescape(response.get_data(as_text=True))
    assert field_errors(page) == {}
    assert "8 uur per week van een volledige werkweek van 36 uur" in page


def test_nav_links_to_the_calculator_for_everyone(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/sroi-calculator"' in page
    assert "SROI-calculator" in page


def test_obligation_form_computes_the_domain_example(client):
    response = client.post(URL, data=OBLIGATION)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "€\xa030.000,00" in page
    assert "5% van € 1.200.000,00 = € 60.000,00" in page
    assert "PSO trede 1: 50% → € 30.000,00" in page
    assert "SROI is van toepassing" in page


def test_obligation_under_the_threshold_is_not_applicable(client):
    response = client.post(URL, data={**OBLIGATION, "obligation-value": "200.000"})
    page = response.get_data(as_text=True)
    assert "Geen SROI-verplichting" in page
    assert "ligt onder de drempel" in page


def test_bad_obligation_input_shows_dutch_messages_next_to_fields(client):
    bad = {**OBLIGATION, "obligation-value": "twaalf ton", "obligation-percentage": "150"}
    response = client.post(URL, data=bad)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    errors = field_errors(page)
    assert input_value(page, "obligation-value") == "twaalf ton"  # what was typed stays
    assert errors["obligation-value"].startswith("Vul een bedrag in euro's in")
    assert errors["obligation-percentage"].startswith("Vul een percentage van 0 tot en met 100")


def test_end_before_start_shows_the_domain_message_in_dutch(client):
    response = client.post(URL, data={**OBLIGATION, "obligation-end": "2026-01-01"})
    assert response.status_code == 200
    errors = field_errors(response.get_data(as_text=True))
    assert errors == {"obligation-end": "De einddatum ligt vóór de begindatum."}


def test_missing_dates_are_required(client):
    response = client.post(URL, data={**OBLIGATION, "obligation-award_date": ""})
    errors = field_errors(response.get_data(as_text=True))
    assert errors["obligation-award_date"] == "Vul de gunningsdatum in."


def test_block_form_values_the_domain_example_explained_step_by_step(client):
    response = client.post(URL, data=BLOCK)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    steps = page.split('class="app-explanation">', 1)[1].split("</ol>", 1)[0]
    assert re.findall(r"<li>([^<]*)</li>", steps) == [
        "24 uur per week van een volledige werkweek van 36 uur",
        "1 januari 2026 tot en met 30 juni 2026: 181 dagen",
        "PW: € 40.000,00 per fte-jaar × 24/36 uur × 181/365 dagen = € 13.223,74",
        "Bonus 50 jaar of ouder: € 10.000,00 per fte-jaar × 24/36 uur × 181/365 dagen = € 3.305,94",
        "Totaal: € 16.529,68",
    ]
    assert "Zo is het berekend" in page


def test_each_form_on_the_page_says_which_calculator_it_posts_to(client):
    page = client.get(URL).get_data(as_text=True)
    hidden = re.findall(r'<input type="hidden" name="calculator" value="(\w+)">', page)
    assert hidden == ["obligation", "block"]


def test_block_form_accepts_dutch_decimal_hours(client):
    # 36.000 per FTE-year, 15,5 hours for a whole year: 15.5/36 of it, exactly € 15.500,00.
    data = {
        **BLOCK,
        "block-rate": "36.000",
        "block-end": "2026-12-31",
        "block-hours_per_week": "15,5",
        "block-attributes": [],
    }
    page = client.post(URL, data=data).get_data(as_text=True)
    assert "€\xa015.500,00" in page


def test_below_min_hours_is_shown_next_to_hours_in_dutch(client):
    response = client.post(URL, data={**BLOCK, "block-hours_per_week": "11,5"})
    assert response.status_code == 200
    errors = field_errors(response.get_data(as_text=True))
    assert errors == {
        "block-hours_per_week": "Het aantal uren per week ligt onder het minimum van dit bouwblok."
    }


def test_invoice_block_uses_the_supplier_certification(client):
    data = {
        **BLOCK,
        "block-unit": "invoice",
        "block-code": "INK",
        "block-invoice": "10.000",
        "block-certification": "social_enterprise_nl",
    }
    page = client.post(URL, data=data).get_data(as_text=True)
    assert "€\xa05.000,00" in page


def test_unit_field_missing_for_its_kind_is_flagged(client):
    data = {**BLOCK, "block-unit": "hour", "block-code": "MA", "block-hours": ""}
    errors = field_errors(client.post(URL, data=data).get_data(as_text=True))
    assert errors == {"block-hours": "Een verplicht veld ontbreekt."}


def test_absurd_dates_are_refused_not_a_500(client):
    response = client.post(URL, data={**OBLIGATION, "obligation-end": "9999-12-31"})
    assert response.status_code == 200
    assert "obligation-end" in field_errors(response.get_data(as_text=True))


def test_english_after_switching_language(client):
    client.post("/taal/en", data={"next": URL})
    response = client.post(URL, data={**BLOCK, "block-hours_per_week": "11,5"})
    page = response.get_data(as_text=True)
    assert '<html lang="en"' in page
    assert "Value of a building block" in page
    errors = field_errors(page)
    assert errors["block-hours_per_week"] == (
        "The hours per week are below the minimum of this building block."
    )
