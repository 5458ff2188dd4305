"""``/api/v1/email-templates/``: CRUD with nested variants, ETags, preview, permissions and
hostile input."""

import pytest

from clientela.marketing.models import EmailTemplate
from clientela.marketing.models.templates import MAX_BODY
from clientela.marketing.rendering import clear_caches

pytestmark = pytest.mark.django_db
URL = "/api/v1/email-templates/"


@pytest.fixture(autouse=True)
def _empty_caches():
    clear_caches()


def payload(**changes):
    data = {
        "name": "Bienvenida",
        "purpose": "follow_up",
        "default_language": "es",
        "variants": [
            {
                "language": "es",
                "subject": "Hola {{ contact.first_name | default:'amigo' }}",
                "body": "# Bienvenido, {{ contact.first_name }}\n\n[Baja]({{ unsubscribe_url }})",
            },
            {
                "language": "ca",
                "subject": "Hola {{ contact.first_name }}",
                "body_format": "html",
                "body": '<p onclick="x()">Benvingut, {{ contact.first_name }}</p>',
            },
        ],
    }
    data.update(changes)
    return data


@pytest.fixture
def created(admin_api):
    response = admin_api.post(URL, payload(), format="json")
    assert response.status_code == 201, response.json()
    return response


def test_create_returns_the_template_with_sanitised_variants(created, admin_user):
    body = created.json()
    assert body["name"] == "Bienvenida"
    assert body["owner"] == admin_user.pk
    assert body["variants"] == [
        {
            "language": "ca",
            "subject": "Hola {{ contact.first_name }}",
            "preheader": "",
            "body_format": "html",
            "body": "<p>Benvingut, {{ contact.first_name }}</p>",
        },
        {
            "language": "es",
            "subject": "Hola {{ contact.first_name | default:'amigo' }}",
            "preheader": "",
            "body_format": "markdown",
            "body": "# Bienvenido, {{ contact.first_name }}\n\n[Baja]({{ unsubscribe_url }})",
        },
    ]
    assert created["ETag"] == f'"{body["id"]}-1"'


def test_an_unknown_field_is_a_400_with_its_position(admin_api):
    data = payload()
    data["variants"][0]["body"] = "Hola\n{{ contact.password }}"
    response = admin_api.post(URL, data, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "The request has invalid fields.",
        "fields": {
            "variants.es.body": ["Unknown merge field “contact.password” at line 2, column 1."]
        },
    }
    assert not EmailTemplate.all_objects.exists()


def test_an_oversized_body_is_refused_clearly(admin_api):
    data = payload()
    data["variants"][0]["body"] = "x" * (MAX_BODY + 1)
    response = admin_api.post(URL, data, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "variants": [f"0: body: Ensure this field has no more than {MAX_BODY} characters."]
    }


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        (
            {"variants": "x"},
            {"variants": ['non_field_errors: Expected a list of items but got type "str".']},
        ),
        ({"variants": []}, {"variants": ["Write the e-mail in at least one language."]}),
        ({"variants": [{"language": "fr", "subject": "s", "body": "b"}]}, None),
        ({"name": "x" * 201}, {"name": ["Ensure this field has no more than 200 characters."]}),
        ({"purpose": "spam"}, {"purpose": ['"spam" is not a valid choice.']}),
        ({"script": "<x>"}, {"script": ["Unknown field."]}),
    ],
)
def test_malformed_input_is_refused(admin_api, data, fields):
    response = admin_api.post(URL, payload(**data), format="json")
    assert response.status_code == 400
    if fields is not None:
        assert response.json()["fields"] == fields
    assert not EmailTemplate.all_objects.exists()


def test_malformed_json_is_refused(admin_api):
    response = admin_api.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed"


