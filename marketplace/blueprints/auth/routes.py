"""Register, confirm, log in and out, reset or change a password."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from marketplace.blueprints import limits
from marketplace.blueprints.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResendConfirmationForm,
    ResetPasswordForm,
)
from marketplace.blueprints.formhelpers import apply_service_error
from marketplace.blueprints.main.routes import _safe_next
from marketplace.extensions import limiter, login_manager
from marketplace.models import User
from marketplace.services import accounts
from marketplace.services.errors import ServiceError

bp = Blueprint("auth", __name__, url_prefix="/account")

login_manager.login_view = "auth.login"
login_manager.login_message = None


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    # The API is exempt from CSRF, so a browser session must authorise nothing there: on /api/
    # paths only the bearer header (request_loader below) counts.
    if request.path.startswith("/api/"):
        return None
    return accounts.user_for_session(user_id)


@login_manager.request_loader
def load_user_from_bearer(req) -> User | None:
    header = req.headers.get("Authorization", "")
    if header.startswith("Bearer ") and req.path.startswith("/api/"):
        return accounts.user_for_token(header.removeprefix("Bearer ").strip())
    return None


def _login_pair_key() -> str:
    # Per address AND client: a per-address limit would let anyone lock its owner out.
    return f"login:{(request.form.get('email') or '').strip().lower()}|{request.remote_addr}"


@bp.route("/registreren", methods=["GET", "POST"])
@limits.register
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            accounts.register(form.email.data, form.password.data, form.name.data or "")
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            return render_template("auth/check_mail.html", email=form.email.data.strip().lower())
    return render_template("auth/register.html", form=form)


@bp.route("/bevestigen/<token>")
def confirm(token: str):
    # Never logs in: whoever holds the link must still know the password (see the service).
    try:
        accounts.confirm_email(token)
    except ServiceError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Your e-mail address is confirmed. Log in with your password."), "ok")
    return redirect(url_for("auth.login", next=url_for("orgs.mine")))


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_PAIR_RATE_LIMIT"], key_func=_login_pair_key, methods=["POST"]
)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data, request.remote_addr)
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            login_user(user)
            # The language chosen before logging in is the user's latest choice; without one,
            # the pages take up the choice the user made before.
            if session.get("locale"):
                accounts.choose_language(user, session["locale"])
            elif user.locale:
                session["locale"] = user.locale
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.post("/uitloggen")
@login_required
def logout():
    accounts.log_out(current_user)
    logout_user()
    flash(_("You are logged out."), "ok")
    return redirect(url_for("main.index"))


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@limits.password_reset
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data, str(get_locale()))
        flash(_("If this address is known to us, we have sent a link to reset the password."), "ok")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/bevestiging-opnieuw", methods=["GET", "POST"])
@limits.resend_confirmation
@limits.resend_confirmation_address
def resend_confirmation():
    """A new confirmation link; the answer is the same whether the address has an account."""
    form = ResendConfirmationForm()
    if form.validate_on_submit():
        accounts.resend_confirmation(form.email.data)
        flash(
            _(
                "If this address has an account that is not confirmed yet, we have sent a new "
                "confirmation link to it."
            ),
            "ok",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/resend_confirmation.html", form=form)


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data, request.remote_addr)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            flash(_("Your password has been changed. You can log in now."), "ok")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/wachtwoord-wijzigen", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            accounts.change_password(
                user, form.current_password.data, form.password.data, request.remote_addr
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            login_user(user)  # this session goes on under the new session token; others end
            flash(
                _(
                    "Your password has been changed. Other sessions are logged out and your "
                    "API tokens no longer work."
                ),
                "ok",
            )
            return redirect(url_for("account.index"))
    return render_template("auth/change_password.html", form=form)
