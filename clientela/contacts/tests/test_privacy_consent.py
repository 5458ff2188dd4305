"""The consent log: append-only, the contact's consent fields follow it, and every way in
(web form, double opt-in, the contact form, the API, the consent panel) writes it."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from clientela.contacts import services
from clientela.contacts.models import ConsentRecord, ConsentText, Contact
from clientela.contacts.privacy import consent
from clientela.intake import services as intake_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def ana(admin_user):
    return services.create_contact(
        actor=admin_user, first_name="Ana", last_name="Puig", emails=["ana@example.com"]
    )


def test_a_grant_then_a_withdrawal_are_logged_and_shown_on_the_contact(admin_user, ana):
    grant = consent.record_consent(
        ana,
        actor=admin_user,
        source="phone",
        text="Acepto recibir ofertas por e-mail",
        language="es",
        note="Llamada del 3 de mayo",
    )
    ana.refresh_from_db()
    assert (ana.consent_status, ana.consent_method, ana.consent_at) == (
        "granted",
        "phone",
        grant.recorded_at,
    )
    assert ana.consent_proof == (
        "“Acepto recibir ofertas por e-mail” (version 1)\nLlamada del 3 de mayo"
    )

    withdrawal = consent.withdraw_consent(ana, actor=admin_user, source="email")

    ana.refresh_from_db()
    assert (ana.consent_status, ana.consent_at) == ("withdrawn", withdrawal.recorded_at)
    assert list(
        ConsentRecord.objects.filter(contact=ana)
        .order_by("id")
        .values_list("purpose", "action", "source", "recorded_by")
    ) == [
        ("marketing_email", "grant", "phone", admin_user.pk),
        ("marketing_email", "withdraw", "email", admin_user.pk),
    ]


def test_other_purposes_are_logged_without_touching_marketing_consent(admin_user, ana):
    consent.record_consent(ana, actor=admin_user, purpose="profiling", source="paper")

    ana.refresh_from_db()
    assert ana.consent_status == "unknown"
    assert consent.has_consent(ana, "profiling")
    assert not consent.has_consent(ana, "newsletter")


def test_the_same_text_is_stored_once_and_a_new_wording_is_a_new_version(admin_user, ana):
    first = consent.record_consent(ana, actor=admin_user, source="ui", text="Texto A")
    again = consent.record_consent(ana, actor=admin_user, source="ui", text="Texto A")
    changed = consent.record_consent(ana, actor=admin_user, source="ui", text="Texto B")

    assert first.text_id == again.text_id
    assert (first.text.version, changed.text.version) == (1, 2)
    assert ConsentText.objects.count() == 2


def test_the_log_is_append_only(admin_user, ana):
    record = consent.record_consent(ana, actor=admin_user, source="ui")

    record.note = "changed"
    with pytest.raises(ValidationError):
        record.save()
    with pytest.raises(ValidationError):
        record.delete()
    with pytest.raises(ValidationError):
        ConsentRecord.objects.filter(pk=record.pk).update(note="changed")
    with pytest.raises(ValidationError):
        ConsentRecord.objects.filter(pk=record.pk).delete()
    assert ConsentRecord.objects.get(pk=record.pk).note == ""


def test_unknown_choices_and_oversized_notes_are_refused(admin_user, ana):
    with pytest.raises(ValidationError) as error:
        consent.record_consent(
            ana, actor=admin_user, source="pigeon", purpose="x", lawful_basis="whim"
        )
    assert set(error.value.message_dict) == {"source", "purpose", "lawful_basis"}
    with pytest.raises(ValidationError) as error:
        consent.record_consent(ana, actor=admin_user, source="ui", note="x" * 1001)
    assert set(error.value.message_dict) == {"note"}
    assert not ConsentRecord.objects.exists()


def test_a_consent_typed_on_the_contact_is_logged(admin_user, ana):
    services.update_contact(
        ana, actor=admin_user, consent_status="granted", consent_method="in_person"
    )
    services.update_contact(ana, actor=admin_user, first_name="Anna")  # no consent change
    services.update_contact(ana, actor=admin_user, consent_status="denied")

    assert list(
        ConsentRecord.objects.filter(contact=ana).order_by("id").values_list("action", "source")
    ) == [("grant", "in_person"), ("withdraw", "in_person")]


def test_a_web_form_without_double_opt_in_logs_the_text_shown_and_the_evidence(client):
    form = intake_services.create_form(
        actor=None,
        name="Contacto",
        fields=[{"name": "email", "required": True}],
        consent_text={"es": "Quiero novedades", "ca": "Vull novetats"},
        double_opt_in=False,
    )

    client.post(
        reverse("intake:form_page", args=[form.slug]),
        {"email": "pere@example.com", "consent": "on"},
        HTTP_ACCEPT_LANGUAGE="ca",
        HTTP_USER_AGENT="Firefox/130",
        REMOTE_ADDR="198.51.100.4",
    )

    record = ConsentRecord.objects.get()
    assert (record.action, record.source, record.text.text, record.text.language) == (
        "grant",
        "web_form",
        "Vull novetats",
        "ca",
    )
    assert (record.ip_address, record.user_agent) == ("198.51.100.4", "Firefox/130")
    assert record.form_submission_id == record.contact.form_submissions.get().pk
    assert record.contact.consent_status == "granted"


def test_double_opt_in_logs_the_confirmation_click(client, django_capture_on_commit_callbacks):
    form = intake_services.create_form(
        actor=None,
        name="Newsletter",
        fields=[{"name": "email", "required": True}],
        consent_text={"es": "Quiero el boletín"},
        double_opt_in=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("intake:form_page", args=[form.slug]),
            {"email": "joan@example.com", "consent": "on"},
            HTTP_ACCEPT_LANGUAGE="es",
        )
    contact = Contact.objects.get()
    assert contact.consent_status == "pending"
    assert not ConsentRecord.objects.exists()  # asking is not consenting

    path = re.search(r"/intake/\S+", mail.outbox[0].body).group(0)
    client.get(path, REMOTE_ADDR="192.0.2.9")

    record = ConsentRecord.objects.get()
    assert (record.source, record.text.text, record.ip_address) == (
        "double_opt_in",
        "Quiero el boletín",
        "192.0.2.9",
    )
    contact.refresh_from_db()
    assert (contact.consent_status, contact.consent_method) == ("granted", "double_opt_in")


def test_the_panel_records_and_withdraws_in_one_click(client, admin_user, ana):
    client.force_login(admin_user)

    client.post(
        reverse("contacts:contact_consent", args=[ana.pk]),
        {
            "action": "grant",
            "purpose": "newsletter",
            "lawful_basis": "consent",
            "source": "in_person",
            "text": "<b>Sí</b> al boletín",
        },
    )
    client.post(reverse("contacts:contact_withdraw", args=[ana.pk]), {"purpose": "newsletter"})
    page = client.get(reverse("contacts:contact_detail", args=[ana.pk])).content.decode()

    assert list(
        ConsentRecord.objects.filter(contact=ana).order_by("id").values_list("purpose", "action")
    ) == [("newsletter", "grant"), ("newsletter", "withdraw")]
    assert "&lt;b&gt;Sí&lt;/b&gt; al boletín" in page
    assert "<b>Sí</b>" not in page
    assert 'id="privacy-heading"' in page


def test_read_only_users_see_the_log_but_cannot_record(client, make_user, admin_user, ana):
    consent.record_consent(ana, actor=admin_user, source="ui")
    client.force_login(make_user("read_only"))

    page = client.get(reverse("contacts:contact_detail", args=[ana.pk])).content.decode()
    answer = client.post(
        reverse("contacts:contact_withdraw", args=[ana.pk]), {"purpose": "marketing_email"}
    )

    assert "Consent log" in page
    assert reverse("contacts:contact_withdraw", args=[ana.pk]) not in page
    assert answer.status_code == 403
    assert ConsentRecord.objects.filter(contact=ana).count() == 1


def test_a_consent_changed_through_the_api_is_logged_as_api(api, admin_user, ana):
    answer = api(admin_user).patch(
        f"/api/v1/contacts/{ana.pk}/", {"consent_status": "granted"}, "json"
    )

    assert answer.status_code == 200
    record = ConsentRecord.objects.get(contact=ana)
    assert (record.action, record.source, record.recorded_by) == ("grant", "api", admin_user)


def test_merging_keeps_both_consent_logs_on_the_kept_contact(admin_user, ana):
    twin = services.create_contact(actor=admin_user, first_name="Ana", last_name="Puig")
    consent.record_consent(ana, actor=admin_user, source="ui", purpose="newsletter")
    consent.record_consent(twin, actor=admin_user, source="paper", purpose="profiling")

    services.merge_contacts(ana, twin, actor=admin_user)

    assert set(ConsentRecord.objects.filter(contact=ana).values_list("purpose", "source")) == {
        ("newsletter", "ui"),
        ("profiling", "paper"),
    }
