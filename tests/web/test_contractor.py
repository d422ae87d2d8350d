"""The contractor's pages: obligations, reporting realisations with evidence, drafts, evidence
downloads and PSO (certificates and self-scan)."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
import time_machine
from flask import current_app
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Evidence, PsoCertificate, Realisation, User
from marketplace.services import evidence, realisations
from tests.factories import fte_realisation, make_user

OFFICER = "officer@authority.example.com"
OWNER = "owner@contractor.example.com"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
# docs/domain.md's worked example inside the contract period: 24 h a week for 181 days, aged 50+.
PW = {
    "block_code": "PW",
    "candidate_ref": "KAND-2026-001",
    "attributes": ["age_50_plus"],
    "start_date": "2026-03-01",
    "end_date": "2026-08-28",
    "hours_per_week": "24",
}
PW_VALUE = "€\xa016.529,68"


def pw_data() -> realisations.RealisationData:
    """The PW example as the service takes it, for realisations made without the form."""
    return fte_realisation(
        PW["candidate_ref"],
        date.fromisoformat(PW["start_date"]),
        date.fromisoformat(PW["end_date"]),
        attributes=PW["attributes"],
    )


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def form_url(contract) -> str:
    return f"/opdrachtnemer/contracten/{contract.id}/realisaties/nieuw"


def post_realisation(client, contract, action: str, files=(), **fields):
    data = {**PW, **fields, "action": action}
    data["evidence"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(form_url(contract), data=data, content_type="multipart/form-data")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def uploaded_files() -> list[Path]:
    folder = Path(current_app.config["UPLOAD_DIR"])
    return list(folder.iterdir()) if folder.exists() else []


def field_error(page: str, field: str) -> str:
    """The error message shown next to a field (the macro's `<id>-error` element)."""
    start = page.index(f'id="{field}-error"')
    return page[start : page.index("</div>", start)]


def flashes(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for _category, message in session.get("_flashes", [])]


def test_obligations_list_shows_the_contract_with_its_figures(client, auth, contract):
    realisation = realisations.submit(contract, pw_data(), user(OWNER))
    realisations.approve([realisation.id], user(OFFICER))
    with time_machine.travel(date(2027, 3, 1), tick=False):
        auth.login(OWNER)
        page = client.get("/opdrachtnemer/").get_data(as_text=True)
    assert "Onderhoud openbare ruimte" in page
    assert "Gemeente Test" in page and "EMM-01" in page
    assert "€\xa060.000,00" in page  # obligation: 5% of € 1.200.000
    assert PW_VALUE in page  # approved
    assert "€\xa043.470,32" in page  # remaining
    assert "€\xa033.059,36" in page  # forecast at end: approved / half the period elapsed
    assert 'utrecht-status-badge--warning">risico' in page
    assert f'href="/contracten/{contract.id}"' in page
    assert f'href="{form_url(contract)}"' in page


def test_without_contracts_the_page_says_the_authority_registers_them(client, auth, contractor):
    auth.login(OWNER)
    page = client.get("/opdrachtnemer/").get_data(as_text=True)
    assert "aanbestedende dienst registreert" in page
    assert contractor.kvk_number in page


def test_nav_shows_obligations_and_pso_to_a_contractor_only(client, auth, contract):
    auth.login(OWNER)
    page = client.get("/opdrachtnemer/pso").get_data(as_text=True)
    assert "Mijn verplichtingen" in page
    auth.logout()
    auth.login(OFFICER)
    page = client.get("/organisaties/mijn").get_data(as_text=True)
    assert "Mijn verplichtingen" not in page


def test_form_offers_the_contracts_value_table(client, auth, contract):
    auth.login(OWNER)
    page = client.get(form_url(contract)).get_data(as_text=True)
    assert 'data-unit="fte_year"' in page and 'data-bonuses="age_50_plus"' in page
    assert "PW — Participatiewet (per fte-jaar)" in page
    assert "geen naam of BSN" in page
    assert 'type="file"' in page and "multiple" in page and 'accept="application/pdf' in page


def test_preview_shows_value_and_breakdown_without_saving(client, auth, contract):
    auth.login(OWNER)
    response = post_realisation(client, contract, "preview")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Waarde van deze realisatie: {PW_VALUE}" in page
    assert "€\xa013.223,74" in page and "€\xa03.305,94" in page
    assert "Bonus: 50 jaar of ouder" in page
    assert 'value="KAND-2026-001"' in page  # the form stays filled
    assert page.index("preview-heading") < page.index('name="block_code"')
    assert count(Realisation) == 0


def test_hours_per_week_accept_a_decimal_comma(client, auth, contract):
    auth.login(OWNER)
    response = post_realisation(client, contract, "preview", hours_per_week="15,5", attributes=[])
    assert response.status_code == 200
    # 4.000.000 × 15,5/36 × 181/365 = 854.033,49 cents
    assert "€\xa08.540,33" in response.get_data(as_text=True)


def test_submit_with_a_pdf_creates_a_submitted_realisation_with_evidence(client, auth, contract):
    auth.login(OWNER)
    response = post_realisation(client, contract, "submit", files=[("contract.pdf", PDF)])
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/contracten/{contract.id}")
    realisation = db.session.scalar(select(Realisation))
    assert realisation.state == "submitted"
    assert realisation.value_cents == 1652968
    assert realisation.attributes == ["age_50_plus"]
    assert [(e.filename, e.content_type) for e in realisation.evidence] == [
        ("contract.pdf", "application/pdf")
    ]
    assert len(uploaded_files()) == 1
    assert flashes(client) == [f"Realisatie ingediend: {PW_VALUE}"]


def test_fields_of_another_kind_of_block_are_not_stored(client, auth, contract):
    auth.login(OWNER)
    post_realisation(client, contract, "submit", hours="40", invoice_number="F-1", quantity="3")
    realisation = db.session.scalar(select(Realisation))
    assert (realisation.hours, realisation.invoice_number, realisation.quantity) == (
        None,
        None,
        None,
    )


def test_text_file_named_pdf_is_refused_next_to_the_evidence_field(client, auth, contract):
    auth.login(OWNER)
    response = post_realisation(
        client, contract, "submit", files=[("bewijs.pdf", b"just some text, not a PDF")]
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "bewijs.pdf is geen PDF-, PNG- of JPEG-bestand" in field_error(page, "evidence")
    assert count(Realisation) == 0 and count(Evidence) == 0
    assert uploaded_files() == []


def test_file_above_the_size_limit_is_refused(app, client, auth, contract):
    app.config["EVIDENCE_MAX_BYTES"] = 1024
    auth.login(OWNER)
    response = post_realisation(
        client, contract, "submit", files=[("groot.pdf", PDF + b"0" * 2048)]
    )
    assert response.status_code == 422
    assert "groter dan" in field_error(response.get_data(as_text=True), "evidence")
    assert count(Realisation) == 0


def test_bsn_as_candidate_reference_is_refused(client, auth, contract):
    auth.login(OWNER)
    response = post_realisation(client, contract, "submit", candidate_ref="111222333")
    assert response.status_code == 422
    assert "Dit lijkt op een BSN" in field_error(response.get_data(as_text=True), "candidate_ref")
    assert count(Realisation) == 0


def test_more_than_168_hours_a_week_is_refused(client, auth, contract):
    auth.login(OWNER)
    response = post_realisation(client, contract, "submit", hours_per_week="169")
    assert response.status_code == 422
    assert "buiten het toegestane bereik" in field_error(
        response.get_data(as_text=True), "hours_per_week"
    )
    assert count(Realisation) == 0


def test_hours_below_the_blocks_minimum_are_refused(client, auth, contract):
    auth.login(OWNER)
    response = post_realisation(client, contract, "preview", hours_per_week="8")
    assert response.status_code == 422
    assert "onder het minimum" in field_error(response.get_data(as_text=True), "hours_per_week")


def test_end_before_start_is_refused(client, auth, contract):
    auth.login(OWNER)
    response = post_realisation(client, contract, "submit", end_date="2026-02-01")
    assert response.status_code == 422
    assert "vóór de begindatum" in field_error(response.get_data(as_text=True), "end_date")
    assert count(Realisation) == 0


def test_an_invoice_counts_once(client, auth, contract):
    auth.login(OWNER)
    invoice = {
        "block_code": "INK",
        "invoice_excl_vat_cents": "12.500",
        "invoice_number": "2026-0042",
        "supplier_name": "Werkbedrijf Emco",
        "supplier_kvk": "12345678",
        "supplier_certification": "werkbedrijf",
    }
    assert post_realisation(client, contract, "submit", **invoice).status_code == 302
    response = post_realisation(client, contract, "submit", **invoice)
    assert response.status_code == 422
    assert "al gebruikt" in field_error(response.get_data(as_text=True), "invoice_number")
    assert count(Realisation) == 1


def test_draft_is_saved_then_submitted(client, auth, contract):
    auth.login(OWNER)
    response = post_realisation(client, contract, "draft", files=[("loonstrook.pdf", PDF)])
    assert response.status_code == 302
    draft = db.session.scalar(select(Realisation))
    assert draft.state == "draft"
    page = client.get(f"/contracten/{contract.id}").get_data(as_text=True)
    assert f'action="/opdrachtnemer/realisaties/{draft.id}/indienen"' in page
    response = client.post(f"/opdrachtnemer/realisaties/{draft.id}/indienen")
    assert response.status_code == 302
    db.session.refresh(draft)
    assert draft.state == "submitted"
    assert flashes(client)[-1] == f"Realisatie ingediend: {PW_VALUE}"


def test_officer_cannot_use_the_contractors_form(client, auth, contract):
    auth.login(OFFICER)
    assert client.get(form_url(contract)).status_code == 404


@pytest.fixture
def evidence_row(contract):
    realisation = realisations.submit(
        contract,
        pw_data(),
        user(OWNER),
        [evidence.Upload("arbeidscontract.pdf", PDF)],
    )
    return realisation.evidence[0]


def test_contractor_downloads_evidence_as_an_attachment(client, auth, evidence_row):
    auth.login(OWNER)
    response = client.get(f"/opdrachtnemer/bewijs/{evidence_row.id}")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "arbeidscontract.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_officer_downloads_evidence(client, auth, evidence_row):
    auth.login(OFFICER)
    response = client.get(f"/opdrachtnemer/bewijs/{evidence_row.id}")
    assert response.status_code == 200 and response.data == PDF


def test_officer_follows_the_evidence_link_on_the_contract_page(client, auth, evidence_row):
    auth.login(OFFICER)
    page = client.get(f"/contracten/{evidence_row.realisation.contract_id}").get_data(as_text=True)
    href = re.search(r'<a class="utrecht-link" href="([^"]+)">arbeidscontract\.pdf</a>', page)
    response = client.get(href.group(1))
    assert response.status_code == 200 and response.data == PDF


def test_officer_cannot_download_evidence_of_a_draft(client, auth, contract):
    draft = realisations.submit(
        contract,
        pw_data(),
        user(OWNER),
        [evidence.Upload("concept.pdf", PDF)],
        draft=True,
    )
    auth.login(OFFICER)
    assert client.get(f"/opdrachtnemer/bewijs/{draft.evidence[0].id}").status_code == 404


def test_stranger_gets_404_for_evidence(client, auth, evidence_row):
    make_user("stranger@example.com")
    auth.login("stranger@example.com")
    assert client.get(f"/opdrachtnemer/bewijs/{evidence_row.id}").status_code == 404
    assert client.get("/opdrachtnemer/bewijs/999999").status_code == 404


def post_pso(client, form: str, **fields):
    """Post one of the PSO page's two forms ("certificate" or "scan"), fields without prefix."""
    data = {"form": form, **{f"{form}-{name}": value for name, value in fields.items()}}
    return client.post("/opdrachtnemer/pso", data=data)


def test_pso_certificate_is_recorded_and_listed(client, auth, contractor):
    with time_machine.travel(date(2026, 5, 1), tick=False):
        auth.login(OWNER)
        response = post_pso(
            client, "certificate", level="trede_2", number="PSO-2026-117", valid_until="2027-04-30"
        )
        assert response.status_code == 302
        page = client.get("/opdrachtnemer/pso").get_data(as_text=True)
    cert = db.session.scalar(select(PsoCertificate))
    assert (cert.level, cert.number, cert.valid_until) == (
        "trede_2",
        "PSO-2026-117",
        date(2027, 4, 30),
    )
    assert "PSO trede 2" in page and "PSO-2026-117" in page and "geldig" in page


def test_pso_certificate_longer_than_two_years_is_refused(client, auth, contractor):
    with time_machine.travel(date(2026, 5, 1), tick=False):
        auth.login(OWNER)
        response = post_pso(
            client, "certificate", level="trede_1", number="PSO-1", valid_until="2029-01-01"
        )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "maximaal twee jaar" in field_error(page, "certificate-valid_until")
    assert count(PsoCertificate) == 0


def test_the_same_pso_certificate_number_is_refused_the_second_time(client, auth, contractor):
    with time_machine.travel(date(2026, 5, 1), tick=False):
        auth.login(OWNER)
        post_pso(client, "certificate", level="trede_2", number="PSO-7", valid_until="2027-04-30")
        response = post_pso(
            client, "certificate", level="trede_2", number="pso-7 ", valid_until="2027-04-30"
        )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Je hebt certificaat pso-7 al vastgelegd." in field_error(page, "certificate-number")
    assert count(PsoCertificate) == 1


def test_self_scan_shows_level_norms_and_what_the_next_level_needs(client, auth, contractor):
    auth.login(OWNER)
    response = post_pso(client, "scan", total_fte="50", direct_fte="2", indirect_fte="0")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Geschatte trede: PSO trede 2" in page
    assert "<dd>4%</dd>" in page  # the score: 2 of 50 FTE
    assert "<dd>3%</dd>" in page and "<dd>3,7%</dd>" in page and "<dd>6,8%</dd>" in page  # norms
    assert "Voor PSO trede 3 heb je 1,4 fte meer" in page


def test_self_scan_refuses_more_target_group_fte_than_staff(client, auth, contractor):
    auth.login(OWNER)
    response = post_pso(client, "scan", total_fte="10", direct_fte="8,5", indirect_fte="2")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "kan niet meer zijn dan" in field_error(page, "scan-direct_fte")


def test_pdf_uploaded_under_a_bidi_html_name_is_stored_and_served_as_pdf(client, auth, contract):
    auth.login(OWNER)
    name = "loonstrook\u202egpj.html"  # shows as "loonstrooklmth.jpg"; content is a PDF

    post_realisation(client, contract, "submit", files=[(name, PDF)])

    row = db.session.scalar(select(Evidence))
    assert (row.filename, row.content_type) == ("loonstrookgpj.pdf", "application/pdf")
    assert row.stored_name.endswith(".pdf")
    disposition = client.get(f"/opdrachtnemer/bewijs/{row.id}").headers["Content-Disposition"]
    assert disposition == "attachment; filename=loonstrookgpj.pdf"


def test_evidence_stored_under_an_unsafe_name_is_downloaded_under_a_safe_one(
    client, auth, evidence_row
):
    evidence_row.filename = "..\\loon\u202estrook\u200b.html"  # a row stored before the fix
    db.session.commit()
    auth.login(OWNER)

    response = client.get(f"/opdrachtnemer/bewijs/{evidence_row.id}")

    assert response.headers["Content-Disposition"] == "attachment; filename=loonstrook.pdf"
