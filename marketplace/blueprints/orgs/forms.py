"""Organisation forms; Dutch identifiers are checked with python-stdnum."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, Email, Length, Optional, ValidationError

from marketplace.blueprints.fields import plausible_date
from marketplace.domain.certification import recordable_codes
from marketplace.domain.identifiers import normalise_btw, normalise_kvk, normalise_postcode
from marketplace.domain.taxonomy import ARBEIDSMARKTREGIOS, PROVINCES, SECTORS
from marketplace.labels import authority_type_labels, certification_label, org_kind_labels


def kind_choices() -> list[tuple[str, str]]:
    return list(org_kind_labels().items())


def authority_type_choices() -> list[tuple[str, str]]:
    return [("", _l("— not applicable —")), *authority_type_labels().items()]


class ProfileForm(FlaskForm):
    """What an owner may change after registration: the address, VAT number and the directory
    profile. Name, KvK number and kind stay as the admin verified them."""

    btw_number = StringField(
        _l("VAT number (btw-id)"),
        validators=[Optional()],
        description=_l("e.g. NL000099998B57."),
    )
    street = StringField(_l("Street and number"), validators=[DataRequired(), Length(max=200)])
    postcode = StringField(
        _l("Postcode"), validators=[DataRequired()], description=_l("e.g. 7811 AB.")
    )
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=100)])
    arbeidsmarktregio = SelectField(
        _l("Labour-market region (arbeidsmarktregio)"),
        choices=[("", "—")] + [(r, r) for r in ARBEIDSMARKTREGIOS],
        validators=[DataRequired()],
    )
    province = SelectField(
        _l("Province"),
        choices=[("", "—")] + [(p, p) for p in PROVINCES],
        validators=[Optional()],
        description=_l("Left empty, the region's province is used."),
    )
    website = StringField(
        _l("Website"), validators=[Optional(), URL(message=_l("Enter a full address, https://…"))]
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    sectors = SelectMultipleField(
        _l("Sectors"), choices=list(SECTORS.items()), validators=[Optional()]
    )
    regions = SelectMultipleField(
        _l("Also works in"),
        choices=[(r, r) for r in ARBEIDSMARKTREGIOS],
        validators=[Optional()],
        description=_l("Labour-market regions served besides your own."),
    )
    capacity = StringField(
        _l("Capacity"),
        validators=[Optional(), Length(max=120)],
        description=_l('In words, e.g. "40 fte in groepsdetachering".'),
    )

    def validate_btw_number(self, field) -> None:
        try:
            field.data = normalise_btw(field.data)
        except ValueError as exc:
            raise ValidationError(
                _l("This is not a valid Dutch VAT number (NL + 9 digits + B + 2 digits).")
            ) from exc

    def validate_postcode(self, field) -> None:
        try:
            field.data = normalise_postcode(field.data)
        except ValueError as exc:
            raise ValidationError(_l("Enter a Dutch postcode like 1234 AB.")) from exc

    def profile_fields(self) -> dict:
        """The profile as the service takes it, trimmed; the region's province when left empty."""
        return {
            "btw_number": self.btw_number.data or None,
            "street": self.street.data.strip(),
            "postcode": self.postcode.data,
            "city": self.city.data.strip(),
            "arbeidsmarktregio": self.arbeidsmarktregio.data,
            "province": self.province.data or ARBEIDSMARKTREGIOS[self.arbeidsmarktregio.data],
            "website": self.website.data or None,
            "description": self.description.data or "",
            "sectors": self.sectors.data or [],
            "regions": self.regions.data or [],
            "capacity": (self.capacity.data or "").strip(),
        }


class OrganisationForm(ProfileForm):
    """Registration: who the organisation is, then the profile fields it can change later."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        _l("Kind of organisation"), choices=kind_choices, validators=[DataRequired()]
    )
    authority_type = SelectField(
        _l("Type of authority"),
        choices=authority_type_choices,
        validators=[Optional()],
        description=_l("Only for contracting authorities."),
    )
    kvk_number = StringField(
        _l("KvK number"), validators=[DataRequired()], description=_l("8 digits, e.g. 12345678.")
    )

    def validate_kvk_number(self, field) -> None:
        try:
            field.data = normalise_kvk(field.data)
        except ValueError as exc:
            raise ValidationError(_l("A KvK number has exactly 8 digits.")) from exc

    def validate_authority_type(self, field) -> None:
        if self.kind.data == "authority" and not field.data:
            raise ValidationError(_l("Choose the type of contracting authority."))


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email()])
    role = SelectField(
        _l("Role"), choices=[("member", _l("Member")), ("owner", _l("Owner"))], default="member"
    )


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[("member", _l("Member")), ("owner", _l("Owner"))])


class CertificationForm(FlaskForm):
    """Record a certification. Only the dates are parsed here; what is required and how the
    fields relate is services/certifications.record's, which names every wrong field at once."""

    code = SelectField(_l("Certification"), validate_choice=False)
    reference = StringField(
        _l("Register number or reference"),
        description=_l("As in the public register or your membership confirmation."),
    )
    valid_from = DateField(_l("Valid from"), validators=[Optional(), plausible_date])
    valid_until = DateField(
        _l("Valid until"),
        validators=[Optional(), plausible_date],
        description=_l("Optional: leave empty when it has no end date."),
    )

    def __init__(self, kind: str, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.code.choices = [
            ("", _l("— choose —")),
            *((code, certification_label(code)) for code in recordable_codes(kind)),
        ]
