"""The listing form: one form for demand and offerings, its labels and fields set by the kind.

Fields only turn Dutch input into the service's units (cents, exact FTE, dates); the rules
(lengths, taxonomy, dates not past, whose contract) are the service's, which answers with every
wrong field at once under these fields' names, so `apply_service_error` places them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from marketplace.blueprints.fields import DecimalTextField, EuroField, plausible_date
from marketplace.domain.money import MAX_CENTS
from marketplace.domain.numbers import MAX_ID, NumberError, bounded_int
from marketplace.domain.taxonomy import SECTORS
from marketplace.labels import listing_type_labels, region_label
from marketplace.models import Contract, Listing, Organisation
from marketplace.services import listings

# Fields whose typed text did not parse are left out of the data the service checks.
_TYPED = ("amount_cents", "fte", "date_from", "last_day", "contract_id", "network_id")


def _optional_id(value: object) -> int | None:
    if value in (None, "", "None"):
        return None
    return int(str(value))


class ListingForm(FlaskForm):
    title = StringField()
    description = TextAreaField()
    sector = SelectField()
    type = SelectField()
    region = SelectField()
    amount_cents = EuroField()
    volume = StringField()
    fte = DecimalTextField()
    date_from = DateField(validators=[Optional(), plausible_date])
    last_day = DateField(validators=[Optional(), plausible_date])
    contract_id = SelectField(coerce=_optional_id, validate_choice=True)
    network_id = SelectField(coerce=_optional_id, validate_choice=True)

    def __init__(
        self,
        kind: str,
        contracts: list[Contract],
        *args,
        networks: list[Organisation] | None = None,
        kept_network: Organisation | None = None,
        **kwargs,
    ):
        """`networks`: those the demand may be shown to only; `kept_network`: the one a stored
        demand already is for, which it may keep when no longer among them."""
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.title.label.text = _("Title")
        self.description.label.text = _("Description")
        self.description.description = _("What is it about: the work, the place, the conditions.")
        self.sector.label.text = _("Sector")
        self.sector.choices = [("", _("Choose a sector"))] + list(SECTORS.items())
        self.type.label.text = _("Type")
        self.type.choices = list(listing_type_labels().items())
        self.region.label.text = _("Region")
        self.region.choices = [(r, region_label(r)) for r in listings.REGIONS]
        self.volume.label.text = _("Volume")
        self.volume.description = _("In words, e.g. 3 fte or 200 hours a month.")
        self.fte.label.text = _("Volume in FTE (optional)")
        self.fte.description = _("When the volume is a number of FTE, e.g. 3 or 2,5.")
        if kind == "demand":
            self.amount_cents.label.text = _("Budget in euros (optional)")
            self.last_day.label.text = _("Wanted by (optional)")
            self.last_day.description = _("The listing closes after this day.")
            self.contract_id.label.text = _("For contract (optional)")
            self.contract_id.description = _(
                "The contract whose social return this purchase serves."
            )
            self.contract_id.choices = [(None, _("No contract"))] + [
                (c.id, f"{c.title} ({c.reference})") for c in contracts
            ]
            audience = list(networks or [])
            if kept_network is not None and kept_network not in audience:
                audience.append(kept_network)
            self.network_id.label.text = _("Who sees this demand")
            self.network_id.description = _(
                "Everyone, or only the members of a network your organisation is a member of."
            )
            self.network_id.choices = [(None, _("Everyone"))] + [
                (n.id, _("Only members of %(network)s", network=n.name)) for n in audience
            ]
            if len(self.network_id.choices) == 1:
                del self.network_id
            del self.date_from
        else:
            self.amount_cents.label.text = _("Price in euros (optional)")
            self.date_from.label.text = _("Available from (optional)")
            self.last_day.label.text = _("Available until (optional)")
            self.last_day.description = _("The offering closes after this day.")
            del self.contract_id
            del self.network_id

    def fill(self, listing: Listing) -> None:
        """Show a stored listing (GET of the edit page)."""
        for name in ("title", "description", "sector", "type", "region", "volume", "fte"):
            getattr(self, name).data = getattr(listing, name)
        self.amount_cents.data = listing.amount_cents
        self.last_day.data = listing.expires_on
        if self.kind == "demand":
            self.contract_id.data = listing.contract_id
            if self.network_id:
                self.network_id.data = listing.network_id
        else:
            self.date_from.data = listing.available_from

    def prefill(self, args: Mapping[str, str], home_region: str) -> None:
        """A new listing: in the poster's own region, or started from elsewhere (a contract's
        "close the gap") with sector, region, budget in cents and contract from the query
        string; anything unknown is ignored."""
        if args.get("sector") in SECTORS:
            self.sector.data = args["sector"]
        for region in (args.get("region"), home_region):
            if region in listings.REGIONS:
                self.region.data = region
                break
        with contextlib.suppress(NumberError):
            self.amount_cents.data = bounded_int(
                args.get("budget", ""), minimum=0, maximum=MAX_CENTS
            )
        if self.kind == "demand":
            try:
                contract_id = bounded_int(args.get("contract", ""), minimum=1, maximum=MAX_ID)
            except NumberError:
                return
            if any(value == contract_id for value, _label in self.contract_id.choices):
                self.contract_id.data = contract_id

    def listing_data(self) -> listings.ListingData:
        """What was typed, with fields that failed to parse left empty for the service."""

        def value(name: str):
            field = getattr(self, name, None)
            if field is None or (name in _TYPED and field.errors):
                return None
            return field.data

        return listings.ListingData(
            title=value("title") or "",
            description=value("description") or "",
            sector=value("sector") or "",
            type=value("type") or "",
            region=value("region") or "",
            amount_cents=value("amount_cents"),
            volume=value("volume") or "",
            fte=value("fte"),
            date_from=value("date_from"),
            last_day=value("last_day"),
            contract_id=value("contract_id"),
            network_id=value("network_id"),
        )
