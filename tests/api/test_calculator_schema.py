"""Property test of the calculator API against its own OpenAPI document (schemathesis).

Any request the document allows must get a documented answer, never a 5xx, and every response must
match its schema (status code, content type, headers, body). "Schema-valid data is accepted" is not
checked: the domain rightly refuses some schema-valid requests with 422 (an end date before the
start, hours under a block's minimum, dates outside 1900-2199), which OpenAPI cannot express.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from marketplace import create_app

# The calculator is stateless: an app without tables is enough, and lets the schema load at import.
app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app).include(
    path_regex=r"^/api/v1/sroi/"
)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_calculator_answers_every_valid_request_without_server_errors(case):
    response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
    assert response.status_code < 500
