"""`/healthz` and `/readyz` for the load balancer and the process manager, both JSON.

`/healthz` says the process is up and serving (nothing else: a restart does not fix a database
outage, so liveness must not depend on one). `/readyz` says whether to send it traffic: 200 when
every check of `services/readiness.py` passes, 503 with each check's result otherwise. Neither
needs a login, a CSRF token (GET only) or counts towards a rate limit: probes come every few
seconds from the same addresses."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from marketplace.extensions import limiter
from marketplace.services import readiness

bp = Blueprint("health", __name__)


def _uncached(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/healthz")
@limiter.exempt
def healthz() -> Response:
    return _uncached(jsonify(status="ok"))


@bp.route("/readyz")
@limiter.exempt
def readyz() -> tuple[Response, int]:
    ready, checks = readiness.check()
    body = jsonify(status="ready" if ready else "not ready", checks=checks)
    return _uncached(body), 200 if ready else 503
