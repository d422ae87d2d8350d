"""The procurement officer's pages: dashboard, SROI policy versions, contract registration and
the approval queue. The officer acts for the selected organisation (`g.current_org`), which must
be an authority the user belongs to; the services refuse anything else (404/403)."""

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
from marketplace.blueprints.downloads import attachment
from marketplace.blueprints.formhelpers import apply_service_error, page_arg
from marketplace.blueprints.layout import remember_awaiting
from marketplace.blueprints.officer.forms import (
    SAMPLE_FIELDS,
    BlockForm,
    CertificateRejectionForm,
    ContractForm,
    DecisionForm,
    FilterForm,
    PolicyForm,
    SampleForm,
)
from marketplace.domain.fulfilment import STATUSES, worst_first_key
from marketplace.labels import bonus_labels
from marketplace.models import BuildingBlock, Contract, Organisation, SroiPolicy
from marketplace.services import (
    contracts,
    fulfilment,
    organisations,
    policies,
    pso,
    realisations,
    reports,
)
from marketplace.services.errors import Conflict, Forbidden, NotFound, ServiceError

bp = Blueprint("officer", __name__, url_prefix="/inkoop")

CONTRACTS_PER_PAGE = 50
QUEUE_PER_PAGE = 50
QUEUE_PREVIEW = 10
# Status cards shown even at 0; "exempt" and "not applicable" only when some contract has them.
ALWAYS_SHOWN = ("overdue", "at_risk", "on_track", "fulfilled")


def _authority() -> Organisation:
    """The authority the officer acts for: the selected organisation, when it is an authority.

    `g.current_org` is always one of the user's own organisations (loaded with the memberships for
    this request), so membership needs no second query here; the services that change or reveal
    anything beyond the dashboard check it again (require_officer, role_of)."""
    org = g.get("current_org")
    if org is None or org.kind != "authority":
        raise NotFound()
    return org


def _queue(authority: Organisation, page: int, per_page: int, *, evidence: bool = False):
    """A page of the realisations awaiting a decision; its total is the nav's count too."""
    result = realisations.awaiting_decision_page(
        authority.id, page, per_page, with_evidence=evidence
    )
    remember_awaiting(result.total)
    return result


@bp.route("/")
@login_required
def dashboard():
    authority = _authority()
    counts = contracts.status_counts(authority.id)
    filters = FilterForm(formdata=request.args)
    filters.set_choices(contracts.contractors_of(authority.id), contracts.departments(authority.id))
    page = contracts.authority_contracts_page(
        authority.id, filters.contract_filter(), page_arg(), CONTRACTS_PER_PAGE
    )
    # The queue and the chart are the overview of the first page; further pages are for going
    # through the list, so they skip those queries (the nav still counts the queue).
    overview = page.page == 1
    today = clock.today()
    total = sum(counts.values())
    return render_template(
        "officer/dashboard.html",
        authority=authority,
        counts=counts,
        total=total,
        card_statuses=[
            s for s in sorted(STATUSES, key=worst_first_key) if s in ALWAYS_SHOWN or counts.get(s)
        ],
        # Only needed for the empty state: a contract cannot exist without a policy.
        has_policy=bool(total) or bool(policies.policies_of(authority)),
        filters=filters,
        active_filters=filters.active(),
        page=page,
        rows=[(c, fulfilment.fulfilment_of(c, today)) for c in page.items],
        queue=_queue(authority, 1, QUEUE_PREVIEW) if overview else None,
        certificates_waiting=len(pso.awaiting_verification(authority)) if overview else 0,
        report_years=reports.report_years(authority, today) if overview else [],
    )


@bp.route("/beleid")
@login_required
def policy_list():
    authority = _authority()
    versions = policies.policies_of(authority)
    in_force = policies.policy_in_force(authority.id, clock.today())
    return render_template(
        "officer/policies.html", versions=versions, in_force=in_force, authority=authority
    )


@bp.route("/beleid/<int:policy_id>")
@login_required
def policy_detail(policy_id: int):
    _authority()
    policy = policies.get_policy(policy_id, current_user)
    return render_template("officer/policy.html", policy=policy)


