"""An officer edits a policy version's value table in the browser: rows with Dutch labels,
euros typed the Dutch way and stored as exact cents, every problem of a row at once, a sample
valuation before saving, and a version that contracts use left as it is."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditLog, BuildingBlock, SroiPolicy
from tests.factories import make_contract, make_org, make_policy, make_user

OFFICER = "officer@authority.example.com"
ROW = {
    "code": "PW",
    "label": "Participatiewet",
    "unit": "fte_year",
    "rate_cents": "40.000",
    "min_hours_per_week": "12",
    "max_days": "730",
    "bonus_age_50_plus": "10.000",
}


@pytest.fixture
def policy(authority):
    return make_policy(authority)


@pytest.fixture
def officer(client, auth, authority):
    auth.login(OFFICER)
    return client


def table_url(policy) -> str:
    return f"/inkoop/beleid/{policy.id}/waardetabel"


def block(policy, code: str) -> BuildingBlock:
    return db.session.scalar(
        select(BuildingBlock).where(
            BuildingBlock.policy_id == policy.id, BuildingBlock.code == code
        )
    )


def edit_url(policy, code: str) -> str:
    return f"{table_url(policy)}/{block(policy, code).id}"


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True).replace("\xa0", " "))


def error_of(page: str, field: str) -> str:
    found = re.search(rf'id="{field}-error">([^<]*)<', page)
    return found.group(1) if found else ""


def test_the_table_names_every_field_and_bonus_in_dutch(officer, policy):
    page = text_of(officer.get(table_url(policy)))

    for words in ("Omschrijving", "Eenheid", "Bonussen", "50 jaar of ouder +€ 10.000,00"):
        assert words in page
    assert "age_50_plus" not in page
    assert "€ 40.000,00" in page


def test_the_edit_page_labels_every_field_in_dutch(officer, policy):
    page = text_of(officer.get(edit_url(policy, "PW")))

    for words in (
        "Code",
        "Omschrijving",
        "Eenheid",
        "Tarief in euro's",
        "Minimum uren per week",
        "Maximum dagen",
        "50 jaar of ouder",
        "Statushouder",
        "Vast contract",
    ):
        assert f">{words}" in page, words
    assert ">age_50_plus" not in page and ">permanent_contract" not in page


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("40000", 4_000_000),
        ("40.000", 4_000_000),
        ("40.000,00", 4_000_000),
        ("€ 1.234,56", 123_456),
    ],
)
def test_a_rate_typed_the_dutch_way_is_stored_as_exact_cents(officer, policy, typed, cents):
    response = officer.post(edit_url(policy, "PW"), data={**ROW, "rate_cents": typed})

    assert response.status_code == 302
    assert block(policy, "PW").rate_cents == cents


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("40.000,001", "hoogstens twee decimalen"),
        ("40,000", "hoogstens twee decimalen"),
        ("1" + "0" * 40, "Vul een bedrag in euro"),
        ("veertig", "Vul een bedrag in euro"),
        ("20.000.000", "van € 0 tot € 10.000.000"),
    ],
)
def test_a_rate_with_too_many_decimals_or_absurd_size_is_refused(officer, policy, typed, message):
    response = officer.post(edit_url(policy, "PW"), data={**ROW, "rate_cents": typed})

    assert response.status_code == 422
    assert message in error_of(text_of(response), "rate_cents")
    assert block(policy, "PW").rate_cents == 4_000_000


def test_every_problem_of_a_row_is_shown_at_once_and_nothing_is_saved(officer, policy):
    before = db.session.scalar(select(func.count()).select_from(BuildingBlock))
    response = officer.post(
        f"{table_url(policy)}/nieuw",
        data={
            "code": "WEP",  # taken by another row
            "label": "",
            "unit": "fte_year",
            "rate_cents": "veertig",
            "min_hours_per_week": "200",
            "max_days": "0",
            "bonus_statushouder": "1,234",
        },
    )

    page = text_of(response)
    assert response.status_code == 422
    assert "Een andere rij van deze tabel heeft deze code" in error_of(page, "code")
    assert "Vul een omschrijving in" in error_of(page, "label")
    assert "Vul een bedrag in euro" in error_of(page, "rate_cents")
    assert "0 tot 168 uur" in error_of(page, "min_hours_per_week")
    assert "1 tot 100.000" in error_of(page, "max_days")
    assert "hoogstens twee decimalen" in error_of(page, "bonus_statushouder")
    assert db.session.scalar(select(func.count()).select_from(BuildingBlock)) == before


def test_a_row_is_added_with_its_bonuses_and_audited(officer, policy):
    response = officer.post(
        f"{table_url(policy)}/nieuw",
        data={**ROW, "code": "DGR", "rate_cents": "50.000", "bonus_permanent_contract": "10000"},
    )

    assert response.status_code == 302
    added = block(policy, "DGR")
    assert (added.rate_cents, added.max_days) == (5_000_000, 730)
    assert added.bonuses == {"age_50_plus": 1_000_000, "permanent_contract": 1_000_000}
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "policy.block_added"))
    assert entry.object_id == policy.id and entry.after["code"] == "DGR"


def test_a_changed_row_is_audited_with_before_and_after(officer, policy):
    officer.post(edit_url(policy, "PW"), data={**ROW, "rate_cents": "45.000"})

    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "policy.block_changed"))
    assert (entry.before["rate_cents"], entry.after["rate_cents"]) == (4_000_000, 4_500_000)


def test_purchase_credits_typed_are_stored_the_others_count_zero(officer, policy):
    data = {"code": "INK", "label": "Inkoop", "unit": "invoice", "credit_werkbedrijf": "100"}
    officer.post(edit_url(policy, "INK"), data=data)

    assert block(policy, "INK").credit_bp_by_certification == {"werkbedrijf": 10000}


def test_the_preview_values_the_sample_with_the_rows_submitted_values(officer, policy):
    response = officer.post(
        edit_url(policy, "PW"),
        data={
            **ROW,
            "action": "preview",
            "sample-hours_per_week": "24",
            "sample-start": "2026-01-01",
            "sample-end": "2026-06-30",
            "sample-attributes": "age_50_plus",
        },
    )

    page = text_of(response)
    assert response.status_code == 200
    assert (
        "24 uur per week, 1 januari 2026 t/m 30 juni 2026, 50 jaar of ouder → € 16.529,68" in page
    )
    assert block(policy, "PW").rate_cents == 4_000_000  # a preview saves nothing


def test_the_preview_follows_a_changed_rate_before_saving(officer, policy):
    response = officer.post(
        edit_url(policy, "PW"),
        data={**ROW, "rate_cents": "20.000", "bonus_age_50_plus": "", "action": "preview"},
    )

    # 24 hours from 1 January to 30 June of the version's year (2025: 181 days).
    assert "→ € 6.611,87" in text_of(response)


def test_the_preview_says_why_it_cannot_value_the_sample(officer, policy):
    response = officer.post(
        edit_url(policy, "PW"),
        data={**ROW, "min_hours_per_week": "32", "action": "preview"},
    )

    assert "onder het minimum" in text_of(response)


def test_the_edit_page_shows_the_stored_rows_preview(officer, policy):
    page = text_of(officer.get(edit_url(policy, "PW")))

    assert "24 uur per week, 1 januari 2025 t/m 30 juni 2025, 50 jaar of ouder →" in page


def test_a_row_is_deleted_after_confirmation(officer, policy):
    url = f"{edit_url(policy, 'WEP')}/verwijderen"
    assert "Ja, verwijder rij WEP" in text_of(officer.get(url))
    assert block(policy, "WEP") is not None

    response = officer.post(url)

    assert response.status_code == 302
    assert block(policy, "WEP") is None
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "policy.block_deleted"))


def test_the_last_row_is_not_deleted(officer, authority):
    from decimal import Decimal

    from marketplace.domain.valuation import Block
    from marketplace.services import policies

    only = [policies.BlockData("Participatiewet", Block("PW", "fte_year", 4000000, Decimal(12)))]
    policy = make_policy(authority, blocks=only)

    response = officer.post(f"{edit_url(policy, 'PW')}/verwijderen", follow_redirects=True)

    assert "minstens één bouwblok" in text_of(response)
    assert block(policy, "PW") is not None


def test_a_version_that_contracts_use_is_not_changed(officer, authority, policy):
    contractor = make_org("contractor", owner=make_user("eigenaar@x.example.com"))
    make_contract(authority, contractor, authority.members[0].user)

    page = text_of(officer.get(table_url(policy)))
    response = officer.post(edit_url(policy, "PW"), data={**ROW, "rate_cents": "1"})

    assert "Contracten die deze versie gebruiken: 1" in page
    assert "nieuwe beleidsversie" in page
    assert f'href="{edit_url(policy, "PW")}"' not in page
    assert response.status_code == 302
    assert block(policy, "PW").rate_cents == 4_000_000


@pytest.mark.parametrize("suffix", ["", "/nieuw", "/{block}", "/{block}/verwijderen"])
def test_another_authoritys_value_table_is_404(client, auth, policy, suffix):
    other = make_user("inkoper@elders.example.com")
    make_org("authority", owner=other, name="Gemeente Elders")
    auth.login(other.email)
    url = table_url(policy) + suffix.format(block=block(policy, "PW").id)

    assert client.get(url).status_code == 404
    if suffix:
        assert client.post(url, data=ROW).status_code == 404
    assert block(policy, "PW").rate_cents == 4_000_000


def test_a_row_of_another_version_is_404(officer, authority, policy):
    from datetime import date

    other = make_policy(authority, effective_from=date(2026, 1, 1))

    response = officer.get(f"{table_url(policy)}/{block(other, 'PW').id}")

    assert response.status_code == 404


def test_the_csv_export_shows_an_edited_row(officer, policy):
    officer.post(edit_url(policy, "PW"), data={**ROW, "rate_cents": "45.000,50"})

    csv_text = officer.get(f"/inkoop/beleid/{policy.id}/waardetabel.csv").get_data(as_text=True)

    [row] = [line for line in csv_text.splitlines() if line.startswith("PW,")]
    assert row.startswith("PW,Participatiewet,fte_year,4500050,12")
    assert row.endswith(",730,age_50_plus=1000000,")


def test_no_example_while_a_valued_field_of_the_row_is_wrong(officer, policy):
    response = officer.post(
        edit_url(policy, "PW"), data={**ROW, "rate_cents": "veertig", "action": "preview"}
    )

    assert "Geen voorbeeld: verbeter eerst de gemarkeerde velden van de rij." in text_of(response)


def test_a_row_asks_only_for_the_fields_of_its_unit(officer, policy):
    fte_page = text_of(officer.get(edit_url(policy, "PW")))
    invoice_page = text_of(officer.get(edit_url(policy, "INK")))

    assert 'name="bonus_statushouder"' in fte_page
    assert 'name="credit_werkbedrijf"' not in fte_page
    assert 'name="credit_werkbedrijf"' in invoice_page
    assert 'name="bonus_statushouder"' not in invoice_page


def test_a_new_version_starts_from_the_version_asked_for(officer, authority, policy):
    from datetime import date

    make_policy(authority, name="Beleid 2026", effective_from=date(2026, 1, 1))

    asked = text_of(officer.get(f"/inkoop/beleid/nieuw?van={policy.id}"))
    latest = text_of(officer.get("/inkoop/beleid/nieuw?van=999999"))

    assert "ingevuld vanuit versie Beleid." in asked
    assert "ingevuld vanuit versie Beleid 2026." in latest


def test_a_new_version_copies_the_table_of_the_version_asked_for(officer, authority, policy):
    from datetime import date

    from marketplace.domain.valuation import Block
    from marketplace.services import policies

    only_ma = [policies.BlockData("Maatschappelijke activiteit", Block("MA", "hour", 10000))]
    make_policy(authority, name="Beleid 2026", effective_from=date(2026, 1, 1), blocks=only_ma)
    data = {
        "name": "Beleid 2027",
        "effective_from": "2027-01-01",
        "threshold_cents": "250.000",
        "min_duration_months": "6",
        "percentage_bp": "5",
        "copy_current": "y",
    }

    response = officer.post(f"/inkoop/beleid/nieuw?van={policy.id}", data=data)

    assert response.status_code == 302
    new = db.session.scalar(select(SroiPolicy).where(SroiPolicy.name == "Beleid 2027"))
    assert [b.code for b in new.blocks] == [b.code for b in policy.blocks]
