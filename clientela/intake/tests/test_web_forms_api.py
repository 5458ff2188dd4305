"""``/api/v1/web-forms/``."""

import pytest

from clientela.intake.models import WebForm

pytestmark = pytest.mark.django_db
URL = "/api/v1/web-forms/"
FIELDS = [{"name": "first_name", "label": "Nombre", "required": True}, {"name": "email"}]


def test_managers_create_and_change_forms_and_salespeople_read_them(api, make_user):
    manager = api(make_user("manager"))

    created = manager.post(
        URL,
        {"name": "Contacto", "fields": FIELDS, "consent_text": {"es": "Acepto", "ca": ""}},
        format="json",
    )

    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["slug"] == "contacto"
    assert body["page_url"].endswith("/intake/f/contacto/")
    assert body["consent_text"] == {"es": "Acepto"}
    assert body["fields"][1] == {"name": "email", "label": "email", "required": False}
    changed = manager.patch(f"{URL}{body['id']}/", {"active": False}, format="json")
    assert changed.status_code == 200 and changed.json()["active"] is False
    reader = api(make_user("sales"))
    assert [f["name"] for f in reader.get(URL).json()["results"]] == ["Contacto"]
    assert reader.post(URL, {"name": "x", "fields": FIELDS}, format="json").status_code == 403


def test_a_chosen_address_is_kept_and_must_be_free(api, make_user):
    manager = api(make_user("manager"))

    first = manager.post(URL, {"name": "A", "slug": "alta", "fields": FIELDS}, format="json")
    taken = manager.post(URL, {"name": "B", "slug": "alta", "fields": FIELDS}, format="json")

    assert first.json()["page_url"].endswith("/intake/f/alta/")
    assert taken.status_code == 400 and "slug" in taken.json()["fields"]


def test_forms_are_not_deleted_through_the_api(api, make_user):
    manager = api(make_user("manager"))
    form_id = manager.post(URL, {"name": "F", "fields": FIELDS}, format="json").json()["id"]

    assert manager.delete(f"{URL}{form_id}/").status_code == 405
    assert WebForm.objects.filter(pk=form_id).exists()


@pytest.mark.parametrize(
    "body",
    [
        {"name": "F", "fields": [{"name": "first_name"}]},
        {"name": "F", "fields": [*FIELDS, {"name": "is_superuser"}]},
        {"name": "F", "fields": FIELDS, "consent_text": {"de": "Ja"}},
        {"name": "F", "fields": FIELDS, "slug": "../admin"},
        {"name": "F", "fields": FIELDS, "redirect_url": "javascript:alert(1)"},
        {"name": "F" * 101, "fields": FIELDS},
        {"name": "F", "fields": [{"name": "email"}] * 201},
        {"name": "F", "fields": "email"},
    ],
)
def test_bad_forms_are_400_and_nothing_is_stored(api, make_user, body):
    response = api(make_user("manager")).post(URL, body, format="json")

    assert response.status_code == 400, response.json()
    assert not WebForm.objects.exists()
