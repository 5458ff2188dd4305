"""Building a web form: fields in order, consent per language, the code to embed."""

import pytest
from django.urls import reverse

from clientela.intake.models import WebForm

pytestmark = pytest.mark.django_db


def rows(*fields):
    data = {
        "fields-TOTAL_FORMS": str(len(fields)),
        "fields-INITIAL_FORMS": "0",
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "30",
    }
    for n, (name, label, required) in enumerate(fields):
        data.update({f"fields-{n}-name": name, f"fields-{n}-label": label})
        if required:
            data[f"fields-{n}-required"] = "on"
    return data


def test_a_manager_builds_a_form_and_gets_its_embed_code(client, make_user):
    client.force_login(make_user("manager"))

    response = client.post(
        reverse("intake:form_create"),
        {
            "name": "Contacto",
            "active": "on",
            "double_opt_in": "on",
            "consent_es": "Acepto recibir novedades",
            **rows(("first_name", "Nombre", True), ("email", "Correo", True), ("", "", False)),
        },
    )

    web_form = WebForm.objects.get()
    assert response["Location"] == reverse("intake:form_edit", args=[web_form.pk])
    assert [f["name"] for f in web_form.fields] == ["first_name", "email"]
    assert web_form.consent_text == {"es": "Acepto recibir novedades"}
    page = client.get(response["Location"]).content.decode()
    assert f"/intake/f/{web_form.slug}/" in page
    assert "name=&quot;website_url&quot;" in page  # the honeypot is in the embed code
    assert "Acepto recibir novedades" in page  # no English text: the Spanish one is shown


def test_a_form_without_an_email_field_is_refused(client, make_user):
    client.force_login(make_user("manager"))

    response = client.post(
        reverse("intake:form_create"), {"name": "X", **rows(("first_name", "Nombre", True))}
    )

    assert response.status_code == 400
    assert "A form needs an e-mail field" in response.content.decode()
    assert not WebForm.objects.exists()


def test_salespeople_cannot_build_forms(client, make_user):
    client.force_login(make_user("sales"))

    assert client.get(reverse("intake:form_list")).status_code == 403


def test_oversized_and_hostile_input_is_refused_with_nothing_saved(client, make_user):
    client.force_login(make_user("manager"))
    too_many = rows(*[("email", "Correo", True)] * 31)
    too_many["fields-MAX_NUM_FORMS"] = "1000"

    long_name = client.post(reverse("intake:form_create"), {"name": "x" * 101, **rows()})
    many_rows = client.post(reverse("intake:form_create"), {"name": "X", **too_many})
    unknown_field = client.post(
        reverse("intake:form_create"),
        {"name": "X", **rows(("email", "Correo", True), ("is_staff", "<script>", False))},
    )

    assert long_name.status_code == many_rows.status_code == unknown_field.status_code == 400
    assert not WebForm.objects.exists()
