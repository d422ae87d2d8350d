"""Forms of proposals and deals. Field names are the services' field names, so a refusal
(`ServiceError.fields`) lands next to its input through `apply_service_error`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FileField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from marketplace.blueprints.fields import EuroField, plausible_date
from marketplace.services.evidence import ALLOWED
from marketplace.services.proposals import MAX_MESSAGE, MAX_VOLUME

FILE_ACCEPT = ",".join([*ALLOWED, ".pdf", ".png", ".jpg", ".jpeg"])


class ProposalForm(FlaskForm):
    message = TextAreaField(
        _l("Your offer"),
        validators=[
            InputRequired(message=_l("Write a short message with your offer.")),
            Length(max=MAX_MESSAGE),
        ],
        description=_l("What you offer, how and when; the buyer reads this first."),
    )
    amount_cents = EuroField(
        _l("Price excluding VAT (euro)"),
        validators=[Optional()],
        description=_l("Give a price, a volume or both."),
    )
    volume = StringField(
        _l("Volume"),
        validators=[Optional(), Length(max=MAX_VOLUME)],
        description=_l("For example 3 fte or 200 hours per month."),
    )
    attachment = FileField(
        _l("Attachment (PDF or image)"),
        description=_l("Optional, for example a quotation."),
        render_kw={"accept": FILE_ACCEPT},
    )


class MessageForm(FlaskForm):
    body = TextAreaField(
        _l("Message"),
        validators=[InputRequired(message=_l("Write a message.")), Length(max=MAX_MESSAGE)],
    )


class RevisionForm(FlaskForm):
    note = TextAreaField(
        _l("What should change in the offer?"),
        validators=[
            InputRequired(message=_l("Say what should change in the offer.")),
            Length(max=MAX_MESSAGE),
        ],
    )


class AcceptForm(FlaskForm):
    start_date = DateField(
        _l("Start date"),
        validators=[Optional(), plausible_date],
        description=_l("Empty: today."),
    )
    end_date = DateField(_l("End date"), validators=[Optional(), plausible_date])


class InvoiceForm(FlaskForm):
    invoice_number = StringField(
        _l("Invoice number"),
        validators=[InputRequired(message=_l("Enter the invoice number.")), Length(max=60)],
    )
    invoice_date = DateField(
        _l("Invoice date"),
        validators=[InputRequired(message=_l("Enter the invoice date.")), plausible_date],
    )
    amount_cents = EuroField(
        _l("Amount excluding VAT (euro)"),
        validators=[InputRequired(message=_l("Enter the invoice amount excluding VAT."))],
    )
    invoice_file = FileField(
        _l("Invoice (PDF)"),
        description=_l("Optional; the officer sees it with the realisation."),
        render_kw={"accept": FILE_ACCEPT},
    )


class ReviewForm(FlaskForm):
    rating = RadioField(
        _l("Rating"),
        choices=[("5", "5"), ("4", "4"), ("3", "3"), ("2", "2"), ("1", "1")],
        validators=[InputRequired(message=_l("Give 1 to 5 stars."))],
    )
    text = TextAreaField(
        _l("Your review"),
        validators=[
            InputRequired(message=_l("Write a few words about the cooperation.")),
            Length(max=2000),
        ],
        description=_l("Published together with the other side's review, or after 14 days."),
    )


class PlacementForm(FlaskForm):
    """A placement deal delivered: the building block and period its realisation draft opens
    with (services.deals.deliver_placement)."""

    block_code = SelectField(
        _l("Building block"),
        validators=[InputRequired(message=_l("Choose a building block."))],
        description=_l("The target group of the person placed, from the contract's value table."),
    )
    start_date = DateField(
        _l("Start date"),
        validators=[Optional(), plausible_date],
        description=_l("From the deal; change it if the placement started on another day."),
    )
    end_date = DateField(_l("End date"), validators=[Optional(), plausible_date])

    def set_blocks(self, blocks) -> None:
        self.block_code.choices = [(b.code, f"{b.code} — {b.label}") for b in blocks]
