"""Labels of realisation states, obligation outcomes and jobs, in the user's language.

Pages, exports and PDF reports all show them, so they live here rather than in a blueprint (a
service must not import one) or in one service. Functions, not constants: gettext runs per call,
in the request's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import gettext as _

from marketplace.domain.obligation import pso_level_label
from marketplace.domain.taxonomy import SECTORS


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
        "listing_expiry_sweep": _("Marketplace expiry check"),
        "relay_outbox": _("Relay jobs to the queue"),
        "generate_report": _("Make a report file"),
        "cleanup_report_files": _("Remove expired report files"),
    }


def job_label(name: str) -> str:
    return job_labels().get(name, name)


def listing_status_labels() -> dict[str, str]:
    """A marketplace listing's states (docs/domain.md "Listings")."""
    return {
        "draft": _("draft"),
        "open": _("open"),
        "paused": _("paused"),
        "in_conversation": _("in conversation"),
        "matched": _("matched"),
        "closed": _("closed"),
        "expired": _("expired"),
    }


def listing_status_label(status: str) -> str:
    return listing_status_labels().get(status, status)


def listing_type_labels() -> dict[str, str]:
    """What a listing asks or offers (docs/domain.md "The marketplace")."""
    return {
        "service": _("Service"),
        "product": _("Product"),
        "placement": _("Placement (work or learning place, secondment)"),
    }


def listing_type_label(type_: str) -> str:
    return listing_type_labels().get(type_, type_)


def listing_kind_label(kind: str) -> str:
    """Demand (vraag) or offering (aanbod)."""
    return {"demand": _("Demand"), "offering": _("Offering")}.get(kind, kind)


def region_label(region: str) -> str:
    """An arbeidsmarktregio by its own name; "national" in words."""
    return _("National") if region == "national" else region


def sector_label(sector: str) -> str:
    """A sector key of domain/taxonomy.py by its Dutch name (the taxonomy's labels are Dutch)."""
    return SECTORS.get(sector, sector)


def search_kind_label(kind: str) -> str:
    """What a search result is: demand, an offering or an organisation."""
    return _("Organisation") if kind == "organisation" else listing_kind_label(kind)


def certification_labels() -> dict[str, str]:
    """A supplier's purchase-credit certification, short (docs/domain.md "Purchase credit by
    supplier certification")."""
    return {
        "code_sociale_ondernemingen": _("Code Sociale Ondernemingen"),
        "werkbedrijf": _("Werkbedrijf / SW-bedrijf"),
        "pso_30_plus": pso_level_label("pso_30_plus"),
        "social_enterprise_nl": _("Social Enterprise NL member"),
        "pso_trede_3": pso_level_label("trede_3"),
        "none": _("no certification"),
    }


def certification_label(code: str) -> str:
    return certification_labels().get(code, code)


def match_reason_label(code: str, params: Mapping[str, str]) -> str:
    """Why a match scored (domain/matching.py's reason codes), e.g. "zelfde sector", "in jouw
    arbeidsmarktregio", "PSO trede 2", "capaciteit 3 fte past"; an unknown code shows as is."""
    if code == "same_sector":
        return _("same sector")
    if code == "same_type":
        return _("same type (%(type)s)", type=listing_type_label(params["type"]).lower())
    if code == "same_region":
        return _("in your labour-market region")
    if code == "national":
        return _("nationwide")
    if code == "same_province":
        return _("in your province (%(province)s)", province=params["province"])
    if code == "capacity_fits":
        fte = format_decimal(Decimal(params["fte"]), format="#,##0.##")
        return _("capacity %(fte)s fte fits", fte=fte)
    if code == "certified":
        return certification_label(params["certification"])
    if code == "pso_level":
        return pso_level_label(params["level"])
    if code == "recent":
        days = int(params["days"])
        if days <= 1:
            return _("new today") if days == 0 else _("new since yesterday")
        return _("new, %(days)s days ago", days=days)
    return code


def search_facet_labels() -> dict[str, str]:
    """The filters of the search page and the directory, by facet (services/search.py)."""
    return {
        "kind": _("What"),
        "sector": _("Sector"),
        "type": _("Type"),
        "region": _("Region"),
        "certification": _("Certification"),
        "pso": _("PSO level"),
    }


def search_sort_labels() -> dict[str, str]:
    return {
        "relevance": _("Best match"),
        "newest": _("Newest"),
        "closing": _("Closing soonest"),
        "name": _("Name"),
    }
