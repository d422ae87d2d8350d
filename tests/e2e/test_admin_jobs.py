"""The admin sees a failed job on /beheer/ and retries it in a real browser; axe checks pages."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from marketplace.extensions import db
from marketplace.models import OutboxJob
from tests.e2e.conftest import assert_no_axe_violations, log_in
from tests.factories import make_user
from tests.mailbox import outbox_messages

REFUSED = (
    "Traceback (most recent call last):\n"
    '  File "smtplib.py", line 341, in connect\n'
    "ConnectionRefusedError: [Errno 111] Connection refused"
)


def test_admin_sees_a_failed_mail_job_and_retries_it(page: Page, live_server):
    with live_server.app.app_context():
        make_user("admin@example.com", admin=True)
        job = OutboxJob(
            job_name="send_mail",
            args=["e2e0001", "iemand@example.com", "Welkom", "Hallo"],
            status="failed",
            attempts=3,
            last_error=REFUSED,
        )
        db.session.add(job)
        db.session.commit()
        job_id = job.id

    page.goto("/account/inloggen")
    log_in(page, "admin@example.com")
    page.goto("/beheer/")
    jobs = page.get_by_role("region", name="Mislukte taken")
    expect(jobs).to_contain_text("E-mail versturen")
    expect(jobs).to_contain_text("iemand@example.com")
    expect(jobs).to_contain_text("ConnectionRefusedError: [Errno 111] Connection refused")
    assert_no_axe_violations(page)

    jobs.get_by_role("link", name=f"Taak {job_id} opnieuw proberen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Taak {job_id} opnieuw proberen")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Taak opnieuw proberen").click()

    expect(page.get_by_role("status")).to_contain_text(re.compile(f"Taak {job_id} is opnieuw"))
    expect(page.get_by_text("Geen mislukte taken.")).to_be_visible()
    assert_no_axe_violations(page)
    with live_server.app.app_context():
        assert [m["Subject"] for m in outbox_messages("iemand@example.com")] == ["Welkom"]
