"""The e-mail template pages: editor, preview (without JavaScript), test send, duplicate,
trash, permissions and hostile input."""

import pytest

from clientela.marketing.models import EmailTemplate
from clientela.marketing.models.templates import MAX_BODY
from clientela.marketing.rendering import clear_caches
from clientela.marketing.services import templates as services

pytestmark = pytest.mark.django_db
NEW = "/marketing/templates/new/"
PREVIEW = "/marketing/templates/preview/"


@pytest.fixture(autouse=True)
def _empty_caches():
    clear_caches()


def form_data(**changes):
    data = {
        "name": "Ofertas",
        "purpose": "newsletter",
        "default_language": "es",
        "es-subject": "Hola {{ contact.first_name }}",
        "es-preheader": "",
        "es-body_format": "markdown",
        "es-body": "Hola **{{ contact.first_name | default:'amigo' }}**",
        "ca-subject": "",
        "ca-body_format": "markdown",
        "ca-body": "",
        "en-subject": "",
        "en-body_format": "markdown",
        "en-body": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def template(admin_user):
    return services.create_email_template(
        actor=admin_user,
        name="Ofertas",
        variants=[{"language": "es", "subject": "Hola", "body": "Hola {{ contact.first_name }}"}],
    )


def test_create_with_one_language_then_edit(signed_in):
    response = signed_in.post(NEW, form_data())
    template = EmailTemplate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/marketing/templates/{template.pk}/"
    assert list(template.variants.values_list("language", flat=True)) == ["es"]
    page = signed_in.get(response["Location"])
    assert page.status_code == 200
    assert b"Hola **{{ contact.first_name | default:&#x27;amigo&#x27; }}**" in page.content
    edited = signed_in.post(
        response["Location"], form_data(version="1", **{"ca-subject": "Hola", "ca-body": "Bon dia"})
    )
    assert edited.status_code == 302
    assert sorted(template.variants.values_list("language", flat=True)) == ["ca", "es"]


def test_an_unknown_field_is_shown_on_its_language_and_nothing_saved(signed_in):
    response = signed_in.post(NEW, form_data(**{"es-body": "Hola {{ contact.dni }}"}))
    assert response.status_code == 400
    assert response.context["variants"]["es"].errors == {
        "body": ["Unknown merge field “contact.dni” at line 1, column 6."]
    }
    assert not EmailTemplate.all_objects.exists()


def test_an_oversized_body_is_refused_clearly(signed_in):
    response = signed_in.post(NEW, form_data(**{"es-body": "x" * (MAX_BODY + 1)}))
    assert response.status_code == 400
    assert response.context["variants"]["es"].errors == {
        "body": [f"Ensure this value has at most {MAX_BODY} characters (it has {MAX_BODY + 1})."]
    }
    assert not EmailTemplate.all_objects.exists()


def test_a_stale_edit_is_refused(signed_in, template, admin_user):
    services.update_email_template(template, actor=admin_user, name="Changed")
    response = signed_in.post(f"/marketing/templates/{template.pk}/", form_data(version="1"))
    assert response.status_code == 409
    template.refresh_from_db()
    assert template.name == "Changed"


def test_preview_without_javascript_shows_the_unsaved_text(signed_in, make_contact):
    contact = make_contact("ana@example.es", first_name="<Ana>")
    response = signed_in.post(
        PREVIEW,
        form_data(preview_language="es", preview_contact=str(contact.pk)),
    )
    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response.context["rendered"].subject == "Hola <Ana>"
    assert response.context["rendered"].text == "Hola <Ana>"
    assert b"&lt;strong&gt;&amp;lt;Ana&amp;gt;&lt;/strong&gt;" in response.content
    assert not EmailTemplate.all_objects.exists()


def test_preview_as_oneself_when_no_contact_is_chosen(signed_in, admin_user):
    response = signed_in.post(PREVIEW, form_data(**{"es-subject": "{{ contact.email }}"}))
    assert response.context["rendered"].subject == admin_user.email


def test_preview_shows_merge_field_errors(signed_in):
    response = signed_in.post(PREVIEW, form_data(**{"es-body": "{{ contact.first_name"}))
    assert response.status_code == 200
    assert response.context["errors"] == [
        "A merge field starts at line 1, column 1 but is not closed with }}."
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"preview_contact": "999999999999999999999"},
        {"preview_language": "xx"},
        {"es-body": "x" * (MAX_BODY + 1)},
        {"es-body_format": "php"},
    ],
)
def test_preview_refuses_hostile_input(signed_in, changes):
    response = signed_in.post(PREVIEW, form_data(**changes))
    assert response.status_code == 400
    assert response.context["errors"]


