"""PSO certificates on the pages: the company records one with its file, it awaits verification
(and the contract page says why there is no discount), an officer of an authority the company
works for or the admin verifies or rejects it; nobody else can."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
import time_machine
from flask import current_app
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditLog, Contract, PsoCertificate
from tests.factories import add_member, make_org, make_user
from tests.served import at_once, logged_in
from tests.web.test_contractor import PDF, field_error

OFFICER = "officer@authority.example.com"
OWNER = "owner@contractor.example.com"
NOT_VERIFIED = "PSO-certificaat nog niet geverifieerd: de verplichting is berekend zonder korting."


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(date(2026, 1, 15), tick=False):
        yield


@pytest.fixture
def policy_fields():
    """The parties' policy exempts trede 2 and trede 3."""
    return {"pso_remaining_bp": {"trede_1": 5000, "trede_2": 0, "trede_3": 0}}


@pytest.fixture
def officer(parties):
    return parties.officer


def record_with_file(client, content: bytes):
    """Record trede 3 on the company's PSO page with `content` uploaded as certificaat.pdf."""
    return client.post(
        "/opdrachtnemer/pso",
        data={
            "form": "certificate",
            "certificate-level": "trede_3",
            "certificate-number": "PSO-2026-3",
            "certificate-valid_until": "2027-06-30",
            "certificate-file": (io.BytesIO(content), "certificaat.pdf"),
        },
        content_type="multipart/form-data",
    )


@pytest.fixture
def cert(client, auth, contractor) -> PsoCertificate:
    """Trede 3, recorded by the company on its PSO page with the certificate as a PDF."""
    auth.login(OWNER)
    response = record_with_file(client, PDF)
    assert response.status_code == 302
    auth.logout()
    return db.session.scalar(select(PsoCertificate))


@pytest.fixture
def contract(parties, cert) -> Contract:
    """Registered while the certificate awaits verification: computed without it."""
    return parties.contract


def page(response) -> str:
    return response.get_data(as_text=True)


def test_recorded_certificate_awaits_verification_with_its_file_stored_privately(
    client, auth, cert
):
    assert cert.verification == "pending"
    stored = Path(current_app.config["UPLOAD_DIR"]) / cert.file_stored_name
    assert stored.read_bytes() == PDF
    assert "static" not in stored.parts
    auth.login(OWNER)
    pso_page = page(client.get("/opdrachtnemer/pso"))
    assert "wacht op verificatie" in pso_page
    assert NOT_VERIFIED in pso_page
    download = client.get(f"/inkoop/pso-certificaten/{cert.id}/bestand")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_a_text_file_named_pdf_is_refused_as_certificate(client, auth, contractor):
    auth.login(OWNER)
    response = record_with_file(client, b"gewoon tekst")
    assert response.status_code == 422
    assert "geen PDF-, PNG- of JPEG-bestand" in field_error(page(response), "certificate-file")
    assert db.session.scalar(select(func.count()).select_from(PsoCertificate)) == 0


def test_contract_page_says_the_obligation_is_computed_without_the_unverified_certificate(
    client, auth, contract
):
    assert contract.obligation_cents == 6000000
    for who in (OWNER, OFFICER):
        auth.login(who)
        assert NOT_VERIFIED in page(client.get(f"/contracten/{contract.id}"))
        auth.logout()


def test_officer_verifies_after_confirming_and_the_obligation_is_recalculated(
    client, auth, parties, contract, cert
):
    auth.login(OFFICER)
    listing = page(client.get("/inkoop/pso-certificaten"))
    assert "PSO-2026-3" in listing
    confirm = page(client.get(f"/inkoop/pso-certificaten/{cert.id}"))
    assert contract.reference in confirm
    assert "Ja, verifieer certificaat PSO-2026-3" in confirm

    response = client.post(f"/inkoop/pso-certificaten/{cert.id}/verifieren")

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(PsoCertificate, cert.id).verification == "verified"
    assert db.session.get(Contract, contract.id).obligation_cents == 0
    assert NOT_VERIFIED not in page(client.get(f"/contracten/{contract.id}"))
    assert parties.register().obligation_status == "exempt"


def test_officer_of_an_unrelated_authority_cannot_see_verify_or_download(
    client, auth, contract, cert
):
    stranger = make_user("inkoper@elders.example.com")
    make_org("authority", owner=stranger, name="Gemeente Elders")
    auth.login(stranger.email)

    assert client.get(f"/inkoop/pso-certificaten/{cert.id}").status_code == 404
    assert client.post(f"/inkoop/pso-certificaten/{cert.id}/verifieren").status_code == 404
    assert (
        client.post(
            f"/inkoop/pso-certificaten/{cert.id}/afwijzen", data={"reason": "Nee"}
        ).status_code
        == 404
    )
    assert client.get(f"/inkoop/pso-certificaten/{cert.id}/bestand").status_code == 404
    assert "PSO-2026-3" not in page(client.get("/inkoop/pso-certificaten"))
    db.session.expire_all()
    assert db.session.get(PsoCertificate, cert.id).verification == "pending"


def test_company_cannot_verify_its_own_certificate(client, auth, cert):
    auth.login(OWNER)
    assert client.post(f"/inkoop/pso-certificaten/{cert.id}/verifieren").status_code == 404


def test_admin_sees_and_verifies_certificates_of_any_company(client, auth, admin, cert):
    auth.login(admin.email)
    assert "PSO-2026-3" in page(client.get("/beheer/"))

    response = client.post(f"/inkoop/pso-certificaten/{cert.id}/verifieren")

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(PsoCertificate, cert.id).verified_by_id == admin.id


def test_rejection_needs_a_reason_and_the_company_sees_it(client, auth, contract, cert):
    auth.login(OFFICER)
    refused = client.post(f"/inkoop/pso-certificaten/{cert.id}/afwijzen", data={"reason": ""})
    assert refused.status_code == 422
    assert "Geef aan waarom" in field_error(page(refused), "reason")

    client.post(
        f"/inkoop/pso-certificaten/{cert.id}/afwijzen",
        data={"reason": "Nummer staat niet in het PSO-register"},
    )
    auth.logout()
    auth.login(OWNER)

    pso_page = page(client.get("/opdrachtnemer/pso"))
    assert "Niet geaccepteerd: Nummer staat niet in het PSO-register" in pso_page
    assert NOT_VERIFIED not in page(client.get(f"/contracten/{contract.id}"))


def test_two_officers_verifying_at_once_decide_once(authority, contract, cert, live):
    colleague = make_user("collega@authority.example.com")
    add_member(authority, colleague)
    sessions = [logged_in(live, email) for email in (OFFICER, colleague.email)]
    path = f"{live.url}/inkoop/pso-certificaten/{cert.id}/verifieren"

    responses = at_once(
        [lambda s=s: s.post(path, allow_redirects=False, timeout=30) for s in sessions]
    )

    assert sorted(r.status_code for r in responses) == [302, 409]
    db.session.rollback()
    verified = db.session.scalars(
        select(AuditLog.id).where(AuditLog.action == "pso.verified")
    ).all()
    assert len(verified) == 1
