"""Error pages: in the reader's language, inside the usual frame, and nothing changed."""

import pytest
from django.test import Client
from django.urls import reverse

from clientela.contacts.models import Contact
from clientela.core.models import ChangeRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, make_user):
    client.force_login(make_user("sales", language="es"))
    return client


def test_unknown_page_is_a_translated_404_in_the_frame(signed_in):
    response = signed_in.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>No encontrado</h1>" in html
    assert 'id="global-search"' in html  # the usual header, search included


def test_record_outside_the_scope_is_the_same_404(signed_in, make_user):
    from clientela.contacts import services

    other = services.create_contact(actor=make_user("admin"), first_name="Oculta")

    response = signed_in.get(reverse("contacts:contact_detail", args=[other.pk]))

    assert response.status_code == 404
    assert "Oculta" not in response.content.decode()


def test_forbidden_page_is_translated(signed_in):
    response = signed_in.get(reverse("core:settings"))

    assert response.status_code == 403
    assert "<h1>No permitido</h1>" in response.content.decode()


def test_an_oversized_form_is_400_and_saves_nothing(signed_in):
    response = signed_in.post(
        reverse("contacts:contact_create"), {"first_name": "Grande", "notes": "x" * 3_000_000}
    )

    assert response.status_code == 400
    assert "Solicitud incorrecta" in response.content.decode()
    assert not Contact.objects.exists()
    assert not ChangeRecord.objects.exists()


def test_a_form_without_its_csrf_token_is_refused_with_an_explanation(make_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user("sales", language="ca"))

    response = browser.post(reverse("contacts:contact_create"), {"first_name": "Sense token"})

    assert response.status_code == 403
    assert "Formulari caducat" in response.content.decode()
    assert not Contact.objects.exists()


def test_server_error_page_needs_neither_request_nor_database():
    from django.template import loader

    html = loader.get_template("500.html").render()

    assert "Something went wrong" in html