def test_test_send_reaches_the_mail_server(signed_in, template, smtp_peer, make_contact):
    contact = make_contact("ana@example.es", first_name="Ana")
    response = signed_in.post(
        f"/marketing/templates/{template.pk}/test/",
        {"test-to": "me@example.com, boss@example.com", "test-preview_contact": contact.pk},
    )
    assert response.status_code == 302
    ((recipients, message),) = smtp_peer.messages
    assert recipients == ["me@example.com", "boss@example.com"]
    assert message["Subject"] == "[Test] Hola"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert next(message.iter_parts()).get_content().strip() == "Hola Ana"


@pytest.mark.parametrize(
    "to", ["", "not-an-address", "a@example.com\r\nBcc: x@evil.example", "x@e.com," * 6]
)
def test_test_send_refuses_bad_addresses(signed_in, template, smtp_peer, to):
    response = signed_in.post(f"/marketing/templates/{template.pk}/test/", {"test-to": to})
    assert response.status_code == 302
    assert smtp_peer.messages == []


def test_duplicate_and_delete(signed_in, template):
    response = signed_in.post(f"/marketing/templates/{template.pk}/duplicate/")
    copy = EmailTemplate.objects.exclude(pk=template.pk).get()
    assert response["Location"] == f"/marketing/templates/{copy.pk}/"
    assert copy.name == "Copy of Ofertas"
    assert signed_in.get(f"/marketing/templates/{copy.pk}/delete/").status_code == 200
    assert signed_in.post(f"/marketing/templates/{copy.pk}/delete/").status_code == 302
    assert EmailTemplate.all_objects.get(pk=copy.pk).deleted_at is not None
    trash = signed_in.get("/marketing/templates/trash/")
    assert b"Copy of Ofertas" in trash.content


def test_list_shows_the_templates_and_filters_them(signed_in, template):
    response = signed_in.get("/marketing/templates/?q=ofer")
    assert [t.name for t in response.context["templates"]] == ["Ofertas"]
    response = signed_in.get("/marketing/templates/?q=zzz")
    assert list(response.context["templates"]) == []
    assert signed_in.get("/marketing/templates/?language=xx").context["templates"] == []


def test_a_reader_sees_but_cannot_change(client, make_user, template):
    client.force_login(make_user("read_only"))
    assert client.get("/marketing/templates/").status_code == 200
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data()).status_code == 403
    page = client.get(f"/marketing/templates/{template.pk}/")
    assert page.status_code == 200
    assert b"data-save" not in page.content
    assert client.post(f"/marketing/templates/{template.pk}/", form_data()).status_code == 403
    assert client.post(f"/marketing/templates/{template.pk}/duplicate/").status_code == 403
    assert client.post(f"/marketing/templates/{template.pk}/test/", {}).status_code == 403
    assert EmailTemplate.objects.count() == 1


def test_a_role_without_marketing_gets_403(client, make_user, template):
    user = make_user("read_only")
    user.role.access = {**user.role.access, "marketing": "none"}
    user.role.save()
    client.force_login(user)
    assert client.get("/marketing/templates/").status_code == 403
    assert client.post(PREVIEW, form_data()).status_code == 403


def test_an_out_of_scope_template_is_404(client, make_user, template):
    client.force_login(make_user("marketing", scope="own"))
    assert client.get(f"/marketing/templates/{template.pk}/").status_code == 404


def test_the_menu_links_the_templates(signed_in):
    assert b'href="/marketing/templates/"' in signed_in.get("/marketing/templates/").content
