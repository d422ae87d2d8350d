"""Embedded mode has no scheduler: `flask run-daily` from cron must run every periodic job the
worker would (the membership renewals and dunning were once left out)."""

from __future__ import annotations

from worker.schedule import PERIODIC


def test_run_daily_runs_every_periodic_job_but_the_relay(app, runner):
    output = runner.invoke(args=["run-daily"]).output
    ran = {line.split(":")[0] for line in output.splitlines() if line.endswith(": done")}
    wanted = {name for name, _cron in PERIODIC} - {"relay_outbox"}
    assert wanted <= ran, f"run-daily misses {sorted(wanted - ran)}"
