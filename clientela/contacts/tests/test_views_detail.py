"""Contact and company detail pages: grouped fields, company links, custom fields, history."""

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from clientela.contacts import services
from clientela.contacts.models import Company, Contact
from clientela.core.context import change_context
from clientela.core.models import CustomField


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def detail(client, contact):
    return client.get(reverse("contacts:contact_detail", args=[contact.pk]))


def history_items(html):
    """Each history entry's text with whitespace collapsed, newest first."""
    block = html.split('id="history-heading"', 1)[1].split("</ol>", 1)[0]
    items = block.split('<li class="history__entry">')[1:]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).strip() for item in items]


def test_contact_detail_groups_every_field(signed_in, admin_user, make_team):
    team = make_team("Sales")
    company = services.create_company(actor=admin_user, name="Acme SL")
    contact = services.create_contact(
        actor=admin_user,
        first_name="Ana",
        last_name="García",
        second_last_name="Muñoz",
        job_title="CEO",
        company=company,
        language="ca",
        emails=["ana@acme.es"],
        phones=["+34600123456"],
        street="Carrer Major 1",
        postcode="08500",
        city="Vic",
        country="ES",
        lifecycle_stage="customer",
        lead_status="qualified",
        source="referral",
        source_detail="Joan",
        consent_status="granted",
        consent_at=datetime.datetime(2024, 5, 6, 10, 30, tzinfo=datetime.UTC),
        consent_method="paper",
        consent_proof="Signed at the fair",
        owner=admin_user,
        team=team,
        tags=["vip"],
        notes="Likes tea",
    )

    html = detail(signed_in, contact).content.decode()

    for text in [
        "<h1>Ana García Muñoz</h1>",
        "<dt>Surnames</dt><dd>García Muñoz</dd>",
        "<dt>Job title</dt><dd>CEO</dd>",
        "<dt>Preferred language</dt><dd>Catalan</dd>",
        '<a href="mailto:ana@acme.es">ana@acme.es</a>',
        ">600 12 34 56</a>",
        "Carrer Major 1<br>",
        "08500 Vic<br>",
        '<span class="badge badge-info">Customer</span>',
        "<dt>Lead status</dt><dd>Qualified</dd>",
        "<dt>Source</dt><dd>Referral · Joan</dd>",
        '<span class="badge badge-success">Granted</span>',
        "<dt>How</dt><dd>Signed paper form</dd>",
        "<dt>Proof</dt><dd>Signed at the fair</dd>",
        "<dt>Team</dt><dd>Sales</dd>",
        '<span class="tag">vip</span>',
        "<p>Likes tea</p>",
    ]:
        assert text in html, text
    # 10:30 UTC is 12:30 in Madrid (summer time).
    assert "May 6, 2024, 12:30 p.m." in html


def test_contact_detail_lists_current_and_past_company_links(signed_in, admin_user):
    old = services.create_company(actor=admin_user, name="Old Co")
    new = services.create_company(actor=admin_user, name="New Co")
    contact = services.create_contact(
        actor=admin_user, first_name="Ana", company=old, job_title="Clerk"
    )
    services.update_contact(contact, actor=admin_user, company=new, job_title="Boss")

    html = detail(signed_in, contact).content.decode()
    links = html.split('id="links-heading"', 1)[1].split("</section>", 1)[0]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", links))

    assert text.index("New Co · Boss Current") < text.index("Old Co · Clerk Past")


def test_contact_detail_shows_custom_field_values_with_labels(signed_in, admin_user):
    content_type = ContentType.objects.get_for_model(Contact)
    CustomField.objects.create(
        content_type=content_type, key="vip", label="Is VIP", field_type="boolean"
    )
    CustomField.objects.create(
        content_type=content_type, key="shoe", label="Shoe size", field_type="integer"
    )
    contact = services.create_contact(
        actor=admin_user, first_name="Ana", custom_fields={"vip": True}
    )

    html = detail(signed_in, contact).content.decode()

    assert "<dt>Is VIP</dt><dd>Yes</dd>" in html
    assert '<dt>Shoe size</dt><dd><span class="muted">—</span></dd>' in html


def test_history_shows_actor_source_labels_and_names_for_ids(
    signed_in, admin_user, make_user, make_team
):
    seller = make_user("sales")
    team = make_team("Support")
    company = services.create_company(actor=admin_user, name="Acme SL")
    with change_context(source="cli"):
        contact = services.create_contact(actor=admin_user, first_name="Ana", last_name="Sol")
    with change_context(source="api"):
        services.update_contact(
            contact,
            actor=seller,
            company=company,
            owner=seller,
            team=team,
            lifecycle_stage="customer",
        )

    items = history_items(detail(signed_in, contact).content.decode())

    assert len(items) == 2
    update, create = items
    assert update.startswith(f"Updated · {seller} · ")
    assert "API Company: — → Acme SL" in update
    assert "Lifecycle stage: Lead → Customer" in update
    assert f"Owner: — → {seller}" in update
    assert "Team: — → Support" in update
    assert create.startswith(f"Created · {admin_user} · ")
    assert "First name: Ana" in create
    assert "Command line" in create


