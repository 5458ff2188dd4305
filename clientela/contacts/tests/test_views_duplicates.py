"""The duplicates review queue and the merge page."""

import re

import pytest
from django.urls import reverse

from clientela.contacts import services
from clientela.contacts.models import Company, Contact
from clientela.contacts.views_duplicates import page_of_pairs

QUEUE = reverse("contacts:contact_duplicates")


@pytest.fixture
def twins(admin_user):
    a = services.create_contact(
        actor=admin_user, first_name="Laura", last_name="Vidal", emails=["laura@example.es"]
    )
    b = services.create_contact(
        actor=admin_user, first_name="Laura", last_name="Vidal", second_last_name="Roca"
    )
    return a, b


def test_the_queue_lists_pairs_with_merge_and_dismiss(client, admin_user, twins):
    client.force_login(admin_user)
    a, b = twins

    html = client.get(QUEUE).content.decode()

    assert re.findall(r'class="duplicate-score">(\d+)<', html) == ["80"]
    assert f'/{a.pk}/merge/?other={b.pk}"' in html
    assert "Not duplicates" in html


def test_not_duplicates_removes_the_pair_for_good(client, admin_user, twins):
    client.force_login(admin_user)
    a, b = twins

    response = client.post(
        reverse("contacts:contact_duplicates_dismiss"), {"first": a.pk, "second": b.pk}
    )

    assert response.status_code == 302
    assert "No likely duplicates." in client.get(QUEUE).content.decode()


def test_the_queue_shows_only_records_the_user_may_change(client, make_user, admin_user, twins):
    seller = make_user("sales", scope="own")
    a, b = twins
    services.assign_records([a], actor=admin_user, owner=seller)
    client.force_login(seller)

    assert "No likely duplicates." in client.get(QUEUE).content.decode()


def test_cannot_merge_records_one_may_not_change(client, make_user, admin_user, twins):
    seller = make_user("sales", scope="own")
    a, b = twins
    services.assign_records([a], actor=admin_user, owner=seller)
    client.force_login(seller)
    url = reverse("contacts:contact_merge", args=[a.pk])

    assert client.get(url, {"other": b.pk}).status_code == 404
    assert client.post(url, {"other": b.pk}).status_code == 404
    assert Contact.objects.filter(pk=b.pk).exists() is True


def test_merge_page_lets_the_user_pick_each_differing_value(client, admin_user, twins):
    client.force_login(admin_user)
    a, b = twins
    url = reverse("contacts:contact_merge", args=[a.pk])

    page = client.get(url, {"other": b.pk}).content.decode()
    assert 'name="field_second_last_name" value="other" checked' in page
    assert 'name="field_first_name"' not in page

    response = client.post(url, {"other": b.pk, "field_second_last_name": "other"})

    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.full_name, list(a.emails.values_list("email", flat=True))) == (
        "Laura Vidal Roca",
        ["laura@example.es"],
    )
    assert Contact.objects.filter(pk=b.pk).exists() is False


def test_company_merge_page_merges(client, admin_user):
    client.force_login(admin_user)
    a = services.create_company(actor=admin_user, name="Acme SL", domain="acme.es")
    b = services.create_company(actor=admin_user, name="ACME", domain="acme.es")
    assert reverse("contacts:company_merge", args=[a.pk]) in client.get(
        reverse("contacts:company_duplicates")
    ).content.decode().replace("&amp;", "&")

    client.post(reverse("contacts:company_merge", args=[a.pk]), {"other": b.pk})

    assert list(Company.objects.values_list("name", flat=True)) == ["Acme SL"]


class _Pair:
    def __init__(self, score, first, second):
        self.score, self.first, self.second = score, _Id(first), _Id(second)


class _Id:
    def __init__(self, pk):
        self.pk = pk


def test_pages_of_pairs_follow_each_other_without_repeats():
    pairs = [_Pair(95, 1, 2), _Pair(90, 1, 3), _Pair(90, 2, 5), _Pair(80, 4, 6)]

    first, after = page_of_pairs(pairs, page_size=2)
    second, end = page_of_pairs(pairs, after, page_size=2)

    assert [(p.first.pk, p.second.pk) for p in first + second] == [(1, 2), (1, 3), (2, 5), (4, 6)]
    assert (after, end) == ("90-1-3", None)


def test_creating_a_likely_duplicate_warns_then_saves_anyway(client, admin_user, twins):
    from clientela.contacts.tests.test_views_forms import contact_data

    client.force_login(admin_user)
    a, b = twins
    create = reverse("contacts:contact_create")
    data = contact_data(first_name="Laura", last_name="Vidal", emails=["LAURA@example.es"])

    warned = client.post(create, data)

    html = warned.content.decode()
    assert warned.status_code == 200
    assert "This looks like an existing contact:" in html
    assert f'href="{reverse("contacts:contact_detail", args=[a.pk])}"' in html
    assert 'name="save_anyway" value="True"' in html
    assert Contact.objects.count() == 2

    saved = client.post(create, {**data, "save_anyway": "True"})

    assert saved.status_code == 302
    assert Contact.objects.count() == 3


def test_creating_someone_new_gives_no_warning(client, admin_user, twins):
    from clientela.contacts.tests.test_views_forms import contact_data

    client.force_login(admin_user)

    response = client.post(
        reverse("contacts:contact_create"), contact_data(first_name="Pedro", last_name="Martín")
    )

    assert response.status_code == 302
