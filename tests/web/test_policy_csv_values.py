"""A value table uploaded as CSV: values that are no number, too large or too long are refused
with a message on the form, and nothing is saved."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import SroiPolicy

HEADER = "code,label,unit,rate_cents,min_hours_per_week,max_days,bonuses\n"


def _post_table(client, row: str, threshold: str = "250.000"):
    data = {
        "name": "SROI-beleid 2027",
        "effective_from": "2027-01-01",
        "threshold_cents": threshold,
        "min_duration_months": "6",
        "percentage_bp": "5",
        "value_table": (io.BytesIO((HEADER + row + "\n").encode()), "waardetabel.csv"),
    }
    return client.post("/inkoop/beleid/nieuw", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("PW,Participatiewet,fte_year,4000000,NaN,,", "Regel 2 van het CSV-bestand"),
        ("PW,Participatiewet,fte_year,4000000,1E-999999999,,", "Regel 2 van het CSV-bestand"),
        ("PW,Participatiewet,fte_year,4000000,sNaN,,", "Regel 2 van het CSV-bestand"),
        ("PW,Participatiewet,fte_year,99999999999999999999,,,", "Regel 2 van het CSV-bestand"),
        ("PW,Participatiewet,fte_year,4000000,,99999999999,", "Regel 2"),
        ("PW,Participatiewet,fte_year,4000000,,," + "x=" + "9" * 30, "Regel 2"),
        ("PW," + "L" * 201 + ",fte_year,4000000,,,", "Regel 1 ("),
        ("P" * 21 + ",Participatiewet,fte_year,4000000,,,", "Regel 1 ("),
    ],
)
def test_csv_values_beyond_bounds_are_refused_with_a_message(client, auth, authority, row, message):
    auth.login(authority.members[0].user.email)
    response = _post_table(client, row)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SroiPolicy)) == 0


def test_an_amount_beyond_any_contract_is_refused_next_to_its_field(client, auth, authority):
    auth.login(authority.members[0].user.email)
    response = _post_table(client, "KOS,Kosten,cost,,,,", threshold="1" + "0" * 30)
    assert response.status_code == 200
    assert "Vul een bedrag in euro" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SroiPolicy)) == 0
