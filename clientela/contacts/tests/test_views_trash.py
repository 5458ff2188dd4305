"""Delete (to the trash), restore, purge and the trash page."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from clientela.contacts import services
from clientela.contacts.models import Company, Contact
from clientela.core.models import ChangeRecord

TRASH = reverse("contacts:trash")


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def trash_names(html, heading):
    """Names in one section ("Contacts" or "Companies") of the trash page."""
    section = html.split(f">{heading}</h2>", 1)[1].split("</section>", 1)[0]
    return re.findall(r'<td class="name">([^<]+)</td>', section)


def test_delete_asks_for_confirmation_then_moves_to_trash(signed_in, admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    url = reverse("contacts:contact_delete", args=[contact.pk])

    page = signed_in.get(url)
    assert page.status_code == 200
    assert "restore it for 30 days" in page.content.decode()
    assert Contact.objects.count() == 1

    response = signed_in.post(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:contact_list")
    assert Contact.objects.count() == 0
    assert Contact.all_objects.get().deleted_at is not None


def test_delete_of_out_of_scope_contact_is_404(client, make_user, admin_user):
    seller = make_user("sales", scope="own")
    contact = services.create_contact(actor=admin_user, first_name="Ana", owner=admin_user)
    client.force_login(seller)

    assert client.post(reverse("contacts:contact_delete", args=[contact.pk])).status_code == 404
    assert Contact.objects.count() == 1


def test_read_only_user_may_not_delete_restore_or_purge(client, make_user, admin_user):
    alive = services.create_contact(actor=admin_user, first_name="Ana")
    trashed = services.create_contact(actor=admin_user, first_name="Bea")
    services.delete_records([trashed], actor=admin_user)
    client.force_login(make_user("read_only"))

    delete = reverse("contacts:contact_delete", args=[alive.pk])
    assert client.post(delete).status_code == 403
    assert client.post(reverse("contacts:contact_restore", args=[trashed.pk])).status_code == 403
    assert client.post(reverse("contacts:contact_purge", args=[trashed.pk])).status_code == 403
    assert Contact.objects.count() == 1
    assert Contact.all_objects.count() == 2


def test_trash_lists_trashed_contacts_and_companies_with_days_left(signed_in, admin_user, settings):
    settings.TRASH_RETENTION_DAYS = 30
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    company = services.create_company(actor=admin_user, name="Acme SL")
    services.create_contact(actor=admin_user, first_name="Alive")
    services.delete_records([contact], actor=admin_user)
    services.delete_records([company], actor=admin_user)
    ten_days_ago = timezone.now() - datetime.timedelta(days=10, hours=1)
    Contact.all_objects.filter(pk=contact.pk).update(deleted_at=ten_days_ago)

    html = signed_in.get(TRASH).content.decode()

    assert trash_names(html, "Contacts") == ["Ana"]
    assert trash_names(html, "Companies") == ["Acme SL"]
    contacts = html.split(">Contacts</h2>", 1)[1].split("</section>", 1)[0]
    assert "<td>20 days</td>" in contacts
    assert "<td>30 days</td>" in html.split(">Companies</h2>", 1)[1]
    assert "Records stay in the trash for 30 days" in html


def test_trash_shows_only_records_in_scope_and_no_buttons_for_readers(
    client, make_user, admin_user
):
    seller = make_user("sales", scope="own")
    mine = services.create_contact(actor=admin_user, first_name="Mine", owner=seller)
    theirs = services.create_contact(actor=admin_user, first_name="Theirs", owner=admin_user)
    services.delete_records([mine, theirs], actor=admin_user)
    client.force_login(seller)
    assert trash_names(client.get(TRASH).content.decode(), "Contacts") == ["Mine"]
    assert "Delete permanently</button>" in client.get(TRASH).content.decode()

    client.force_login(make_user("read_only"))
    html = client.get(TRASH).content.decode()
    assert trash_names(html, "Contacts") == ["Theirs", "Mine"]  # same time: newest id first
    assert "Delete permanently</button>" not in html
    assert "Restore</button>" not in html


def test_trash_is_keyset_paginated(signed_in, admin_user, monkeypatch):
    from clientela.contacts.views import TrashView

    monkeypatch.setattr(TrashView, "page_size", 2)
    contacts = [services.create_contact(actor=admin_user, first_name=n) for n in "ABC"]
    for contact in contacts:  # one at a time: deletion order decides the page order
        services.delete_records([contact], actor=admin_user)

    html = signed_in.get(TRASH).content.decode()
    assert trash_names(html, "Contacts") == ["C", "B"]
    link = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert link.startswith("?contacts_cursor=")

    assert trash_names(signed_in.get(TRASH + link).content.decode(), "Contacts") == ["A"]


def test_restore_brings_the_contact_back(signed_in, admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    services.delete_records([contact], actor=admin_user)

    response = signed_in.post(reverse("contacts:contact_restore", args=[contact.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:contact_detail", args=[contact.pk])
    assert Contact.objects.get().deleted_at is None
    assert ChangeRecord.objects.filter(object_id=contact.pk, action="restore").count() == 1


def test_restore_of_an_alive_contact_is_404(signed_in, admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana")

    response = signed_in.post(reverse("contacts:contact_restore", args=[contact.pk]))

    assert response.status_code == 404


def test_restore_only_accepts_post(signed_in, admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    services.delete_records([contact], actor=admin_user)

    response = signed_in.get(reverse("contacts:contact_restore", args=[contact.pk]))

    assert response.status_code == 405
    assert Contact.objects.count() == 0


def test_purge_deletes_for_good_and_returns_to_the_trash(signed_in, admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    services.delete_records([contact], actor=admin_user)

    response = signed_in.post(
        reverse("contacts:contact_purge", args=[contact.pk]), {"next": TRASH + "?x=1"}
    )

    assert response.status_code == 302
    assert response["Location"] == TRASH + "?x=1"
    assert Contact.all_objects.count() == 0
    assert ChangeRecord.objects.filter(object_id=contact.pk, action="purge").count() == 1


def test_purge_of_an_alive_contact_is_404(signed_in, admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana")

    assert signed_in.post(reverse("contacts:contact_purge", args=[contact.pk])).status_code == 404
    assert Contact.objects.count() == 1


def test_company_delete_restore_and_purge(signed_in, admin_user):
    company = services.create_company(actor=admin_user, name="Acme")

    signed_in.post(reverse("contacts:company_delete", args=[company.pk]))
    assert Company.objects.count() == 0
    signed_in.post(reverse("contacts:company_restore", args=[company.pk]))
    assert Company.objects.count() == 1
    signed_in.post(reverse("contacts:company_delete", args=[company.pk]))
    signed_in.post(reverse("contacts:company_purge", args=[company.pk]))
    assert Company.all_objects.count() == 0
