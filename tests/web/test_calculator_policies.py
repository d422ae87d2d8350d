"""The public calculator under an authority's published policy: the policy's rules and value
table come from the database, the visitor types only the contract or the realisation, and a
policy that is not published (not in force today, replaced, or of an unverified authority) is
neither listed nor usable (docs/domain.md "The public calculator")."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest

from marketplace import clock
from marketplace.demo_sroi import seed_municipal_policies
from marketplace.extensions import db
from tests.factories import make_policy, make_user

URL = "/sroi-calculator"


@pytest.fixture
def municipal(app):
    return seed_municipal_policies(make_user("beheer@example.com", admin=True))


@pytest.fixture
def den_haag(municipal):
    return municipal["Gemeente Den Haag"]


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _steps(page: str, result: str) -> list[str]:
    part = page.split(f'id="{result}"', 1)[1].split("</ol>", 1)[0]
    return re.findall(r"<li>([^<]*)</li>", part)


def _options(page: str) -> list[str]:
    select = page.split('name="policy"', 1)[1].split("</select>", 1)[0]
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def test_the_four_municipal_tables_are_offered_as_published_policies(client, municipal):
    options = _options(_page(client.get(URL)))
    assert options == [
        "— zelf de regels invullen —",
        "Gemeente Den Haag — Social return Gemeente Den Haag (bouwblokken)",
        "Gemeente Harlingen — Social return Gemeente Harlingen (bouwblokken)",
        "Gemeente Leiden — Social return Gemeente Leiden (bouwblokken)",
        "Gemeente Utrecht — Social return Gemeente Utrecht (bouwblokken)",
    ]


def test_a_block_of_den_haags_table_is_valued_and_explained(client, den_haag):
    data = {
        "calculator": "block",
        "block-block": "PW",
        "block-start": "2026-01-01",
        "block-end": "2028-12-31",
        "block-hours_per_week": "24",
        "block-attributes": ["age_55_plus"],
    }
    page = _page(client.post(URL, data={**data, "policy": den_haag.id}))
    # Den Haag's PW: € 40.000 per FTE-year for at most 730 days, € 10.000 bonus from age 55.
    hours, period, line, bonus, total = _steps(page, "block-result")
    assert hours == "24 uur per week van een volledige werkweek van 36 uur"
    assert period == (
        "1 januari 2026 tot en met 31 december 2028: 1.096 dagen, waarvan er maximaal 730 tellen"
    )
    assert line == "PW: € 40.000,00 per fte-jaar × 24/36 uur × 730/365 dagen = € 53.333,33"
    assert bonus.startswith("Bonus ")  # the label of age_55_plus (labels.bonus_labels)
    assert bonus.endswith(": € 10.000,00 per fte-jaar × 24/36 uur × 730/365 dagen = € 13.333,33")
    assert total == "Totaal: € 66.666,66"


def test_the_blocks_offered_are_the_chosen_tables(client, den_haag):
    page = _page(client.get(f"{URL}?policy={den_haag.id}"))
    codes = re.findall(r'<option value="(\w+)">\1 — ', page.split('name="block-block"', 1)[1])
    assert codes == [b.code for b in den_haag.blocks]
    assert "Werkzoekend zonder uitkering" in page
    assert 'name="block-rate"' not in page  # the table's rates are not typed


def test_the_obligation_uses_the_chosen_policys_rules(client, den_haag):
    data = {
        "calculator": "obligation",
        "obligation-value": "1.200.000",
        "obligation-award_date": "2026-02-01",
        "obligation-start": "2026-03-01",
        "obligation-end": "2028-02-29",
        "obligation-pso_level": "trede_1",
        "obligation-pso_valid_until": "2027-01-31",
    }
    page = _page(client.post(URL, data={**data, "policy": den_haag.id}))
    # Den Haag (demo): 5% from € 200.000; PSO trede 1 keeps half.
    assert _steps(page, "obligation-result") == [
        "5% van € 1.200.000,00 = € 60.000,00",
        "PSO trede 1: 50% → € 30.000,00",
    ]


def test_the_tables_minimum_hours_refuse_fewer_hours_next_to_the_hours(client, municipal):
    harlingen = municipal["Gemeente Harlingen"]  # PWK: at least 12 hours a week
    data = {
        "calculator": "block",
        "block-block": "PWK",
        "block-start": "2026-01-01",
        "block-end": "2026-06-30",
        "block-hours_per_week": "8",
    }
    page = _page(client.post(URL, data={**data, "policy": harlingen.id}))
    assert re.findall(r'id="([\w-]+)-error"', page) == ["block-hours_per_week"]
    assert 'id="block-result"' not in page


def test_a_version_not_yet_in_force_is_not_published(client, den_haag):
    future = make_policy(den_haag.authority, effective_from=clock.today() + timedelta(days=1))
    assert client.get(f"{URL}?policy={future.id}").status_code == 404
    assert str(future.id) not in re.findall(r'<option value="(\d+)"', _page(client.get(URL)))


def test_a_replaced_version_is_no_longer_published(client, den_haag):
    newer = make_policy(den_haag.authority, effective_from=date(2025, 1, 1), name="Nieuw")
    assert client.get(f"{URL}?policy={den_haag.id}").status_code == 404
    assert client.get(f"{URL}?policy={newer.id}").status_code == 200
    assert "Gemeente Den Haag — Nieuw" in _options(_page(client.get(URL)))


def test_an_unverified_authoritys_policy_is_not_published(client, den_haag):
    den_haag.authority.verified_at = None
    db.session.commit()
    assert client.get(f"{URL}?policy={den_haag.id}").status_code == 404
    assert not any("Den Haag" in o for o in _options(_page(client.get(URL))))


@pytest.mark.parametrize("policy", ["0", "x", "99999999999999999999", "-1"])
def test_a_policy_id_that_is_no_published_policy_is_a_404(client, policy):
    assert client.get(f"{URL}?policy={policy}").status_code == 404


def test_a_form_posted_under_a_policy_that_is_not_published_is_a_404(client, den_haag):
    future = make_policy(den_haag.authority, effective_from=clock.today() + timedelta(days=1))
    data = {"calculator": "block", "block-block": "PW", "policy": future.id}
    assert client.post(URL, data=data).status_code == 404
