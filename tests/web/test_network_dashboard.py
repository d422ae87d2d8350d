"""The network admin's dashboard: members by status, this year's revenue (invoiced, received,
open, overdue) by month with its chart, the overdue list, the exports, who may see them, and
the page's fixed number of statements (docs/domain.md "Memberships").

The figures below are computed by hand from the plan of € 1.200,00 a year excl. 21% VAT, billed
per calendar year pro rata (remaining days / 365, rounded once, half up; VAT rounded once):

| member | accepted   | days | fee excl. | VAT    | total    | due        | paid             |
|--------|------------|------|-----------|--------|----------|------------|------------------|
| Alfa   | 2026-03-02 | 305  | 1.002,74  | 210,58 | 1.213,32 | 2026-04-01 | in full 03-20    |
| Bravo  | 2026-06-01 | 214  |   703,56  | 147,75 |   851,31 | 2026-07-01 | 300,00 (partial) |
| Charlie| 2026-09-01 | 122  |   401,10  |  84,23 |   485,33 | 2026-10-01 | no               |
| Delta  | 2026-08-03 | 151  |   cancelled by a credit invoice: counted nowhere          |

Invoiced 2.549,96 = received 1.513,32 + open 1.036,64; overdue on 15 September: Bravo's
551,31 (76 days after its due date). Members: Alfa active, Bravo past_due, Charlie, Delta and
the undecided Echo pending; the rejected Foxtrot is not counted.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
import time_machine
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import (
    AuditLog,
    Invoice,
    Membership,
    MembershipReminder,
    Organisation,
    StripeInvoice,
)
from marketplace.services import dunning, invoices, memberships
from tests.factories import add_member, make_network, make_org, make_plan, make_user
from tests.mailbox import outbox_messages
from tests.querycount import counting_statements

TODAY = date(2026, 9, 15)
ADMIN = "admin@metwerk.example.com"
DASHBOARD = "/netwerken/metwerk/beheer"
MAX_STATEMENTS = 10


@pytest.fixture
def network(app):
    return make_network(make_user(ADMIN))


def _member(network, name: str, plan, on: date | None = None) -> Membership:
    """`name` applies with `plan`; accepted on `on` when given (its first invoice dated then)."""
    owner = make_user(f"owner@{name.lower()}.example.com")
    org = make_org("contractor", owner=owner, name=name)
    membership = memberships.apply(org, plan.id, owner)
    if on is not None:
        membership = memberships.accept(membership.id, network.members[0].user, on)
    return membership


def _invoice(membership: Membership) -> Invoice:
    [invoice] = invoices.of_membership(membership)
    return invoice


@pytest.fixture
def members(network) -> dict[str, Membership]:
    admin = network.members[0].user
    plan = make_plan(network)
    found = {
        "Alfa": _member(network, "Alfa", plan, date(2026, 3, 2)),
        "Bravo": _member(network, "Bravo", plan, date(2026, 6, 1)),
        "Charlie": _member(network, "Charlie", plan, date(2026, 9, 1)),
        "Delta": _member(network, "Delta", plan, date(2026, 8, 3)),
        "Echo": _member(network, "Echo", plan),
    }
    alfa = _invoice(found["Alfa"])
    memberships.record_payment(alfa.id, date(2026, 3, 20), alfa.total_cents, 0, admin)
    memberships.record_payment(_invoice(found["Bravo"]).id, date(2026, 7, 20), 30_000, 0, admin)
    memberships.cancel_invoice(_invoice(found["Delta"]).id, admin, date(2026, 8, 10))
    foxtrot = _member(network, "Foxtrot", plan)
    memberships.reject(foxtrot.id, "Alleen werkgevers uit Drenthe", admin)
    found["Bravo"].status = "past_due"  # as the dunning sweep leaves it on its due date
    db.session.commit()
    return found


@pytest.fixture(autouse=True)
def frozen_today(app):
    with time_machine.travel(TODAY, tick=False):
        yield


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_invoices_are_the_hand_computed_ones(members):
    def facts(name):
        return [
            (i.amount_excl_vat_cents, i.vat_cents, i.total_cents, i.due_date, i.status)
            for i in invoices.of_membership(members[name])
        ]

    assert facts("Alfa") == [(100_274, 21_058, 121_332, date(2026, 4, 1), "paid")]
    assert facts("Bravo") == [(70_356, 14_775, 85_131, date(2026, 7, 1), "open")]
    assert facts("Charlie") == [(40_110, 8_423, 48_533, date(2026, 10, 1), "open")]
    assert [f[2:] for f in facts("Delta")] == [
        (-60_069, date(2026, 8, 10), "credited"),
        (60_069, date(2026, 9, 2), "credited"),
    ]


def _stat(page: str, label: str) -> str:
    """The figure of the stat box captioned `label`."""
    match = re.search(
        r'app-stat__figure[^"]*">([^<]*)</span>\s*<span class="app-stat__caption">'
        + re.escape(label)
        + "<",
        page,
    )
    assert match, label
    return match.group(1)


def _row(page: str, header: str) -> list[str]:
    """The cells of the table row whose header cell reads `header`."""
    match = re.search(r"<tr[^>]*>\s*<th[^>]*>" + re.escape(header) + r"</th>(.*?)</tr>", page, re.S)
    assert match, header
    return re.findall(r"<td[^>]*>([^<]*)</td>", match.group(1))


def test_members_by_status_and_revenue_of_the_year(client, auth, members):
    auth.login(ADMIN)
    page = _text(client.get(DASHBOARD))

    assert [_stat(page, s) for s in ("in behandeling", "actief", "betaling te laat")] == [
        "3",
        "1",
        "1",
    ]
    assert [_stat(page, s) for s in ("geschorst", "opgezegd")] == ["0", "0"]
    assert "afgewezen" not in page  # Foxtrot's rejected application is no member
    assert "Omzet 2026" in page
    assert [_stat(page, s) for s in ("Gefactureerd", "Ontvangen", "Openstaand")] == [
        "€\xa02.549,96",
        "€\xa01.513,32",
        "€\xa01.036,64",
    ]
    assert _stat(page, "Achterstallig") == "€\xa0551,31"
    # The chart's table: by month of the invoice date; Delta's cancelled invoice counts nowhere.
    assert _row(page, "maart") == ["€\xa01.213,32", "€\xa01.213,32", "€\xa00,00", "€\xa00,00"]
    assert _row(page, "juni") == ["€\xa0851,31", "€\xa0300,00", "€\xa0551,31", "€\xa0551,31"]
    assert _row(page, "augustus") == ["€\xa00,00"] * 4
    assert _row(page, "september") == ["€\xa0485,33", "€\xa00,00", "€\xa0485,33", "€\xa00,00"]
    assert _row(page, "Totaal") == [
        "€\xa02.549,96",
        "€\xa01.513,32",
        "€\xa01.036,64",
        "€\xa0551,31",
    ]


def test_the_overdue_list_shows_who_owes_what_since_when(client, auth, members):
    auth.login(ADMIN)
    page = _text(client.get(DASHBOARD))
    overdue = page.split('id="overdue-heading"')[1].split("</section>")[0]

    assert "Achterstallige facturen (1)" in page
    assert "Bravo" in overdue and "2026-0002" in overdue
    assert "1 jul 2026" in overdue and ">76<" in overdue and "€\xa0551,31" in overdue
    assert "Charlie" not in overdue  # due on 1 October: open, not overdue
    assert "Alfa" not in overdue


def test_an_invoice_is_overdue_on_its_due_date_itself(client, auth, members):
    auth.login(ADMIN)
    with time_machine.travel(date(2026, 10, 1), tick=False):
        page = _text(client.get(DASHBOARD))
    assert "Achterstallige facturen (2)" in page
    assert _stat(page, "Achterstallig") == "€\xa01.036,64"


def test_a_new_network_sees_what_to_do_first(client, auth, network):
    auth.login(ADMIN)
    page = _text(client.get(DASHBOARD))
    assert "Nog geen leden" in page
    assert "Nog geen facturen met een datum in 2026." in page
    assert "Geen achterstallige facturen." in page
    assert "<img" not in page.split('id="revenue-heading"')[1].split("</section>")[0]


def test_the_english_dashboard_formats_money_the_english_way(client, auth, members):
    auth.login(ADMIN)
    client.post("/taal/en")
    page = _text(client.get(DASHBOARD))
    assert _stat(page, "Invoiced") == "€2,549.96"
    assert "Overdue invoices (1)" in page


def test_the_chart_is_an_svg_revalidated_by_its_etag(client, auth, members):
    auth.login(ADMIN)
    response = client.get(f"{DASHBOARD}/omzet.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Cache-Control"] == "private, no-cache"
    svg = response.get_data(as_text=True)
    assert "<title" in svg and "<script" not in svg and "<style" not in svg
    assert "€\xa02.549,96 gefactureerd in 2026" in svg

    again = client.get(
        f"{DASHBOARD}/omzet.svg", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""

    charlie = _invoice(members["Charlie"])
    memberships.record_payment(
        charlie.id, TODAY, 10_000, 0, charlie.membership.network.members[0].user
    )
    changed = client.get(
        f"{DASHBOARD}/omzet.svg", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert changed.status_code == 200 and changed.headers["ETag"] != response.headers["ETag"]


@pytest.mark.parametrize("path", ["", "/omzet.svg", "/leden.csv", "/facturen.xlsx"])
def test_only_the_network_admin_sees_the_dashboard(client, auth, members, path):
    other = make_network(make_user("admin@ander.example.com"), name="Ander Netwerk")
    assert other.slug != "metwerk"
    response = client.get(DASHBOARD + path)
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    for who in ("admin@ander.example.com", "owner@bravo.example.com"):
        auth.login(who)
        assert client.get(DASHBOARD + path).status_code == 404, who
        auth.logout()


def test_the_members_export_as_csv(client, auth, members):
    auth.login(ADMIN)
    response = client.get(f"{DASHBOARD}/leden.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="leden-metwerk-2026-09-15.csv"'
    )
    rows = list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    assert rows[0] == [
        "Organisatie",
        "KvK-nummer",
        "Pakket",
        "Status",
        "Lid sinds",
        "Periode vanaf",
        "Periode tot en met",
        "Openstaand bedrag",
        "Laatste herinnering",
    ]
    by_name = {row[0]: row for row in rows[1:]}
    assert sorted(by_name) == ["Alfa", "Bravo", "Charlie", "Delta", "Echo"]
    bravo = members["Bravo"].organisation
    assert by_name["Bravo"] == [
        "Bravo",
        bravo.kvk_number,
        "Basis",
        "betaling te laat",
        "2026-06-01",
        "2026-06-01",
        "2026-12-31",
        "551,31",
        "",
    ]
    assert by_name["Alfa"][7] == "0,00"
    assert by_name["Charlie"][7] == "485,33"
    assert by_name["Delta"][7] == "0,00"  # its invoice was cancelled
    assert by_name["Echo"][3:8] == ["in behandeling", "", "", "", "0,00"]


def test_the_invoices_export_as_excel(client, auth, members):
    auth.login(ADMIN)
    response = client.get(f"{DASHBOARD}/facturen.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith(
        "filename=facturen-metwerk-2026-2026-09-15.xlsx"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Factuurnummer", "Factuurdatum", "Vervaldatum", "Lid")
    assert [r[0] for r in rows[1:]] == [f"2026-000{n}" for n in range(1, 6)]
    bravo = rows[2]
    assert bravo[3] == "Bravo"
    assert bravo[1].date() == date(2026, 6, 1)
    assert bravo[8:13] == (703.56, 147.75, 851.31, 300.0, 551.31)
    assert bravo[13] == "open"
    credit = rows[5]
    assert credit[10] == -600.69 and credit[13] == "gecrediteerd"


def test_exports_keep_a_formula_from_running(client, auth, network):
    plan = make_plan(network)
    _member(network, '=HYPERLINK("http://x")', plan, date(2026, 9, 1))
    auth.login(ADMIN)
    text = client.get(f"{DASHBOARD}/leden.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"{DASHBOARD}/leden.xlsx").data))
    cell = book.active.cell(row=2, column=1)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def _bulk_members(network, n: int) -> None:
    """`n` members with an invoice each, a third of them overdue: rows written directly."""
    plan = make_plan(network, name=f"Bulk {n}")
    orgs = [
        Organisation(
            slug=f"bulk-{n}-{i}",
            name=f"Bulk {i}",
            kind="contractor",
            kvk_number=f"{70000000 + n * 10000 + i}",
        )
        for i in range(n)
    ]
    db.session.add_all(orgs)
    db.session.flush()
    ms = [
        Membership(network_id=network.id, organisation_id=o.id, plan_id=plan.id, status="active")
        for o in orgs
    ]
    db.session.add_all(ms)
    db.session.flush()
    for i, m in enumerate(ms):
        due = TODAY - timedelta(days=10) if i % 3 == 0 else TODAY + timedelta(days=10)
        db.session.add(
            Invoice(
                network_id=network.id,
                membership_id=m.id,
                year=2026,
                sequence=100000 + n * 10000 + i,
                number=f"B{n}-{i}",
                invoice_date=due - timedelta(days=30),
                due_date=due,
                seller_name="MetWerk",
                seller_address="",
                seller_kvk="1",
                seller_btw="",
                seller_iban="",
                buyer_name="",
                buyer_address="",
                buyer_kvk="",
                description="",
                period_start=due,
                period_end=due,
                amount_excl_vat_cents=1000,
                vat_cents=210,
                total_cents=1210,
                payment_reference="",
                status="open",
            )
        )
    db.session.flush()
    db.session.add_all(MembershipReminder(membership_id=m.id, step="manual") for m in ms[: n // 2])
    db.session.commit()


@pytest.mark.parametrize("n", [10, 1000])
def test_the_dashboard_takes_a_fixed_number_of_statements(client, auth, network, n):
    _bulk_members(network, n)
    auth.login(ADMIN)
    client.get(DASHBOARD)  # the first request of a session loads what later ones have
    db.session.expire_all()
    with counting_statements(db.engine) as statements:
        page = _text(client.get(DASHBOARD))
    assert statements.count <= MAX_STATEMENTS, str(statements)
    assert f"Achterstallige facturen ({-(-n // 3)})" in page


def test_the_overdue_list_shows_the_last_reminder_and_reminds_by_hand(client, auth, members):
    auth.login(ADMIN)
    bravo = members["Bravo"]
    page = _text(client.get(DASHBOARD))
    assert "nog geen" in page.split('id="overdue-heading"')[1]

    with time_machine.travel(date(2026, 9, 10), tick=False):
        dunning.remind(bravo, bravo.network.members[0].user)
    response = client.post(f"{DASHBOARD}/leden/{bravo.id}/herinneren", data={"back": "dashboard"})

    assert response.headers["Location"].endswith("/netwerken/metwerk/beheer#achterstallig")
    overdue = _text(client.get(DASHBOARD)).split('id="overdue-heading"')[1]
    assert "15 sep 2026" in overdue and "nog geen" not in overdue
    subjects = [m["Subject"] for m in outbox_messages("owner@bravo.example.com")]
    assert subjects.count("Herinnering: factuur 2026-0002 van MetWerk") == 2
    rows = list(
        db.session.scalars(
            select(AuditLog.action).where(
                AuditLog.object_type == "Membership", AuditLog.object_id == bravo.id
            )
        )
    )
    assert rows.count("membership.reminded") == 2
    csv_rows = client.get(f"{DASHBOARD}/leden.csv").get_data(as_text=True).splitlines()
    assert [r for r in csv_rows if r.startswith("Bravo;")][0].endswith(";2026-09-15")


def test_a_member_without_an_open_invoice_is_not_reminded(client, auth, members):
    auth.login(ADMIN)
    alfa = members["Alfa"]
    assert "Herinnering sturen" not in _text(client.get(f"{DASHBOARD}/leden/{alfa.id}"))
    response = client.post(f"{DASHBOARD}/leden/{alfa.id}/herinneren")
    page = _text(client.get(response.headers["Location"]))
    assert "Dit lid heeft geen openstaande factuur" in page
    assert outbox_messages("owner@alfa.example.com")[-1]["Subject"] != (
        "Herinnering: factuur 2026-0001 van MetWerk"
    )


def test_the_network_admin_lands_on_the_dashboard_and_finds_it_in_the_nav(client, auth, network):
    auth.login(ADMIN)
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/netwerken/metwerk/beheer")
    page = _text(client.get("/netwerken/lidmaatschap"))
    assert 'href="/netwerken/metwerk/beheer">Netwerkdashboard</a>' in page


def test_a_network_member_who_is_no_owner_lands_on_the_marketplace(client, auth, network):
    add_member(network, make_user("collega@metwerk.example.com"))
    auth.login("collega@metwerk.example.com")
    assert client.get("/").headers["Location"].endswith("/markt/mijn")
    assert "Netwerkdashboard" not in _text(client.get("/netwerken/lidmaatschap"))
    assert client.get(DASHBOARD).status_code == 404


def test_stripe_invoices_count_beside_the_manual_ones(client, auth, network, members):
    """Golf pays by Stripe: € 500,00 paid in February, € 1.210,00 made on 10 September whose
    charge failed (overdue), and a draft that is not sent yet (not counted)."""
    golf = _member(network, "Golf", members["Alfa"].plan)
    golf.stripe_subscription_id = "sub_golf"
    golf.payment_failure_reason = "Your card was declined."
    for n, (status, due, paid, on, failure) in enumerate(
        [
            ("paid", 50_000, 50_000, date(2026, 2, 1), None),
            ("open", 121_000, 0, date(2026, 9, 10), "Your card was declined."),
            ("draft", 99_999, 0, date(2026, 9, 14), None),
        ]
    ):
        db.session.add(
            StripeInvoice(
                stripe_invoice_id=f"in_golf{n}",
                membership_id=golf.id,
                status=status,
                amount_due_cents=due,
                amount_paid_cents=paid,
                created_on=on,
                failure_reason=failure,
            )
        )
    db.session.commit()
    auth.login(ADMIN)

    page = _text(client.get(DASHBOARD))

    assert [_stat(page, s) for s in ("Gefactureerd", "Ontvangen", "Openstaand")] == [
        "€\xa04.259,96",
        "€\xa02.013,32",
        "€\xa02.246,64",
    ]
    assert _stat(page, "Achterstallig") == "€\xa01.761,31"
    assert _row(page, "februari") == ["€\xa0500,00", "€\xa0500,00", "€\xa00,00", "€\xa00,00"]
    assert _row(page, "september") == [
        "€\xa01.695,33",
        "€\xa00,00",
        "€\xa01.695,33",
        "€\xa01.210,00",
    ]
    overdue = page.split('id="overdue-heading"')[1].split("</section>")[0]
    assert "Achterstallige facturen (2)" in page
    assert "in_golf1" in overdue and "Your card was declined." in overdue
    assert overdue.index("Bravo") < overdue.index("Golf")  # oldest due date first


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("leden.csv", "leden-metwerk-2027-01-01.csv"),
        ("facturen.xlsx", "facturen-metwerk-2027-2027-01-01.xlsx"),
    ],
)
def test_exports_are_named_with_the_day_in_amsterdam(client, auth, members, path, name):
    """At 23:30 UTC on 31 December it is already 1 January in Amsterdam."""
    with time_machine.travel(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), tick=False):
        auth.login(ADMIN)
        disposition = client.get(f"{DASHBOARD}/{path}").headers["Content-Disposition"]
    assert disposition.endswith((f'filename="{name}"', f"filename={name}"))
