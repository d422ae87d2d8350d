"""The realisation's rounds through /api/v1, as on the pages (issue 15): the officer asks a
question ("vraag om aanvulling") or decides; the contractor changes or deletes a draft, and
corrects a rejected or questioned realisation and sends it again with its answer. Errors come in
the envelope; another party's realisation, and a draft for the officer, are 404."""

from __future__ import annotations

import time_machine
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditLog, Realisation
from marketplace.services import realisations
from tests.factories import fte_realisation, make_org, make_user
from tests.mailbox import outbox_messages

PW = {
    "block_code": "PW",
    "candidate_ref": "KAND-1",
    "attributes": [],
    "start_date": "2026-03-01",
    "end_date": "2026-08-31",
    "hours_per_week": 24,
}


def url(r: Realisation, action: str = "") -> str:
    return f"/api/v1/realisations/{r.id}{'/' + action if action else ''}"


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    return body["error"]


def state_of(r: Realisation) -> str:
    db.session.expire_all()
    return db.session.get(Realisation, r.id).state


def submitted(contract, owner, candidate: str = "KAND-1") -> Realisation:
    return realisations.submit(contract, fte_realisation(candidate), owner)


def draft(contract, owner) -> Realisation:
    return realisations.submit(contract, fte_realisation("KAND-1"), owner, draft=True)


# the officer asks -----------------------------------------------------------------------------


def test_the_officer_asks_a_question_and_the_contractor_sees_it(bearer, parties, contract):
    r = submitted(contract, parties.owner)

    response = bearer(parties.officer).post(url(r, "ask"), {"question": "Welke uren?"})

    assert response.status_code == 200
    assert response.get_json()["state"] == "questioned"
    seen = bearer(parties.owner).get(url(r)).get_json()
    assert (seen["state"], seen["question"]) == ("questioned", "Welke uren?")
    assert "De vraag: Welke uren?" in outbox_messages(parties.owner.email)[-1].get_content()


def test_a_question_is_required(bearer, parties, contract):
    r = submitted(contract, parties.owner)
    officer = bearer(parties.officer)

    missing = officer.post(url(r, "ask"), {})
    blank = officer.post(url(r, "ask"), {"question": "   "})

    assert missing.status_code == 422 and "question" in error_of(missing)["fields"]
    assert blank.status_code == 422 and error_of(blank)["code"] == "question_required"
    assert state_of(r) == "submitted"


def test_the_contractor_cannot_ask_about_its_own_realisation(bearer, parties, contract):
    r = submitted(contract, parties.owner)
    response = bearer(parties.owner).post(url(r, "ask"), {"question": "?"})
    assert response.status_code == 403
    assert state_of(r) == "submitted"


def test_another_authority_gets_404_on_asking(bearer, parties, contract):
    r = submitted(contract, parties.owner)
    stranger = make_user("inkoper@elders.example.com")
    make_org("authority", owner=stranger, name="Gemeente Elders")
    response = bearer(stranger).post(url(r, "ask"), {"question": "Welke uren?"})
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_asking_about_a_decided_realisation_is_409(bearer, parties, contract):
    r = submitted(contract, parties.owner)
    realisations.approve([r.id], parties.officer)
    response = bearer(parties.officer).post(url(r, "ask"), {"question": "Welke uren?"})
    assert response.status_code == 409 and error_of(response)["code"] == "already_decided"


# the contractor answers and sends again --------------------------------------------------------


def test_a_questioned_realisation_is_sent_again_with_the_answer(bearer, parties, contract):
    r = submitted(contract, parties.owner)
    realisations.ask([r.id], parties.officer, "Welke uren?")

    response = bearer(parties.owner).post(url(r, "submit"), {"answer": "24 per week."})

    assert response.status_code == 200
    body = response.get_json()
    assert (body["state"], body["answer"]) == ("submitted", "24 per week.")
    assert "Het antwoord: 24 per week." in outbox_messages(parties.officer.email)[-1].get_content()


def test_sending_a_questioned_realisation_without_an_answer_is_422(bearer, parties, contract):
    r = submitted(contract, parties.owner)
    realisations.ask([r.id], parties.officer, "Welke uren?")

    response = bearer(parties.owner).post(url(r, "submit"), {})

    assert response.status_code == 422
    assert error_of(response)["code"] == "answer_required"
    assert "answer" in error_of(response)["fields"]
    assert state_of(r) == "questioned"


def test_a_rejected_realisation_is_corrected_and_sent_again_keeping_its_history(
    bearer, parties, contract
):
    r = submitted(contract, parties.owner)
    realisations.reject([r.id], parties.officer, "Te veel uren")

    response = bearer(parties.owner).patch(url(r), {"hours_per_week": 20})

    assert response.status_code == 200
    body = response.get_json()
    assert (body["state"], body["hours_per_week"]) == ("submitted", 20)
    assert (body["candidate_ref"], body["end_date"]) == ("KAND-1", "2026-08-31")  # as saved
    actions = db.session.scalars(
        select(AuditLog.action)
        .where(AuditLog.object_type == "Realisation", AuditLog.object_id == r.id)
        .order_by(AuditLog.id)
    ).all()
    assert actions == ["realisation.submitted", "realisation.rejected", "realisation.submitted"]


