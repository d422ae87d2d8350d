"""One move per state of a realisation, whoever asks at the same moment (issue 15): a rejected
realisation sent again twice at once, an officer asking while a colleague approves, a draft
deleted while it is submitted. Fired as simultaneous requests at a served app on PostgreSQL,
where the conditional UPDATEs decide (docs/architecture.md "Rules that must hold under
concurrency")."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditLog, Realisation
from marketplace.services import realisations
from tests import backends
from tests.factories import add_member, fte_realisation, make_user
from tests.served import at_once, logged_in
from tests.web.test_contractor import OFFICER, OWNER, PW, user

pytestmark = pytest.mark.skipif(
    backends.backend() != "postgresql",
    reason="races are decided by PostgreSQL's row locks; SQLite runs one writer at a time",
)
RACERS = 4
COLLEAGUE = "collega@authority.example.com"


def _race(calls) -> list[requests.Response]:
    responses = at_once(calls)
    assert all(r.status_code < 500 for r in responses), [r.text[:300] for r in responses]
    return responses


def _audited(realisation_id: int, action: str) -> int:
    db.session.rollback()  # read what the served app committed
    return db.session.scalar(
        select(func.count())
        .select_from(AuditLog)
        .where(
            AuditLog.object_type == "Realisation",
            AuditLog.object_id == realisation_id,
            AuditLog.action == action,
        )
    )


def test_a_rejected_realisation_sent_again_at_once_is_sent_once(live, contract):
    rid = realisations.submit(contract, fte_realisation("KAND-R"), user(OWNER)).id
    realisations.reject([rid], user(OFFICER), "Bewijs ontbreekt")
    sessions = [logged_in(live, OWNER) for _ in range(RACERS)]
    form = {**PW, "candidate_ref": "KAND-R", "answer": "Verbeterd", "action": "submit"}
    path = f"{live.url}/opdrachtnemer/realisaties/{rid}/bewerken"

    _race([lambda s=s: s.post(path, data=form, timeout=30) for s in sessions])

    assert _audited(rid, "realisation.submitted") == 2  # the first submission and one resend
    assert db.session.get(Realisation, rid).state == "submitted"


@pytest.mark.parametrize("other", ["approve", "reject", "ask"])
def test_a_question_and_another_decision_at_once_decide_once(live, parties, contract, other):
    rid = realisations.submit(contract, fte_realisation("KAND-Q"), user(OWNER)).id
    add_member(parties.authority, make_user(COLLEAGUE))
    asker, decider = logged_in(live, OFFICER), logged_in(live, COLLEAGUE)
    path = live.url + "/inkoop/beoordelen"
    text = {"reason": "Geen bewijs", "question": "Welke uren?"}

    _race(
        [
            lambda: asker.post(path, data={"ids": [rid], "ask": "1", **text}, timeout=30),
            lambda: decider.post(path, data={"ids": [rid], other: "1", **text}, timeout=30),
        ]
    )

    db.session.rollback()
    decisions = db.session.scalar(
        select(func.count())
        .select_from(AuditLog)
        .where(
            AuditLog.object_id == rid,
            AuditLog.action.in_(
                ("realisation.approved", "realisation.rejected", "realisation.questioned")
            ),
        )
    )
    assert decisions == 1


def test_a_draft_deleted_while_it_is_submitted_is_one_or_the_other(live, contract):
    for _ in range(3):
        draft_id = realisations.submit(
            contract, fte_realisation("KAND-D"), user(OWNER), draft=True
        ).id
        owner = [logged_in(live, OWNER) for _ in range(2)]
        base = f"{live.url}/opdrachtnemer/realisaties/{draft_id}"

        _race(
            [
                lambda s=owner[0], b=base: s.post(b + "/verwijderen", timeout=30),
                lambda s=owner[1], b=base: s.post(b + "/indienen", timeout=30),
            ]
        )

        db.session.rollback()
        row = db.session.get(Realisation, draft_id)
        deleted = _audited(draft_id, "realisation.deleted")
        submitted = _audited(draft_id, "realisation.submitted")
        assert (row is None, deleted, submitted) in ((True, 1, 0), (False, 0, 1))
        if row is not None:
            assert row.state == "submitted"
            realisations.reject([row.id], user(OFFICER), "opnieuw")  # frees the candidate
