"""Bad input gets a clear 4xx with the right code, and the database is left exactly as it was."""

import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from clientela.contacts import services
from clientela.contacts.models import Company, Contact, ContactEmail, ContactPhone
from clientela.core.models import ChangeRecord, CustomField, SearchEntry, Tag

CONTACTS = "/api/v1/contacts/"
COMPANIES = "/api/v1/companies/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def db_state():
    """Everything a contact or company write could touch."""
    return {
        "contacts": list(Contact.all_objects.order_by("id").values()),
        "companies": list(Company.all_objects.order_by("id").values()),
        "emails": list(ContactEmail.objects.order_by("id").values()),
        "phones": list(ContactPhone.objects.order_by("id").values()),
        "tags": list(Tag.objects.order_by("id").values()),
        "contact_tags": list(Contact.tags.through.objects.order_by("id").values()),
        "changes": ChangeRecord.objects.count(),
        "search": SearchEntry.objects.count(),
    }


@pytest.fixture
def existing(admin_user):
    CustomField.objects.create(
        content_type=ContentType.objects.get_for_model(Contact),
        key="score",
        label="Score",
        field_type="integer",
        max_value=100,
    )
    company = services.create_company(actor=admin_user, name="Existente SL", tax_id="B58818501")
    contact = services.create_contact(
        actor=admin_user,
        first_name="Ana",
        last_name="García",
        company=company,
        emails=["ana@example.es"],
        phones=["600123456"],
        tags=["vip"],
        custom_fields={"score": 5},
    )
    return contact, company


def assert_error(response, status, code, fields=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    assert body["message"]
    if fields is not None:
        assert sorted(body["fields"]) == sorted(fields)
    return body


CONTACT_BODIES = [
    # wrong types
    pytest.param({"first_name": {"a": 1}}, ["first_name"], id="object-as-string"),
    pytest.param({"first_name": ["Ana"]}, ["first_name"], id="list-as-string"),
    pytest.param({"emails": "ana@example.es"}, ["emails"], id="string-as-list"),
    pytest.param({"tags": "vip"}, ["tags"], id="tags-not-a-list"),
    pytest.param({"tags": [{"name": "x"}]}, ["tags"], id="tag-not-a-string"),
    pytest.param({"emails": [{"email": "b@example.es", "is_primary": "maybe"}]}, ["emails"]),
    pytest.param({"owner": "someone"}, ["owner"], id="owner-not-an-id"),
    pytest.param({"owner": 999999}, ["owner"], id="owner-unknown"),
    pytest.param({"company": 999999}, ["company"], id="company-unknown"),
    pytest.param({"custom_fields": ["score"]}, ["custom_fields"], id="custom-fields-not-object"),
    pytest.param({"consent_at": "yesterday"}, ["consent_at"], id="bad-datetime"),
    pytest.param({"lifecycle_stage": "boss"}, ["lifecycle_stage"], id="bad-choice"),
    # unknown fields, at the top and nested
    pytest.param({"first_name": "Ana", "nickname": "Anita"}, ["nickname"], id="unknown-field"),
    pytest.param({"emails": [{"email": "b@example.es", "label": "x"}]}, ["emails"]),
    pytest.param({"id": 5, "version": 9, "hacked": True}, ["hacked"], id="unknown-with-ro"),
    # over-long strings and lists
    pytest.param({"first_name": "A" * 101}, ["first_name"], id="first-name-too-long"),
    pytest.param({"notes": "n" * 10001}, ["notes"], id="notes-too-long"),
    pytest.param({"country": "ESP"}, ["country"], id="country-too-long"),
    pytest.param({"tags": ["t" * 51]}, ["tags"], id="tag-too-long"),
    pytest.param({"emails": [f"x{i}@example.es" for i in range(51)]}, ["emails"]),
    # what only the services know
    pytest.param({"emails": [{"email": "not-an-email"}]}, ["emails"], id="invalid-email"),
    pytest.param({"emails": [{"email": "ana@@example.es"}]}, ["emails"], id="double-at"),
    pytest.param({"phones": [{"number": "12"}]}, ["phones"], id="invalid-phone"),
    pytest.param({"phones": [{"number": "+34 abc"}]}, ["phones"], id="letters-in-phone"),
    pytest.param({"custom_fields": {"score": "many"}}, ["score"], id="custom-not-integer"),
    pytest.param({"custom_fields": {"score": 101}}, ["score"], id="custom-over-max"),
    pytest.param({"custom_fields": {"nope": 1}}, ["nope"], id="custom-unknown-key"),
    pytest.param({"first_name": "", "last_name": ""}, ["first_name"], id="no-name"),
]


@pytest.mark.parametrize(("body", "fields"), CONTACT_BODIES)
def test_invalid_contact_create_is_400_and_changes_nothing(admin_api, existing, body, fields):
    body = {"first_name": "Nuevo", **body} if "first_name" not in body else body
    before = db_state()
    response = admin_api.post(CONTACTS, body, format="json")
    assert_error(response, 400, "invalid", fields)
    assert db_state() == before


@pytest.mark.parametrize(("body", "fields"), CONTACT_BODIES)
def test_invalid_contact_patch_is_400_and_changes_nothing(admin_api, existing, body, fields):
    contact, _company = existing
    before = db_state()
    response = admin_api.patch(f"{CONTACTS}{contact.pk}/", body, format="json")
    assert_error(response, 400, "invalid", fields)
    assert db_state() == before


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        pytest.param({"name": "X", "tax_id": "B12345678"}, ["tax_id"], id="invalid-cif"),
        pytest.param({"name": "X", "tax_id": "ESX1234567"}, ["tax_id"], id="invalid-vat"),
        pytest.param({"name": "X", "website": "not a url"}, ["website"], id="invalid-website"),
        pytest.param({"name": "X", "size": "huge"}, ["size"], id="invalid-size"),
        pytest.param({"name": "   "}, ["name"], id="blank-name"),
        pytest.param({"legal_name": "Sin nombre"}, ["name"], id="missing-name"),
        pytest.param({"name": "X", "phones": [{"number": "0"}]}, ["phones"], id="bad-phone"),
        pytest.param({"name": "X", "employees": 5}, ["employees"], id="unknown-field"),
    ],
)
def test_invalid_company_create_is_400_and_changes_nothing(admin_api, existing, body, fields):
    before = db_state()
    assert_error(admin_api.post(COMPANIES, body, format="json"), 400, "invalid", fields)
    assert db_state() == before


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert('x')</script>",
        "<img src=x onerror=alert(1)>",
        "Robert'); DROP TABLE contacts_contact;--",
        "' OR '1'='1",
        '"; DELETE FROM core_user; --',
    ],
)
def test_html_and_sql_strings_are_stored_verbatim_and_harmless(admin_api, existing, text):
    response = admin_api.post(
        CONTACTS, {"first_name": text[:100], "notes": text, "tags": [text[:50]]}, format="json"
    )
    assert response.status_code == 201
    stored = Contact.objects.get(pk=response.json()["id"])
    assert (stored.first_name, stored.notes) == (text[:100], text)
    assert response.json()["notes"] == text
    assert response["Content-Type"] == "application/json"
    assert Contact.objects.count() == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM core_user")
        assert cursor.fetchone()[0] == 1
    found = admin_api.get(CONTACTS, {"q": text}).json()["results"]
    assert all(isinstance(c["id"], int) for c in found)


