"""Fair use: each caller gets its plan's rate (anonymous, free and partner keys, staff),
counted in memory on the embedded default or in Redis when several processes or hosts
serve the API (TOURISM_RATELIMIT_STORAGE_URL). Answers carry X-RateLimit-Limit,
-Remaining and -Reset; an excess answers 429 with Retry-After, in the API's error shape."""

from __future__ import annotations

from ipaddress import ip_address, ip_network

from flask import Flask, g, render_template, request
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded

from ..config import Settings
from ..errors import DomainError
from .auth import caller
from .errors import error_response

# Monitoring and the documentation page are never limited.
UNLIMITED_PATHS = ("/health", "/docs")


def register(app: Flask, settings: Settings) -> Limiter:
    exempt_networks = [ip_network(n, strict=False) for n in settings.ratelimit_exempt]
    rates = {
        "anonymous": settings.rate_anonymous,
        "free": settings.rate_free,
        "partner": settings.rate_partner,
        "staff": settings.rate_staff,
    }

    def exempt() -> bool:
        if request.method == "OPTIONS" or request.path.startswith(UNLIMITED_PATHS):
            return True
        try:
            address = ip_address(request.remote_addr or "")
        except ValueError:
            return False
        return any(address in network for network in exempt_networks)

    def too_many(exc: RateLimitExceeded):
        if request.blueprint == "explore":
            # A tourist's form: a page in their language, not JSON.
            page = DomainError(_("Too many reports from here; please try again later."), status=429)
            return render_template("explore/error.html", error=page), 429
        plan = g.tourism_caller.plan if "tourism_caller" in g else "anonymous"
        advice = "; an API key gives a higher rate" if plan == "anonymous" else ""
        return error_response(
            429, f"Too many requests: the {plan} rate is {exc.limit.limit}{advice}.", {}
        )

    limiter = Limiter(
        key_func=lambda: caller().bucket,
        app=app,
        default_limits=[lambda: rates[caller().plan]],
        default_limits_exempt_when=exempt,
        storage_uri=settings.ratelimit_storage_url,
        headers_enabled=True,
        key_prefix=settings.ratelimit_prefix,
        # A counter store that is down must not take the API down with it.
        swallow_errors=True,
    )
    app.register_error_handler(RateLimitExceeded, too_many)
    iiif_view = "iiif.image_request"
    app.view_functions[iiif_view] = limiter.limit(
        settings.rate_iiif_render, exempt_when=exempt, scope="iiif-render"
    )(app.view_functions[iiif_view])
    # Per address, whatever key an app sends: a visitor's reports, not an app's traffic;
    # the API and the tourist app's form share one allowance.
    shared = limiter.shared_limit(
        settings.rate_reports,
        scope="reports",
        key_func=lambda: request.remote_addr or "",
        exempt_when=exempt,
    )
    for report_view in ("reports.report", "explore.report"):
        if report_view in app.view_functions:
            app.view_functions[report_view] = shared(app.view_functions[report_view])
    return limiter
