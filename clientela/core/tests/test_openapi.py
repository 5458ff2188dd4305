"""The OpenAPI schema: valid, complete, secured with bearer tokens, served with offline docs; and
a bounded schemathesis run of the contacts and companies endpoints against the WSGI app."""

import pytest
import schemathesis
import yaml
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import get_resolver
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from clientela.contacts import services
from clientela.core import tokens
from clientela.wsgi import application


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def spec():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_is_valid_openapi(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    validate_schema(document)  # against the OpenAPI 3.0 JSON schema bundled with drf-spectacular
    assert document["openapi"].startswith("3.")


def test_schema_generation_has_no_warnings(tmp_path):
    # --fail-on-warn raises on any warning or error of the generator; --validate checks the result.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.0.3")


def test_every_api_route_is_documented(spec):
    documented = {
        (path, method.upper())
        for path, operations in spec["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }
    expected = {
        ("/api/v1/contacts/", "GET"),
        ("/api/v1/contacts/", "POST"),
        ("/api/v1/contacts/{id}/", "GET"),
        ("/api/v1/contacts/{id}/", "PUT"),
        ("/api/v1/contacts/{id}/", "PATCH"),
        ("/api/v1/contacts/{id}/", "DELETE"),
        ("/api/v1/contacts/{id}/restore/", "POST"),
        ("/api/v1/contacts/{id}/history/", "GET"),
        ("/api/v1/contacts/export/", "GET"),
        ("/api/v1/search/", "GET"),
        ("/api/v1/tokens/", "GET"),
        ("/api/v1/tokens/", "POST"),
        ("/api/v1/tokens/{id}/", "DELETE"),
        ("/api/v1/tags/", "GET"),
        ("/api/v1/tags/", "POST"),
    }
    for resource in (
        "companies",
        "deals",
        "activities",
        "purchases",
        "cases",
        "campaigns",
        "email-templates",
        "segments",
        "sequences",
    ):
        expected |= {(p.replace("contacts", resource), m) for p, m in expected if "contacts" in p}
    for resource in ("contacts", "companies"):
        expected.add((f"/api/v1/{resource}/duplicates/", "GET"))
        expected.add((f"/api/v1/{resource}/duplicates/scan/", "POST"))
        expected.add((f"/api/v1/{resource}/{{id}}/merge/", "POST"))
    expected |= {
        ("/api/v1/contacts/{id}/consents/", "GET"),
        ("/api/v1/contacts/{id}/consents/", "POST"),
        ("/api/v1/contacts/{id}/data-export/", "GET"),
        ("/api/v1/contacts/{id}/erase/", "POST"),
    }
    expected.add(("/api/v1/email-templates/{id}/preview/", "POST"))
    expected.add(("/api/v1/deals/{id}/move/", "POST"))
    campaign_actions = ("start", "pause", "resume", "cancel", "complete", "schedule", "leads")
    expected |= {(f"/api/v1/campaigns/{{id}}/{name}/", "POST") for name in campaign_actions}
    expected.add(("/api/v1/campaigns/{id}/results/", "GET"))
    expected.add(("/api/v1/campaigns/{id}/recipients/", "GET"))
    expected.add(("/api/v1/segments/count/", "POST"))
    expected.add(("/api/v1/segments/{id}/contacts/", "GET"))
    sequence_actions = ("activate", "pause", "archive", "enroll")
    expected |= {(f"/api/v1/sequences/{{id}}/{name}/", "POST") for name in sequence_actions}
    expected.add(("/api/v1/sequences/{id}/enrollments/", "GET"))
    expected.add(("/api/v1/sequences/{id}/enrollments/{enrollment_id}/cancel/", "POST"))
    expected.add(("/api/v1/cases/{id}/messages/", "GET"))
    expected.add(("/api/v1/cases/{id}/messages/", "POST"))
    expected.add(("/api/v1/deals/qualify/", "POST"))
    expected.add(("/api/v1/activities/{id}/complete/", "POST"))
    expected.add(("/api/v1/activities/{id}/reopen/", "POST"))
    expected |= {
        ("/api/v1/pipelines/", "GET"),
        ("/api/v1/pipelines/{id}/", "GET"),
        ("/api/v1/lost-reasons/", "GET"),
        ("/api/v1/exchange-rates/", "GET"),
        ("/api/v1/exchange-rates/", "POST"),
        ("/api/v1/exchange-rates/{id}/", "DELETE"),
        ("/api/v1/quotas/", "GET"),
        ("/api/v1/quotas/", "POST"),
        ("/api/v1/quotas/{id}/", "DELETE"),
        ("/api/v1/forecast/", "GET"),
    }
    expected |= {
        ("/api/v1/products/", "GET"),
        ("/api/v1/products/", "POST"),
        ("/api/v1/products/{id}/", "GET"),
        ("/api/v1/products/{id}/", "PUT"),
        ("/api/v1/products/{id}/", "PATCH"),
        ("/api/v1/products/{id}/", "DELETE"),
        ("/api/v1/tax-rates/", "GET"),
        ("/api/v1/price-lists/", "GET"),
        ("/api/v1/deals/{id}/line-items/", "GET"),
        ("/api/v1/deals/{id}/line-items/", "PUT"),
        ("/api/v1/deals/{id}/quotes/", "GET"),
        ("/api/v1/deals/{id}/quotes/", "POST"),
        ("/api/v1/deals/{id}/quotes/{version}/pdf/", "GET"),
        ("/api/v1/imports/", "GET"),
        ("/api/v1/imports/", "POST"),
        ("/api/v1/imports/{id}/", "GET"),
        ("/api/v1/imports/{id}/start/", "POST"),
        ("/api/v1/imports/{id}/undo/", "POST"),
        ("/api/v1/imports/{id}/errors/", "GET"),
    }
    for resource in (
        "users",
        "teams",
        "custom-fields",
        "assignment-rules",
        "webhooks",
        "outgoing-webhooks",
        "automations",
        "mailboxes",
    ):
        expected |= {
            (f"/api/v1/{resource}/", "GET"),
            (f"/api/v1/{resource}/", "POST"),
            (f"/api/v1/{resource}/{{id}}/", "GET"),
            (f"/api/v1/{resource}/{{id}}/", "PUT"),
            (f"/api/v1/{resource}/{{id}}/", "PATCH"),
            (f"/api/v1/{resource}/{{id}}/", "DELETE"),
        }
    expected.add(("/api/v1/mailboxes/{id}/sync/", "POST"))
    expected |= {
        ("/api/v1/automations/{id}/dry-run/", "POST"),
        ("/api/v1/automations/{id}/runs/", "GET"),
    }
    expected |= {
        ("/api/v1/outgoing-webhooks/{id}/secret/", "GET"),
        ("/api/v1/outgoing-webhooks/{id}/rotate-secret/", "POST"),
        ("/api/v1/outgoing-webhooks/{id}/test/", "POST"),
        ("/api/v1/outgoing-webhooks/{id}/deliveries/", "GET"),
        ("/api/v1/outgoing-webhooks/{id}/deliveries/{delivery_id}/", "GET"),
        ("/api/v1/outgoing-webhooks/{id}/deliveries/{delivery_id}/redeliver/", "POST"),
    }
    expected |= {  # articles are changed with PATCH only; categories are never deleted
        ("/api/v1/articles/", "GET"),
        ("/api/v1/articles/", "POST"),
        ("/api/v1/articles/{id}/", "GET"),
        ("/api/v1/articles/{id}/", "PATCH"),
        ("/api/v1/articles/{id}/", "DELETE"),
        ("/api/v1/articles/{id}/revert/", "POST"),
        ("/api/v1/articles/{id}/versions/", "GET"),
        ("/api/v1/article-categories/", "GET"),
        ("/api/v1/article-categories/", "POST"),
        ("/api/v1/article-categories/{id}/", "PATCH"),
    }
    expected |= {  # no delete: a form's submissions are evidence of consent
        ("/api/v1/web-forms/", "GET"),
        ("/api/v1/web-forms/", "POST"),
        ("/api/v1/web-forms/{id}/", "GET"),
        ("/api/v1/web-forms/{id}/", "PUT"),
        ("/api/v1/web-forms/{id}/", "PATCH"),
    }
    expected |= {  # loyalty accounts are only read; points change through redeem and adjust
        ("/api/v1/loyalty-accounts/", "GET"),
        ("/api/v1/loyalty-accounts/{id}/", "GET"),
        ("/api/v1/loyalty-accounts/{id}/ledger/", "GET"),
        ("/api/v1/loyalty-accounts/{id}/redeem/", "POST"),
        ("/api/v1/loyalty-accounts/{id}/adjust/", "POST"),
    }
    for resource in ("rewards", "loyalty-tiers"):
        expected |= {
            (f"/api/v1/{resource}/", "GET"),
            (f"/api/v1/{resource}/", "POST"),
            (f"/api/v1/{resource}/{{id}}/", "GET"),
            (f"/api/v1/{resource}/{{id}}/", "PUT"),
            (f"/api/v1/{resource}/{{id}}/", "PATCH"),
            (f"/api/v1/{resource}/{{id}}/", "DELETE"),
        }
    expected |= {  # collaboration
        ("/api/v1/comments/", "GET"),
        ("/api/v1/comments/", "POST"),
        ("/api/v1/comments/{id}/", "PATCH"),
        ("/api/v1/comments/{id}/", "DELETE"),
        ("/api/v1/notifications/", "GET"),
        ("/api/v1/notifications/{id}/", "GET"),
        ("/api/v1/notifications/read/", "POST"),
        ("/api/v1/notifications/unread-count/", "GET"),
        ("/api/v1/follows/", "GET"),
        ("/api/v1/follows/", "POST"),
        ("/api/v1/follows/{id}/", "DELETE"),
        ("/api/v1/feed/", "GET"),
        ("/api/v1/surveys/", "GET"),
        ("/api/v1/surveys/", "POST"),
        ("/api/v1/surveys/{id}/", "GET"),
        ("/api/v1/surveys/{id}/", "PATCH"),
        ("/api/v1/surveys/{id}/invite/", "POST"),
        ("/api/v1/survey-answers/", "GET"),
        ("/api/v1/survey-answers/{id}/", "GET"),
        ("/api/v1/reports/", "GET"),
        ("/api/v1/reports/{key}/", "GET"),
    }
    assert documented == expected


def test_every_operation_is_secured_by_bearer_tokens(spec):
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "clt_<prefix>_<secret>",
    }
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert {"bearerAuth": []} in operation["security"], (path, method)


def test_every_operation_documents_the_error_body(spec):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert {"400", "401", "403"} <= set(operation["responses"]), (path, method)
            error = operation["responses"]["401"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/Error"}
    update = spec["paths"]["/api/v1/contacts/{id}/"]["patch"]
    assert "412" in update["responses"]
    assert "If-Match" in {p["name"] for p in update["parameters"] if p["in"] == "header"}


def test_list_operations_document_filters_ordering_and_cursor(spec):
    parameters = {p["name"]: p for p in spec["paths"]["/api/v1/contacts/"]["get"]["parameters"]}
    assert {
        "q",
        "owner",
        "tag",
        "lifecycle_stage",
        "cursor",
        "ordering",
        "trashed",
        "missing",
        "completeness_below",
    } <= set(parameters)
    assert parameters["ordering"]["schema"]["enum"] == [
        "name",
        "-created",
        "-updated",
        "created",
        "completeness",
    ]
    export = spec["paths"]["/api/v1/contacts/export/"]["get"]
    assert "lifecycle_stage" in {p["name"] for p in export["parameters"]}
    assert list(export["responses"]["200"]["content"]) == [
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "text/vcard",
    ]
    formats = next(p for p in export["parameters"] if p["name"] == "format")
    assert set(formats["schema"]["enum"]) == {"csv", "xlsx", "vcf"}
    deals = spec["paths"]["/api/v1/deals/export/"]["get"]
    assert list(deals["responses"]["200"]["content"]) == ["text/csv"]


def test_the_docs_page_is_served_offline(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "http://" not in html.replace("http://testserver", "")
    assert "https://" not in html
    bundle = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert bundle.status_code == 200


def test_the_api_urls_end_with_a_json_404_catch_all():
    api = next(p for p in get_resolver().url_patterns if str(p.pattern) == "api/v1/")
    assert api.url_patterns[-1].callback.__name__ == "not_found"


# --- schemathesis --------------------------------------------------------------------------------


@pytest.fixture
def wsgi_app(db):
    """The real WSGI application, without the end-of-request connection clean-up (which would
    close the test's transaction on PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_app):
    loaded = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app)
    loaded.config.generation.update(
        modes=["positive"], max_examples=6, deterministic=True, no_shrink=True
    )
    return loaded.include(path_regex=r"^/api/v1/(contacts|companies)/")


@pytest.fixture
def fuzz_token(db, make_user, admin_user):
    """Some records to find (ids 1..n are what the generator tries first) and a token."""
    company = services.create_company(actor=admin_user, name="Fuzz SL", owner=admin_user)
    for n in range(3):
        services.create_contact(
            actor=admin_user, first_name=f"Fuzz{n}", company=company, owner=admin_user
        )
    return tokens.create_token(admin_user, "schemathesis")[1]


FUZZ_SETTINGS = settings(
    max_examples=6,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
FUZZ_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_contacts_and_companies_never_fail_and_answer_as_documented(api_schema, fuzz_token):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 28  # 12 each for contacts and companies, 4 privacy actions

    for operation in operations:

        @FUZZ_SETTINGS
        @given(case=operation.as_strategy())
        def exercise(case):
            case.call_and_validate(
                headers={"Authorization": f"Bearer {fuzz_token}"}, checks=FUZZ_CHECKS
            )

        exercise()


@pytest.fixture
def cases_schema(wsgi_app):
    loaded = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app)
    loaded.config.generation.update(
        modes=["positive", "negative"], max_examples=10, deterministic=True, no_shrink=True
    )
    return loaded.include(path_regex=r"^/api/v1/cases/")


def test_cases_never_fail_and_answer_as_documented(cases_schema, admin_user):
    from clientela.support.services import cases

    for n in range(3):
        case = cases.create_case(
            actor=admin_user, subject=f"Fuzz {n}", description="Help", owner=admin_user
        )
        cases.add_note(case, "Seen.", actor=admin_user)
    token = tokens.create_token(admin_user, "schemathesis")[1]
    operations = [result.ok() for result in cases_schema.get_all_operations()]
    assert len(operations) == 11  # the 9 of every record resource, and the thread's 2

    for operation in operations:

        @settings(FUZZ_SETTINGS, max_examples=10)
        @given(case=operation.as_strategy())
        def exercise(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=FUZZ_CHECKS)

        exercise()
