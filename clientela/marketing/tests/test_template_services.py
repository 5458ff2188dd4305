"""Templates with the database: saving variants, language choice, caching, test sends."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientela.contacts.models import Contact
from clientela.core.history import history_for
from clientela.core.models import CustomField
from clientela.core.records import StaleRecord
from clientela.marketing.models import EmailTemplate, EmailTemplateVariant
from clientela.marketing.models.templates import MAX_BODY
from clientela.marketing.rendering import (
    build_message,
    clear_caches,
    render_email,
)
from clientela.marketing.services import templates as services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_caches():
    clear_caches()


def variant(language, body="Hola {{ contact.first_name | default:'amigo' }}", **fields):
    return {
        "language": language,
        "subject": fields.pop("subject", f"Novedades ({language})"),
        "body": body,
        **fields,
    }


@pytest.fixture
def template(admin_user):
    return services.create_email_template(
        actor=admin_user,
        name="Newsletter",
        default_language="es",
        variants=[
            variant("es", "Hola {{ contact.first_name | default:'amigo' }}"),
            variant("ca", "Hola {{ contact.first_name | default:'amic' }}"),
        ],
    )


def test_the_contacts_language_picks_the_variant_else_the_default(template, make_contact):
    catalan = make_contact("nuria@example.cat", language="ca", first_name="", last_name="Puig")
    english = make_contact("john@example.com", language="en", first_name="John")
    assert render_email(template, catalan).text == "Hola amic"
    assert render_email(template, catalan).language == "ca"
    assert render_email(template, english).text == "Hola John"
    assert render_email(template, english).language == "es"
    assert render_email(template, english, language="ca").text == "Hola John"


def test_rendering_many_contacts_compiles_once_and_queries_nothing(template, make_contact):
    contacts = [make_contact(f"c{n}@example.com", first_name=f"C{n}") for n in range(3)]
    rows = list(Contact.objects.filter(pk__in=[c.pk for c in contacts]).order_by("pk"))
    render_email(template, rows[0])
    template.refresh_from_db()
    with CaptureQueriesContext(connection) as queries:
        texts = [render_email(template, row).text for row in rows]
    assert texts == ["Hola C0", "Hola C1", "Hola C2"]
    assert len(queries) == 0


def test_a_changed_variant_is_a_new_version_rendered_anew(template, admin_user, make_contact):
    contact = make_contact("ana@example.es", first_name="Ana")
    assert render_email(template, contact).text == "Hola Ana"
    updated = services.update_email_template(
        template,
        actor=admin_user,
        expected_version=template.version,
        variants=[variant("es", "Adiós {{ contact.first_name }}")],
    )
    assert updated.version == template.version + 1
    assert render_email(updated, contact).text == "Adiós Ana"
    assert list(updated.variants.values_list("language", flat=True)) == ["es"]
    change = history_for(updated).first()
    assert change.changes["variants.es"][1]["body"] == "Adiós {{ contact.first_name }}"
    assert change.changes["variants.ca"][1] is None


def test_a_stale_version_is_refused(template, admin_user):
    with pytest.raises(StaleRecord):
        services.update_email_template(
            template, actor=admin_user, expected_version=template.version + 5, name="x"
        )


def test_unknown_fields_are_refused_per_language_and_nothing_is_written(template, admin_user):
    with pytest.raises(ValidationError) as excinfo:
        services.update_email_template(
            template,
            actor=admin_user,
            name="Renamed",
            variants=[
                variant("es", "Hola {{ contact.apodo }}"),
                variant("ca", "ok", subject="{{ contact.first_name"),
            ],
        )
    assert excinfo.value.message_dict == {
        "variants.es.body": ["Unknown merge field “contact.apodo” at line 1, column 6."],
        "variants.ca.subject": [
            "A merge field starts at line 1, column 1 but is not closed with }}."
        ],
    }
    template.refresh_from_db()
    assert template.name == "Newsletter"
    assert EmailTemplateVariant.objects.filter(template=template).count() == 2


def test_a_custom_field_of_contacts_can_be_merged(admin_user, make_contact):
    CustomField.objects.create(
        content_type=ContentType.objects.get_for_model(Contact),
        key="club",
        label="Club",
        field_type="text",
    )
    template = services.create_email_template(
        actor=admin_user,
        name="Club",
        variants=[variant("es", "Socio de {{ contact.custom.club | default:'ninguno' }}")],
    )
    contact = make_contact("a@example.es", custom_fields={"club": "Barça"})
    assert render_email(template, contact).text == "Socio de Barça"


def test_the_default_language_needs_a_variant(admin_user):
    with pytest.raises(ValidationError) as excinfo:
        services.create_email_template(
            actor=admin_user, name="x", default_language="ca", variants=[variant("es")]
        )
    assert excinfo.value.message_dict == {
        "default_language": ["Write the e-mail in its default language too."]
    }
    assert not EmailTemplate.all_objects.exists()


def test_variants_are_checked(admin_user):
    with pytest.raises(ValidationError) as excinfo:
        services.create_email_template(
            actor=admin_user,
            name="",
            variants=[
                variant("es", "x" * (MAX_BODY + 1), subject=""),
                variant("es"),
                {"language": "xx"},
                {"language": "ca", "subject": "s", "body": "b", "script": "x"},
            ],
        )
    errors = excinfo.value.message_dict
    assert errors["name"] == ["This field cannot be blank."]
    assert errors["variants.es.subject"] == ["This field cannot be blank."]
    assert errors["variants.es.body"] == [
        "The text is too long: at most 200,000 characters (it has 200,001)."
    ]
    assert (
        errors["variants"]
        == ["Each variant needs a language of its own (en, es, ca) and only its fields."] * 3
    )


def test_no_variant_at_all_is_refused(admin_user):
    with pytest.raises(ValidationError) as excinfo:
        services.create_email_template(actor=admin_user, name="x", variants=[])
    assert excinfo.value.message_dict == {
        "variants": ["Write the e-mail in at least one language."]
    }


def test_html_is_stored_sanitised(admin_user):
    template = services.create_email_template(
        actor=admin_user,
        name="HTML",
        variants=[
            variant(
                "es",
                '<p onmouseover="x()">Hola {{ contact.first_name }}</p><script>x()</script>',
                body_format="html",
            )
        ],
    )
    assert template.variants.get().body == "<p>Hola {{ contact.first_name }}</p>"


def test_duplicate_copies_every_variant(template, make_user):
    marketer = make_user("marketing")
    copy = services.duplicate_email_template(template, actor=marketer)
    assert copy.name == "Copy of Newsletter"
    assert copy.owner == marketer
    assert list(copy.variants.values_list("language", "body")) == list(
        template.variants.values_list("language", "body")
    )


def test_trash_and_restore(template, admin_user):
    services.delete_email_templates([template], actor=admin_user)
    assert not EmailTemplate.objects.filter(pk=template.pk).exists()
    services.restore_email_templates([template], actor=admin_user)
    assert EmailTemplate.objects.filter(pk=template.pk).exists()


def test_a_test_message_reaches_the_mail_server_with_both_parts(
    admin_user, make_contact, smtp_peer
):
    template = services.create_email_template(
        actor=admin_user,
        name="Otoño",
        variants=[
            variant(
                "es",
                "# Hola {{ contact.first_name }}\n\n[Darse de baja]({{ unsubscribe_url }})",
                subject="Ofertas para {{ contact.first_name }}",
            )
        ],
    )
    contact = make_contact("ana@example.es", first_name="Ana")
    rendered = render_email(template, contact, context_extra=services.preview_links())
    services.send_test_email(rendered, actor=admin_user, to=["me@example.com"])
    ((recipients, message),) = smtp_peer.messages
    assert recipients == ["me@example.com"]
    assert message["Subject"] == "[Test] Ofertas para Ana"
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert text.get_content().replace("\r\n", "\n").strip() == (
        "# Hola Ana\n\nDarse de baja (https://crm.example.com/)"
    )
    assert html.get_content_type() == "text/html"
    assert '<h1>Hola Ana</h1>\r\n<p><a href="https://crm.example.com/"' in html.get_content()


def test_a_test_message_needs_one_to_five_addresses(template, admin_user, make_contact):
    rendered = render_email(template, make_contact("x@example.com"))
    for to in ([], [f"a{n}@example.com" for n in range(6)]):
        with pytest.raises(ValidationError) as excinfo:
            services.send_test_email(rendered, actor=admin_user, to=to)
        assert excinfo.value.message_dict == {"to": ["Give one to 5 addresses."]}


def test_build_message_carries_the_headers(template, make_contact):
    rendered = render_email(template, make_contact("x@example.com", first_name="X"))
    message = build_message(
        rendered, from_email="news@shop.example", to=["x@example.com"], headers={"X-A": "1"}
    )
    assert message.body == "Hola X"
    assert message.alternatives[0][1] == "text/html"
    assert message.extra_headers == {"X-A": "1"}
