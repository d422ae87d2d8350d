"""A realisation's rounds between contractor and officer (issue 15): drafts edited and deleted, a
rejected realisation corrected and sent again with its history kept, and the officer's question
("vraag om aanvulling") answered. Every field error is shown at once."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditLog, Evidence, Realisation
from marketplace.services import realisations
from marketplace.services.errors import Conflict, ServiceError
from tests.factories import fte_realisation, make_org, make_user
from tests.mailbox import outbox_messages
from tests.web.test_contractor import (
    OFFICER,
    OWNER,
    PDF,
    PW,
    field_error,
    uploaded_files,
    user,
)

TODAY = date(2026, 9, 15)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def edit_url(realisation: Realisation) -> str:
    return f"/opdrachtnemer/realisaties/{realisation.id}/bewerken"


def post_edit(client, realisation, action: str, files=(), **fields):
    data = {**PW, **fields, "action": action}
    data["evidence"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(edit_url(realisation), data=data, content_type="multipart/form-data")


def draft_without_candidate(contract) -> Realisation:
    """A PW draft with block and period only, as a placement deal opens one."""
    data = realisations.RealisationData(
        block_code="PW", start_date=date(2026, 3, 1), end_date=date(2026, 8, 28)
    )
    return realisations.submit(contract, data, user(OWNER), draft=True)


def rejected(contract, reason: str = "Bewijs ontbreekt") -> Realisation:
    r = realisations.submit(contract, fte_realisation("KAND-7"), user(OWNER))
    realisations.reject([r.id], user(OFFICER), reason)
    return db.session.get(Realisation, r.id)


def questioned(contract, question: str = "Hoeveel uur per week precies?") -> Realisation:
    r = realisations.submit(contract, fte_realisation("KAND-8"), user(OWNER))
    realisations.ask([r.id], user(OFFICER), question)
    return db.session.get(Realisation, r.id)


def actions_of(realisation_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditLog.action)
            .where(AuditLog.object_type == "Realisation", AuditLog.object_id == realisation_id)
            .order_by(AuditLog.id)
        )
    )


# Drafts


def test_a_draft_may_lack_the_candidate_and_is_worth_nothing_until_complete(contract):
    draft = draft_without_candidate(contract)
    assert draft.state == "draft" and draft.candidate_ref is None
    assert draft.value_cents == 0 and draft.breakdown == []


def test_a_draft_still_refuses_a_bsn(contract):
    data = fte_realisation("111222333")
    with pytest.raises(ServiceError) as refused:
        realisations.submit(contract, data, user(OWNER), draft=True)
    assert refused.value.code == "bsn_refused"


def test_submitting_an_incomplete_draft_shows_what_is_missing_next_to_each_field(
    client, auth, contract
):
    draft = draft_without_candidate(contract)
    auth.login(OWNER)
    response = client.post(f"/opdrachtnemer/realisaties/{draft.id}/indienen")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "pseudoniem" in field_error(page, "candidate_ref")
    assert field_error(page, "hours_per_week")
    assert db.session.get(Realisation, draft.id).state == "draft"


def test_the_draft_is_completed_on_its_page_and_submitted(client, auth, contract):
    draft = draft_without_candidate(contract)
    auth.login(OWNER)
    page = client.get(edit_url(draft)).get_data(as_text=True)
    assert "Concept bewerken" in page and 'value="2026-03-01"' in page

    response = post_edit(client, draft, "submit", files=[("contract.pdf", PDF)])

    assert response.status_code == 302
    db.session.refresh(draft)
    assert draft.state == "submitted" and draft.candidate_ref == PW["candidate_ref"]
    assert draft.value_cents == 1652968 and len(draft.evidence) == 1
    assert actions_of(draft.id) == ["realisation.draft", "realisation.submitted"]


def test_saving_a_draft_again_keeps_it_a_draft_and_audits_the_change(client, auth, contract):
    draft = draft_without_candidate(contract)
    auth.login(OWNER)
    response = post_edit(client, draft, "draft", candidate_ref="", hours_per_week="20")
    assert response.status_code == 302
    db.session.refresh(draft)
    assert draft.state == "draft" and draft.hours_per_week == Decimal(20)
    assert actions_of(draft.id) == ["realisation.draft", "realisation.updated"]
    change = db.session.scalar(select(AuditLog).where(AuditLog.action == "realisation.updated"))
    assert change.before["hours_per_week"] is None and Decimal(change.after["hours_per_week"]) == 20


def test_a_draft_is_deleted_after_confirmation_with_its_evidence(client, auth, contract):
    auth.login(OWNER)
    data = {**PW, "action": "draft", "evidence": [(io.BytesIO(PDF), "loon.pdf")]}
    client.post(
        f"/opdrachtnemer/contracten/{contract.id}/realisaties/nieuw",
        data=data,
        content_type="multipart/form-data",
    )
    draft = db.session.scalar(select(Realisation))
    assert len(uploaded_files()) == 1
    url = f"/opdrachtnemer/realisaties/{draft.id}/verwijderen"

    confirm = client.get(url)
    assert "Dit concept verwijderen?" in confirm.get_data(as_text=True)
    assert db.session.get(Realisation, draft.id) is not None

    response = client.post(url, follow_redirects=True)

    assert "Het concept is verwijderd." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Realisation, draft.id) is None
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0
    assert uploaded_files() == []
    assert actions_of(draft.id) == ["realisation.draft", "realisation.deleted"]


def test_a_submitted_realisation_cannot_be_deleted_or_edited(client, auth, contract):
    submitted = realisations.submit(contract, fte_realisation(), user(OWNER))
    auth.login(OWNER)
    client.post(f"/opdrachtnemer/realisaties/{submitted.id}/verwijderen")
    assert db.session.get(Realisation, submitted.id).state == "submitted"
    response = post_edit(client, submitted, "submit", hours_per_week="30")
    assert response.status_code == 302
    assert db.session.get(Realisation, submitted.id).hours_per_week == Decimal(24)


def test_another_company_gets_404_on_a_drafts_pages(client, auth, contract):
    draft = draft_without_candidate(contract)
    make_org("contractor", owner=make_user("ander@example.com"))
    auth.login("ander@example.com")
    assert client.get(edit_url(draft)).status_code == 404
    assert client.post(f"/opdrachtnemer/realisaties/{draft.id}/verwijderen").status_code == 404
    assert db.session.get(Realisation, draft.id) is not None


def test_the_officer_gets_404_on_the_contractors_edit_page(client, auth, contract):
    draft = draft_without_candidate(contract)
    auth.login(OFFICER)
    assert client.get(edit_url(draft)).status_code == 404


def test_the_contract_page_shows_no_submitted_date_for_a_draft(client, auth, contract):
    draft_without_candidate(contract)
    auth.login(OWNER)
    page = client.get(f"/contracten/{contract.id}").get_data(as_text=True)
    assert "niet ingediend" in page


# Every field error at once


def test_three_mistakes_are_all_shown_after_one_submit(client, auth, contract):
    auth.login(OWNER)
    data = {
        **PW,
        "candidate_ref": "111222333",  # a BSN
        "hours_per_week": "veel",  # not a number
        "end_date": "2026-02-01",  # before the start
        "action": "submit",
    }
    response = client.post(
        f"/opdrachtnemer/contracten/{contract.id}/realisaties/nieuw",
        data=data,
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "BSN" in field_error(page, "candidate_ref")
    assert field_error(page, "hours_per_week")
    assert field_error(page, "end_date")


# Rejected: corrected and sent again


def test_a_rejected_realisation_is_corrected_and_sent_again_keeping_its_history(
    client, auth, contract
):
    r = rejected(contract, "Uren kloppen niet")
    auth.login(OWNER)
    page = client.get(edit_url(r)).get_data(as_text=True)
    assert "Uren kloppen niet" in page and "Opnieuw indienen" in page

    response = post_edit(
        client, r, "submit", candidate_ref="KAND-7", hours_per_week="20", answer="Uren verbeterd"
    )

    assert response.status_code == 302
    db.session.refresh(r)
    assert r.state == "submitted" and r.hours_per_week == Decimal(20)
    assert actions_of(r.id) == [
        "realisation.submitted",
        "realisation.rejected",
        "realisation.submitted",
    ]
    history = client.get(edit_url(r))  # no longer editable: back to the contract page
    assert history.status_code == 302
    contract_page = client.get(f"/contracten/{contract.id}").get_data(as_text=True)
    assert "Uren kloppen niet" in contract_page  # the earlier decision stays visible
    assert "opnieuw ingediend" in contract_page
    mail = outbox_messages(OFFICER)[-1]
    assert "opnieuw ingediend" in mail["Subject"]
    assert f"/contracten/{contract.id}" in mail.get_content()


def test_the_officer_sees_the_earlier_reason_in_the_queue(client, auth, contract):
    r = rejected(contract, "Bewijs ontbreekt")
    realisations.correct(r, realisations._data_of(r), user(OWNER), send=True)
    auth.login(OFFICER)
    page = client.get("/inkoop/beoordelen").get_data(as_text=True)
    assert "Eerder afgewezen: Bewijs ontbreekt" in page


def test_a_rejection_tells_the_contractor_where_to_correct_it(contract):
    rejected(contract, "Bewijs ontbreekt")
    body = outbox_messages(OWNER)[-1].get_content()
    assert "Reden: Bewijs ontbreekt" in body and "„Opnieuw indienen”" in body


# Questioned: answered and sent again


def test_the_officer_asks_for_more_information_from_the_queue(client, auth, contract):
    r = realisations.submit(contract, fte_realisation("KAND-9"), user(OWNER))
    auth.login(OFFICER)
    response = client.post(
        "/inkoop/beoordelen",
        data={"ids": [r.id], "ask": "1", "question": "Stuur de arbeidsovereenkomst mee."},
        follow_redirects=True,
    )
    assert "Je vraag is met 1 realisatie(s) naar de opdrachtnemer gestuurd." in response.get_data(
        as_text=True
    )
    db.session.refresh(r)
    assert r.state == "questioned" and r.question == "Stuur de arbeidsovereenkomst mee."
    mail = outbox_messages(OWNER)[-1]
    assert "Vraag over realisaties" in mail["Subject"]
    assert "Stuur de arbeidsovereenkomst mee." in mail.get_content()


def test_asking_without_a_question_is_refused(client, auth, contract):
    r = realisations.submit(contract, fte_realisation("KAND-9"), user(OWNER))
    auth.login(OFFICER)
    response = client.post("/inkoop/beoordelen", data={"ids": [r.id], "ask": "1"})
    assert "Schrijf je vraag" in response.get_data(as_text=True)
    assert db.session.get(Realisation, r.id).state == "submitted"


def test_a_question_must_be_answered_before_sending_again(client, auth, contract):
    r = questioned(contract)
    auth.login(OWNER)
    response = post_edit(client, r, "submit", candidate_ref="KAND-8", answer="")
    assert response.status_code == 422
    assert "Beantwoord de vraag" in field_error(response.get_data(as_text=True), "answer")
    assert db.session.get(Realisation, r.id).state == "questioned"


def test_the_answer_goes_back_to_the_officer_with_the_realisation(client, auth, contract):
    r = questioned(contract, "Hoeveel uur per week precies?")
    auth.login(OWNER)
    page = client.get(edit_url(r)).get_data(as_text=True)
    assert "Hoeveel uur per week precies?" in page

    response = post_edit(
        client,
        r,
        "submit",
        candidate_ref="KAND-8",
        answer="24 uur, zie het contract.",
        files=[("contract.pdf", PDF)],
    )

    assert response.status_code == 302
    db.session.refresh(r)
    assert r.state == "submitted" and r.answer == "24 uur, zie het contract."
    assert len(r.evidence) == 1
    mail = outbox_messages(OFFICER)[-1]
    assert "24 uur, zie het contract." in mail.get_content()
    auth.logout()
    auth.login(OFFICER)
    queue = client.get("/inkoop/beoordelen").get_data(as_text=True)
    assert "Antwoord: 24 uur, zie het contract." in queue
    contract_page = client.get(f"/contracten/{contract.id}").get_data(as_text=True)
    assert "Vraag: Hoeveel uur per week precies?" in contract_page  # in the history


def test_a_questioned_realisation_counts_as_neither_pending_nor_approved(contract):
    from marketplace.services import fulfilment

    r = questioned(contract)
    fulfilment.recompute_contract(contract.id, TODAY)
    db.session.refresh(contract)
    assert contract.pending_cents == 0 and contract.approved_cents == 0
    assert r.state == "questioned"


def test_sending_again_twice_is_a_conflict_the_second_time(contract):
    r = rejected(contract)
    stale = realisations._data_of(r)
    realisations.correct(r, stale, user(OWNER), send=True)
    db.session.refresh(r)
    with pytest.raises(ServiceError) as refused:
        realisations.correct(r, stale, user(OWNER), send=True)
    assert refused.value.code == "wrong_state"


def test_a_decision_on_a_questioned_realisation_names_who_asked(contract):
    r = questioned(contract)
    with pytest.raises(Conflict) as refused:
        realisations.approve([r.id], user(OFFICER))
    assert refused.value.code == "already_decided"


# The obligations overview: what needs doing


def test_the_overview_lists_questions_rejections_and_drafts_with_what_to_do(client, auth, contract):
    draft = draft_without_candidate(contract)
    refused = rejected(contract, "Bewijs ontbreekt")
    asked = questioned(contract, "Welke uren precies?")
    auth.login(OWNER)
    page = client.get("/opdrachtnemer/").get_data(as_text=True)
    todo = page[page.index('id="todo-heading"') :]
    assert todo.index("Welke uren precies?") < todo.index("Bewijs ontbreekt")
    assert "Afgewezen: Bewijs ontbreekt" in todo
    assert "Vraag van de inkoper: Welke uren precies?" in todo
    assert "Concept, nog niet ingediend" in todo
    for r in (draft, refused, asked):
        assert f'href="{edit_url(r)}"' in todo


def test_the_overview_names_a_deadline_close_with_the_obligation_still_open(client, auth, parties):
    parties.register(start_date=date(2026, 3, 1), end_date=date(2026, 11, 30), reference="END")
    auth.login(OWNER)
    page = client.get("/opdrachtnemer/").get_data(as_text=True)
    assert "Loopt af op 30 nov 2026, over 76 dagen" in page


def test_the_overview_and_the_edit_page_send_a_bounded_number_of_statements(
    client, auth, contract, parties
):
    from tests.querycount import counting_statements

    def statements(url: str) -> int:
        with counting_statements(db.engine) as counted:
            assert client.get(url).status_code == 200
        return counted.count

    auth.login(OWNER)
    draft = draft_without_candidate(contract)
    few = (statements("/opdrachtnemer/"), statements(edit_url(draft)))
    for n in range(6):
        other = parties.register(reference=f"MEER-{n}")
        draft_without_candidate(other)
        rejected(other, f"Reden {n}") if n % 2 else questioned(other)
    many = (statements("/opdrachtnemer/"), statements(edit_url(draft)))
    assert few == many, (few, many)
    assert max(many) <= 10, many  # 8 each when measured
