"""A network's membership plans: the network admin (an owner of the network organisation)
creates and edits them; anyone may read a network's active plans (docs/domain.md "Plans and
periods")."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.domain.invoicing import BILLING_RULES
from marketplace.domain.money import FULL_BP, MAX_CENTS
from marketplace.extensions import db
from marketplace.models import Organisation, Plan, User
from marketplace.models.billing import PLAN_SIZE_BANDS
from marketplace.services import audit, organisations
from marketplace.services.errors import Forbidden, NotFound, ServiceError


@dataclass(frozen=True)
class PlanData:
    """A plan as a form or the API gives it: exactly one of `vat_rate_bp` and
    `vat_exemption_reason` (a blank reason counts as none)."""

    name: str
    yearly_fee_cents: int
    billing_rule: str
    vat_rate_bp: int | None
    vat_exemption_reason: str | None = None
    description: str = ""
    size_band: str = "any"
    benefits: str = ""
    active: bool = True


def require_network_admin(user: User, network: Organisation) -> None:
    """Only an owner of a network organisation manages its plans and members (Forbidden)."""
    if network.kind != "network":
        raise Forbidden()
    organisations.require_role(user, network, "owner")


def _checked(network: Organisation, data: PlanData, plan_id: int | None) -> PlanData:
    """The data with blanks normalised, or a ServiceError naming every wrong field at once."""
    name = data.name.strip()
    reason = (data.vat_exemption_reason or "").strip() or None
    fields = {}
    if not name:
        fields["name"] = _("Enter the plan's name.")
    elif _name_taken(network, name, plan_id):
        fields["name"] = _("This network already has a plan with this name.")
    if not 0 <= data.yearly_fee_cents <= MAX_CENTS:
        fields["yearly_fee_cents"] = _("Enter a yearly fee of € 0 or more.")
    if data.billing_rule not in BILLING_RULES:
        fields["billing_rule"] = _("Choose how the plan is billed.")
    if data.size_band not in PLAN_SIZE_BANDS:
        fields["size_band"] = _("Choose a size band.")
    if (data.vat_rate_bp is None) == (reason is None):
        fields["vat_rate_bp"] = _("Choose a VAT rate, or give the reason the fee is exempt.")
    elif data.vat_rate_bp is not None and not 0 <= data.vat_rate_bp <= FULL_BP:
        fields["vat_rate_bp"] = _("A VAT rate lies between 0% and 100%.")
    if fields:
        raise ServiceError(next(iter(fields.values())), fields)
    return PlanData(**{**asdict(data), "name": name, "vat_exemption_reason": reason})


def _name_taken(network: Organisation, name: str, plan_id: int | None) -> bool:
    query = select(Plan.id).where(Plan.network_id == network.id, Plan.name == name)
    if plan_id is not None:
        query = query.where(Plan.id != plan_id)
    return db.session.scalar(query) is not None


def create(network: Organisation, data: PlanData, by: User) -> Plan:
    """A new plan of the network. Commits."""
    require_network_admin(by, network)
    checked = _checked(network, data, None)
    plan = Plan(network_id=network.id, **asdict(checked))
    db.session.add(plan)
    db.session.flush()
    audit.record("plan.created", plan, after=asdict(checked), actor=by)
    db.session.commit()
    return plan


def update(plan: Plan, data: PlanData, by: User) -> Plan:
    """Change a plan. Invoices already issued keep what they say (they copied it); the change
    applies from the next invoice. Commits."""
    require_network_admin(by, plan.network)
    checked = _checked(plan.network, data, plan.id)
    before = {key: getattr(plan, key) for key in asdict(checked)}
    for key, value in asdict(checked).items():
        setattr(plan, key, value)
    audit.record("plan.updated", plan, before=before, after=asdict(checked), actor=by)
    db.session.commit()
    return plan


def get_for_admin(network: Organisation, plan_id: int, by: User) -> Plan:
    """A plan of `network` its admin may edit; NotFound for anyone else, and for another
    network's plan (as if it did not exist)."""
    plan = db.session.get(Plan, plan_id)
    if (
        plan is None
        or plan.network_id != network.id
        or organisations.role_of(by, plan.network) != "owner"
    ):
        raise NotFound()
    return plan


def of_network(network: Organisation, *, active_only: bool) -> list[Plan]:
    """The network's plans, cheapest first; the public page shows the active ones."""
    query = select(Plan).where(Plan.network_id == network.id)
    if active_only:
        query = query.where(Plan.active.is_(True))
    return list(db.session.scalars(query.order_by(Plan.yearly_fee_cents, Plan.name)))
