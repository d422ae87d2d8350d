"""Every label and message the domain's codes are shown with, in the user's language.

The domain speaks in codes (units, PSO levels, statuses, error codes, the steps of an obligation's
explanation) and parameters, never in sentences; pages, forms, exports, PDFs, mails and the API
turn them into words here, through the Babel catalogues. So there is one label per code, and a
Dutch page and an English page show the same code the same way. Functions, not constants: gettext
runs per call, in the request's language (Dutch in jobs and the CLI).

`tests/unit/test_labels.py` checks that every code of the domain's enumerations has a label here
and that no other module keeps a list of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from babel.dates import format_date
from flask_babel import LazyString, format_decimal, get_locale, ngettext
from flask_babel import gettext as _

from marketplace.domain.money import format_eur, percent_from_bp
from marketplace.domain.taxonomy import SECTORS

# The labels of each `*_labels` function per language, worded once per process: a list page
# asks for a label per row, and wording the whole set anew each time was most of its cost.
_WORDED: dict[tuple[Callable[[], Mapping[str, str]], str], Mapping[str, str]] = {}


def _pick(labels: Callable[[], Mapping[str, str]] | Mapping[str, str], code: str | None) -> str:
    """A code's label from the set `labels` words (or from a set already worded), in the
    current language; a code with none shows as itself rather than failing a page."""
    if code is None:
        return ""
    if isinstance(labels, Mapping):
        return labels.get(code, code)
    key = (labels, str(get_locale()))
    worded = _WORDED.get(key)
    if worded is None:
        worded = _WORDED[key] = labels()
    return worded.get(code, code)


def choices(codes: Iterable[str], labels: Mapping[str, str]) -> list[tuple[str, str]]:
    """Form options in the domain's own order, each with its label."""
    return [(code, labels[code]) for code in codes]


# --- realisations and obligations ---------------------------------------------------------------


def state_labels() -> dict[str, str]:
    """A realisation's states (docs/domain.md "Realisations, approval and no double counting")."""
    return {
        "draft": _("draft"),
        "submitted": _("submitted"),
        "approved": _("approved"),
        "rejected": _("rejected"),
        "questioned": _("more information asked"),
    }


def state_label(state: str) -> str:
    return _pick(state_labels, state)


def obligation_labels() -> dict[str, str]:
    """What the obligation rule decided for a contract (domain.obligation's `status`)."""
    return {
        "due": _("SROI applies"),
        "not_applicable": _("No SROI obligation"),
        "exempt": _("Exempt through PSO"),
    }


def obligation_label(status: str) -> str:
    return _pick(obligation_labels, status)


def status_labels() -> dict[str, str]:
    """A contract's fulfilment status (docs/domain.md "Fulfilment status"), with the obligation
    outcomes a contract's status can also hold."""
    return {
        "fulfilled": _("fulfilled"),
        "overdue": _("overdue"),
        "on_track": _("on track"),
        "at_risk": _("at risk"),
        "not_applicable": _("not applicable"),
        "exempt": _("exempt (PSO)"),
    }


def status_label(status: str) -> str:
    return _pick(status_labels, status)


# --- building blocks ----------------------------------------------------------------------------


def unit_labels() -> dict[str, str]:
    """A building block's unit (docs/domain.md "Building blocks"), short, as lists show it."""
    return {
        "fte_year": _("per FTE-year"),
        "month": _("per month"),
        "hour": _("per hour"),
        "invoice": _("purchase (invoice)"),
        "fixed": _("per occurrence"),
        "cost": _("costs incurred"),
    }


def unit_label(unit: str) -> str:
    return _pick(unit_labels, unit)


def block_field_labels() -> dict[str, str]:
    """The fields of a value-table row (domain/valuation.py `Block`, and its `label`), as the
    officer's editor, the table's columns and the CSV import's messages name them."""
    return {
        "code": _("Code"),
        "label": _("Description"),
        "unit": _("Unit"),
        "rate_cents": _("Rate in euros"),
        "min_hours_per_week": _("Minimum hours a week"),
        "max_days": _("Maximum days"),
        "bonuses": _("Bonuses"),
        "credit_bp_by_certification": _("Purchase credit per certification"),
    }


