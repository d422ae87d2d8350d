"""Sociaal Rendement: the app factory, the only place that wires the application."""

from __future__ import annotations

from typing import Any

from flask import Flask

from marketplace.config import INSTANCE_DIR, Config
from marketplace.observability import configure_logging
from marketplace.production import refuse_unsafe


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    app.config.from_object(Config)
    if config:
        app.config.update(config)
    refuse_unsafe(app.config)
    app.config["JOBS_MODE"] = app.config.get("JOBS_MODE") or (
        "rq" if app.config.get("REDIS_URL") else "inline"
    )
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    register_observability(app)
    register_transport(app)
    register_extensions(app)
    register_input_boundary(app)
    register_jobs(app)
    register_links(app)
    register_blueprints(app)
    register_page_context(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    configure_logging(app)
    return app


def register_observability(app: Flask) -> None:
    """Request ids and the log line per request (marketplace/observability.py), first of all."""
    from marketplace.observability import register

    register(app)


def register_transport(app: Flask) -> None:
    from marketplace.transport import register

    register(app)


def register_extensions(app: Flask) -> None:
    from marketplace import models  # noqa: F401  (registers the tables)
    from marketplace.extensions import babel, csrf, db, limiter, login_manager, migrate
    from marketplace.i18n import select_locale
    from marketplace.models.search import described_by_models

    db.init_app(app)
    migrate.init_app(app, db, include_object=described_by_models)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)


def register_input_boundary(app: Flask) -> None:
    """Bounded `<int:...>` ids in every route, and no NUL byte or lone surrogate in any text
    (blueprints/boundary.py); before the blueprints, whose routes use the converter."""
    from marketplace.blueprints.boundary import register

    register(app)


def register_jobs(app: Flask) -> None:
    from marketplace.services import jobs

    jobs.init_app(app)


def register_links(app: Flask) -> None:
    from marketplace import links
    from marketplace.blueprints.links import external_url

    links.init_app(app, external_url)


def register_blueprints(app: Flask) -> None:
    from marketplace.blueprints.account.routes import bp as account_bp
    from marketplace.blueprints.admin.routes import bp as admin_bp
    from marketplace.blueprints.api import register_api
    from marketplace.blueprints.auth.routes import bp as auth_bp
    from marketplace.blueprints.calculator.routes import bp as calculator_bp
    from marketplace.blueprints.contractor.routes import bp as contractor_bp
    from marketplace.blueprints.contracts.routes import bp as contracts_bp
    from marketplace.blueprints.health import bp as health_bp
    from marketplace.blueprints.main.routes import bp as main_bp
    from marketplace.blueprints.market import reports as market_reports  # noqa: F401 (its routes)
    from marketplace.blueprints.market import search as market_search  # noqa: F401 (its routes)
    from marketplace.blueprints.market.deals import bp as deals_bp
    from marketplace.blueprints.market.routes import bp as market_bp
    from marketplace.blueprints.networks.routes import bp as networks_bp
    from marketplace.blueprints.notifications.routes import bp as notifications_bp
    from marketplace.blueprints.officer.routes import bp as officer_bp
    from marketplace.blueprints.orgs.routes import bp as orgs_bp
    from marketplace.blueprints.reports.routes import bp as reports_bp
    from marketplace.blueprints.webhooks.routes import bp as webhooks_bp
    from marketplace.extensions import csrf

    for blueprint in (
        health_bp,
        main_bp,
        auth_bp,
        orgs_bp,
        admin_bp,
        calculator_bp,
        officer_bp,
        contracts_bp,
        contractor_bp,
        reports_bp,
        market_bp,
        deals_bp,
        networks_bp,
        notifications_bp,
        webhooks_bp,
        account_bp,
    ):
        app.register_blueprint(blueprint)
    csrf.exempt(webhooks_bp)  # Stripe signs its webhooks; it cannot send our CSRF token
    register_api(app)


def register_page_context(app: Flask) -> None:
    """What every page knows: the user's organisations and the selected one before the route
    runs, the nav's count when a template renders (blueprints/layout.py)."""
    from marketplace.blueprints.layout import load_current_org, nav_counts

    app.before_request(load_current_org)
    app.context_processor(nav_counts)


def register_errorhandlers(app: Flask) -> None:
    from marketplace.blueprints.errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from marketplace.blueprints.contracts.display import display_helpers
    from marketplace.blueprints.market.deals import deal_helpers
    from marketplace.blueprints.market.routes import listing_helpers
    from marketplace.blueprints.pagination import page_url
    from marketplace.services.charts import summary
    from marketplace.templating import register

    register(
        app,
        page_url=page_url,
        chart_summary=summary,
        **display_helpers(),
        **listing_helpers(),
        **deal_helpers(),
    )


def register_commands(app: Flask) -> None:
    from marketplace.cli import register

    register(app)
