"""Who may open what: one entry per endpoint of the app, read by tests/web/test_access_matrix.py,
which fetches every route as every role of tests/access_world.py and posts to every POST route as
each role refused here.

The vocabulary (the world: contractor A with its owner and a member, contractor B, authorities
X and Y with their officers, a social enterprise S, a werkbedrijf W, network N with its admin and
a member organisation M, and a platform admin; path ids are objects of A, X and N unless an
entry names others with `.at(...)`):

    public                  everyone gets the page (200)
    everyone("503")         everyone gets this outcome
    login                   anyone logged in; a visitor is sent to the login page
    members_of("A", ...)    the members of those organisations; other users get `others` (403)
    owners_of("A", ...)     only the owners; A's plain member gets `others` as well
    officer_of("X")         the officers of X; anyone else gets 404 (the object does not exist
                            for them: a 403 would confirm a guessed id)
    admin                   the platform admin; other users get 403
    api(...)                the API: like the above but a missing token is 401, not a redirect
    post_only(rule)         a form's target: GET is 405 for everyone, `rule` says who may POST

and `.but(role=outcome, ...)` for the exceptions, with `why=` saying why. An outcome is "200",
"login" (redirect to the login page), "302" (redirect elsewhere), or a status code as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from werkzeug.routing import Rule as UrlRule

from tests.access_world import ROLES

OK, LOGIN, REDIRECT = "200", "login", "302"
UNAUTHORISED, FORBIDDEN, MISSING, NOT_ALLOWED = "401", "403", "404", "405"
# What a role that may use a route gets: the page, or the redirect after doing what it asked.
ALLOWED = frozenset({OK, REDIRECT, "201", "204"})

# Who is in which organisation of the world, and who owns it.
MEMBERS = {
    "A": ("owner_a", "member_a"),
    "B": ("member_b",),
    "X": ("officer_x",),
    "Y": ("officer_y",),
    "S": ("social",),
    "W": ("werkbedrijf",),
    "N": ("network_admin",),
    "M": ("network_member",),
}
OWNERS = {**MEMBERS, "A": ("owner_a",), "B": ()}
WITH_ORGANISATION = tuple(role for roles in MEMBERS.values() for role in roles)


@dataclass(frozen=True)
class Rule:
    reads: Mapping[str, str]  # role -> outcome of a GET
    writes_: Mapping[str, str] | None = None  # role -> outcome of POST/PATCH/DELETE (else reads)
    params: Mapping[str, object] = field(default_factory=dict)  # path parameter -> world name
    form: Mapping[str, object] = field(default_factory=dict)  # what the refused roles post
    why: str = ""

    def on_get(self, role: str) -> str:
        return self.reads[role]

    def on_write(self, role: str) -> str:
        return (self.writes_ or self.reads)[role]

    def but(self, why: str = "", **roles: str) -> Rule:
        """These roles get these outcomes (reads and writes alike)."""
        unknown = set(roles) - set(ROLES)
        assert not unknown, f"no such roles: {unknown}"
        writes = None if self.writes_ is None else {**self.writes_, **roles}
        return replace(self, reads={**self.reads, **roles}, writes_=writes, why=why or self.why)

    def writes(self, other: Rule) -> Rule:
        """Reads as this rule says, writes (POST, PATCH, DELETE) as `other` says."""
        return replace(self, writes_=other.reads)

    def at(self, **params: object) -> Rule:
        """Fill these path parameters with the world's named values (or these literals)."""
        return replace(self, params={**self.params, **params})

    def posting(self, **form: object) -> Rule:
        """The refused roles post this form (e.g. a valid choice, so the refusal is the rule's
        and not an empty form's)."""
        return replace(self, form={**self.form, **form})


def _rule(allowed: tuple[str, ...], others: str, anonymous: str = LOGIN, ok: str = OK) -> Rule:
    outcomes = {role: ok if role in allowed else others for role in ROLES}
    outcomes["anonymous"] = anonymous
    return Rule(outcomes)


public = _rule(ROLES, OK, anonymous=OK)
login = _rule(ROLES, OK)
admin = _rule(("admin",), FORBIDDEN)


def everyone(outcome: str) -> Rule:
    """Every role, the visitor too, gets `outcome`."""
    return _rule((), outcome, anonymous=outcome)


def logged_in(outcome: str) -> Rule:
    """Every logged-in role gets `outcome` (e.g. a redirect after a refused bad token)."""
    return _rule((), outcome)