def block_field_label(name: str) -> str:
    return _pick(block_field_labels, name)


def unit_descriptions() -> dict[str, str]:
    """The units as the public calculator offers them: what each is for, to someone choosing."""
    return {
        "fte_year": _("Per FTE-year (a job or placement)"),
        "month": _("Per month (e.g. a work-experience place)"),
        "hour": _("Per hour (e.g. social activity)"),
        "invoice": _("Purchase from a social enterprise or werkbedrijf"),
        "fixed": _("Fixed amount per occurrence (e.g. a diploma)"),
        "cost": _("Costs incurred (training, supervision)"),
    }


def bonus_labels() -> dict[str, str]:
    """The candidate attributes that earn a bonus (docs/domain.md "Bonuses")."""
    return {
        "age_50_plus": _("Aged 50 or over"),
        "statushouder": _("Status holder (statushouder)"),
        "permanent_contract": _("Permanent contract"),
        "age_55_plus": _("Aged 55 or over"),
        "vso_pro_after_internship": _("Hired after an internship (vso/PrO pupil)"),
        "pro_after_internship": _("Hired after leaving PrO/vso, after an internship"),
        "disability_ips": _("Work disability (including IPS)"),
    }


def bonus_label(attribute: str) -> str:
    return _pick(bonus_labels, attribute)


def certification_labels() -> dict[str, str]:
    """A supplier's certification (docs/domain.md "Purchase credit by supplier certification")."""
    return {
        "code_sociale_ondernemingen": _("Listed in the Code Sociale Ondernemingen register"),
        "werkbedrijf": _("Werkbedrijf / SW-bedrijf"),
        "pso_30_plus": _("PSO 30+"),
        "social_enterprise_nl": _("Member of Social Enterprise NL"),
        "pso_trede_3": _("PSO trede 3"),
        "none": _("None of these"),
    }


def pso_level_labels() -> dict[str, str]:
    """The levels of the Prestatieladder Socialer Ondernemen (docs/domain.md "PSO"): Dutch
    names, kept as such in English too."""
    return {
        "aspirant": _("PSO aspirant"),
        "basistrede": _("PSO basistrede"),
        "trede_1": _("PSO trede 1"),
        "trede_2": _("PSO trede 2"),
        "trede_3": _("PSO trede 3"),
        "pso_30_plus": _("PSO 30+"),
    }


def pso_level_label(level: str | None) -> str:
    return _pick(pso_level_labels, level)


# --- organisations ------------------------------------------------------------------------------


def org_kind_labels() -> dict[str, str]:
    """What an organisation is (docs/domain.md "Who uses it")."""
    return {
        "contractor": _("Contractor (opdrachtnemer)"),
        "social_enterprise": _("Social enterprise"),
        "werkbedrijf": _("Werkbedrijf / SW-bedrijf"),
        "authority": _("Contracting authority"),
        "network": _("Employers' network"),
    }


def org_kind_label(kind: str) -> str:
    return _pick(org_kind_labels, kind)


def authority_type_labels() -> dict[str, str]:
    """The kind of government a contracting authority is."""
    return {
        "gemeente": _("Municipality (gemeente)"),
        "provincie": _("Province (provincie)"),
        "rijk": _("Central government (Rijk)"),
        "waterschap": _("Water authority (waterschap)"),
    }


# --- jobs ---------------------------------------------------------------------------------------


