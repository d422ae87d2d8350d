"""Every form of every page, sent with hostile values in any of its fields, answers below 500:
a NUL byte or lone surrogate (400 from the request boundary), whole numbers beyond 64 bits and
decimals with a huge exponent (a field message). And every path id of 20 digits is a 404.

The forms are not listed by hand: each role's pages are fetched (every GET route of the app, with
the world's ids filled in) and their forms read from the HTML, and every POST route of the app
must be the action of one of them, so a new form is covered without editing this file. GET forms
(search, filters, page choices) are sent as query strings the same way.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask, url_for
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from marketplace.services import outbox
from tests import hostile
from tests.mailbox import outbox_messages

# Routes whose GET serves a file or needs a token from an e-mail; the reset page is fetched
# through the link of a real reset mail instead.
NOT_PAGES = re.compile(r"\.(pdf|csv|xlsx|svg)$|/bewijs/|<token>")
SETTINGS = settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass
class Form:
    role: str
    action: str
    multipart: bool
    method: str = "POST"
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (name, kind, value)


class _FormParser(HTMLParser):
    """The forms of a page with their named inputs, selects, textareas and buttons."""

    def __init__(self, role: str, page: str) -> None:
        super().__init__()
        self.role, self.page = role, page
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            method = a.get("method", "get").upper()
            action = (a.get("action") or self.page).split("#")[0].split("?")[0]
            multipart = a.get("enctype") == "multipart/form-data"
            self._form = Form(self.role, action, multipart, method)
            self.forms.append(self._form)
            return
        if self._form is None or not a.get("name"):
            if tag == "option" and self._form is not None and self._select:
                self._set_default(self._select, a.get("value", ""))
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text")
            self._form.fields.append((name, "file" if kind == "file" else kind, a.get("value", "")))
        elif tag in ("textarea", "button"):
            self._form.fields.append((name, tag, a.get("value", "")))
        elif tag == "select":
            self._select = name
            self._form.fields.append((name, "select", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None

    def _set_default(self, name: str, value: str) -> None:
        """The first non-empty option is the select's plausible value."""
        for i, (n, kind, current) in enumerate(self._form.fields):
            if n == name and kind == "select" and not current:
                self._form.fields[i] = (n, kind, value)


def _page_urls(app: Flask, world: hostile.World) -> list[str]:
    urls = []
    with app.test_request_context():
        for rule in hostile.rules(app, "GET", api=False):
            if NOT_PAGES.search(rule.rule):
                continue
            if "slug" in rule.arguments:
                continue  # the organisation pages are added per role below
            if not rule.arguments <= world.path_values.keys():
                continue  # nothing in the world for it: the POST coverage check will say so
            values = {name: world.path_values[name] for name in rule.arguments}
            urls.append(url_for(rule.endpoint, **values))
    return urls


def _reset_page(client, user) -> str:
    client.post("/account/wachtwoord-vergeten", data={"email": user.email})
    body = outbox_messages(user.email)[-1].get_content()
    return urlsplit(re.search(r"https?://\S+", body).group(0)).path


@pytest.fixture
def world(app) -> hostile.World:
    return hostile.make_world()


@pytest.fixture
def clients(app, world) -> dict[str, object]:
    """A logged-in test client per role, and one for a visitor (last: public forms are posted
    as the first role that has them, see `forms`)."""
    clients = {}
    for role, user in world.users().items():
        clients[role] = app.test_client()
        hostile.login(clients[role], user)
    clients["visitor"] = app.test_client()
    return clients


@pytest.fixture
def forms(app, world, clients) -> list[Form]:
    """Every form on every page each role can open."""
    found: list[Form] = []
    pages = _page_urls(app, world)
    own_org = {"officer": world.authority, "owner": world.contractor}
    for role, client in clients.items():
        role_pages = list(pages) + world.extra_pages
        if role in own_org:
            slug = own_org[role].slug
            role_pages += [f"/organisaties/{slug}/leden", f"/organisaties/{slug}/profiel"]
        if role == "visitor":
            # Not a role's own password: a hostile post may well set a new one.
            role_pages.append(_reset_page(client, world.colleague))
        for page in role_pages:
            response = client.get(page)
            if response.status_code == 200 and response.mimetype == "text/html":
                parser = _FormParser(role, page)
                parser.feed(response.get_data(as_text=True))
                found.extend(f for f in parser.forms if f.fields)
    # A form class appears on many pages and for many roles (the layout's language switch, the
    # verification button per organisation): post each once, as the first role that has it.
    adapter = app.url_map.bind("localhost")
    unique: dict[tuple, Form] = {}
    for f in found:
        endpoint = adapter.match(f.action, method=f.method)[0]
        unique.setdefault((f.method, endpoint, tuple(name for name, _k, _v in f.fields)), f)
    return list(unique.values())


def test_every_post_route_has_a_form_the_property_tests_reach(app, forms):
    adapter = app.url_map.bind("localhost")
    reached = {adapter.match(f.action, method="POST")[0] for f in forms if f.method == "POST"}
    wanted = {rule.endpoint for rule in hostile.rules(app, "POST", api=False)}
    assert wanted <= reached, f"POST routes without a form found: {sorted(wanted - reached)}"


