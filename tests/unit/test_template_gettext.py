"""The templates' `_()` (marketplace/templating.py): translated in the request's language,
values escaped in HTML and left alone in plain text, always formatted with `%`."""

from __future__ import annotations

from flask_babel import force_locale


def test_underscore_translates_in_the_forced_language(app):
    template = app.jinja_env.from_string("{{ _('Contractor') }}")
    with app.test_request_context():
        with force_locale("nl"):
            dutch = template.render()
        with force_locale("en"):
            english = template.render()
    assert (dutch, english) == ("Opdrachtnemer", "Contractor")


def test_values_are_escaped_in_an_escaping_template(app):
    template = app.jinja_env.from_string(
        "{% autoescape true %}{{ _('%(string)s and 100%%', string='<b>') }}{% endautoescape %}"
    )
    with app.test_request_context(), force_locale("en"):
        assert template.render() == "&lt;b&gt; and 100%"


def test_values_are_left_alone_in_plain_text(app):
    template = app.jinja_env.from_string(
        "{% autoescape false %}{{ gettext('%(string)s and 100%%', string='<b>') }}"
        "{% endautoescape %}"
    )
    with app.test_request_context(), force_locale("en"):
        assert template.render() == "<b> and 100%"
