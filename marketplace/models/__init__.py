"""SQLAlchemy models, one module per area. Importing this package registers them all."""

from marketplace.models.accounts import (
    ApiToken,
    Invitation,
    LoginThrottle,
    Organisation,
    OrganisationMember,
    User,
)
from marketplace.models.billing import (
    Invoice,
    InvoiceCounter,
    Membership,
    MembershipReminder,
    NetworkBilling,
    Plan,
    StripeCustomer,
    StripeEvent,
    StripeInvoice,
)
from marketplace.models.deals import Deal, Proposal, ProposalMessage, Review
from marketplace.models.market import Listing, OrganisationCertification
from marketplace.models.notifications import (
    MatchNotice,
    Notification,
    NotificationDigest,
    NotificationOptOut,
    SavedSearch,
)
from marketplace.models.ops import AuditLog, OutboxJob, SentMail
from marketplace.models.reports import ReportFile
from marketplace.models.search import SearchDocument
from marketplace.models.sroi import (
    BuildingBlock,
    Contract,
    Evidence,
    FulfilmentSnapshot,
    PendingUpload,
    PsoCertificate,
    Realisation,
    SroiPolicy,
)
from marketplace.models.trust import ListingReport

__all__ = [
    "ApiToken",
    "BuildingBlock",
    "Contract",
    "Deal",
    "Evidence",
    "PendingUpload",
    "Invoice",
    "InvoiceCounter",
    "Membership",
    "MembershipReminder",
    "NetworkBilling",
    "Plan",
    "StripeCustomer",
    "StripeEvent",
    "StripeInvoice",
    "FulfilmentSnapshot",
    "Listing",
    "ListingReport",
    "MatchNotice",
    "Notification",
    "NotificationDigest",
    "NotificationOptOut",
    "OrganisationCertification",
    "Proposal",
    "ProposalMessage",
    "PsoCertificate",
    "Realisation",
    "ReportFile",
    "SavedSearch",
    "SearchDocument",
    "Review",
    "SroiPolicy",
    "AuditLog",
    "Invitation",
    "LoginThrottle",
    "Organisation",
    "OrganisationMember",
    "OutboxJob",
    "SentMail",
    "User",
]
