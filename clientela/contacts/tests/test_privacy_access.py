"""Who may export and erase (administrators and managers, any contact, trash included), the
API of the consent log, and hostile input on the privacy pages and endpoints."""

import json

import pytest
from django.urls import reverse

from clientela.contacts import services
from clientela.contacts.models import ConsentRecord, Contact, PrivacyRequest
from clientela.contacts.privacy import consent

pytestmark = pytest.mark.django_db

ROLES = ["admin", "manager", "sales", "marketing", "service", "read_only"]
PRIVACY_ROLES = {"admin", "manager"}


@pytest.fixture
def eva(admin_user):
    contact = services.create_contact(
        actor=admin_user,
        first_name="Eva",
        last_name="Soler",
        emails=["eva@example.com"],
        owner=None,
    )
    consent.record_consent(contact, actor=admin_user, source="ui", text="Sí")
    return contact


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_and_managers_export_and_erase_in_the_api(api, make_user, eva, role):
    client = api(make_user(role))
    allowed = role in PRIVACY_ROLES

    exported = client.get(f"/api/v1/contacts/{eva.pk}/data-export/")
    erased = client.post(
        f"/api/v1/contacts/{eva.pk}/erase/", {"mode": "anonymise", "reason": "Art. 17"}, "json"
    )

    assert exported.status_code == (200 if allowed else 403)
    assert erased.status_code == (200 if allowed else 403)
    if not allowed:
        assert (exported.json()["code"], erased.json()["code"]) == (
            "permission_denied",
            "permission_denied",
        )
    assert Contact.all_objects.get(pk=eva.pk).anonymised_at is not None if allowed else True
    assert PrivacyRequest.objects.count() == (2 if allowed else 0)


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_and_managers_export_and_erase_on_the_pages(client, make_user, eva, role):
    user = make_user(role)
    client.force_login(user)
    allowed = role in PRIVACY_ROLES

    exported = client.post(reverse("contacts:contact_data_export", args=[eva.pk]))
    asked = client.get(reverse("contacts:contact_erase", args=[eva.pk]))
    erased = client.post(
        reverse("contacts:contact_erase", args=[eva.pk]),
        {"mode": "purge", "reason": "Asked by phone", "confirm": "on"},
    )

    assert exported.status_code == (200 if allowed else 403)
    assert asked.status_code == (200 if allowed else 403)
    assert erased.status_code == (302 if allowed else 403)
    assert Contact.all_objects.filter(pk=eva.pk).exists() is not allowed


def test_the_export_has_everything_and_is_audited(client, admin_user, eva):
    client.force_login(admin_user)

    answer = client.post(
        reverse("contacts:contact_data_export", args=[eva.pk]), {"reason": "Art. 15"}
    )

    assert answer["Content-Disposition"] == f'attachment; filename="contact-{eva.pk}-data.json"'
    data = json.loads(answer.content)
    assert set(data) == {
        "exported_at",
        "contact",
        "emails",
        "phones",
        "custom_fields",
        "tags",
        "company_links",
        "activities",
        "deals",
        "purchases",
        "form_submissions",
        "lead_deliveries",
        "consents",
        "history",
        "export",
    }
    assert data["contact"]["first_name"] == "Eva"
    assert data["emails"] == [{"email": "eva@example.com", "kind": "work", "is_primary": True}]
    assert [(c["action"], c["text"]) for c in data["consents"]] == [("grant", "Sí")]
    audit = PrivacyRequest.objects.get()
    assert (audit.kind, audit.contact_id, audit.reason, audit.requested_by) == (
        "access_export",
        eva.pk,
        "Art. 15",
        admin_user,
    )
    assert data["export"]["request"] == audit.pk


def test_a_contact_in_the_trash_can_be_exported_and_purged(api, admin_user, eva):
    services.delete_records([eva], actor=admin_user)
    client = api(admin_user)

    assert client.get(f"/api/v1/contacts/{eva.pk}/data-export/").status_code == 200
    purged = client.post(
        f"/api/v1/contacts/{eva.pk}/erase/", {"mode": "purge", "reason": "x"}, "json"
    )

    assert purged.status_code == 200
    assert purged.json()["kind"] == "purge"
    assert not Contact.all_objects.filter(pk=eva.pk).exists()


