"""Labels of realisation states, obligation outcomes and jobs, in the user's language.

Pages, exports and PDF reports all show them, so they live here rather than in a blueprint (a
service must not import one) or in one service. Functions, not constants: gettext runs per call,
in the request's language.
"""

from __future__ import annotations

from flask_babel import gettext as _


def state_labels() -> dict[str, str]:
    """A realisation's states (docs/domain.md "Realisations")."""
    return {
        "draft": _("draft"),
        "submitted": _("submitted"),
        "approved": _("approved"),
        "rejected": _("rejected"),
    }


def state_label(state: str) -> str:
    return state_labels().get(state, state)


def obligation_labels() -> dict[str, str]:
    """What the obligation rule decided for a contract (domain.obligation's `status`)."""
    return {
        "due": _("SROI applies"),
        "not_applicable": _("No SROI obligation"),
        "exempt": _("Exempt through PSO"),
    }


def obligation_label(status: str) -> str:
    return obligation_labels().get(status, status)


def job_labels() -> dict[str, str]:
    """The outbox jobs (services/jobs.py) as an admin reads them; unknown jobs show their name."""
    return {
        "send_mail": _("Send e-mail"),
        "recompute_contract": _("Recompute a contract"),
        "nightly_recompute": _("Nightly recompute"),
        "pso_expiry_sweep": _("PSO expiry check"),
        "realisation_reminders": _("Realisation reminders"),
        "relay_outbox": _("Relay jobs to the queue"),
        "generate_report": _("Make a report file"),
        "cleanup_report_files": _("Remove expired report files"),
    }


def job_label(name: str) -> str:
    return job_labels().get(name, name)
