"""SQLAlchemy models, one module per area. Importing this package registers them all."""

from marketplace.models.accounts import ApiToken, Invitation, Organisation, OrganisationMember, User
from marketplace.models.ops import AuditLog, OutboxJob

__all__ = [
    "ApiToken",
    "AuditLog",
    "Invitation",
    "Organisation",
    "OrganisationMember",
    "OutboxJob",
    "User",
]