def members_of(*orgs: str, others: str = FORBIDDEN, ok: str = OK) -> Rule:
    return _rule(tuple(r for org in orgs for r in MEMBERS[org]), others, ok=ok)


def owners_of(*orgs: str, others: str = FORBIDDEN, ok: str = OK) -> Rule:
    return _rule(tuple(r for org in orgs for r in OWNERS[org]), others, ok=ok)


def officer_of(*authorities: str, ok: str = OK) -> Rule:
    return members_of(*authorities, others=MISSING, ok=ok)


def api(rule: Rule) -> Rule:
    """The same rule for the API: no token is a 401 there, not a redirect."""
    writes = None if rule.writes_ is None else {**rule.writes_, "anonymous": UNAUTHORISED}
    return replace(rule, reads={**rule.reads, "anonymous": UNAUTHORISED}, writes_=writes)


NETWORK = {"slug": "network_slug"}
# Valid bodies for the API's POST routes: an empty one is a 422 for everyone before the view
# decides who may, so the refused roles post these.
CONTRACT = {
    "title": "Nieuw contract",
    "reference": "NIEUW-1",
    "contractor_id": "a",
    "value_cents": 100_000_000,
    "award_date": "2026-02-01",
    "start_date": "2026-03-01",
    "end_date": "2027-03-01",
}
REALISATION = {
    "block_code": "PW",
    "candidate_ref": "KAND-Z",
    "start_date": "2026-03-01",
    "end_date": "2026-08-31",
    "hours_per_week": "24",
}
POLICY = {
    "name": "Nieuw beleid",
    "effective_from": "2027-01-01",
    "threshold_cents": 25_000_000,
    "min_duration_months": 6,
    "percentage_bp": 500,
    "blocks": [{"code": "INK", "label": "Inkoop bij sociale onderneming", "unit": "invoice"}],
}
LISTING = {
    "title": "Nieuwe vermelding",
    "description": "Iets",
    "region": "Drenthe",
    "sector": "schoonmaak",
    "type": "service",
}


def missing_entry_message(rule: UrlRule) -> str:
    methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    return (
        f"{rule.endpoint} ({' '.join(methods)} {rule.rule}) has no entry in tests/access_matrix.py."
        f" Add one saying who may use it, e.g.\n"
        f'    "{rule.endpoint}": login,\n'
        f"(see the vocabulary at the top of that file)."
    )