def job_labels() -> dict[str, str]:
    """The outbox jobs (services/jobs.py) as an admin reads them; unknown jobs show their name."""
    return {
        "send_mail": _("Send e-mail"),
        "password_reset_mail": _("Mail a password reset link"),
        "recompute_contract": _("Recompute a contract"),
        "nightly_recompute": _("Nightly recompute"),
        "pso_expiry_sweep": _("PSO expiry check"),
        "realisation_reminders": _("Realisation reminders"),
        "listing_expiry_sweep": _("Marketplace expiry check"),
        "nightly_reindex_search": _("Rebuild the search index"),
        "relay_outbox": _("Relay jobs to the queue"),
        "generate_report": _("Make a report file"),
        "cleanup_report_files": _("Remove expired report files"),
        "cleanup_pending_uploads": _("Remove evidence files chosen but never saved"),
        "notify_listing_matches": _("Tell the best matches of a new listing"),
        "saved_search_digest": _("Daily digest of saved searches"),
        "realisation_digest": _("Daily overview of submitted realisations"),
        "membership_dunning": _("Reminders and suspensions of unpaid memberships"),
        "apply_stripe_event": _("Apply a Stripe event"),
        "stripe_reconcile": _("Compare memberships with Stripe"),
        "membership_renewals": _("Membership renewals"),
        "retention_sweep": _("Delete candidate data and financial records past their term"),
        "purge_job_records": _("Delete finished jobs and sent-mail records past their term"),
    }


def job_label(name: str) -> str:
    return _pick(job_labels, name)


# --- memberships -------------------------------------------------------------------------------


def membership_status_labels() -> dict[str, str]:
    """A network membership's states (docs/domain.md "Membership states")."""
    return {
        "pending": _("pending"),
        "active": _("active"),
        "past_due": _("payment overdue"),
        "suspended": _("suspended"),
        "cancelled": _("cancelled"),
        "rejected": _("rejected"),
    }


def membership_status_label(status: str) -> str:
    return _pick(membership_status_labels, status)


def lazily(words: Callable[..., tuple[str, str]], *args: Any, **kwargs: Any) -> tuple[Any, Any]:
    """A (subject, body) function's result as two lazy texts, worded when each is read: a mail
    passed to services/notify.py is so written in each recipient's language."""
    return (
        LazyString(lambda: words(*args, **kwargs)[0]),
        LazyString(lambda: words(*args, **kwargs)[1]),
    )


def membership_notice(
    action: str, network: str, reason: str | None = None, *, until: date | None = None
) -> tuple[str, str]:
    """The subject and body of the mail a member gets when its membership of `network` moves by
    `action` (domain/membership.py ACTIONS); the reason, when one was given, is quoted, and a
    comp's last free day (`until`) is named."""
    notices = {
        "pay": (
            _("Your membership of %(network)s is active", network=network),
            _("%(network)s received your payment. Your membership is active.", network=network),
        ),
        "fall_due": (
            _("Your membership fee for %(network)s is overdue", network=network),
            _(
                "The invoice for your membership of %(network)s has not been paid by its due "
                "date. Pay the open invoice to keep your membership; you find it with the "
                "payment details on your membership page.",
                network=network,
            ),
        ),
        "suspend": (
            _("Your membership of %(network)s is suspended", network=network),
            _(
                "Your membership of %(network)s is suspended because its invoice is still "
                "unpaid 30 days after the due date. Member-only features are blocked until it "
                "is paid; pay the open invoice on your membership page to be active again.",
                network=network,
            ),
        ),
        "comp": (
            _("%(network)s gives you a free membership", network=network),
            _(
                "Your membership of %(network)s is active and free of charge until %(date)s.",
                network=network,
                date=_long_date(until.isoformat()),
            )
            if until
            else _("Your membership of %(network)s is active and free of charge.", network=network),
        ),
        "pause": (
            _("Your membership of %(network)s is paused", network=network),
            _(
                "%(network)s paused your membership. Member-only features are blocked until "
                "the network lets you back in.",
                network=network,
            ),
        ),
        "resume": (
            _("Your membership of %(network)s is active again", network=network),
            _("%(network)s let you back in: your membership is active again.", network=network),
        ),
        "cancel": (
            _("Your membership of %(network)s has ended", network=network),
            _("Your membership of %(network)s has been cancelled.", network=network),
        ),
        "reject": (
            _("Your application to %(network)s", network=network),
            _("%(network)s did not accept your application.", network=network),
        ),
    }
    subject, body = notices.get(
        action,
        (
            _("Your membership of %(network)s", network=network),
            _("Your membership of %(network)s changed.", network=network),
        ),
    )
    if reason:
        body = "\n\n".join((body, _("The reason: %(reason)s", reason=reason)))
    return subject, body


