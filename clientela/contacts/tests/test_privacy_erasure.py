"""Anonymising and purging a person: nothing personal left anywhere, the figures kept, the
audit kept."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from clientela.activities.models import Activity
from clientela.contacts import services
from clientela.contacts.models import (
    ConsentRecord,
    Contact,
    ContactEmail,
    ContactPhone,
    Employment,
    PrivacyRequest,
)
from clientela.contacts.privacy import erasure
from clientela.core import search
from clientela.core.models import ChangeRecord, SearchEntry
from clientela.intake.models import FormSubmission
from clientela.sales.models import Deal, DealContact, Purchase

from .privacy_data import SECRETS, make_person, secrets_found

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(admin_user, pipeline):
    return make_person(admin_user, pipeline=pipeline)


@pytest.fixture
def pipeline(admin_user):
    from clientela.sales import services as sales_services

    return sales_services.create_pipeline(
        actor=admin_user, name="Ventas", stages=[("Nuevo", 10, "open")], is_default=True
    )


def test_the_test_person_really_has_every_secret_somewhere(person):
    assert secrets_found() == SECRETS


def test_anonymise_leaves_no_personal_data_anywhere(admin_user, person):
    contact, deal, purchase = person

    audit = erasure.anonymise_contact(contact, actor=admin_user, reason="Art. 17 request by mail")

    assert secrets_found() == []
    for word in ("Villalonga", "zacarias", "Quintanilla", "600111222", "zvq"):
        assert search.search(admin_user, word) == []
        assert not search.matching_ids(Contact, word).exists()
    contact = Contact.all_objects.get(pk=contact.pk)
    assert (contact.first_name, contact.last_name, contact.notes, contact.custom_fields) == (
        "Anonymised contact",
        "",
        "",
        {},
    )
    assert contact.anonymised_at is not None
    assert contact.company_id is None
    assert not ContactEmail.objects.filter(contact=contact).exists()
    assert not ContactPhone.objects.filter(contact=contact).exists()
    assert not Employment.objects.filter(contact=contact).exists()
    assert audit.kind == "anonymise"
    assert audit.contact_id == contact.pk
    assert audit.reason == "Art. 17 request by mail"
    assert audit.outcome["activities_scrubbed"] == 2
    assert audit.outcome["form_submissions_scrubbed"] == 1
    assert audit.outcome["deals_renamed"] == 1


def test_anonymise_keeps_the_figures(admin_user, person):
    contact, deal, purchase = person

    erasure.anonymise_contact(contact, actor=admin_user)

    deal = Deal.all_objects.get(pk=deal.pk)
    assert deal.name == "Presupuesto [erased]"
    assert str(deal.amount) == "1200.00"
    assert DealContact.objects.filter(deal=deal, contact=contact).exists()
    assert Purchase.all_objects.get(pk=purchase.pk).contact_id == contact.pk
    assert str(Purchase.all_objects.get(pk=purchase.pk).total_amount) == "50.00"
    notes = Activity.all_objects.filter(contact=contact)
    assert {(n.kind, n.subject, n.body) for n in notes} == {("note", "(erased)", "")}
    assert notes.count() == 2  # the note logged, and the one the form submission made
    assert FormSubmission.objects.get(contact=contact).data == {}
    assert FormSubmission.objects.get(contact=contact).context == {
        "consent_text": "Acepto recibir ofertas",
        "language": "es",
    }


def test_anonymise_withdraws_every_consent_and_keeps_the_log_without_evidence(admin_user, person):
    contact, _deal, _purchase = person
    grants = ConsentRecord.objects.filter(contact=contact).count()

    erasure.anonymise_contact(contact, actor=admin_user)

    records = list(ConsentRecord.objects.filter(contact=contact).order_by("id"))
    assert [(r.purpose, r.action) for r in records[grants:]] == [
        ("marketing_email", "withdraw"),
        ("newsletter", "withdraw"),
    ]
    assert {(r.ip_address, r.user_agent, r.note) for r in records} == {(None, "", "")}
    assert Contact.all_objects.get(pk=contact.pk).consent_status == "withdrawn"


def test_anonymise_twice_is_refused(admin_user, person):
    contact, _deal, _purchase = person
    erasure.anonymise_contact(contact, actor=admin_user)

    with pytest.raises(ValidationError):
        erasure.anonymise_contact(contact, actor=admin_user)

    assert PrivacyRequest.objects.filter(kind="anonymise").count() == 1


def test_purge_removes_the_person_everywhere_and_keeps_the_accounts(admin_user, person):
    contact, deal, purchase = person
    pk = contact.pk

    audit = erasure.purge_contact(contact, actor=admin_user, reason="Asked to be forgotten")

    assert secrets_found() == []
    assert not Contact.all_objects.filter(pk=pk).exists()
    assert not ConsentRecord.objects.filter(contact_id=pk).exists()
    assert not FormSubmission.objects.filter(contact_id=pk).exists()
    assert not Activity.all_objects.filter(contact_id=pk).exists()
    assert not SearchEntry.objects.filter(entity="contact", object_id=pk).exists()
    contact_type = ContentType.objects.get_for_model(Contact)
    assert not ChangeRecord.objects.filter(content_type=contact_type, object_id=pk).exists()
    assert Deal.all_objects.filter(pk=deal.pk).exists()
    assert Purchase.all_objects.get(pk=purchase.pk).contact_id is None
    assert PrivacyRequest.objects.get(pk=audit.pk).contact_id == pk
    assert audit.outcome["activities_deleted"] == 2


def test_purge_reaches_the_trash_and_merged_duplicates(admin_user, person):
    contact, _deal, _purchase = person
    twin = services.create_contact(
        actor=admin_user, first_name="Zacarías", last_name="Villalonga", emails=["zv2@example.org"]
    )
    services.merge_contacts(contact, twin, actor=admin_user)
    services.delete_records([contact], actor=admin_user)

    audit = erasure.purge_contact(contact, actor=admin_user)

    assert not Contact.all_objects.filter(pk__in=[contact.pk, twin.pk]).exists()
    assert audit.outcome["merged_duplicates_purged"] == 1
    assert secrets_found() == []
    assert sorted(PrivacyRequest.objects.values_list("contact_id", flat=True)) == sorted(
        [contact.pk, twin.pk]
    )


def test_audit_rows_survive_the_erasure_and_hold_no_personal_data(admin_user, person):
    contact, _deal, _purchase = person

    erasure.purge_contact(contact, actor=admin_user, reason="Request 2026/14")

    row = PrivacyRequest.objects.values(
        "kind", "contact_id", "requested_by", "requested_by_name", "reason"
    ).get()
    assert row == {
        "kind": "purge",
        "contact_id": contact.pk,
        "requested_by": admin_user.pk,
        "requested_by_name": "admin",
        "reason": "Request 2026/14",
    }


def test_an_oversized_reason_is_refused_and_nothing_is_erased(admin_user, person):
    contact, _deal, _purchase = person

    with pytest.raises(ValidationError) as error:
        erasure.anonymise_contact(contact, actor=admin_user, reason="x" * 2001)

    assert "reason" in error.value.message_dict
    assert Contact.all_objects.get(pk=contact.pk).last_name == "Villalonga"
    assert not PrivacyRequest.objects.exists()
