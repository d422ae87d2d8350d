"""The rules' inputs from values named like their fields (docs/domain.md "Policy fields",
"Building blocks" and "The calculator API").

A policy, a contract's terms, a building block and a realisation each have one definition: their
frozen dataclass in `obligation` or `valuation`. Whoever holds their values under those field
names builds them here instead of listing the fields again: the calculator page (its form's data),
the calculator API (its schemas' output), and the policy service (a stored version's columns).

Choices where docs/domain.md is silent:
- A name the dataclass does not have is ignored: a form also carries its CSRF token, a policy
  version its name and date, which the rules do not read.
- A None takes the field's default, so an absent value and a null one mean the same thing: the
  optional fields default to None, the mappings to an empty one, the attributes to none.
- Mappings are copied and attributes become a frozenset, so an input shares nothing mutable with
  the form, request or model it came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from marketplace.domain.obligation import ContractTerms, Policy
from marketplace.domain.valuation import Block, RealisationInput

__all__ = [
    "block_from",
    "field_names",
    "policy_from",
    "realisation_from",
    "terms_from",
]


def field_names(cls: type) -> tuple[str, ...]:
    """The field names of one of the rules' input dataclasses, in their declared order."""
    return tuple(f.name for f in fields(cls))


def policy_from(values: Mapping[str, Any]) -> Policy:
    """The obligation rules' Policy from values named like its fields."""
    return Policy(**_known(Policy, values))


def terms_from(values: Mapping[str, Any]) -> ContractTerms:
    """A contract's ContractTerms from values named like its fields."""
    return ContractTerms(**_known(ContractTerms, values))


def block_from(values: Mapping[str, Any]) -> Block:
    """The valuation rules' Block from values named like its fields."""
    return Block(**_known(Block, values))


def realisation_from(values: Mapping[str, Any]) -> RealisationInput:
    """A RealisationInput from values named like its fields; `attributes` any iterable of codes."""
    known = _known(RealisationInput, values)
    if "attributes" in known:
        known["attributes"] = frozenset(known["attributes"])
    return RealisationInput(**known)


def _known(cls: type, values: Mapping[str, Any]) -> dict[str, Any]:
    known = {}
    for name in field_names(cls):
        value = values.get(name)
        if value is not None:
            known[name] = dict(value) if isinstance(value, Mapping) else value
    return known
