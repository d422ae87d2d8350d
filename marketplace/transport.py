"""How the app sits behind HTTPS and proxies: cookie flags, HSTS and the trusted proxy headers.

All of it follows configuration, so that one image runs on a laptop (http, no proxy) and in
production (https behind a load balancer) without code changes."""

from __future__ import annotations

from flask import Flask, Response
from werkzeug.middleware.proxy_fix import ProxyFix


def register(app: Flask) -> None:
    """Secure cookies and HSTS when the configured scheme is https; ProxyFix by setting."""
    cfg = app.config
    if cfg["PREFERRED_URL_SCHEME"] == "https":
        cfg["SESSION_COOKIE_SECURE"] = True
        cfg["REMEMBER_COOKIE_SECURE"] = True

        @app.after_request
        def strict_transport_security(response: Response) -> Response:
            response.headers.setdefault(
                "Strict-Transport-Security", f"max-age={cfg['HSTS_MAX_AGE_SECONDS']}"
            )
            return response

    hops = {
        "x_for": cfg["PROXY_FIX_X_FOR"],
        "x_proto": cfg["PROXY_FIX_X_PROTO"],
        "x_host": cfg["PROXY_FIX_X_HOST"],
    }
    # Only the proxies we are told about are trusted: without one, a client could set
    # X-Forwarded-For itself and pick the address its login attempts are counted under.
    if any(hops.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **hops)  # type: ignore[method-assign]
