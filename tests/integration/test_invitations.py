"""Contracts for companies not on the platform yet (services/invitations.py): the contract waits,
the invitation is mailed, the company's registration links it, the admin's verification shows
it to the company; and the admin's rejection of an organisation."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditLog, Contract, Organisation
from marketplace.services import accounts, contracts, invitations, organisations, pso
from marketplace.services.errors import Conflict, ServiceError
from tests.factories import make_org, make_policy, make_user
from tests.mailbox import outbox_messages

TODAY = date(2026, 1, 15)
FULL = 6000000  # 5% of € 1.200.000
KVK = "87654321"
INVITED = "info@nieuwbouw.example.com"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def officer(authority):
    make_policy(authority)
    return authority.members[0].user


def invite(authority, officer, kvk: str | None = KVK, email: str | None = INVITED, **kw):
    data = contracts.ContractData(
        title="Nieuwbouw sporthal",
        reference=kw.pop("reference", "SPH-01"),
        contractor_id=None,
        value_cents=120000000,
        award_date=date(2026, 2, 1),
        start_date=date(2026, 3, 1),
        end_date=date(2028, 2, 29),
        invited_kvk=kvk,
        invited_email=email,
    )
    return contracts.register(authority, data, officer)


def actions(action: str) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


def register_company(email: str = INVITED, kvk: str = KVK, **kw) -> Organisation:
    return make_org("contractor", owner=make_user(email), kvk_number=kvk, **kw)


def test_an_invited_contract_waits_with_its_obligation_computed(authority, officer):
    contract = invite(authority, officer)

    assert contract.contractor_id is None and contract.is_waiting
    assert (contract.invited_kvk, contract.invited_email) == (KVK, INVITED)
    assert contract.obligation_cents == FULL and contract.pso_level is None
    assert actions("contract.contractor_invited")[0].after["mailed"] is True


def test_the_invitation_mail_says_what_to_do_and_links_to_registration(authority, officer):
    invite(authority, officer)

    [message] = outbox_messages(INVITED)
    body = message.get_content()
    assert "SPH-01" in message["Subject"] and authority.name in message["Subject"]
    assert "/account/registreren" in body and f"KvK-nummer {KVK}" in body
    assert "€ 60.000,00" in body


def test_an_invitation_needs_a_kvk_number_or_an_address(authority, officer):
    with pytest.raises(ServiceError) as err:
        invite(authority, officer, kvk=None, email=None)

    assert "contractor_id" in err.value.fields
    assert db.session.scalar(select(Contract.id)) is None


def test_a_kvk_number_needs_eight_digits(authority, officer):
    with pytest.raises(ServiceError) as err:
        invite(authority, officer, kvk="1234")

    assert err.value.fields["invited_kvk"] == "Een KvK-nummer heeft precies 8 cijfers."


def test_the_kvk_number_of_an_authority_cannot_be_invited(authority, officer):
    with pytest.raises(ServiceError) as err:
        invite(authority, officer, kvk=authority.kvk_number)

    assert "invited_kvk" in err.value.fields


def test_an_unverified_contractor_cannot_be_chosen_from_the_list(authority, officer):
    company = register_company()
    data = contracts.ContractData(
        "Bouw", "B-1", company.id, 120000000, date(2026, 2, 1), date(2026, 3, 1), date(2027, 3, 1)
    )

    with pytest.raises(ServiceError) as err:
        contracts.register(authority, data, officer)

    assert "contractor_id" in err.value.fields


def test_registering_the_invited_kvk_number_links_the_contract(authority, officer):
    contract = invite(authority, officer, email=None)

    company = register_company("someone@else.example.com")

    db.session.refresh(contract)
    assert contract.contractor_id == company.id and contract.contractor_linked_at is not None
    [linked] = actions("contract.contractor_linked")
    assert linked.object_id == contract.id and linked.after == {"contractor_id": company.id}


def test_the_company_sees_the_contract_only_once_the_admin_verified_it(authority, officer):
    contract = invite(authority, officer)
    company = register_company()
    owner = company.members[0].user
    assert contracts.contractor_contracts(company.id) == []
    assert not invitations.shown_to_contractor(contract)

    organisations.verify(company, make_user(admin=True))

    assert contracts.contractor_contracts(company.id) == [contract]
    assert contracts.contract_for_party(contract.id, owner) == (contract, "contractor")
    assert any("1" in m.get_content() for m in outbox_messages(owner.email))


def test_linking_again_links_nothing(authority, officer):
    invite(authority, officer)
    company = register_company()

    assert invitations.link_registered(company, company.members[0].user) == []


def test_an_address_alone_links_to_the_organisation_its_owner_registers(authority, officer):
    contract = invite(authority, officer, kvk=None)

    company = register_company(kvk="11223344")

    db.session.refresh(contract)
    assert contract.contractor_id == company.id


def test_an_invitation_by_kvk_is_not_linked_by_the_address_alone(authority, officer):
    contract = invite(authority, officer)

    register_company(kvk="11223344")  # the invited address, another KvK number

    db.session.refresh(contract)
    assert contract.is_waiting


def test_a_kvk_number_already_registered_is_linked_at_once(authority, officer):
    company = register_company("boss@bestaand.example.com")

    contract = invite(authority, officer)

    assert contract.contractor_id == company.id and contract.contractor_linked_at is not None
    assert contracts.contractor_contracts(company.id) == []  # not verified yet


def test_a_pso_certificate_recorded_after_linking_counts_once_verified(authority, officer):
    contract = invite(authority, officer)
    company = register_company()
    owner = company.members[0].user
    organisations.verify(company, make_user(admin=True))
    with time_machine.travel(date(2026, 1, 20), tick=False):
        cert = pso.record_certificate(
            company, "trede_1", "PSO-77", date(2027, 12, 31), owner, date(2026, 1, 20)
        )

        pso.verify(cert.id, make_user(admin=True))

    db.session.refresh(contract)
    assert contract.pso_level == "trede_1" and contract.obligation_cents == FULL // 2


def test_the_admin_rejects_with_a_reason_that_is_mailed_and_kept(app):
    company = register_company("eigenaar@twijfel.example.com")

    organisations.reject(company, "KvK-nummer hoort bij een ander bedrijf", make_user(admin=True))

    assert company.verification == "rejected"
    assert company.rejection_reason == "KvK-nummer hoort bij een ander bedrijf"
    assert company not in organisations.unverified()
    [mail] = outbox_messages("eigenaar@twijfel.example.com")
    assert "hoort bij een ander bedrijf" in mail.get_content()
    assert actions("organisation.rejected")[0].after == {
        "reason": "KvK-nummer hoort bij een ander bedrijf"
    }


def test_a_rejection_needs_a_reason(app):
    company = register_company()

    with pytest.raises(ServiceError) as err:
        organisations.reject(company, "  ", make_user(admin=True))

    assert "reason" in err.value.fields and company.rejected_at is None


def test_a_verified_organisation_is_not_rejected(app):
    admin = make_user(admin=True)
    company = register_company()
    organisations.verify(company, admin)

    with pytest.raises(Conflict):
        organisations.reject(company, "Toch niet", admin)


def test_asking_again_puts_a_rejected_organisation_back_in_the_list(app):
    company = register_company()
    organisations.reject(company, "Adres ontbreekt", make_user(admin=True))

    organisations.ask_again(company, company.members[0].user)

    assert company in organisations.unverified()
    assert actions("organisation.verification_asked")


def test_verifying_a_rejected_organisation_clears_the_rejection(app):
    admin = make_user(admin=True)
    company = register_company()
    organisations.reject(company, "Adres ontbreekt", admin)

    organisations.verify(company, admin)

    assert company.verification == "verified" and company.rejection_reason is None


def test_similar_names_and_the_same_btw_number_are_flagged(app):
    real = make_org("authority", name="Gemeente Emmen")
    same_btw = make_org("contractor", name="Bouwbedrijf Noord", btw_number="NL004495445B01")
    make_org("authority", name="Gemeente Epe")
    newcomer = make_org("contractor", name="Gem. Emmen B.V.", btw_number="NL004495445B01")

    assert organisations.similar_organisations(newcomer) == [same_btw, real]


def test_the_registrant_is_recorded(app):
    owner = make_user("starter@example.com")
    company = make_org("contractor", owner=owner)

    assert organisations.registrant(company) == (owner, [owner])


def test_a_new_confirmation_link_goes_only_to_an_unconfirmed_account(app):
    accounts.register("nieuw@example.com", "een lang wachtwoord")
    make_user("bevestigd@example.com")

    for address in ("nieuw@example.com", "bevestigd@example.com", "onbekend@example.com"):
        accounts.resend_confirmation(address)

    assert len(outbox_messages("nieuw@example.com")) == 2
    assert outbox_messages("bevestigd@example.com") == []
    assert outbox_messages("onbekend@example.com") == []