def membership_suspended_notice(member: str) -> tuple[str, str]:
    """The mail a network's admins get when the sweep suspends a member that did not pay."""
    return (
        _("%(member)s is suspended for non-payment", member=member),
        _(
            "The membership of %(member)s is suspended: its invoice is still unpaid 30 days "
            "after the due date. It becomes active again as soon as the invoice is paid.",
            member=member,
        ),
    )


def dunning_notice(step: str, params: Mapping[str, Any]) -> tuple[str, str]:
    """The subject and body of the mail of a dunning step of an unpaid invoice (domain/membership.py
    DUNNING_STEPS, or "manual" for the admin's reminder). `params`: network, number, total_cents,
    due and suspend_on (dates), iban, reference."""
    return dunning_notices(step)(params)


def _dunning_texts(step: str) -> tuple[str, str]:
    """The untranslated-parameter sentences (subject, body) of a dunning step's mail."""
    texts = {
        "reminder_before_due": (
            _("Invoice %(number)s from %(network)s is due on %(due)s"),
            _(
                "A reminder: invoice %(number)s of %(amount)s for your membership of "
                "%(network)s is due on %(due)s."
            ),
        ),
        "past_due": (
            _("Invoice %(number)s from %(network)s is overdue"),
            _(
                "Invoice %(number)s of %(amount)s for your membership of %(network)s was due "
                "on %(due)s and has not been paid, so your membership is now overdue. If it is "
                "still unpaid on %(suspend_on)s, your membership is suspended."
            ),
        ),
        "reminder_after_due": (
            _("Second reminder: invoice %(number)s from %(network)s"),
            _(
                "Invoice %(number)s of %(amount)s for your membership of %(network)s was due "
                "on %(due)s and is still unpaid. If it is still unpaid on %(suspend_on)s, your "
                "membership is suspended."
            ),
        ),
        "suspended": (
            _("Your membership of %(network)s is suspended"),
            _(
                "Your membership of %(network)s is suspended because invoice %(number)s of "
                "%(amount)s, due on %(due)s, is still unpaid. Member-only features are blocked "
                "until it is paid."
            ),
        ),
    }
    if step in texts:
        return texts[step]
    return (
        _("Reminder: invoice %(number)s from %(network)s"),
        _("%(network)s reminds you of invoice %(number)s of %(amount)s, due on %(due)s."),
    )


def dunning_notices(step: str) -> Callable[[Mapping[str, Any]], tuple[str, str]]:
    """A function wording the mail of `step` (see dunning_notice) for one invoice after another:
    the sentences are translated once, and each amount and date formatted once, because the
    sweep words thousands of mails that mostly share their due date and amount."""
    subject, body = _dunning_texts(step)
    pay = _(
        "Pay %(amount)s to %(iban)s with payment reference %(reference)s. You find the "
        "invoice on your membership page."
    )
    text = f"{body}\n\n{pay}"
    locale = _babel_locale()

    @cache
    def long_date(day: date) -> str:
        return format_date(day, format="long", locale=locale)

    @cache
    def eur(cents: int) -> str:
        return format_eur(cents)

    def word(params: Mapping[str, Any]) -> tuple[str, str]:
        words = {
            "network": params["network"],
            "number": params["number"],
            "amount": eur(params["total_cents"]),
            "due": long_date(params["due"]),
            "suspend_on": long_date(params["suspend_on"]),
            "iban": params["iban"],
            "reference": params["reference"],
        }
        return subject % words, text % words

    return word


