"""One home for labels and messages: every code the domain knows has its words in
marketplace/labels.py, in Dutch and English, and no other module keeps a list of them."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest
from flask_babel import force_locale

from marketplace import labels
from marketplace.domain import invoicing, membership, numbers, obligation, valuation
from marketplace.domain.fulfilment import STATUSES
from marketplace.domain.inputs import field_names
from marketplace.models.billing import INVOICE_STATUSES, PLAN_SIZE_BANDS
from marketplace.models.sroi import REALISATION_STATES
from marketplace.services.contracts import CONTRACTOR_KINDS

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "marketplace"
# Kinds of organisation and of authority: the forms offer exactly the ones labels.py words.
ORG_KINDS = (*CONTRACTOR_KINDS, "authority", "network")
AUTHORITY_TYPES = ("gemeente", "provincie", "rijk", "waterschap")

# Each enumeration of codes, with the labels.py function that words it.
ENUMERATIONS = {
    "units": (valuation.UNITS, labels.unit_labels),
    "unit descriptions": (valuation.UNITS, labels.unit_descriptions),
    "PSO levels": (obligation.PSO_LEVELS, labels.pso_level_labels),
    "certifications": (valuation.CERTIFICATIONS, labels.certification_labels),
    "bonuses": (valuation.BONUS_ATTRIBUTES, labels.bonus_labels),
    "value-table fields": (("label", *field_names(valuation.Block)), labels.block_field_labels),
    "fulfilment statuses": (STATUSES, labels.status_labels),
    "obligation statuses": (("due", "not_applicable", "exempt"), labels.obligation_labels),
    "realisation states": (REALISATION_STATES, labels.state_labels),
    "organisation kinds": (ORG_KINDS, labels.org_kind_labels),
    "authority types": (AUTHORITY_TYPES, labels.authority_type_labels),
    "membership states": (membership.STATUSES, labels.membership_status_labels),
    "invoice states": (INVOICE_STATUSES, labels.invoice_status_labels),
    "billing rules": (invoicing.BILLING_RULES, labels.billing_rule_labels),
    "plan size bands": (PLAN_SIZE_BANDS, labels.size_band_labels),
    "error codes": (
        valuation.ERROR_CODES + obligation.ERROR_CODES + numbers.ERROR_CODES,
        labels.error_messages,
    ),
}


@pytest.mark.parametrize("locale", ["nl", "en"])
@pytest.mark.parametrize("name", sorted(ENUMERATIONS))
def test_every_code_has_a_label_in_both_languages(app, name, locale):
    codes, words = ENUMERATIONS[name]
    with app.test_request_context(), force_locale(locale):
        wording = words()
    missing = [code for code in codes if not str(wording.get(code, "")).strip()]
    assert not missing, f"{name} without a {locale} label: {missing}"
    assert set(wording) <= set(codes), f"{name} labelled but unknown: {set(wording) - set(codes)}"


def test_dutch_labels_come_from_the_catalogue(app):
    with app.test_request_context(), force_locale("nl"):
        assert labels.unit_label("fixed") == "per keer"
        assert labels.status_label("at_risk") == "risico"
        assert labels.error_message("end_before_start") == "De einddatum ligt vóór de begindatum."
    with app.test_request_context(), force_locale("en"):
        assert labels.unit_label("fixed") == "per occurrence"
        assert labels.error_message("end_before_start") == "The end date is before the start date."


# --- no other home ------------------------------------------------------------------------------

GETTEXT = {"_", "_l", "gettext", "lazy_gettext", "ngettext"}
# `{"code": _(`  or  `("code", _(` (a choice; not a call such as `badge("code", _(`).
LABELLED_IN_TEMPLATE = re.compile(
    r"""(?:['"]([a-z0-9_]+)['"]\s*:|(?<![\w.])\(\s*['"]([a-z0-9_]+)['"]\s*,)\s*_\("""
)


def _is_words(node: ast.expr) -> bool:
    """Text for people, literal or through gettext: what a label mapping maps its codes to (an
    identifier such as "pso_trede_1" is a name for code, not words)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and not re.fullmatch(r"[a-z0-9_]*", node.value)
    return isinstance(node, ast.Call) and getattr(node.func, "id", None) in GETTEXT


def _labelled_codes(tree: ast.AST) -> list[tuple[int, set[str]]]:
    """(line, codes) of each mapping of string codes to words: a dict such as
    `{"fte_year": _("per FTE-year"), ...}` or choices `[("contractor", _l("...")), ...]`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            pairs = [(k, v) for k, v in zip(node.keys, node.values, strict=True) if k is not None]
        elif isinstance(node, ast.List | ast.Tuple):
            pairs = [
                (e.elts[0], e.elts[1])
                for e in node.elts
                if isinstance(e, ast.Tuple) and len(e.elts) == 2
            ]
        else:
            continue
        codes = {
            k.value
            for k, v in pairs
            if isinstance(k, ast.Constant) and isinstance(k.value, str) and _is_words(v)
        }
        if codes:
            found.append((node.lineno, codes))
    return found


def _label_lists(codes: set[str]) -> list[str]:
    """The enumerations of which `codes` word two or more: one code alone is a word that
    happens to be a code too (a chart's "approved" line), two make a label list."""
    return [
        name
        for name, (enumeration, _words) in ENUMERATIONS.items()
        if len(codes & set(enumeration)) >= 2
    ]


def test_no_module_but_labels_words_the_domains_codes():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "labels.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, codes in _labelled_codes(tree):
            offenders += [f"{path.relative_to(ROOT)}:{line} {name}" for name in _label_lists(codes)]
    for path in sorted((PACKAGE / "templates").rglob("*.html")):
        matches = LABELLED_IN_TEMPLATE.findall(path.read_text(encoding="utf-8"))
        codes = {a or b for a, b in matches}
        offenders += [f"{path.relative_to(ROOT)} {name}" for name in _label_lists(codes)]
    assert not offenders, "label lists outside marketplace/labels.py:\n" + "\n".join(offenders)


def test_the_check_finds_a_label_list():
    """The check above would see each kind of label list if one came back."""
    mapping = ast.parse('UNITS = {"fte_year": _l("per FTE-year"), "month": "per maand"}')
    assert [codes for _line, codes in _labelled_codes(mapping)] == [{"fte_year", "month"}]
    choices = ast.parse('KINDS = [("contractor", _l("Contractor")), ("network", _l("Network"))]')
    assert _label_lists(_labelled_codes(choices)[0][1]) == ["organisation kinds"]
    template = "{'on_track': _('on track'), 'at_risk': _('at risk')} badge('rejected', _('no'))"
    assert LABELLED_IN_TEMPLATE.findall(template) == [("on_track", ""), ("at_risk", "")]


def test_the_domain_keeps_no_sentences():
    """No message tables in the domain: it raises codes and parameters."""
    for path in sorted((PACKAGE / "domain").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {
            target.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign | ast.AnnAssign)
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name)
        }
        assert not {n for n in names if "MESSAGES" in n or n.endswith("_LABELS")}, path.name


