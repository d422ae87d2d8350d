"""Small factories that make tests one-liners (after CTFd's gen_* helpers)."""

from __future__ import annotations

import itertools

from marketplace.extensions import db
from marketplace.models import Organisation, OrganisationMember, User
from marketplace.services import accounts, organisations

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def make_user(email: str | None = None, *, admin: bool = False) -> User:
    email = email or f"user{next(_seq)}@example.com"
    return accounts.create_user(email, PASSWORD, admin=admin)


def make_org(
    kind: str = "contractor", *, owner: User | None = None, name: str | None = None, **fields
) -> Organisation:
    n = next(_seq)
    data = organisations.OrganisationData(
        name=name or f"Organisatie {n}",
        kind=kind,
        kvk_number=fields.pop("kvk_number", f"{10000000 + n}"),
        authority_type=fields.pop("authority_type", "gemeente" if kind == "authority" else None),
        street="Straat 1",
        postcode="7811 AP",
        city="Emmen",
        province="Drenthe",
        arbeidsmarktregio="Drenthe",
        **fields,
    )
    return organisations.register(data, owner or make_user())


def add_member(org: Organisation, user: User, role: str = "member") -> None:
    db.session.add(OrganisationMember(user_id=user.id, organisation_id=org.id, role=role))
    db.session.commit()