def invoice_status_labels() -> dict[str, str]:
    """A membership invoice's states (docs/domain.md "Invoices")."""
    return {"open": _("open"), "paid": _("paid"), "credited": _("credited")}


def invoice_status_label(status: str) -> str:
    return _pick(invoice_status_labels, status)


def billing_rule_labels() -> dict[str, str]:
    """How a plan's periods run (docs/domain.md "Plans and periods")."""
    return {
        "yearly_from_join": _("Yearly from the join date"),
        "calendar_year_pro_rata": _("Per calendar year, the first year pro rata"),
    }


def billing_rule_label(rule: str) -> str:
    return _pick(billing_rule_labels, rule)


def size_band_labels() -> dict[str, str]:
    """The organisation sizes a plan is meant for, in employees."""
    return {
        "any": _("Any size"),
        "up_to_10": _("Up to 10 employees"),
        "10_to_50": _("10 to 50 employees"),
        "50_to_250": _("50 to 250 employees"),
        "250_plus": _("250 employees or more"),
    }


def size_band_label(band: str) -> str:
    return _pick(size_band_labels, band)


def vat_treatment_labels() -> dict[str, str]:
    """The VAT treatments a plan offers: a rate in basis points, or exempt with a reason."""
    return {
        "2100": _("21% VAT"),
        "900": _("9% VAT"),
        "0": _("0% VAT"),
        "exempt": _("Exempt from VAT"),
    }


# --- the marketplace ---------------------------------------------------------------------------


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
    return _pick(listing_status_labels, status)


def listing_type_labels() -> dict[str, str]:
    """What a listing asks or offers (docs/domain.md "The marketplace")."""
    return {
        "service": _("Service"),
        "product": _("Product"),
        "placement": _("Placement (work or learning place, secondment)"),
    }


def listing_type_label(type_: str) -> str:
    return _pick(listing_type_labels, type_)


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


def certification_label(code: str) -> str:
    return _pick(certification_labels, code)


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


# --- the domain's error codes -------------------------------------------------------------------


def error_messages() -> dict[str, str]:
    """The domain's error codes (`ValuationError`, `ObligationInputError`, `NumberError`): one
    sentence per code, whichever rule raised it."""
    return {
        "below_min_hours": _("The hours per week are below the minimum of this building block."),
        "missing_field": _("A required field is missing."),
        "end_before_start": _("The end date is before the start date."),
        "hours_out_of_range": _("The number of hours is out of range."),
        "negative_amount": _("An amount must not be negative."),
        "unknown_unit": _("The unit of this building block is unknown."),
        "unknown_certification": _("The supplier certification is unknown."),
        "too_many_decimals": _("Hours have at most two decimals."),
        "invalid_number": _("This is not a valid number."),
        "out_of_range": _("This number is out of range."),
        "quantity_out_of_range": _("The quantity must be a whole number of at least 1."),
        "invalid_block": _("The building block is not configured correctly."),
        "bp_out_of_range": _("A percentage must be between 0% and 100%."),
        "unknown_pso_level": _("The PSO level is unknown."),
    }


def error_message(code: str, params: Mapping[str, Any] | None = None) -> str:
    """The sentence for a domain error `code`, its `%(name)s` placeholders filled from `params`."""
    message = error_messages().get(code, _("The input cannot be processed."))
    return message % dict(params) if params and "%(" in message else message


# --- the explanation of an obligation -----------------------------------------------------------


def _babel_locale() -> str:
    return "nl_NL" if str(get_locale()) == "nl" else "en_GB"


def plain_eur(cents: int) -> str:
    """An amount in the current language, as plain text (a mail worded in its reader's language
    passes it lazily: `LazyString(plain_eur, cents)`)."""
    return _eur(cents)


def _eur(cents: int) -> str:
    # A plain space after the euro sign (Babel puts a no-break space there): the explanation is
    # plain text in JSON, CSV and e-mail too, and reads as in docs/domain.md ("€ 60.000,00").
    return format_eur(cents, _babel_locale()).replace("\xa0", " ")