def test_erasure_needs_the_confirmation_and_a_reason(client, admin_user, eva):
    client.force_login(admin_user)

    answer = client.post(
        reverse("contacts:contact_erase", args=[eva.pk]), {"mode": "purge", "reason": "x"}
    )

    assert answer.status_code == 400
    assert Contact.objects.filter(pk=eva.pk).exists()
    assert not PrivacyRequest.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"mode": "anonymise", "reason": "x" * 2001},
        {"mode": "anonymise"},
        {"mode": "shred", "reason": "x"},
        {"mode": ["purge"], "reason": "x"},
    ],
)
def test_bad_erasure_requests_are_400_and_erase_nothing(api, admin_user, eva, body):
    answer = api(admin_user).post(f"/api/v1/contacts/{eva.pk}/erase/", body, "json")

    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid"
    assert Contact.objects.get(pk=eva.pk).first_name == "Eva"
    assert not PrivacyRequest.objects.exists()


def test_html_in_a_reason_is_shown_as_text(client, admin_user, eva):
    client.force_login(admin_user)
    client.post(
        reverse("contacts:contact_erase", args=[eva.pk]),
        {"mode": "anonymise", "reason": "<script>alert(1)</script>", "confirm": "on"},
    )

    page = client.get(reverse("contacts:privacy_settings")).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_the_consent_log_in_the_api_is_paged_and_appended(api, admin_user, eva):
    client = api(admin_user)

    created = client.post(
        f"/api/v1/contacts/{eva.pk}/consents/",
        {
            "action": "grant",
            "purpose": "newsletter",
            "lawful_basis": "consent",
            "text": "Boletín mensual",
            "language": "es",
            "ip_address": "198.51.100.7",
        },
        "json",
    )
    withdrawn = client.post(
        f"/api/v1/contacts/{eva.pk}/consents/",
        {"action": "withdraw", "purpose": "marketing_email"},
        "json",
    )
    page = client.get(f"/api/v1/contacts/{eva.pk}/consents/?page_size=2")

    assert (created.status_code, withdrawn.status_code) == (201, 201)
    assert created.json()["text"] == "Boletín mensual"
    assert created.json()["source"] == "api"
    assert [(r["purpose"], r["action"]) for r in page.json()["results"]] == [
        ("marketing_email", "withdraw"),
        ("newsletter", "grant"),
    ]
    assert page.json()["next"] is not None
    assert client.get(f"/api/v1/contacts/{eva.pk}/").json()["consent_status"] == "withdrawn"


@pytest.mark.parametrize(
    "body",
    [
        {"action": "grant", "purpose": "mind_reading"},
        {"action": "grant", "purpose": "newsletter", "source": "withdrawal_link"},
        {"action": "grant", "purpose": "newsletter", "ip_address": "not-an-ip"},
        {"action": "grant", "purpose": "newsletter", "note": "x" * 1001},
        {"action": "grant", "purpose": "newsletter", "text": "x" * 5001},
        {"action": "erase", "purpose": "newsletter"},
    ],
)
def test_bad_consent_input_is_400_and_logs_nothing(api, admin_user, eva, body):
    before = ConsentRecord.objects.count()

    answer = api(admin_user).post(f"/api/v1/contacts/{eva.pk}/consents/", body, "json")

    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid"
    assert ConsentRecord.objects.count() == before


def test_read_only_users_read_the_log_but_cannot_append(api, make_user, eva):
    client = api(make_user("read_only"))

    assert client.get(f"/api/v1/contacts/{eva.pk}/consents/").status_code == 200
    answer = client.post(
        f"/api/v1/contacts/{eva.pk}/consents/", {"action": "withdraw", "purpose": "newsletter"}
    )
    assert answer.status_code == 403


def test_sales_users_outside_their_scope_get_404(api, make_user, admin_user, eva):
    seller = make_user("sales", scope="own")

    assert api(seller).get(f"/api/v1/contacts/{eva.pk}/consents/").status_code == 404


def test_a_role_granted_privacy_by_an_admin_may_handle_requests(api, make_user, eva):
    from clientela.core.models import Role

    user = make_user("service")
    Role.objects.filter(pk=user.role_id).update(
        access={"contacts": "write", "sales": "read", "activities": "write", "privacy": "write"}
    )
    user.refresh_from_db()

    assert api(user).get(f"/api/v1/contacts/{eva.pk}/data-export/").status_code == 200