def test_history_shows_list_and_custom_field_changes(signed_in, admin_user):
    CustomField.objects.create(
        content_type=ContentType.objects.get_for_model(Contact),
        key="size",
        label="Shoe size",
        field_type="integer",
    )
    contact = services.create_contact(
        actor=admin_user, first_name="Ana", phones=["+34600111222"], custom_fields={"size": 38}
    )
    services.update_contact(
        contact,
        actor=admin_user,
        phones=["+34600111333"],
        emails=["ana@example.com"],
        custom_fields={"size": 40},
    )

    update = history_items(detail(signed_in, contact).content.decode())[0]

    assert "E-mails: — → ana@example.com (Work)" in update
    assert "Phones: 600 11 12 22 (Mobile) → 600 11 13 33 (Mobile)" in update
    assert "Shoe size: 38 → 40" in update


def test_history_of_trash_and_restore_is_shown(signed_in, admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    services.delete_records([contact], actor=admin_user)
    services.restore_records([contact], actor=admin_user)

    items = history_items(detail(signed_in, contact).content.decode())

    assert [item.split(" · ")[0] for item in items] == ["Restored", "Moved to trash", "Created"]


def test_history_is_paginated(signed_in, admin_user, monkeypatch):
    from clientela.contacts.views import ContactDetailView

    monkeypatch.setattr(ContactDetailView, "history_page_size", 2)
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    for title in ["A", "B", "C"]:
        services.update_contact(contact, actor=admin_user, job_title=title)

    html = detail(signed_in, contact).content.decode()
    assert len(history_items(html)) == 2
    older = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    url = reverse("contacts:contact_detail", args=[contact.pk]) + older
    items = history_items(signed_in.get(url).content.decode())
    assert [item.split(" · ")[0] for item in items] == ["Updated", "Created"]


def test_detail_of_out_of_scope_contact_is_404(client, make_user, admin_user):
    seller = make_user("sales", scope="own")
    other = services.create_contact(actor=admin_user, first_name="Ana", owner=admin_user)
    client.force_login(seller)

    assert detail(client, other).status_code == 404
    assert client.get(reverse("contacts:company_detail", args=[999999])).status_code == 404


def test_detail_of_trashed_contact_is_404(signed_in, admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    services.delete_records([contact], actor=admin_user)

    assert detail(signed_in, contact).status_code == 404


def test_read_only_user_sees_detail_without_edit_or_delete(client, make_user, admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    client.force_login(make_user("read_only"))

    html = detail(client, contact).content.decode()

    assert "<h1>Ana</h1>" in html
    assert reverse("contacts:contact_edit", args=[contact.pk]) not in html
    assert reverse("contacts:contact_delete", args=[contact.pk]) not in html


def test_company_detail_lists_its_current_visible_contacts(client, make_user, admin_user):
    seller = make_user("sales", scope="own")
    company = services.create_company(
        actor=admin_user,
        name="Acme SL",
        tax_id="B12345674",
        phones=["+34910001122"],
        owner=seller,
    )
    services.create_contact(
        actor=admin_user, first_name="Ana", company=company, job_title="CEO", owner=seller
    )
    services.create_contact(actor=admin_user, first_name="Hidden", company=company)
    moved = services.create_contact(
        actor=admin_user, first_name="Gone", company=company, owner=seller
    )
    services.update_contact(moved, actor=admin_user, company=None)
    client.force_login(seller)

    html = client.get(reverse("contacts:company_detail", args=[company.pk])).content.decode()
    people = html.split('id="people-heading"', 1)[1].split("</section>", 1)[0]

    assert re.findall(r'href="/contacts/\d+/">([^<]+)</a>', people) == ["Ana"]
    assert "· CEO" in people
    assert "<dt>Tax id</dt><dd>B12345674</dd>" in html
    assert ">910 00 11 22</a>" in html


def test_company_detail_history_shows_changes(signed_in, admin_user):
    company = services.create_company(actor=admin_user, name="Acme")
    services.update_company(company, actor=admin_user, name="Acme SL", industry="retail")

    html = signed_in.get(reverse("contacts:company_detail", args=[company.pk])).content.decode()
    update = history_items(html)[0]

    assert "Name: Acme → Acme SL" in update
    assert "Industry: — → Retail and e-commerce" in update


def test_names_of_trashed_companies_still_show_in_history(signed_in, admin_user):
    company = services.create_company(actor=admin_user, name="Acme SL")
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    services.update_contact(contact, actor=admin_user, company=company)
    services.delete_records([Company.objects.get()], actor=admin_user)

    update = history_items(detail(signed_in, contact).content.decode())[0]

    assert "Company: — → Acme SL" in update


def test_history_time_is_shown_in_local_time(signed_in, admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    html = detail(signed_in, contact).content.decode()
    created = timezone.localtime(contact.created_at)

    assert f'<time datetime="{created.isoformat()}"' in html
