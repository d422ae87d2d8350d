"""schemathesis over the whole OpenAPI document, with the bearer tokens of two organisations'
users (the owner of contractor A and the officer of authority X, the parties of a contract) and of
the member of contractor B, whose objects these are not; path ids are drawn from the world's real
objects (tests/access_world.py) as often as from anywhere.

Whatever the document allows must get a documented answer: no 5xx, and the status, content type,
headers and body of every response as the document says. "Schema-valid data is accepted" is not
checked: the domain rightly refuses some schema-valid requests (422: an end before a start, a
demand of someone else's), which OpenAPI cannot express. Bounded (a few examples per operation and
token, derandomised by the tests' hypothesis profile) to stay within about a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import positive_data_acceptance

from tests.access_world import World, world_in
from tests.conftest import _new_test_app

ROLES = ("owner_a", "officer_x", "member_b")


@pytest.fixture(scope="module")
def world_app(_shared_app) -> Iterator[tuple[Any, World]]:
    with world_in(_shared_app) as made:
        yield made


# The document, from an app of its own (routes only); the requests go to the world's app.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _new_test_app("sqlite://"))
# Examples and fuzzing only: the coverage phase makes every boundary case of every operation
# (minutes here); tests/api/test_hostile_json.py and test_calculator_schema.py cover those.
schema.config.phases.coverage.enabled = False
# The world's ids restart at 1 in every module and stay below this: every object of A, B, X, Y.
WORLD_IDS = st.integers(min_value=1, max_value=40)


@schema.hook
def before_generate_path_parameters(context, strategy):
    """Half the time every integer in the path is an id of the world (another organisation's
    object as often as one's own), else whatever the document allows."""

    def world_ids(params: dict[str, Any] | None) -> st.SearchStrategy:
        if not isinstance(params, dict):
            return st.just(params)
        return st.fixed_dictionaries(
            {
                name: WORLD_IDS if isinstance(value, int) else st.just(value)
                for name, value in params.items()
            }
        )

    real = strategy.flatmap(world_ids)
    return st.one_of(real, strategy)


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case, world_app):
    app, world = world_app
    for role in ROLES:
        case.call_and_validate(
            app=app,
            headers={"Authorization": f"Bearer {world.tokens[role]}"},
            excluded_checks=[positive_data_acceptance],
        )
