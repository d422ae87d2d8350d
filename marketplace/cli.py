"""flask commands: seed-demo, seed-bench, reindex-search, create-admin, create-token, run-jobs."""

from __future__ import annotations

import click
from flask import Flask

from marketplace.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Load demo organisations, users (and SROI data); running it again changes nothing."""
        from marketplace.demo import seed_demo

        created = seed_demo()
        click.echo(f"demo data: created {created}")

    @app.cli.command("seed-bench")
    @click.option("--contracts", default=10_000, show_default=True)
    @click.option("--realisations", default=200_000, show_default=True)
    @click.option("--contractors", default=500, show_default=True)
    @click.option("--listings", default=0, help="Load the marketplace data set instead.")
    @click.option("--organisations", default=5_000, show_default=True, help="With --listings.")
    def seed_bench_command(
        contracts: int, realisations: int, contractors: int, listings: int, organisations: int
    ) -> None:
        """Load the large benchmark data set (bench/README.md), or with --listings the
        marketplace's (organisations, listings, search index); refuses to load one twice.
        The seeding code lives in bench/ (docs/architecture.md), next to the harness: run from a
        checkout."""
        from bench.seed import seed_bench, seed_market

        try:
            if listings:
                created = seed_market(listings, organisations)
            else:
                created = seed_bench(contracts, realisations, contractors)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"bench data: created {created}")

    @app.cli.command("reindex-search")
    def reindex_search() -> None:
        """Rebuild the search index from the listings and organisations (after a bulk load, or
        nightly so certifications that lapsed stop counting as filters)."""
        from marketplace.services import search

        for kind, count in search.reindex_all().items():
            click.echo(f"{kind}: {count}")

    @app.cli.command("create-admin")
    @click.argument("email")
    @click.password_option()
    def create_admin(email: str, password: str) -> None:
        """Create (or promote) a platform admin."""
        from marketplace.services import accounts

        user = accounts.create_user(email, password, admin=True)
        click.echo(f"admin {user.email} ready")

    @app.cli.command("create-token")
    @click.argument("email")
    @click.option("--name", default="cli", help="A label for the token.")
    def create_token(email: str, name: str) -> None:
        """Create an API bearer token for a user and print it once."""
        from marketplace.services import accounts

        user = accounts.find_by_email(email)
        if user is None:
            raise click.ClickException(f"no user {email}")
        click.echo(accounts.create_token(user, name))

    @app.cli.command("recompute")
    @click.option("--contract", "contract_id", type=int, help="Only this contract.")
    def recompute(contract_id: int | None) -> None:
        """Recompute fulfilment now (all contracts, set-based, or one)."""
        from marketplace import clock
        from marketplace.services import fulfilment

        if contract_id:
            click.echo(fulfilment.recompute_contract(contract_id, clock.today()))
        else:
            click.echo(fulfilment.recompute_all(clock.today()))

    @app.cli.command("run-daily")
    def run_daily() -> None:
        """The daily jobs, for embedded mode without a worker (call it from cron)."""
        from marketplace.services.jobs import (
            cleanup_pending_uploads,
            cleanup_report_files,
            listing_expiry_sweep,
            membership_dunning,
            membership_renewals,
            nightly_recompute,
            nightly_reindex_search,
            pso_expiry_sweep,
            purge_job_records,
            realisation_digest,
            realisation_reminders,
            retention_sweep,
            saved_search_digest,
            stripe_reconcile,
        )

        daily = (
            nightly_recompute,
            membership_renewals,
            membership_dunning,
            retention_sweep,
            purge_job_records,
            pso_expiry_sweep,
            realisation_reminders,
            listing_expiry_sweep,
            nightly_reindex_search,
            saved_search_digest,
            realisation_digest,
            cleanup_report_files,
            cleanup_pending_uploads,
            stripe_reconcile,
        )
        for job in daily:
            job()
            click.echo(f"{job.__name__}: done")

    @app.cli.command("run-jobs")
    def run_jobs() -> None:
        """Run outbox rows left pending (embedded mode without a worker)."""
        from marketplace.services import outbox

        click.echo(f"ran {outbox.retry_pending()} pending jobs")
        db.session.remove()