def test_a_10_mb_body_is_413_and_changes_nothing(admin_api, existing):
    before = db_state()
    body = json.dumps({"first_name": "Grande", "notes": "x" * (10 * 1024 * 1024)})
    response = admin_api.post(CONTACTS, body, content_type="application/json")
    assert_error(response, 413, "too_large", [])
    contact, _company = existing
    response = admin_api.patch(f"{CONTACTS}{contact.pk}/", body, content_type="application/json")
    assert_error(response, 413, "too_large", [])
    assert db_state() == before


@pytest.mark.parametrize(
    "raw",
    [
        b'{"first_name": "Ana"',
        b"{'first_name': 'Ana'}",
        b"first_name=Ana",
        b'{"first_name": "Ana",}',
        b"\xff\xfe\x00",
        b"NaN",
    ],
)
def test_malformed_json_is_400_malformed_and_changes_nothing(admin_api, existing, raw):
    before = db_state()
    response = admin_api.generic("POST", CONTACTS, raw, content_type="application/json")
    assert_error(response, 400, "malformed", [])
    assert db_state() == before


@pytest.mark.parametrize("raw", [b"[]", b'"Ana"', b"null", b"42"])
def test_json_that_is_not_an_object_is_400(admin_api, existing, raw):
    before = db_state()
    response = admin_api.generic("POST", CONTACTS, raw, content_type="application/json")
    assert_error(response, 400, "invalid", ["non_field_errors"])
    assert db_state() == before


def test_a_form_encoded_body_is_415(admin_api, existing):
    before = db_state()
    response = admin_api.post(CONTACTS, {"first_name": "Ana"}, format="multipart")
    assert_error(response, 415, "unsupported_media_type", [])
    assert db_state() == before


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=eyJ2IjpbMV0sImQiOiJuZXh0In0", "cursor"),  # valid base64, wrong shape
        ("cursor=" + "A" * 2000, "cursor"),
        ("ordering=password", "ordering"),
        ("page_size=0", "page_size"),
        ("page_size=abc", "page_size"),
        ("page_size=100000", "page_size"),
        ("lifecycle_stage=boss", "lifecycle_stage"),
        ("created_after=yesterday", "created_after"),
        ("trashed=perhaps", "trashed"),
    ],
)
def test_bad_list_parameters_are_400_with_the_parameter_named(admin_api, existing, query, field):
    response = admin_api.get(f"{CONTACTS}?{query}")
    assert_error(response, 400, "invalid", [field])


@pytest.mark.parametrize("if_match", ['"garbage"', "W/", '"1-x"', '"99999-1"', '"1-99999999999"'])
def test_unreadable_if_match_is_412_and_changes_nothing(admin_api, existing, if_match):
    contact, _company = existing
    before = db_state()
    response = admin_api.patch(
        f"{CONTACTS}{contact.pk}/", {"city": "Nowhere"}, format="json", HTTP_IF_MATCH=if_match
    )
    assert_error(response, 412, "precondition_failed", [])
    assert db_state() == before


def test_unknown_address_method_and_credentials_answer_json(admin_api, existing, client):
    contact, _company = existing
    assert_error(admin_api.get("/api/v1/no-such-thing/"), 404, "not_found", [])
    assert_error(admin_api.get(f"{CONTACTS}not-a-number/"), 404, "not_found", [])
    assert_error(admin_api.get(f"{CONTACTS}999999/"), 404, "not_found", [])
    assert_error(admin_api.put(CONTACTS, {}, format="json"), 405, "method_not_allowed", [])
    assert_error(client.get(CONTACTS), 401, "not_authenticated", [])
    response = client.get(CONTACTS, HTTP_AUTHORIZATION="Bearer clt_deadbeef_nope")
    assert_error(response, 401, "not_authenticated", [])
    assert response["WWW-Authenticate"] == "Bearer"
