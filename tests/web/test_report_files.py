# ruff: noqa: F811 - the report fixtures (contract, today) are imported from test_reports
"""Reports made as jobs: asked for on a page, made by the `generate_report` job with progress,
downloadable for a day by the members of the organisation that asked, and cleaned up after."""

from __future__ import annotations

import os
import re
from datetime import UTC, timedelta
from pathlib import Path

import pytest
import time_machine

from marketplace.extensions import db
from marketplace.models import ReportFile
from marketplace.models._types import utcnow
from marketplace.services import report_files
from tests.factories import add_member, make_org, make_user
from tests.web.test_reports import OFFICER, OWNER, contract, today  # noqa: F401


def asked(client, url: str) -> ReportFile:
    response = client.post(url)
    assert response.status_code == 302
    report_id = int(re.search(r"/bestanden/(\d+)$", response.headers["Location"]).group(1))
    return db.session.get(ReportFile, report_id)


def download_link(html: str) -> str | None:
    found = re.search(r'href="(/rapportage/bestanden/\d+/[^"]+)"', html)
    return found.group(1) if found else None


def test_asked_annual_report_is_made_by_the_job_and_kept_with_its_file(
    app, client, auth, contract, today
):
    auth.login(OFFICER)
    report = asked(client, "/rapportage/jaarrapport-2026")
    assert (report.state, report.progress, report.kind) == ("done", 100, "year_pdf")
    assert report.organisation_id == contract.authority_id
    assert Path(report.path).read_bytes().startswith(b"%PDF")
    assert Path(report.path).parent == Path(app.config["REPORT_DIR"])
    response = client.get(download_link(client.get(f"/rapportage/bestanden/{report.id}").text))
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "sroi-jaarrapport-2026" in response.headers["Content-Disposition"]


def test_page_of_a_report_being_made_refreshes_itself_and_shows_its_progress(
    app, client, auth, contract, today
):
    app.config["JOBS_MODE"] = "rq"  # no Redis here: the job waits in the outbox
    auth.login(OFFICER)
    report = asked(client, "/rapportage/jaarrapport-2026")
    report.state, report.progress = "running", 40
    db.session.commit()
    html = client.get(f"/rapportage/bestanden/{report.id}").text
    assert '<meta http-equiv="refresh" content="3">' in html
    assert 'value="40"' in html and "40% klaar" in html
    assert download_link(html) is None
    assert "<script>" not in html  # our CSP allows no inline script
    report_files.generate(report.id)
    html = client.get(f"/rapportage/bestanden/{report.id}").text
    assert 'http-equiv="refresh"' not in html
    assert download_link(html)


def test_report_file_is_only_for_members_of_the_organisation_that_asked(
    client, auth, contract, today
):
    auth.login(OFFICER)
    report = asked(client, "/rapportage/jaarrapport-2026")
    link = download_link(client.get(f"/rapportage/bestanden/{report.id}").text)
    colleague = make_user("collega@authority.example.com")
    add_member(contract.authority, colleague)
    make_org("authority", owner=make_user("inkoper@elders.example.com"))
    auth.logout()
    for outsider in (OWNER, "inkoper@elders.example.com"):
        auth.login(outsider)
        assert client.get(f"/rapportage/bestanden/{report.id}").status_code == 404
        assert client.get(link).status_code == 404
        auth.logout()
    auth.login("collega@authority.example.com")
    assert client.get(link).status_code == 200


def test_contractors_contract_report_belongs_to_the_contractor(client, auth, contract, today):
    auth.login(OWNER)
    report = asked(client, f"/rapportage/contracten/{contract.id}/rapport")
    assert report.organisation_id == contract.contractor_id
    auth.logout()
    auth.login(OFFICER)
    assert client.get(f"/rapportage/bestanden/{report.id}").status_code == 404


def test_running_the_job_again_makes_no_second_file(app, client, auth, contract, today):
    auth.login(OFFICER)
    report = asked(client, "/rapportage/realisaties.xlsx")
    first = report.path
    report_files.generate(report.id)
    assert db.session.get(ReportFile, report.id).path == first
    assert len(list(Path(app.config["REPORT_DIR"]).iterdir())) == 1


def test_files_are_deleted_a_day_later_and_cleaning_up_twice_is_harmless(
    app, client, auth, contract, today
):
    auth.login(OFFICER)
    report = asked(client, "/rapportage/jaarrapport-2026")
    report_id, path = report.id, Path(report.path)
    leftover = Path(app.config["REPORT_DIR"]) / "99-interrupted.pdf.part"
    leftover.write_bytes(b"half")
    made = report.created_at.replace(tzinfo=UTC).timestamp()
    os.utime(leftover, (made, made))  # the test's clock is frozen, the disk's is not
    assert report_files.cleanup(utcnow() + timedelta(hours=23)) == 0
    assert path.exists() and leftover.exists()
    with time_machine.travel(utcnow() + timedelta(hours=25), tick=False):
        assert client.get(f"/rapportage/bestanden/{report_id}").status_code == 404
        assert report_files.cleanup(utcnow()) == 1
        assert report_files.cleanup(utcnow()) == 0
    assert not path.exists() and not leftover.exists()
    assert db.session.get(ReportFile, report_id) is None


def test_cleanup_is_a_registered_periodic_job():
    from marketplace.services.jobs import JOBS
    from worker.schedule import PERIODIC

    assert "cleanup_report_files" in JOBS and "generate_report" in JOBS
    assert "cleanup_report_files" in [name for name, _cron in PERIODIC]


@pytest.mark.parametrize("year", [1850, 2099])
def test_annual_report_of_an_absurd_year_is_not_asked_for(client, auth, contract, today, year):
    auth.login(OFFICER)
    assert client.post(f"/rapportage/jaarrapport-{year}").status_code == 404
    assert db.session.query(ReportFile).count() == 0


def test_cleanup_leaves_files_and_folders_it_did_not_make(app, client, auth, contract, today):
    """REPORT_DIR is a setting: pointed at a folder that holds more (the uploads, a disk's root),
    the hourly clean-up deleted every file older than a day there and failed on a folder."""
    folder = Path(app.config["REPORT_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    other, sub = folder / "bewijs-loonstrook.pdf", folder / "archief"
    other.write_bytes(b"%PDF- not a report")
    sub.mkdir()
    old = (utcnow() - timedelta(days=30)).replace(tzinfo=UTC).timestamp()
    for path in (other, sub):
        os.utime(path, (old, old))
    assert report_files.cleanup(utcnow()) == 0
    assert other.exists() and sub.is_dir()
