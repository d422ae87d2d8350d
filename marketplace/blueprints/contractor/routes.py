"""/opdrachtnemer: the contractor's side of social return, made for a small company's owner on a
phone. Its obligations per contract, reporting a realisation with evidence (preview, draft,
submit), submitting a draft, downloading evidence, and its PSO certificates and self-scan.

Routes stay thin: each calls one service (or, for the self-scan, one pure domain rule) and shows
a refusal next to its field. Anyone who is not on the contract's side gets a 404.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace import clock
from marketplace.blueprints.contractor.forms import (
    FIELD_UNITS,
    FIELDSETS,
    CertificateForm,
    RealisationForm,
    SelfScanForm,
    fieldset_units,
)
from marketplace.blueprints.downloads import attachment
from marketplace.blueprints.formhelpers import apply_service_error
from marketplace.domain import pso as pso_rules
from marketplace.domain.fulfilment import worst_first_key
from marketplace.labels import bonus_labels, unit_labels
from marketplace.models import Contract, Realisation
from marketplace.models.sroi import EDITABLE_STATES
from marketplace.services import (
    contracts,
    evidence,
    fulfilment,
    history,
    matches,
    pso,
    realisations,
)
from marketplace.services.errors import NotFound, ServiceError
from marketplace.templating import eur

bp = Blueprint("contractor", __name__, url_prefix="/opdrachtnemer")
# The obligation cards that show how to close their gap: the first ones, which need attention
# most; the others link to their contract page, where it is shown too.
GAP_CARDS = 5
# A contract whose term ends within this many days, with part of its obligation still open, is
# listed under "what needs doing" with its deadline.
DEADLINE_DAYS = 90


def _contract_url(contract_id: int) -> str:
    return url_for("contracts.detail", contract_id=contract_id)


def _refuse(form, exc: ServiceError) -> None:
    """Show a refusal next to its field; access errors stay 403/404 pages."""
    if exc.status in (403, 404):
        raise exc
    apply_service_error(form, exc)


@bp.route("/")
@login_required
def index():
    today = clock.today()
    org = g.current_org
    rows = (
        [(c, fulfilment.fulfilment_of(c, today)) for c in contracts.contractor_contracts(org.id)]
        if org
        else []
    )
    # Worst first, as of today; the service's end-date order stays within a status.
    rows.sort(key=lambda row: worst_first_key(row[1].status))
    gaps = matches.gaps_of([c for c, _f in rows[:GAP_CARDS]], limit=2)
    return render_template(
        "contractor/obligations.html",
        org=org,
        rows=rows,
        gaps={gap.contract.id: gap for gap in gaps},
        to_do=realisations.to_do_of(org.id) if rows else [],
        contracts_by_id={c.id: c for c, _f in rows},
        ending=[
            (c, f, (c.end_date - today).days)
            for c, f in sorted(rows, key=lambda row: row[0].end_date)
            if c.obligation_status == "due"
            and f.remaining_cents > 0
            and 0 <= (c.end_date - today).days <= DEADLINE_DAYS
        ],
        today=today,
    )


def _own_contract(contract_id: int) -> Contract:
    """The contract, when the user reports on it as its contractor; a 404 otherwise."""
    contract, side = contracts.contract_for_party(contract_id, current_user)
    if side != "contractor":
        raise NotFound()
    return contract


def _realisation_data(form: RealisationForm, unit: str) -> realisations.RealisationData:
    """Only the fields of the block's unit (FIELD_UNITS): a value left in another unit's field
    is neither valued nor stored."""
    values = {
        name: form[name].data if unit in units else None for name, units in FIELD_UNITS.items()
    }
    return realisations.RealisationData(
        block_code=form.block_code.data,
        description=(form.description.data or "").strip(),
        **{**values, "attributes": values["attributes"] or []},
    )


def _uploads(form: RealisationForm) -> list[evidence.Upload]:
    return [
        evidence.Upload(f.filename, f.read())
        for f in request.files.getlist(form.evidence.name)
        if f and f.filename
    ]


def _saved(realisation: Realisation) -> Response:
    amount = eur(realisation.value_cents)
    if realisation.state == "draft":
        flash(
            _("Draft saved: %(amount)s. Submit it below once it is complete.", amount=amount), "ok"
        )
    else:
        flash(_("Realisation submitted: %(amount)s", amount=amount), "ok")
    return redirect(_contract_url(realisation.contract_id))


@bp.route("/contracten/<int:contract_id>/realisaties/nieuw", methods=["GET", "POST"])
@login_required
def new_realisation(contract_id: int):
    contract = _own_contract(contract_id)

    def save(data, action, uploads, held):
        draft = action == "draft"
        return realisations.submit(contract, data, current_user, uploads, draft=draft, held=held)

    return _post_cycle(contract, RealisationForm(contract.policy), save)


def _post_cycle(contract, form: RealisationForm, save, realisation=None):
    """The realisation form's round: "submit" or "draft" saves through `save(data, action,
    uploads, held)` and leads on; any other post previews the value; a refusal or invalid
    fields show the form again with every error and the files chosen so far."""
    result = None
    action = request.form.get("action")
    uploads, held = _chosen(form)
    if form.validate_on_submit():
        data = _posted_data(form, contract)
        try:
            if action in ("submit", "draft"):
                return _saved(save(data, action, uploads, held))
            result = realisations.preview(contract, data, uploads)
        except ServiceError as exc:
            _refuse(form, exc)
    elif form.is_submitted():
        _all_errors(form, contract, action)
    return _form_page(contract, form, result, realisation, held=_kept(uploads, held))


def _chosen(form: RealisationForm) -> tuple[list[evidence.Upload], list]:
    """The files chosen in this post, and those kept from an earlier post of the form that the
    user left ticked (by their tokens; evidence.held finds only the user's own)."""
    if request.method != "POST":
        return [], []
    return _uploads(form), evidence.held(request.form.getlist("held_evidence"), current_user.id)


def _kept(uploads: list[evidence.Upload], held: list) -> list:
    """After a post that saved nothing (the value preview, a refused field), the chosen files
    are kept for the next one, so they need not be chosen again (issue 15)."""
    return held + evidence.hold(uploads, current_user.id) if uploads else held


def _posted_data(form: RealisationForm, contract: Contract) -> realisations.RealisationData:
    block = next((b for b in contract.policy.blocks if b.code == form.block_code.data), None)
    return _realisation_data(form, block.unit if block else "")


def _all_errors(form: RealisationForm, contract: Contract, action: str | None) -> None:
    """When a field did not parse, also show what the service would refuse in the others, so
    every wrong field is marked at once (issue 15)."""
    required = {
        "draft": realisations.DRAFT,
        "preview": realisations.PREVIEW,
    }.get(action or "", realisations.SUBMISSION)
    errors = realisations.field_errors(contract, _posted_data(form, contract), required)
    unmarked = {n: msg for n, msg in errors.items() if n in form and not form[n].errors}
    if unmarked:
        apply_service_error(form, ServiceError(_("Some fields are not valid."), unmarked))


def _form_page(contract: Contract, form: RealisationForm, result, realisation=None, held=()):
    blocks = {b.code: b for b in contract.policy.blocks}
    labels = unit_labels()
    page = render_template(
        "contractor/realisation_form.html",
        contract=contract,
        form=form,
        result=result,
        realisation=realisation,
        held=held,
        history=history.of_realisation(realisation) if realisation else [],
        fieldsets=[
            (legend, names, units, ", ".join(str(labels[u]) for u in units))
            for legend, names in FIELDSETS
            for units in [fieldset_units(names)]
        ],
        field_units=FIELD_UNITS,
        line_labels={
            **{code: f"{code} — {b.label}" for code, b in blocks.items()},
            **bonus_labels(),
        },
    )
    return page, 422 if request.method == "POST" and result is None else 200


def _own_realisation(realisation_id: int) -> Realisation:
    """The realisation, when the user reports on its contract as its contractor; else 404."""
    realisation, side = realisations.realisation_for_party(realisation_id, current_user)
    if side != "contractor":
        raise NotFound()
    return realisation


def _stored_form(realisation: Realisation, **kwargs) -> RealisationForm:
    """The form filled with the stored realisation (posted values win on a POST). Values are
    passed by name, not as `obj`: WTForms prefers an object's attribute to a given value, and
    the stored None of a field the block does not use is not a choice of its select."""
    stored = {name: getattr(realisation, name) for name in FIELD_UNITS}
    return RealisationForm(
        realisation.contract.policy,
        **{
            **stored,
            "attributes": stored["attributes"] or [],
            "supplier_certification": stored["supplier_certification"] or "none",
            "block_code": realisation.block.code,
            "description": realisation.description,
            "answer": "",
        },
        **kwargs,
    )


@bp.route("/realisaties/<int:realisation_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit_realisation(realisation_id: int):
    """A draft, or a rejected or questioned realisation: corrected, and kept as a draft or sent
    (again). Other states are shown on the contract page only."""
    realisation = _own_realisation(realisation_id)
    contract = realisation.contract
    if realisation.state not in EDITABLE_STATES:
        flash(_("This realisation can no longer be changed."), "error")
        return redirect(_contract_url(contract.id))
    form = _stored_form(realisation)

    def save(data, action, uploads, held):
        answer = form.answer.data or ""
        send = action == "submit"
        return realisations.correct(
            realisation, data, current_user, uploads, send=send, answer=answer, held=held
        )

    return _post_cycle(contract, form, save, realisation)


@bp.route("/realisaties/<int:realisation_id>/verwijderen", methods=["GET", "POST"])
@login_required
def delete_realisation(realisation_id: int):
    """Deleting a draft is for good: the GET asks on a page of its own, the POST deletes."""
    realisation = _own_realisation(realisation_id)
    contract_id = realisation.contract_id
    if request.method == "POST":
        try:
            realisations.delete_draft(realisation, current_user)
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            flash(exc.message, "error")
        else:
            flash(_("The draft is deleted."), "ok")
        return redirect(_contract_url(contract_id))
    if realisation.state != "draft":
        flash(_("Only a draft can be deleted."), "error")
        return redirect(_contract_url(contract_id))
    return render_template("contractor/confirm_delete.html", realisation=realisation)


@bp.post("/realisaties/<int:realisation_id>/indienen")
@login_required
def submit_draft(realisation_id: int):
    realisation = _own_realisation(realisation_id)
    contract_id = realisation.contract_id  # read now: a draft deleted meanwhile is gone after
    try:
        realisations.submit_draft(realisation, current_user)
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        if exc.fields:
            # An incomplete draft: its form shows what is missing, next to each field.
            form = _stored_form(realisation, formdata=None)
            apply_service_error(form, exc)
            page, _status = _form_page(realisation.contract, form, None, realisation)
            return page, 422
        flash(exc.message, "error")
    else:
        flash(_("Realisation submitted: %(amount)s", amount=eur(realisation.value_cents)), "ok")
    return redirect(_contract_url(contract_id))


@bp.route("/bewijs/<int:evidence_id>", endpoint="evidence")
@login_required
def evidence_download(evidence_id: int) -> Response:
    """An evidence file for whom `realisations.evidence_file_for` allows, always as a download:
    an uploaded file is never rendered in our origin."""
    row = realisations.evidence_file_for(evidence_id, current_user)
    # Cleaned again: rows stored before names were cleaned keep the user's name.
    name = evidence.display_name(row.filename, row.content_type)
    return attachment(evidence.path_of(row), row.content_type, name)


def _certificate_upload(field_name: str) -> evidence.Upload | None:
    upload = request.files.get(field_name)
    return evidence.Upload(upload.filename, upload.read()) if upload and upload.filename else None


@bp.route("/pso", methods=["GET", "POST"])
@login_required
def pso_page():
    org = g.current_org
    today = clock.today()
    posted = request.form.get("form") if request.method == "POST" else None
    certificate_form = CertificateForm(
        prefix="certificate", formdata=request.form if posted == "certificate" else None
    )
    scan_form = SelfScanForm(prefix="scan", formdata=request.form if posted == "scan" else None)
    scan = None
    if org and posted == "certificate" and certificate_form.validate():
        try:
            pso.record_certificate(
                org,
                certificate_form.level.data,
                certificate_form.number.data,
                certificate_form.valid_until.data,
                current_user,
                today,
                _certificate_upload(certificate_form.file.name),
            )
        except ServiceError as exc:
            _refuse(certificate_form, exc)
        else:
            flash(_("PSO certificate recorded."), "ok")
            return redirect(url_for("contractor.pso_page"))
    elif posted == "scan" and scan_form.validate():
        try:
            scan = pso_rules.self_scan(
                scan_form.total_fte.data, scan_form.direct_fte.data, scan_form.indirect_fte.data
            )
        except ValueError:
            # What is left after the form's checks: direct + indirect above the total.
            scan_form.direct_fte.errors = [
                _("Direct and indirect target-group FTE together cannot exceed the total FTE.")
            ]
    certificates = (
        [
            (c, pso_rules.expiry_state(c.valid_until, today, pso.WARN_DAYS))
            for c in pso.certificates_of(org)
        ]
        if org
        else []
    )
    page = render_template(
        "contractor/pso.html",
        org=org,
        certificates=certificates,
        certificate_form=certificate_form,
        scan_form=scan_form,
        scan=scan,
        posted=posted,
    )
    refused = certificate_form.errors or scan_form.errors
    return page, 422 if refused else 200