def _long_date(iso: str) -> str:
    return format_date(date.fromisoformat(iso), format="long", locale=_babel_locale())


def obligation_step(code: str, params: Mapping[str, Any]) -> str:
    """One step of an obligation's explanation (domain.obligation's `steps`) as a sentence."""
    p = params
    level = pso_level_label(p.get("level"))
    if code == "below_threshold":
        return _(
            "Contract value %(value)s is below the threshold of %(threshold)s",
            value=_eur(p["value_cents"]),
            threshold=_eur(p["threshold_cents"]),
        )
    if code == "too_short":
        return ngettext(
            "Duration shorter than %(num)d month",
            "Duration shorter than %(num)d months",
            p["months"],
        )
    if code == "low_labour_share":
        return _(
            "Labour share %(share)s is below %(limit)s: %(pct)s instead of %(normal)s",
            share=percent_from_bp(p["labour_share_bp"]),
            limit=percent_from_bp(p["low_labour_share_bp"]),
            pct=percent_from_bp(p["percentage_bp"]),
            normal=percent_from_bp(p["normal_percentage_bp"]),
        )
    if code == "percentage":
        return _(
            "%(pct)s of %(value)s = %(amount)s",
            pct=percent_from_bp(p["percentage_bp"]),
            value=_eur(p["value_cents"]),
            amount=_eur(p["amount_cents"]),
        )
    if code == "capped":
        return _("Capped at the maximum of %(cap)s", cap=_eur(p["cap_cents"]))
    if code in ("pso_discount", "pso_exempt"):
        values = {
            "level": level,
            "pct": percent_from_bp(p["remaining_bp"]),
            "amount": _eur(p["amount_cents"]),
        }
        if code == "pso_exempt":
            return _("%(level)s: %(pct)s → %(amount)s (exempt)", **values)
        return _("%(level)s: %(pct)s → %(amount)s", **values)
    if code == "pso_validity_unknown":
        return _("%(level)s does not count: validity date unknown", level=level)
    if code == "pso_expired":
        return _(
            "%(level)s does not count: certificate valid until %(valid_until)s, "
            "before the award date %(award_date)s",
            level=level,
            valid_until=_long_date(p["valid_until"]),
            award_date=_long_date(p["award_date"]),
        )
    return code


def obligation_steps(steps: Iterable[Sequence[Any]] | None) -> list[str]:
    """Stored or computed steps, each a (code, params) pair, as sentences in order."""
    return [obligation_step(code, params) for code, params in steps or ()]


def obligation_explanation(steps: Iterable[Sequence[Any]] | None) -> str:
    """The steps as one line, joined by "; " as the API's `explanation` has always read."""
    return "; ".join(obligation_steps(steps))


# --- the explanation of a valuation -------------------------------------------------------------


def _number(value: str | int) -> str:
    """Hours ("15.5", as the domain keeps them exact) or days, the local way ("15,5", "1.097")."""
    return format_decimal(Decimal(value))