def test_a_body_past_the_request_limit_is_413(admin_api, settings):
    data = payload()
    data["variants"][0]["body"] = "x" * settings.API_MAX_BODY_BYTES
    response = admin_api.post(URL, data, format="json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_update_replaces_the_variants_and_honours_if_match(admin_api, created):
    pk = created.json()["id"]
    data = {"variants": [payload()["variants"][0]]}
    stale = admin_api.patch(f"{URL}{pk}/", data, format="json", HTTP_IF_MATCH=f'"{pk}-9"')
    assert stale.status_code == 412
    response = admin_api.patch(f"{URL}{pk}/", data, format="json", HTTP_IF_MATCH=created["ETag"])
    assert response.status_code == 200
    assert [v["language"] for v in response.json()["variants"]] == ["es"]
    assert response["ETag"] == f'"{pk}-2"'


def test_preview_renders_as_the_contact(admin_api, created, make_contact):
    contact = make_contact("nuria@example.cat", language="ca", first_name="<Núria>")
    pk = created.json()["id"]
    response = admin_api.post(f"{URL}{pk}/preview/", {"contact": contact.pk}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["subject"] == "Hola <Núria>"
    assert body["language"] == "ca"
    assert body["text"] == "Benvingut, <Núria>"
    assert "<p>Benvingut, &lt;Núria&gt;</p>" in body["html"]
    spanish = admin_api.post(
        f"{URL}{pk}/preview/", {"contact": contact.pk, "language": "es"}, format="json"
    )
    assert spanish.json()["text"] == ("# Bienvenido, <Núria>\n\nBaja (https://crm.example.com/)")


@pytest.mark.parametrize(
    "data", [{}, {"contact": "abc"}, {"contact": -1}, {"contact": 10**30}, {"contact": 1, "x": 1}]
)
def test_preview_refuses_malformed_input(admin_api, created, data):
    response = admin_api.post(f"{URL}{created.json()['id']}/preview/", data, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_preview_of_a_contact_out_of_scope_is_404(api, make_user, created, make_contact):
    marketer = make_user("marketing", scope="own")
    other = make_contact("x@example.com")  # owned by nobody
    client = api(make_user("marketing"))
    pk = created.json()["id"]
    assert (
        client.post(f"{URL}{pk}/preview/", {"contact": other.pk}, format="json").status_code == 200
    )
    response = api(marketer).post(f"{URL}{pk}/preview/", {"contact": other.pk}, format="json")
    assert response.status_code == 404


def test_roles_without_marketing_access_cannot_read_or_write(api, make_user, created):
    pk = created.json()["id"]
    reader = api(make_user("read_only"))
    assert reader.get(f"{URL}{pk}/").status_code == 200
    assert reader.patch(f"{URL}{pk}/", {"name": "x"}, format="json").status_code == 403
    assert reader.post(URL, payload(), format="json").status_code == 403
    nobody = make_user("read_only")
    nobody.role.access = {**nobody.role.access, "marketing": "none"}
    nobody.role.save()
    assert api(nobody).get(URL).status_code == 403


def test_delete_moves_to_the_trash_and_restore_brings_back(admin_api, created):
    pk = created.json()["id"]
    assert admin_api.delete(f"{URL}{pk}/").status_code == 204
    assert admin_api.get(f"{URL}{pk}/").status_code == 404
    assert admin_api.post(f"{URL}{pk}/restore/").status_code == 200
    assert admin_api.get(f"{URL}{pk}/").json()["name"] == "Bienvenida"


def test_list_is_paginated_and_filtered(admin_api, created):
    other = payload(name="Factura", purpose="transactional")
    other["variants"] = other["variants"][:1]
    admin_api.post(URL, other, format="json")
    names = [t["name"] for t in admin_api.get(URL).json()["results"]]
    assert names == ["Bienvenida", "Factura"]
    assert [t["name"] for t in admin_api.get(f"{URL}?language=ca").json()["results"]] == [
        "Bienvenida"
    ]
    assert [t["name"] for t in admin_api.get(f"{URL}?q=fact").json()["results"]] == ["Factura"]
    assert admin_api.get(f"{URL}?purpose=spam").status_code == 400