def _as_sent(text: str) -> str:
    """What the server reads: a browser sends UTF-8, where a lone surrogate cannot exist."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


FILENAME_ESCAPES = str.maketrans({'"': "%22", "\r": "%0D", "\n": "%0A"})


def _post(client, form: Form, values: dict[str, str]):
    if form.multipart:
        data: dict[str, object] = {}
        for name, kind, _value in form.fields:
            if kind == "file":
                # Escaped as a browser does (HTML's multipart encoding): a bare quote would end
                # the file name early and drop what follows it, a NUL byte included.
                filename = _as_sent(values[name]).translate(FILENAME_ESCAPES) or "tabel.csv"
                data[name] = (io.BytesIO(b"code,label,unit\nPW,Proef,cost\n"), filename)
            else:
                data[name] = _as_sent(values[name])
        return client.post(form.action, data=data, content_type="multipart/form-data")
    body = urlencode([(name, values[name].encode("utf-8", "surrogatepass")) for name in values])
    if form.method == "GET":
        return client.get(form.action, query_string=body)
    return client.post(form.action, data=body, content_type="application/x-www-form-urlencoded")


# A value for an empty field, so that a form with one hostile field can pass the others' checks
# and take its hostile value into the service (a date of the factory contract, a small number).
PLAUSIBLE = {"date": "2026-06-01", "email": "proef@example.com", "number": "1", "text": "1"}
# Besides the one field that is always hostile, others are too now and then.
ONE_IN_FIVE = st.integers(min_value=0, max_value=4).map(lambda n: n == 0)


def _post_hostile(
    data: st.DataObject, clients: dict, world: hostile.World, forms: list[Form], values
) -> None:
    """Post every form once, each field either its own value or a drawn hostile one (at least
    one field hostile); a NUL byte that arrives must be a 400, anything else below 500."""
    for form in forms:
        names = [name for name, _kind, _value in form.fields]
        forced = data.draw(st.sampled_from(names), label=f"{form.action} forced")
        sent = {}
        for name, kind, value in form.fields:
            hostile_value = name == forced or data.draw(ONE_IN_FIVE, label=name)
            plausible = value or PLAUSIBLE.get(kind, "")
            sent[name] = data.draw(values, label=name) if hostile_value else plausible
        response = _post(clients[form.role], form, sent)
        arrived_nul = any("\x00" in _as_sent(v) for v in [*sent, *sent.values()])
        where = f"{form.role} {form.method} {form.action} {sent!r}"
        if arrived_nul:
            assert response.status_code == 400, where
        else:
            assert response.status_code < 500, where
        if form.action == "/account/uitloggen":
            hostile.login(clients[form.role], world.users()[form.role])


@pytest.fixture
def jobs_wait(forms, monkeypatch) -> None:
    """Outbox jobs stay pending instead of running inline after each commit, once the forms are
    found (that needs the reset mail). A job runs after the answer is made and its errors are
    logged, never raised into the request (outbox.dispatch), so it cannot change a status code
    asserted here; run inline it rendered a PDF for every report form posted, half the time of
    these tests. The jobs have their own tests (tests/jobs)."""
    monkeypatch.setattr(outbox, "dispatch", lambda ids: None)


@pytest.mark.usefixtures("jobs_wait")
@SETTINGS
@given(data=st.data())
def test_unstorable_text_in_any_form_field_is_refused_not_500(clients, world, forms, data):
    _post_hostile(data, clients, world, forms, hostile.unstorable_text())


@pytest.mark.usefixtures("jobs_wait")
@SETTINGS
@given(data=st.data())
def test_integers_beyond_64_bits_in_any_form_field_answer_below_500(clients, world, forms, data):
    _post_hostile(data, clients, world, forms, hostile.huge_integers().map(str))


@pytest.mark.usefixtures("jobs_wait")
@SETTINGS
@given(data=st.data())
def test_huge_exponents_in_any_form_field_answer_below_500(clients, world, forms, data):
    _post_hostile(data, clients, world, forms, hostile.huge_exponents())


# The two edges below and two drawn between them: every run asks every route as every role, and
# the bounded id converter answers any of these numbers the same way.
@settings(SETTINGS, max_examples=2)
@given(number=st.integers(min_value=2**31, max_value=10**20 - 1))
@example(number=2**31)  # one more than an INTEGER id column holds on PostgreSQL
@example(number=10**19)  # twenty digits
def test_ids_beyond_an_integer_column_in_any_path_are_404(app, clients, world, number):
    """Every route with a whole number in its path, GET and POST, web and API, for every role."""
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            ints = hostile.int_arguments(rule)
            if not ints:
                continue
            values = {name: world.path_values.get(name, "x") for name in rule.arguments}
            path = url_for(rule.endpoint, **{**values, **dict.fromkeys(ints, number)})
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                for role, client in clients.items():
                    response = client.open(path, method=method)
                    assert response.status_code == 404, f"{role} {method} {path}"