def test_a_rejected_realisation_cannot_go_back_to_a_draft(bearer, parties, contract):
    r = submitted(contract, parties.owner)
    realisations.reject([r.id], parties.officer, "Te veel uren")
    response = bearer(parties.owner).patch(url(r), {**PW, "draft": True})
    assert response.status_code == 422 and error_of(response)["code"] == "wrong_state"
    assert state_of(r) == "rejected"


def test_the_officer_cannot_correct_the_contractors_realisation(bearer, parties, contract):
    r = submitted(contract, parties.owner)
    realisations.reject([r.id], parties.officer, "Te veel uren")
    response = bearer(parties.officer).patch(url(r), PW)
    assert response.status_code == 403
    assert state_of(r) == "rejected"


# drafts ---------------------------------------------------------------------------------------


def test_a_draft_is_changed_and_stays_a_draft(bearer, parties, contract):
    d = draft(contract, parties.owner)
    response = bearer(parties.owner).patch(url(d), {**PW, "hours_per_week": 30, "draft": True})
    assert response.status_code == 200
    assert (response.get_json()["state"], response.get_json()["hours_per_week"]) == ("draft", 30)
    told = [m for m in outbox_messages(parties.officer.email) if "beoordelen" in m["Subject"]]
    assert told == []


def test_a_changed_draft_is_sent_and_the_officer_told(bearer, parties, contract):
    d = draft(contract, parties.owner)
    response = bearer(parties.owner).patch(url(d), {**PW, "draft": False})
    assert response.status_code == 200 and response.get_json()["state"] == "submitted"
    assert "Realisatie te beoordelen" in outbox_messages(parties.officer.email)[-1]["Subject"]


def test_a_draft_is_sent_as_saved(bearer, parties, contract):
    d = draft(contract, parties.owner)
    response = bearer(parties.owner).post(url(d, "submit"), {})
    assert response.status_code == 200 and response.get_json()["state"] == "submitted"


def test_bad_fields_of_a_draft_are_422_with_every_field(bearer, parties, contract):
    d = draft(contract, parties.owner)
    response = bearer(parties.owner).patch(
        url(d), {**PW, "block_code": "", "end_date": "gisteren", "hours_per_week": -1}
    )
    assert response.status_code == 422
    assert {"block_code", "end_date", "hours_per_week"} <= set(error_of(response)["fields"])
    assert state_of(d) == "draft"


def test_a_draft_is_deleted(bearer, parties, contract):
    d = draft(contract, parties.owner)
    response = bearer(parties.owner).delete(url(d))
    assert response.status_code == 204
    assert db.session.scalar(select(func.count()).select_from(Realisation)) == 0


def test_only_a_draft_is_deleted(bearer, parties, contract):
    r = submitted(contract, parties.owner)
    response = bearer(parties.owner).delete(url(r))
    assert response.status_code == 422 and error_of(response)["code"] == "wrong_state"
    assert state_of(r) == "submitted"


def test_the_officer_does_not_see_a_draft(bearer, parties, contract):
    d = draft(contract, parties.owner)
    officer = bearer(parties.officer)
    assert officer.get(url(d)).status_code == 404
    assert officer.delete(url(d)).status_code == 404
    assert officer.patch(url(d), PW).status_code == 404
    assert state_of(d) == "draft"


def test_another_contractor_gets_404_on_every_route_of_a_draft(bearer, parties, contract):
    d = draft(contract, parties.owner)
    stranger = make_user("eigenaar@anders.example.com")
    make_org("contractor", owner=stranger, name="Anders B.V.")
    other = bearer(stranger)
    for response in (
        other.get(url(d)),
        other.patch(url(d), PW),
        other.delete(url(d)),
        other.post(url(d, "submit"), {}),
    ):
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    assert state_of(d) == "draft"


@time_machine.travel("2026-09-15", tick=False)
def test_sending_a_draft_that_counts_a_candidate_twice_is_refused(bearer, parties, contract):
    submitted(contract, parties.owner)
    d = draft(contract, parties.owner)
    response = bearer(parties.owner).post(url(d, "submit"), {})
    assert response.status_code == 422
    assert state_of(d) == "draft"


# the document -------------------------------------------------------------------------------


def test_openapi_describes_the_rounds_with_the_error_envelope(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    item = "/api/v1/realisations/{realisation_id}"
    operations = {
        (f"{item}/ask", "post"): "Ask",
        (f"{item}/submit", "post"): "Send",
        (item, "patch"): "RealisationUpdate",
        (item, "get"): None,
        (item, "delete"): None,
    }
    for (path, method), request in operations.items():
        operation = spec["paths"][path][method]
        assert operation["security"] == [{"bearerAuth": []}]
        error = operation["responses"]["404"]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/Error"}
        if request:
            body = operation["requestBody"]["content"]["application/json"]["schema"]
            assert body == {"$ref": f"#/components/schemas/{request}"}
    assert "204" in spec["paths"][item]["delete"]["responses"]
    shown = spec["components"]["schemas"]["ReportedRealisation"]["properties"]
    assert {"question", "answer"} <= set(shown)