@bp.route("/beleid/<int:policy_id>/waardetabel.csv")
@login_required
def policy_csv(policy_id: int):
    _authority()
    policy = policies.get_policy(policy_id, current_user)
    filename = f"waardetabel-{policy.authority.slug}-{policy.effective_from.isoformat()}.csv"
    # The byte-order mark makes Excel read the file as UTF-8; parse_csv skips it.
    return Response(
        "\ufeff" + policies.export_csv(policy),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/beleid/nieuw", methods=["GET", "POST"])
@login_required
def policy_new():
    authority = _authority()
    organisations.require_verified(authority)
    versions = policies.policies_of(authority)
    # The version to start from: the one asked for (`?van=<id>`, from a version's table page),
    # else the latest; only the authority's own versions can be asked for.
    asked = request.args.get("van", "")
    current = next((v for v in versions if str(v.id) == asked), versions[0] if versions else None)
    form = PolicyForm()
    if not form.is_submitted() and current is not None:
        form.prefill(current)
    if form.validate_on_submit():
        try:
            data = form.policy_data(form.value_table_blocks(current), current)
            policy = policies.create_policy(authority, data, current_user)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            flash(_("Policy version %(name)s is saved.", name=policy.name), "ok")
            return redirect(url_for("officer.policy_detail", policy_id=policy.id))
    return render_template("officer/policy_form.html", form=form, current=current)


# The value-table editor: a version's rows one by one, each with a preview of what a sample
# realisation is worth under it. A version contracts use is not changed (services/policies.py).


@bp.route("/beleid/<int:policy_id>/waardetabel")
@login_required
def value_table(policy_id: int):
    _authority()
    policy, in_use = policies.value_table(policy_id, current_user)
    return render_template("officer/value_table.html", policy=policy, in_use=in_use)


@bp.route("/beleid/<int:policy_id>/waardetabel/nieuw", methods=["GET", "POST"])
@login_required
def block_new(policy_id: int):
    _authority()
    try:
        policy = policies.editable_policy(policy_id, current_user)
    except Conflict as exc:
        return _table_unchangeable(policy_id, exc)
    return _row_cycle(policy, None)


@bp.route("/beleid/<int:policy_id>/waardetabel/<int:block_id>", methods=["GET", "POST"])
@login_required
def block_edit(policy_id: int, block_id: int):
    _authority()
    try:
        block = policies.get_block(policy_id, block_id, current_user)
    except Conflict as exc:
        return _table_unchangeable(policy_id, exc)
    return _row_cycle(block.policy, block)


@bp.route("/beleid/<int:policy_id>/waardetabel/<int:block_id>/verwijderen", methods=["GET", "POST"])
@login_required
def block_delete(policy_id: int, block_id: int):
    """Deleting a row is for good: the GET asks on a page of its own, the POST deletes."""
    _authority()
    try:
        block = policies.get_block(policy_id, block_id, current_user)
        if request.method == "POST":
            policies.delete_block(policy_id, block_id, current_user)
            flash(_("Row %(code)s is deleted.", code=block.code), "ok")
            return redirect(url_for("officer.value_table", policy_id=policy_id))
    except Conflict as exc:
        return _table_unchangeable(policy_id, exc)
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        flash(exc.message, "error")
        return redirect(url_for("officer.value_table", policy_id=policy_id))
    return render_template("officer/block_delete.html", block=block)


def _table_unchangeable(policy_id: int, exc: Conflict) -> Response:
    flash(exc.message, "error")
    return redirect(url_for("officer.value_table", policy_id=policy_id))


def _row_cycle(policy: SroiPolicy, block: BuildingBlock | None):
    """One row's form: "Voorbeeld berekenen" values a sample realisation with the row as typed
    and saves nothing; saving checks the whole row and shows every problem at once."""
    form, sample = BlockForm(), SampleForm(prefix="sample")
    fresh = not form.is_submitted()
    if fresh and block is not None:
        form.prefill(block)
    saving = request.form.get("action") != "preview"
    if form.validate_on_submit() and saving:
        try:
            if block is None:
                saved = policies.add_block(policy.id, form.row(), current_user)
            else:
                saved = policies.update_block(policy.id, block.id, form.row(), current_user)
        except ServiceError as exc:
            if exc.status in (403, 404, 409):
                raise
            form.place(exc.fields)
        else:
            flash(_("Row %(code)s is saved.", code=saved.code), "ok")
            return redirect(
                url_for("officer.value_table", policy_id=policy.id, _anchor=f"row-{saved.id}")
            )
    elif form.is_submitted():
        form.place(policies.row_problems(policy, form.row(), block))
    row = form.row()
    sample.attributes.choices = [(a, bonus_labels()[a]) for a in row.rules.bonuses]
    sample.validate()
    sample.fill_examples(policy.effective_from.year, list(row.rules.bonuses), fresh=fresh)
    preview, preview_error = None, None
    if any(form[name].errors for name in form.valued_fields()):
        preview_error = _("correct the marked fields of the row first.")
    elif row.rules.unit in SAMPLE_FIELDS and not sample.errors:
        try:
            preview = policies.sample_value(row.rules, sample.realisation())
        except ServiceError as exc:
            preview_error = exc.message
    page = render_template(
        "officer/block_form.html",
        policy=policy,
        block=block,
        form=form,
        sample=sample,
        unit=row.rules.unit,
        sample_fields=SAMPLE_FIELDS.get(row.rules.unit, ()),
        rewarded=list(row.rules.bonuses),
        preview=preview,
        preview_error=preview_error,
        summary=sample.summary(row.rules.unit, list(row.rules.bonuses)) if preview else "",
    )
    # A save refused answers 422, the page with every field's message.
    return Response(page, status=422 if form.is_submitted() and saving else 200)


@bp.route("/contracten/nieuw", methods=["GET", "POST"])
@login_required
def contract_new():
    authority = _authority()
    organisations.require_verified(authority)
    form = ContractForm()
    form.set_contractors(contracts.contractors())
    if form.validate_on_submit():
        try:
            contract = contracts.register(authority, form.contract_data(), current_user)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            flash(_("Contract %(ref)s is registered.", ref=contract.reference), "ok")
            return redirect(url_for("contracts.detail", contract_id=contract.id))
    elif form.is_submitted():
        _all_contract_errors(form, authority, None)
    return render_template(
        "officer/contract_form.html",
        form=form,
        contract=None,
        has_policy=bool(policies.policies_of(authority)),
    )


@bp.route("/contracten/<int:contract_id>/bewerken", methods=["GET", "POST"])
@login_required
def contract_edit(contract_id: int):
    contract = _officer_contract(contract_id)
    form = ContractForm(obj=contract)
    form.set_contractors(contracts.contractors(), contract.contractor)
    if form.validate_on_submit():
        try:
            contracts.update(contract, form.contract_data(), current_user)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            flash(_("Contract %(ref)s is saved.", ref=contract.reference), "ok")
            return redirect(url_for("contracts.detail", contract_id=contract.id))
    elif form.is_submitted():
        _all_contract_errors(form, contract.authority, contract)
    return render_template(
        "officer/contract_form.html", form=form, contract=contract, has_policy=True
    )


def _all_contract_errors(form: ContractForm, authority: Organisation, contract) -> None:
    """When a field did not parse, also show what the service would refuse in the others, so
    every wrong field is marked at once (issue 15: three mistakes took three submits)."""
    errors = contracts.field_errors(authority, form.contract_data(), contract)
    unmarked = {n: msg for n, msg in errors.items() if n in form and not form[n].errors}
    if unmarked:
        apply_service_error(form, ServiceError(_("Some fields are not valid."), unmarked))


def _officer_contract(contract_id: int) -> Contract:
    """A contract of an authority the user is an officer of; the contractor side gets a 403."""
    contract, side = contracts.contract_for_party(contract_id, current_user)
    if side != "officer":
        raise Forbidden()
    return contract


@bp.route("/beoordelen", methods=["GET", "POST"])
@login_required
def queue():
    authority = _authority()
    form = DecisionForm()
    if form.validate_on_submit() and _decide(form, inline_errors=True):
        return redirect(url_for("officer.queue"))
    page = _queue(authority, page_arg(), QUEUE_PER_PAGE, evidence=True)
    return render_template("officer/queue.html", page=page, form=form)


@bp.post("/beoordelen/contract")
@login_required
def decide_on_contract():
    """Approve or reject from the contract page; the answer is always that page again."""
    _authority()
    form = DecisionForm()
    if form.validate_on_submit():
        _decide(form, inline_errors=False)
    if not form.contract_id.data:
        return redirect(url_for("officer.queue"))
    # Back to the page of realisations the decision was taken on (the form's action carries it).
    page = page_arg()
    return redirect(
        url_for(
            "contracts.detail",
            contract_id=form.contract_id.data,
            page=page if page > 1 else None,
            _anchor="realisations-heading" if page > 1 else None,
        )
    )


def _decide(form: DecisionForm, *, inline_errors: bool) -> bool:
    """Call the service with the chosen rows; a refusal lands next to the reason (inline_errors,
    when the form is shown again) or in a flash message; 403/404 stay error pages. True when
    something was decided."""
    decision = next((d for d in ("approve", "ask") if d in request.form), "reject")
    if not form.ids.data:
        flash(_("Select at least one realisation."), "error")
        return False
    try:
        if decision == "approve":
            n = realisations.approve(form.ids.data, current_user)
        elif decision == "ask":
            n = realisations.ask(form.ids.data, current_user, form.question.data or "")
        else:
            n = realisations.reject(form.ids.data, current_user, form.reason.data or "")
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        if inline_errors:
            apply_service_error(form, exc)
        else:
            flash(exc.message, "error")
        return False
    if decision == "approve":
        message = _("1 realisation approved.") if n == 1 else _("%(n)d realisations approved.", n=n)
    elif decision == "ask":
        message = _("Your question was sent to the contractor with %(n)d realisation(s).", n=n)
    else:
        message = _("1 realisation rejected.") if n == 1 else _("%(n)d realisations rejected.", n=n)
    flash(message, "ok")
    return True


# PSO certificates: verified by an officer of an authority the company works for, or the admin.


@bp.route("/pso-certificaten")
@login_required
def certificates():
    authority = _authority()
    return render_template(
        "officer/certificates.html", certificates=pso.awaiting_verification(authority)
    )


@bp.route("/pso-certificaten/<int:certificate_id>")
@login_required
def certificate(certificate_id: int):
    """The certificate with what verifying it changes: the confirmation step before deciding."""
    cert = pso.get_for_verifier(certificate_id, current_user)
    return render_template(
        "officer/certificate.html",
        cert=cert,
        form=CertificateRejectionForm(),
        covered=contracts.covered_by(cert),
    )


@bp.post("/pso-certificaten/<int:certificate_id>/verifieren")
@login_required
def certificate_verify(certificate_id: int):
    cert, changed = pso.verify(certificate_id, current_user)
    flash(
        _(
            "Certificate %(number)s is verified; the obligation of %(n)d contracts was "
            "recalculated.",
            number=cert.number,
            n=len(changed),
        ),
        "ok",
    )
    return redirect(url_for("officer.certificate", certificate_id=cert.id))


@bp.post("/pso-certificaten/<int:certificate_id>/afwijzen")
@login_required
def certificate_reject(certificate_id: int):
    cert = pso.get_for_verifier(certificate_id, current_user)
    form = CertificateRejectionForm()
    if form.validate_on_submit():
        try:
            pso.reject(cert.id, form.reason.data, current_user)
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            apply_service_error(form, exc)
        else:
            flash(_("Certificate %(number)s is rejected.", number=cert.number), "ok")
            return redirect(url_for("officer.certificate", certificate_id=cert.id))
    page = render_template(
        "officer/certificate.html",
        cert=cert,
        form=form,
        covered=contracts.covered_by(cert),
    )
    return Response(page, status=422)


@bp.route("/pso-certificaten/<int:certificate_id>/bestand")
@login_required
def certificate_file(certificate_id: int) -> Response:
    """The uploaded certificate, always as a download (never rendered in our origin)."""
    cert, path = pso.file_of(certificate_id, current_user)
    return attachment(path, cert.file_content_type or "application/octet-stream", cert.file_name)
