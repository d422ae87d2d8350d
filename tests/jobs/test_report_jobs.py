# ruff: noqa: F811 - the report fixture (contract) is imported from test_reports
"""Report files made by a worker through real RQ: the request only queues the job, the page
shows it waiting, a worker makes the file and the page then links to it."""

from __future__ import annotations

import re

import time_machine
from rq.job import Job

from marketplace.extensions import db
from marketplace.models import OutboxJob, ReportFile
from marketplace.services.jobs import DEFAULT_TIMEOUT, REPORT_TIMEOUT
from marketplace.services.queue import outbox_job_id
from tests.jobs.conftest import run_burst_worker
from tests.web.test_reports import contract, pdf_text  # noqa: F401

TODAY = "2026-09-01"


def test_annual_report_is_made_by_an_rq_worker(rq_app, redis_conn, client, auth, contract):
    with time_machine.travel(TODAY, tick=False):
        run_burst_worker(redis_conn)  # the contract's recompute after its approval
        auth.login("officer@authority.example.com")
        location = client.post("/rapportage/jaarrapport-2026").headers["Location"]
        report = db.session.scalar(db.select(ReportFile))
        assert report.state == "queued"
        waiting = client.get(location).text
        assert 'http-equiv="refresh"' in waiting
        run_burst_worker(redis_conn)
        ready = client.get(location).text
        link = re.search(r'href="(/rapportage/bestanden/\d+/[^"]+)"', ready).group(1)
        text = pdf_text(client.get(link).data)
    assert "EM-2026-014" in text
    assert "KAND-0001" not in text  # one row per contract; the realisations are in the Excel file


def test_report_job_may_run_longer_on_rq_than_a_mail(rq_app, redis_conn, client, auth, contract):
    """RQ kills a job at its timeout (180 s by default): a large year report needs longer."""
    auth.login("officer@authority.example.com")
    client.post("/rapportage/jaarrapport-2026")
    limits = {
        row.job_name: Job.fetch(outbox_job_id(row.id), connection=redis_conn).timeout
        for row in db.session.scalars(db.select(OutboxJob))
    }
    assert limits["generate_report"] == REPORT_TIMEOUT == 3600
    assert limits["recompute_contract"] == DEFAULT_TIMEOUT == 180
