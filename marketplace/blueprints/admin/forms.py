"""The admin's forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length


class OrganisationRejectionForm(FlaskForm):
    """Refuse a pending organisation; whoever registered it is mailed the reason."""

    reason = TextAreaField(
        _l("Reason for rejection"),
        validators=[
            InputRequired(message=_l("Say why the organisation is rejected.")),
            Length(max=500),
        ],
        description=_l(
            "The organisation's users receive it by mail and see it on its page, e.g. that the "
            "KvK number belongs to another company. They can correct the details and ask again."
        ),
    )
