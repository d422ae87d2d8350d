"""Membership of a network: the states, the moves between them, what a state allows, and the
dunning schedule of an unpaid invoice, as pure functions of dates (docs/domain.md
"Memberships", "Membership states").

    pending ──accept──► pending (accepted, waiting for the first payment) ──pay──► active
    pending ──reject──► rejected
    active ──fall_due──► past_due ──suspend──► suspended
    past_due / suspended ──pay──► active
    pending / active / past_due / suspended ──comp──► active (free until comped_until)
    pending / active / past_due / suspended ──cancel──► cancelled
    active / past_due ──pause──► suspended ──resume──► active     (the network admin's own)

Choices where the rules are silent:
- An application is `pending` and stays `pending` after acceptance until its first invoice is
  paid; whether it was accepted is the decision recorded beside the status, not a status.
- A rejected application ends in its own state `rejected`, so a network's cancelled members are
  not mixed up with applicants it turned down.
- "At the due date" is read literally: the membership is `past_due` on the due date itself when
  the invoice is still unpaid that day (the daily sweep runs in the morning).
- After a sweep that did not run for a while, every state change that is due still happens,
  but a reminder overtaken by a later step is not sent any more (a member who is suspended gets
  the suspension notice, not also a reminder that payment is due soon).
- A comped membership is `active` and is not dunned while `comped_until` has not passed.
- A membership that had member features and lost them (suspended, cancelled, any later state
  without them) blocks its member with a message and a way to pay; an application that is
  still pending or was rejected never had them, so its organisation is simply not a member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "ACTIONS",
    "ADMIN_ACTIONS",
    "DUNNING_STEPS",
    "MEMBER_STATUSES",
    "STATUSES",
    "DunningStep",
    "TransitionRefused",
    "admin_actions",
    "dunning_due",
    "dunning_schedule",
    "has_member_features",
    "is_comped",
    "lost_member_features",
    "overdue_if_due_by",
    "transition",
]

STATUSES = ("pending", "active", "past_due", "suspended", "cancelled", "rejected")
# States in which member-only features work (docs/domain.md "Membership states").
MEMBER_STATUSES = frozenset({"active", "past_due"})

_OPEN = frozenset({"pending", "active", "past_due", "suspended"})
# States of an application that never gave member features.
_NEVER_MEMBER = frozenset({"pending", "rejected"})

# action -> (the states it may start from, the state it ends in)
ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "accept": (frozenset({"pending"}), "pending"),
    "reject": (frozenset({"pending"}), "rejected"),
    "pay": (frozenset({"pending", "active", "past_due", "suspended"}), "active"),
    "fall_due": (frozenset({"active"}), "past_due"),
    "suspend": (frozenset({"past_due"}), "suspended"),
    "comp": (_OPEN, "active"),
    "cancel": (_OPEN, "cancelled"),
    # The network admin's own moves (the dashboard): pause a member, whatever it paid, and
    # let a paused or suspended member back in without a payment.
    "pause": (frozenset({"active", "past_due"}), "suspended"),
    "resume": (frozenset({"suspended"}), "active"),
}


# What the network admin may do on a member's behalf (docs/domain.md "Membership states").
ADMIN_ACTIONS = ("comp", "pause", "resume", "cancel")


class TransitionRefused(ValueError):
    """A move the rules do not allow from this state."""

    def __init__(self, action: str, status: str):
        super().__init__(f"{action} from {status}: not allowed")
        self.action = action
        self.status = status


def transition(status: str, action: str) -> str:
    """The state after `action` from `status`, or TransitionRefused."""
    move = ACTIONS.get(action)
    if move is None or status not in move[0]:
        raise TransitionRefused(action, status)
    return move[1]


def admin_actions(status: str) -> tuple[str, ...]:
    """The admin's actions allowed from `status`, in ADMIN_ACTIONS' order."""
    return tuple(a for a in ADMIN_ACTIONS if status in ACTIONS[a][0])


def has_member_features(status: str) -> bool:
    """Whether member-only features work: while `active` or `past_due`."""
    return status in MEMBER_STATUSES


def lost_member_features(status: str) -> bool:
    """Whether the membership once gave member features and no longer does (suspended,
    cancelled): its member is told why and how to pay, rather than treated as a stranger."""
    return status not in MEMBER_STATUSES and status not in _NEVER_MEMBER


def is_comped(comped_until: date | None, today: date) -> bool:
    """A comped membership is free up to and including `comped_until`."""
    return comped_until is not None and today <= comped_until


@dataclass(frozen=True)
class DunningStep:
    """One step of the dunning of an unpaid invoice: `name`, the day counted from the due date,
    the membership state it moves to (None for a reminder alone), and whether it is a message
    that a later step makes pointless."""

    name: str
    days_after_due: int
    moves_to: str | None
    superseded_by_later: bool


# docs/domain.md "Membership states": remind 14 days before, past_due (with a reminder) at the due
# date, remind again 14 days after, suspended 30 days after.
DUNNING_STEPS = (
    DunningStep("reminder_before_due", -14, None, True),
    DunningStep("past_due", 0, "past_due", False),
    DunningStep("reminder_after_due", 14, None, True),
    DunningStep("suspended", 30, "suspended", False),
)


def dunning_schedule(due: date) -> tuple[tuple[date, DunningStep], ...]:
    """The day of each dunning step of an invoice due on `due`, in order."""
    return tuple((due + timedelta(days=step.days_after_due), step) for step in DUNNING_STEPS)


def dunning_due(
    due: date, today: date, *, done: frozenset[str], paid: bool, comped: bool = False
) -> tuple[DunningStep, ...]:
    """The dunning steps to take today for an invoice due on `due` (docs/domain.md "Membership
    states"): those whose day has come and that were not `done`, except reminders that a later
    step whose day has also come makes pointless. Nothing once paid, nothing while comped."""
    if paid or comped:
        return ()
    reached = [step for day, step in dunning_schedule(due) if day <= today]
    latest = reached[-1] if reached else None
    return tuple(
        step
        for step in reached
        if step.name not in done and (not step.superseded_by_later or step is latest)
    )


def overdue_if_due_by(today: date) -> date:
    """The latest due date of an unpaid invoice that counts as overdue today (the network
    dashboard's "overdue"): it is overdue from the day its membership becomes `past_due`, the
    due date itself ("at the due date", read literally, as the dunning does)."""
    past_due = next(step for step in DUNNING_STEPS if step.moves_to == "past_due")
    return today - timedelta(days=past_due.days_after_due)