def valuation_step(code: str, params: Mapping[str, Any]) -> str:
    """One step of a valuation's explanation (domain.valuation's `steps`) as a sentence."""
    p = params
    # Every parameter a sentence may use, worded once; each sentence takes the ones it names.
    v = {
        "code": p.get("code", ""),
        "rate": _eur(p["rate_cents"]) if "rate_cents" in p else "",
        "amount": _eur(p["amount_cents"]) if "amount_cents" in p else "",
        "fte": p.get("fte_hours", ""),
        **{
            name: _number(p[name]) if name in p else ""
            for name in ("hours", "hours_per_week", "days", "counted_days", "quantity")
        },
    }
    if code == "hours":
        if p["hours"] == p["hours_per_week"]:
            return _("%(hours)s hours a week of a full-time week of %(fte)s hours", **v)
        return _("%(hours_per_week)s hours a week, of which %(fte)s count (a full-time week)", **v)
    if code == "period":
        v.update(start=_long_date(p["start"]), end=_long_date(p["end"]))
        if p["counted_days"] < p["days"]:
            return _(
                "%(start)s to %(end)s: %(days)s days, of which at most %(counted_days)s count", **v
            )
        if p["days"] == 1:
            return _("%(start)s to %(end)s: 1 day", **v)
        return _("%(start)s to %(end)s: %(days)s days", **v)
    if code == "fte_year_line":
        return _(
            "%(code)s: %(rate)s per FTE-year × %(hours)s/%(fte)s hours × %(days)s/365 days = "
            "%(amount)s",
            **v,
        )
    if code == "bonus_line":
        return _(
            "Bonus %(label)s: %(rate)s per FTE-year × %(hours)s/%(fte)s hours × "
            "%(days)s/365 days = %(amount)s",
            label=_pick(bonus_labels, p["code"]),
            **v,
        )
    if code == "month_line":
        return _("%(code)s: %(rate)s per month × %(days)s days × 12/365 = %(amount)s", **v)
    if code == "hour_line":
        return _("%(code)s: %(rate)s per hour × %(hours)s hours = %(amount)s", **v)
    if code == "fixed_line":
        return _("%(code)s: %(rate)s per occurrence × %(quantity)s = %(amount)s", **v)
    if code == "cost_line":
        return _("%(code)s: the costs incurred count in full: %(amount)s", **v)
    if code == "invoice_line":
        return _(
            "%(code)s: invoice %(invoice)s × %(credit)s (%(certification)s) = %(amount)s",
            invoice=_eur(p["invoice_cents"]),
            credit=percent_from_bp(p["credit_bp"]),
            certification=_pick(certification_labels, p["certification"]),
            **v,
        )
    if code == "total":
        return _("Total: %(amount)s", **v)
    return code


def valuation_steps(steps: Iterable[Sequence[Any]] | None) -> list[str]:
    """A valuation's steps, each a (code, params) pair, as sentences in order."""
    return [valuation_step(code, params) for code, params in steps or ()]


def valuation_explanation(steps: Iterable[Sequence[Any]] | None) -> str:
    """The steps as one line, joined by "; " like an obligation's `explanation` in the API."""
    return "; ".join(valuation_steps(steps))


def proposal_status_labels() -> dict[str, str]:
    """A proposal's statuses (services/proposals.py)."""
    return {
        "open": _("open"),
        "revision_requested": _("revision requested"),
        "accepted": _("accepted"),
        "declined": _("declined"),
        "withdrawn": _("withdrawn"),
    }


def proposal_status_label(status: str) -> str:
    return proposal_status_labels().get(status, status)


def deal_status_labels() -> dict[str, str]:
    """A deal's statuses (services/deals.py)."""
    return {"agreed": _("agreed"), "delivered": _("delivered")}


def deal_status_label(status: str) -> str:
    return deal_status_labels().get(status, status)


def notification_kind_labels() -> dict[str, str]:
    """The kinds of notification a user can turn off (services/notifications.py `KINDS`)."""
    return {
        "listing_match": _("A new listing matches your organisation"),
        "saved_search": _("New results for a saved search (daily)"),
        "proposal_received": _("A proposal on your demand"),
        "proposal_message": _("A message in a proposal's conversation"),
        "proposal_revision": _("A revised offer is asked for"),
        "proposal_accepted": _("Your proposal is accepted"),
        "proposal_declined": _("Your proposal is declined"),
        "proposal_withdrawn": _("A proposal on your demand is withdrawn"),
        "deal_update": _("News about a deal"),
        "listing_expiry": _("Your listing expires soon"),
        "realisation_submitted": _("A realisation is sent to your authority for a decision"),
        "realisation_decided": _("A decision on your realisations"),
    }