# --- the explanation of an obligation -----------------------------------------------------------

POLICY = obligation.Policy(
    threshold_cents=25_000_000,
    min_duration_months=6,
    percentage_bp=500,
    low_labour_share_bp=3000,
    low_labour_percentage_bp=200,
    cap_cents=None,
    pso_remaining_bp={"trede_1": 5000, "trede_2": 0, "trede_3": 0},
)


def _words(app, locale: str, steps) -> list[str]:
    with app.test_request_context(), force_locale(locale):
        return labels.obligation_steps(steps)


# Each step as docs/domain.md and the pages have always shown it in Dutch, and in English.
STEPS = [
    (
        (
            "percentage",
            {"percentage_bp": 500, "value_cents": 120_000_000, "amount_cents": 6_000_000},
        ),
        "5% van € 1.200.000,00 = € 60.000,00",
        "5% of €1,200,000.00 = €60,000.00",
    ),
    (
        ("pso_discount", {"level": "trede_1", "remaining_bp": 5000, "amount_cents": 3_000_000}),
        "PSO trede 1: 50% → € 30.000,00",
        "PSO trede 1: 50% → €30,000.00",
    ),
    (
        ("pso_exempt", {"level": "trede_2", "remaining_bp": 0, "amount_cents": 0}),
        "PSO trede 2: 0% → € 0,00 (vrijgesteld)",
        "PSO trede 2: 0% → €0.00 (exempt)",
    ),
    (
        ("below_threshold", {"value_cents": 24_999_999, "threshold_cents": 25_000_000}),
        "Contractwaarde € 249.999,99 ligt onder de drempel van € 250.000,00",
        "Contract value €249,999.99 is below the threshold of €250,000.00",
    ),
    (
        ("too_short", {"months": 6}),
        "Looptijd korter dan 6 maanden",
        "Duration shorter than 6 months",
    ),
    (("too_short", {"months": 1}), "Looptijd korter dan 1 maand", "Duration shorter than 1 month"),
    (
        (
            "low_labour_share",
            {
                "labour_share_bp": 2000,
                "low_labour_share_bp": 3000,
                "percentage_bp": 200,
                "normal_percentage_bp": 500,
            },
        ),
        "Arbeidsaandeel 20% ligt onder 30%: 2% in plaats van 5%",
        "Labour share 20% is below 30%: 2% instead of 5%",
    ),
    (
        ("capped", {"cap_cents": 5_000_000}),
        "Begrensd op het maximum van € 50.000,00",
        "Capped at the maximum of €50,000.00",
    ),
    (
        ("pso_validity_unknown", {"level": "pso_30_plus"}),
        "PSO 30+ telt niet: geldigheidsdatum onbekend",
        "PSO 30+ does not count: validity date unknown",
    ),
    (
        (
            "pso_expired",
            {"level": "trede_1", "valid_until": "2026-01-31", "award_date": "2026-02-01"},
        ),
        "PSO trede 1 telt niet: certificaat geldig tot 31 januari 2026, "
        "vóór de gunningsdatum 1 februari 2026",
        "PSO trede 1 does not count: certificate valid until 31 January 2026, "
        "before the award date 1 February 2026",
    ),
]


@pytest.mark.parametrize(("step", "dutch", "english"), STEPS)
def test_each_step_reads_in_dutch_and_english(app, step, dutch, english):
    assert _words(app, "nl", [step]) == [dutch]
    assert _words(app, "en", [step]) == [english]


def test_every_step_code_is_worded():
    assert {step[0] for step, _nl, _en in STEPS} == set(obligation.STEP_CODES)


def test_explanation_joins_the_steps_and_keeps_plain_spaces(app):
    terms = obligation.ContractTerms(
        value_cents=120_000_000,
        award_date=date(2026, 2, 1),
        start=date(2026, 3, 1),
        end=date(2028, 2, 29),
        pso_level="trede_1",
        pso_valid_until=date(2027, 1, 31),
    )
    steps = obligation.obligation_for(terms, POLICY).steps
    with app.test_request_context(), force_locale("nl"):
        text = labels.obligation_explanation(steps)
    assert text == "5% van € 1.200.000,00 = € 60.000,00; PSO trede 1: 50% → € 30.000,00"
    assert "\xa0" not in text
