"""Schemathesis over ``/api/v1/segments/``: generated valid and invalid requests never make a
server error and are answered as the OpenAPI schema says."""

import pytest
import schemathesis
from hypothesis import given, settings

from clientela.core import tokens
from clientela.core.tests.test_openapi import FUZZ_CHECKS, FUZZ_SETTINGS, wsgi_app  # noqa: F401
from clientela.marketing.services import segments

pytestmark = pytest.mark.django_db
GIRONA = {"op": "and", "rules": [{"field": "region", "operator": "eq", "value": "Girona"}]}


@pytest.fixture
def segments_schema(wsgi_app):  # noqa: F811
    loaded = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app)
    loaded.config.generation.update(
        modes=["positive", "negative"], max_examples=10, deterministic=True, no_shrink=True
    )
    return loaded.include(path_regex=r"^/api/v1/segments/")


def test_segments_never_fail_and_answer_as_documented(segments_schema, admin_user):
    for n in range(3):
        segments.create_segment(actor=admin_user, name=f"Fuzz {n}", rules=GIRONA, owner=admin_user)
    token = tokens.create_token(admin_user, "schemathesis")[1]
    operations = [result.ok() for result in segments_schema.get_all_operations()]
    assert len(operations) == 11  # the 9 of every record resource, count and contacts

    for operation in operations:

        @settings(FUZZ_SETTINGS, max_examples=10)
        @given(case=operation.as_strategy())
        def exercise(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=FUZZ_CHECKS)

        exercise()