RULES: dict[str, Rule] = {
    # Accounts
    "auth.login": public,
    "auth.register": public,
    "auth.logout": login.writes(logged_in(REDIRECT)),
    "auth.confirm": logged_in(LOGIN).but(anonymous=LOGIN, why="a bad token: back to log in"),
    "auth.reset_password": public,
    "auth.change_password": login,
    "auth.forgot_password": public,
    "auth.resend_confirmation": public,
    "main.index": logged_in(REDIRECT).but(
        anonymous=OK, no_org=OK, admin=OK, why="members go to their organisation's start"
    ),
    "main.set_language": public.writes(logged_in(REDIRECT).but(anonymous=REDIRECT)),
    "main.switch_org": login.writes(
        logged_in(FORBIDDEN).but(member_b=REDIRECT, why="only to one's own organisation")
    ).posting(org_id="b"),
    # Platform admin
    "admin.index": admin,
    "admin.certification": admin,
    "admin.certification_reject": admin.but(admin="422"),
    "admin.certification_verify": admin.but(admin=REDIRECT),
    "admin.dismiss_report": admin.but(admin=REDIRECT),
    "admin.close_reported_listing": admin.but(admin=REDIRECT),
    "admin.verify": admin.but(admin=REDIRECT),
    "admin.organisation": admin,
    "admin.reject": admin.but(admin="422", why="an empty form gives no reason"),
    "admin.retry_job": admin.writes(admin.but(admin=REDIRECT)),
    # Organisations
    "orgs.mine": login,
    "orgs.register": login,
    "orgs.profile": public,
    "orgs.members": members_of("A"),
    "orgs.certifications_page": members_of("A").writes(members_of("A", ok="422")),
    "orgs.change_role": owners_of("A", ok=REDIRECT).posting(role="owner"),
    "orgs.edit_profile": owners_of("A").writes(owners_of("A", ok=REDIRECT)),
    "orgs.ask_verification": owners_of("A", ok=REDIRECT),
    "account.statement": public,
    "account.index": login,
    "account.personal_data": login,
    "account.delete": login.writes(logged_in("422").but(why="an empty form deletes no one")),
    "account.organisation_data": owners_of("A"),
    "account.retention_terms": owners_of("X").at(slug="x_slug"),
    "orgs.accept_invitation": logged_in(REDIRECT).but(why="a bad token: back to my organisations"),
    "market.directory_page": public,
    # Procurement officers (authority X; Y is the other authority)
    "officer.dashboard": officer_of("X", "Y"),
    "officer.policy_list": officer_of("X", "Y"),
    "officer.policy_detail": officer_of("X"),
    "officer.policy_csv": officer_of("X"),
    "officer.policy_new": officer_of("X", "Y"),
    "officer.value_table": officer_of("X"),
    # X's policy is used by contract X-A, so its rows no longer change: back to the table.
    "officer.block_new": officer_of("X", ok=REDIRECT),
    "officer.block_edit": officer_of("X", ok=REDIRECT),
    "officer.block_delete": officer_of("X", ok=REDIRECT),
    "officer.queue": officer_of("X", "Y"),
    "officer.decide_on_contract": officer_of("X", "Y", ok=REDIRECT),
    "officer.contract_edit": officer_of("X").but(
        owner_a=FORBIDDEN, member_a=FORBIDDEN, why="the contractor knows its contract exists"
    ),
    "officer.contract_new": officer_of("X", "Y"),
    "officer.certificates": officer_of("X", "Y"),
    "officer.certificate": officer_of("X").but(admin=OK, why="the platform admin verifies too"),
    "officer.certificate_file": officer_of("X").but(admin=OK, owner_a=OK, member_a=OK),
    "officer.certificate_reject": officer_of("X", ok="422").but(admin="422"),
    "officer.certificate_verify": officer_of("X", ok=REDIRECT).but(admin=REDIRECT),
    "contracts.detail": members_of("A", "X", others=MISSING),
    "reports.index": officer_of("X", "Y"),
    "reports.export_csv": officer_of("X", "Y"),
    "reports.contracts_xlsx": officer_of("X", "Y"),
    "reports.authority_chart": officer_of("X", "Y"),
    "reports.ask_year_pdf": officer_of("X", "Y", ok=REDIRECT),
    "reports.ask_realisations_xlsx": officer_of("X", "Y", ok=REDIRECT),
    "reports.report_file": officer_of("X").at(report_id="report_file_id"),
    "reports.download_report_file": officer_of("X").at(report_id="report_file_id"),
    "reports.contract_chart": members_of("A", "X", others=MISSING),
    "reports.ask_contract_pdf": members_of("A", "X", others=MISSING, ok=REDIRECT),
    # Contractors (A; B is the other contractor)
    "contractor.index": login,
    "contractor.pso_page": login,
    "contractor.evidence": members_of("A", "X", others=MISSING),
    "contractor.new_realisation": members_of("A", others=MISSING).writes(
        members_of("A", others=MISSING, ok="422")
    ),
    "contractor.edit_realisation": members_of("A", others=MISSING)
    .writes(members_of("A", others=MISSING, ok="422"))
    .at(realisation_id="draft_id"),
    "contractor.submit_draft": members_of("A", others=MISSING, ok=REDIRECT).at(
        realisation_id="draft_id"
    ),
    "contractor.delete_realisation": members_of("A", others=MISSING)
    .writes(members_of("A", others=MISSING, ok=REDIRECT))
    .at(realisation_id="draft_id"),
    # Marketplace: A's open demand, S's proposal on it, W's deal on another demand of A's
    "market.search_page": public,
    "market.detail": public,
    "market.mine": login,
    "market.new": login.but(no_org=REDIRECT, admin=REDIRECT, why="no organisation: register one"),
    "market.edit": members_of("A"),
    "market.move": members_of("A", ok=REDIRECT),
    "market.close": members_of("A").writes(members_of("A", ok=REDIRECT)),
    "market.delete": members_of("A"),
    "market.report": login.but(owner_a=OK, member_a=OK).writes(
        login.but(owner_a=FORBIDDEN, member_a=FORBIDDEN, why="no one reports their own")
    ),
    "deals.new_proposal": login.writes(
        logged_in(FORBIDDEN).but(
            social=OK, werkbedrijf=REDIRECT, why="suppliers propose (S has, so its form says so)"
        )
    ).posting(message="Wij doen het.", amount_cents="1000"),
    "deals.proposal": members_of("A", "S", others=MISSING),
    "deals.proposal_attachment": members_of("A", "S", others=MISSING),
    "deals.accept": members_of("A", others=MISSING).writes(
        members_of("A", others=MISSING, ok=REDIRECT)
    ),
    "deals.decline": members_of("A", others=MISSING).writes(
        members_of("A", others=MISSING, ok=REDIRECT)
    ),
    "deals.post_message": members_of("A", "S", others=MISSING, ok="422"),
    "deals.revise": members_of("A", "S", others=MISSING, ok="422"),
    "deals.request_revision": members_of("A", "S", others=MISSING, ok="422"),
    "deals.withdraw": members_of("A", "S", others=MISSING, ok=REDIRECT),
    "deals.deal": members_of("A", "W", others=MISSING),
    "deals.invoice": members_of("A", "W", others=MISSING, ok="422"),
    "deals.invoice_file": members_of("A", "W", others=MISSING).at(deal_id="delivered_deal_id"),
    "deals.placement": members_of("A", "W", others=MISSING, ok="422"),
    "deals.review": members_of("A", "W", others=MISSING, ok="422"),
    # Notifications and saved searches (owner_a's)
    "notifications.index": login,
    "notifications.settings": login.writes(logged_in(REDIRECT)),
    "notifications.read": owners_of("A", others=MISSING, ok=REDIRECT),
    "notifications.read_all": logged_in(REDIRECT),
    "notifications.delete_search": owners_of("A", others=MISSING, ok=REDIRECT),
    "notifications.save_search": logged_in(REDIRECT),
    # Networks: N with its admin, M an active member
    "networks.network_page": public.at(**NETWORK),
    "networks.apply": logged_in(REDIRECT).at(**NETWORK),
    "networks.membership_page": login,
    "networks.member_directory": members_of("N", "M", others=MISSING)
    .but(admin=OK, why="the platform admin sees every network's members")
    .at(**NETWORK),
    "networks.invoice_pdf": members_of("N", "M", others=MISSING),
    "networks.pay_invoice": members_of("N", "M", others=MISSING),
    "networks.cancel_membership": members_of("M", others=MISSING).writes(
        members_of("M", others=MISSING, ok=REDIRECT)
    ),
    "networks.change_plan": members_of("M", others=MISSING, ok=REDIRECT),
    "networks.pay_with_stripe": members_of("M", others=MISSING, ok=REDIRECT),
    "networks.listing_consent": members_of("M", others=MISSING, ok=REDIRECT),
    "networks.keep_membership": members_of("M", others=MISSING, ok=REDIRECT),
    "networks.dashboard": officer_of("N").at(**NETWORK),
    "networks.export": officer_of("N").at(**NETWORK, what="leden"),
    "networks.revenue_chart_image": officer_of("N").at(**NETWORK),
    "networks.applications": officer_of("N").at(**NETWORK),
    "networks.accept": officer_of("N")
    .writes(officer_of("N", ok=REDIRECT))
    .at(**NETWORK, membership_id="waiting_membership_id"),
    "networks.reject": officer_of("N").at(**NETWORK, membership_id="waiting_membership_id"),
    "networks.reissue_invoice": officer_of("N", ok=REDIRECT).at(**NETWORK),
    "networks.invoice_list": officer_of("N").at(**NETWORK),
    "networks.cancel_invoice": officer_of("N").writes(officer_of("N", ok=REDIRECT)).at(**NETWORK),
    "networks.record_payment": officer_of("N").at(**NETWORK),
    "networks.set_iban": officer_of("N", ok=REDIRECT).at(**NETWORK),
    "networks.members": officer_of("N").at(**NETWORK),
    "networks.member": officer_of("N").at(**NETWORK),
    "networks.member_move": officer_of("N").writes(officer_of("N", ok=REDIRECT)).at(**NETWORK),
    "networks.comp": officer_of("N", ok="400").at(**NETWORK),
    "networks.remind": officer_of("N", ok=REDIRECT).at(**NETWORK),
    "networks.resume": officer_of("N", ok=REDIRECT).at(**NETWORK),
    "networks.plans_page": officer_of("N").at(**NETWORK),
    "networks.edit_plan": officer_of("N").writes(officer_of("N", ok=REDIRECT)).at(**NETWORK),
    # Public tools and the load balancer's probes
    "health.healthz": public,
    "health.readyz": everyone("503").but(why="the tests' tables are made without migrations"),
    "calculator.index": public,
    "webhooks.stripe_webhook": everyone(MISSING).but(why="Stripe is not set up in the tests' app"),
    # The API (bearer tokens)
    "api-docs.openapi_json": public,
    "api_accounts.me": api(login),
    "api_search.Search": public,
    "api_search.Organisations": public,
    "api_calculator.compute_obligation": everyone("422"),
    "api_calculator.status": everyone("422"),
    "api_calculator.valuate": everyone("422"),
    "api_policies.AuthorityPolicies": api(officer_of("X")).posting(**POLICY),
    "api_contracts.Contracts": api(login)
    .writes(api(members_of("X", "Y", ok="201")))
    .posting(**CONTRACT),
    "api_contracts.contract_detail": api(members_of("A", "X", others=MISSING)),
    "api_realisations.ContractRealisations": api(members_of("A", "X", others=MISSING))
    .writes(api(members_of("A", others=MISSING, ok="201")).but(officer_x=FORBIDDEN))
    .posting(**REALISATION),
    "api_realisations.approve": api(officer_of("X")).but(
        owner_a=FORBIDDEN, member_a=FORBIDDEN, why="the contractor knows its realisation"
    ),
    "api_realisations.reject": api(officer_of("X"))
    .but(owner_a=FORBIDDEN, member_a=FORBIDDEN)
    .posting(reason="Onvoldoende bewijs."),
    "api_realisations.ask": api(officer_of("X"))
    .but(owner_a=FORBIDDEN, member_a=FORBIDDEN)
    .posting(question="Welke uren?"),
    # The contractor's side of the rounds on the world's submitted realisation: its members are
    # refused by its state (only a draft, a rejected or a questioned one changes), the officer
    # sees it but the action is the contractor's, anyone else does not see it.
    "api_realisations.RealisationItem": api(members_of("A", "X", others=MISSING)).writes(
        api(members_of("A", others=MISSING)).but(
            owner_a="422", member_a="422", officer_x=FORBIDDEN, why="a submitted realisation"
        )
    ),
    "api_realisations.submit": api(members_of("A", others=MISSING)).but(
        owner_a="422", member_a="422", officer_x=FORBIDDEN, why="a submitted realisation"
    ),
    "api_listings.demands": public.writes(
        api(logged_in("201")).but(no_org=FORBIDDEN, admin=FORBIDDEN, why="an organisation's")
    ).posting(**LISTING),
    "api_listings.demands_item": public.writes(api(members_of("A", ok="204"))),
    "api_listings.offerings": public.writes(api(members_of("S", "W", ok="201"))).posting(**LISTING),
    "api_listings.offerings_item": public.writes(api(members_of("S", ok="204"))).at(
        listing_id="offering_id"
    ),
    "api_matches.DemandMatches": public,
    "api_matches.OfferingMatches": public.at(listing_id="offering_id"),
    "api_deals.deal": api(members_of("A", "W", others=MISSING)),
    "api_deals.invoice": api(members_of("A", others=MISSING, ok="201"))
    .but(werkbedrijf=FORBIDDEN, why="the seller sees the deal; the buyer enters the invoice")
    .posting(amount_cents=1000, invoice_date="2026-06-01", invoice_number="F-9"),
    "api_deals.propose": api(logged_in(FORBIDDEN))
    .but(social="422", werkbedrijf="422", why="suppliers only; this demand is taken")
    .posting(message="Wij doen het."),
    "api_deals.accept": api(members_of("A", others=MISSING, ok="201")).but(
        social=FORBIDDEN, why="the supplier may see its proposal, not accept it"
    ),
    "api_deals.decline": api(members_of("A", others=MISSING)).but(social=FORBIDDEN),
    "api_deals.post_message": api(members_of("A", "S", others=MISSING, ok="201")).posting(
        body="Hallo"
    ),
    "api_deals.withdraw": api(members_of("S", others=MISSING)).but(
        owner_a=FORBIDDEN, member_a=FORBIDDEN
    ),
}


# The same routes on the other side's objects (Y's contract with B, Y's policy, B's realisation):
# now A's and X's roles are the strangers. GET only; the table above refuses their writes.
MIRRORED: dict[str, Rule] = {
    "contracts.detail": members_of("B", "Y", others=MISSING).at(contract_id="contract_y_id"),
    "reports.contract_chart": members_of("B", "Y", others=MISSING).at(contract_id="contract_y_id"),
    "contractor.new_realisation": members_of("B", others=MISSING).at(contract_id="contract_y_id"),
    "officer.policy_detail": officer_of("Y").at(policy_id="policy_y_id"),
    "api_contracts.contract_detail": api(members_of("B", "Y", others=MISSING)).at(
        contract_id="contract_y_id"
    ),
    "api_realisations.RealisationItem": api(members_of("B", "Y", others=MISSING)).at(
        realisation_id="realisation_y_id"
    ),
}
