"""A chosen evidence file survives the value preview and a refused field (issue 15: both dropped
it): it is kept as a pending upload of the user, named on the page by a token only, taken over
by the realisation saved with it, and removed after a day when nobody saves it."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Evidence, PendingUpload, Realisation
from marketplace.models._types import utcnow
from marketplace.services import evidence
from tests.factories import make_org, make_user
from tests.web.test_contractor import OWNER, PDF, PW, form_url, uploaded_files, user


def post(client, contract, action: str, files=(), held=(), **fields):
    data = {**PW, **fields, "action": action, "held_evidence": list(held)}
    data["evidence"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(form_url(contract), data=data, content_type="multipart/form-data")


def tokens(page: str) -> list[str]:
    return re.findall(r'name="held_evidence" value="([^"]+)"', page)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_file_chosen_before_the_preview_is_submitted_with_the_realisation(
    client, auth, contract
):
    auth.login(OWNER)
    preview = post(client, contract, "preview", files=[("loonstrook.pdf", PDF)])
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "loonstrook.pdf" in page
    kept = tokens(page)
    assert len(kept) == 1 and kept[0] not in str(uploaded_files())  # a token, not a file name

    response = post(client, contract, "submit", held=kept)

    assert response.status_code == 302
    realisation = db.session.scalar(select(Realisation))
    assert [e.filename for e in realisation.evidence] == ["loonstrook.pdf"]
    assert count(PendingUpload) == 0
    assert len(uploaded_files()) == 1  # the kept file became the evidence, no copy


def test_the_file_survives_a_refused_field(client, auth, contract):
    auth.login(OWNER)
    refused = post(client, contract, "submit", files=[("contract.pdf", PDF)], candidate_ref="")
    assert refused.status_code == 422
    kept = tokens(refused.get_data(as_text=True))
    assert len(kept) == 1
    assert count(Realisation) == 0

    post(client, contract, "submit", held=kept)

    assert [e.filename for e in db.session.scalar(select(Realisation)).evidence] == ["contract.pdf"]


def test_an_unticked_kept_file_is_left_out(client, auth, contract):
    auth.login(OWNER)
    post(client, contract, "preview", files=[("loonstrook.pdf", PDF)])
    post(client, contract, "submit")
    assert db.session.scalar(select(Realisation)).evidence == []


def test_a_refused_file_is_not_kept(client, auth, contract):
    auth.login(OWNER)
    page = post(client, contract, "preview", files=[("nep.pdf", b"<html>")]).get_data(as_text=True)
    assert tokens(page) == [] and count(PendingUpload) == 0


def test_another_users_token_finds_nothing(client, auth, contract):
    other = make_user("ander@example.com")
    make_org("contractor", owner=other)
    (theirs,) = evidence.hold([evidence.Upload("van-een-ander.pdf", PDF)], other.id)
    auth.login(OWNER)

    post(client, contract, "submit", held=[theirs.token, "../../etc/passwd"])

    assert db.session.scalar(select(Realisation)).evidence == []
    assert count(PendingUpload) == 1


def test_a_token_is_taken_once(client, auth, contract):
    token = evidence.hold([evidence.Upload("loonstrook.pdf", PDF)], user(OWNER).id)[0].token
    auth.login(OWNER)
    post(client, contract, "submit", held=[token])
    post(client, contract, "submit", held=[token], candidate_ref="KAND-2026-002")
    assert count(Evidence) == 1


def test_kept_files_nobody_saved_are_removed_after_a_day(app, contract):
    owner = user(OWNER)
    (old,) = evidence.hold([evidence.Upload("oud.pdf", PDF)], owner.id)
    (new,) = evidence.hold([evidence.Upload("nieuw.pdf", PDF)], owner.id)
    old.created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    old_name = old.stored_name

    assert evidence.cleanup(utcnow()) == 1

    assert [p.token for p in db.session.scalars(select(PendingUpload))] == [new.token]
    assert old_name not in {f.name for f in uploaded_files()}
