"""Marketplace listings: who may post which side, the status a listing may move to, who sees it,
and when it expires (docs/domain.md, "The marketplace" and "Listings").

A listing is a demand (vraag) or an offering (aanbod). Its life:

    draft ──publish──► open ◄──resume── paused
                        │ ──pause──────►  │
                        │                 │
        in_conversation ◄─ (a proposal) ──┘ (deals move open → in_conversation → matched)
                        │
    open / paused / in_conversation ──close──► closed ──reopen──► open
    open / paused ──expire (daily job)──► expired ──reopen──► open

Choices where the rules leave room:
- Only a verified organisation puts a listing in the open (publish, resume, reopen): an
  unverified one can write drafts, which nobody else sees.
- Drafts and paused listings are seen by the poster's members only; every other status is public,
  so a closed or matched listing linked from a deal still shows what was asked or offered.
- A listing expires on the day after `expires_on` (it is still open on that day itself, like a
  PSO certificate's `valid_until`); the owner is told once, from 7 days before.
- A matched listing is history of a deal and is not edited; every other status may be edited.
- Only demand can be network-only (docs/domain.md lists visibility under demand; an offering
  is there to be found). A network-only listing is seen by its poster's members and by those
  of organisations with member features in that network, and by the network's own people; its
  status rules apply on top, as for a public one.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

__all__ = [
    "ACTIONS",
    "EXPIRY_NOTICE_DAYS",
    "NETWORK_KINDS",
    "POSTER_KINDS",
    "PRIVATE_STATUSES",
    "STATUSES",
    "TransitionRefused",
    "action_towards",
    "allowed_actions",
    "can_edit",
    "expiry_notice_due",
    "is_expired",
    "is_public",
    "may_see",
    "transition",
]

STATUSES = ("draft", "open", "paused", "in_conversation", "matched", "closed", "expired")
PRIVATE_STATUSES = frozenset({"draft", "paused"})
EXPIRY_NOTICE_DAYS = 7
# The sides that may be posted for one network's members only.
NETWORK_KINDS = frozenset({"demand"})

# Which organisation kinds post which side (docs/domain.md "The marketplace"): anyone may ask
# (a social enterprise or werkbedrijf holding a contract has an SROI obligation too), only social
# enterprises and werkbedrijven offer.
POSTER_KINDS: dict[str, frozenset[str]] = {
    "demand": frozenset({"contractor", "social_enterprise", "werkbedrijf", "authority", "network"}),
    "offering": frozenset({"social_enterprise", "werkbedrijf"}),
}


@dataclass(frozen=True)
class _Move:
    sources: frozenset[str]
    target: str
    needs_verified: bool
    by_owner: bool


# action -> where it may start, where it ends, whether the poster must be verified, and whether
# the owner asks for it (the others are done by the daily job or by proposals and deals).
ACTIONS: dict[str, _Move] = {
    "publish": _Move(frozenset({"draft"}), "open", True, True),
    "pause": _Move(frozenset({"open"}), "paused", False, True),
    "resume": _Move(frozenset({"paused"}), "open", True, True),
    "close": _Move(frozenset({"open", "paused", "in_conversation"}), "closed", False, True),
    "reopen": _Move(frozenset({"closed", "expired"}), "open", True, True),
    "expire": _Move(frozenset({"open", "paused"}), "expired", False, False),
    "start_conversation": _Move(frozenset({"open"}), "in_conversation", False, False),
    "match": _Move(frozenset({"in_conversation"}), "matched", False, False),
}


class TransitionRefused(ValueError):
    """A move the rules do not allow. `code` says why: "not_allowed" (not from this status),
    "unverified" (only a verified organisation may put a listing in the open)."""

    def __init__(self, action: str, status: str, code: str):
        super().__init__(f"{action} from {status}: {code}")
        self.action = action
        self.status = status
        self.code = code


def transition(status: str, action: str, *, verified: bool) -> str:
    """The status after `action`, or TransitionRefused. `verified`: the poster is verified."""
    move = ACTIONS.get(action)
    if move is None or status not in move.sources:
        raise TransitionRefused(action, status, "not_allowed")
    if move.needs_verified and not verified:
        raise TransitionRefused(action, status, "unverified")
    return move.target


def allowed_actions(status: str, *, verified: bool) -> tuple[str, ...]:
    """The owner's actions from `status`, in the order of ACTIONS (for buttons and the API)."""
    return tuple(
        name
        for name, move in ACTIONS.items()
        if move.by_owner and status in move.sources and (verified or not move.needs_verified)
    )


def action_towards(status: str, target: str) -> str | None:
    """The owner's move from `status` that ends in `target` (an API client asks for a status,
    not a move), or None when no move of the owner leads there."""
    for name, move in ACTIONS.items():
        if move.by_owner and status in move.sources and move.target == target:
            return name
    return None


def is_public(status: str) -> bool:
    """Whether anyone may see a listing in this status; otherwise only the poster's members."""
    return status not in PRIVATE_STATUSES


def may_see(status: str, network_id: int | None, *, own: bool, networks: Collection[int]) -> bool:
    """Whether a viewer sees a listing: the poster's members (`own`) always; others a public
    status, and for a network-only listing only when `networks` (where the viewer's
    organisations have member features, or are the network) holds its network."""
    if own:
        return True
    return is_public(status) and (network_id is None or network_id in networks)


def can_edit(status: str) -> bool:
    """A matched listing belongs to its deal and stays as agreed; the others may be edited."""
    return status != "matched"


def is_expired(expires_on: date | None, today: date) -> bool:
    """Past its last day: `expires_on` itself is still a day the listing is open."""
    return expires_on is not None and expires_on < today


def expiry_notice_due(
    expires_on: date | None, today: date, *, status: str, already_sent: bool
) -> bool:
    """Whether to tell the owner now that the listing expires soon: once, from
    EXPIRY_NOTICE_DAYS days before `expires_on` up to that day, while it could still expire."""
    if already_sent or expires_on is None or status not in ACTIONS["expire"].sources:
        return False
    return 0 <= (expires_on - today).days <= EXPIRY_NOTICE_DAYS