def notification_text(kind: str, params: Mapping[str, Any]) -> str:
    """One notification in words, from its kind and parameters; an unknown kind by its label
    or its code."""
    title = params.get("title", "")
    organisation = params.get("organisation", "")
    if kind == "listing_match":
        if params.get("kind") == "demand":
            return _(
                "New demand that fits you: %(title)s (%(organisation)s)",
                title=title,
                organisation=organisation,
            )
        return _(
            "New offering that fits you: %(title)s (%(organisation)s)",
            title=title,
            organisation=organisation,
        )
    if kind == "saved_search":
        count = int(params.get("count", 0))
        if params.get("query"):
            return ngettext(
                "%(num)d new result for your saved search “%(query)s”",
                "%(num)d new results for your saved search “%(query)s”",
                count,
                query=params["query"],
            )
        return ngettext(
            "%(num)d new result for your saved search",
            "%(num)d new results for your saved search",
            count,
        )
    if kind == "proposal_received" and params.get("revised"):
        return _("Revised proposal on %(title)s from %(organisation)s", **_named(params))
    if kind == "proposal_received":
        return _("New proposal on %(title)s from %(organisation)s", **_named(params))
    if kind == "proposal_withdrawn":
        return _("%(organisation)s withdrew its proposal on %(title)s", **_named(params))
    if kind == "proposal_message":
        return _("New message about %(title)s from %(organisation)s", **_named(params))
    if kind == "proposal_revision":
        return _("%(organisation)s asks for a revised offer on %(title)s", **_named(params))
    if kind == "proposal_accepted":
        return _("Your proposal on %(title)s is accepted", title=title)
    if kind == "proposal_declined":
        return _("Your proposal on %(title)s is declined", title=title)
    if kind == "deal_update":
        return _("News about the deal on %(title)s", title=title)
    if kind == "listing_expiry":
        return _(
            "Your listing %(title)s expires soon: open until %(date)s",
            title=title,
            date=_long_date(params.get("date", "")) if params.get("date") else "",
        )
    if kind == "realisation_submitted":
        return _realisation_submitted_text(params)
    if kind == "realisation_decided":
        return _realisation_decided_text(params)
    return notification_kind_labels().get(kind, kind)


def _realisation_submitted_text(params: Mapping[str, Any]) -> str:
    named = {
        "organisation": params.get("organisation", ""),
        "title": params.get("title", ""),
        "reference": params.get("reference", ""),
    }
    if params.get("again") == "rejected":
        return _(
            "%(organisation)s sent a corrected realisation on %(title)s (%(reference)s)", **named
        )
    if params.get("again") == "questioned":
        return _("%(organisation)s answered your question on %(title)s (%(reference)s)", **named)
    return _("%(organisation)s sent a realisation on %(title)s (%(reference)s)", **named)


def _realisation_decided_text(params: Mapping[str, Any]) -> str:
    count = int(params.get("count", 1))
    named = {"title": params.get("title", ""), "reference": params.get("reference", "")}
    if params.get("state") == "approved":
        return ngettext(
            "%(num)d realisation approved on %(title)s (%(reference)s)",
            "%(num)d realisations approved on %(title)s (%(reference)s)",
            count,
            **named,
        )
    if params.get("state") == "rejected":
        return ngettext(
            "%(num)d realisation rejected on %(title)s (%(reference)s)",
            "%(num)d realisations rejected on %(title)s (%(reference)s)",
            count,
            **named,
        )
    return ngettext(
        "A question about %(num)d realisation on %(title)s (%(reference)s)",
        "A question about %(num)d realisations on %(title)s (%(reference)s)",
        count,
        **named,
    )


def _named(params: Mapping[str, Any]) -> dict[str, str]:
    return {"title": params.get("title", ""), "organisation": params.get("organisation", "")}


def report_state_labels() -> dict[str, str]:
    """What became of a reported listing (models/trust.py)."""
    return {
        "open": _("open"),
        "dismissed": _("dismissed"),
        "listing_closed": _("listing closed"),
    }
