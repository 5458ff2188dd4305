"""The companies API: CRUD through the services, phones, tags, ETags, trash, history, export."""

import csv
import io

import pytest

from clientela.contacts import services
from clientela.contacts.models import Company
from clientela.core.history import history_for

URL = "/api/v1/companies/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def company(admin_user):
    return services.create_company(actor=admin_user, name="Forn Vell SL", owner=admin_user)


def test_create_normalises_tax_id_domain_and_phones(admin_api, admin_user):
    response = admin_api.post(
        URL,
        {
            "name": "Consultoría Ebro SL",
            "tax_id": " b58818501 ",
            "domain": "WWW.Ebro.es",
            "website": "https://ebro.es",
            "industry": "consulting",
            "size": "10-49",
            "country": "es",
            "phones": [{"number": "976 12 34 56", "kind": "work"}],
            "tags": ["partner"],
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["tax_id"], body["domain"], body["country"]) == ("B58818501", "ebro.es", "ES")
    assert body["phones"] == [{"number": "+34976123456", "kind": "work", "is_primary": True}]
    assert body["tags"] == ["partner"]
    assert body["owner"] == admin_user.pk
    assert response["ETag"] == f'"{body["id"]}-1"'
    assert history_for(Company.objects.get()).get().source == "api"


def test_detail_update_and_stale_update(admin_api, company):
    url = f"{URL}{company.pk}/"
    etag = admin_api.get(url)["ETag"]
    assert etag == f'"{company.pk}-1"'

    ok = admin_api.patch(url, {"city": "Zaragoza"}, format="json", HTTP_IF_MATCH=etag)
    stale = admin_api.put(url, {"name": "Otro nombre"}, format="json", HTTP_IF_MATCH=etag)

    assert ok.status_code == 200
    assert ok["ETag"] == f'"{company.pk}-2"'
    assert stale.status_code == 412
    company.refresh_from_db()
    assert (company.name, company.city, company.version) == ("Forn Vell SL", "Zaragoza", 2)


def test_put_requires_the_name(admin_api, company):
    response = admin_api.put(f"{URL}{company.pk}/", {"city": "Huesca"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"name": ["This field is required."]}


def test_delete_restore_and_history(admin_api, company):
    url = f"{URL}{company.pk}/"
    assert admin_api.delete(url).status_code == 204
    assert admin_api.get(url).status_code == 404
    assert admin_api.get(f"{url}?trashed=true").status_code == 200
    assert admin_api.post(f"{url}restore/").json()["deleted_at"] is None
    history = admin_api.get(f"{url}history/").json()
    assert [c["action"] for c in history["results"]] == ["restore", "delete", "create"]


def test_list_filters_and_export(admin_api, admin_user, company):
    services.create_company(actor=admin_user, name="Bodegas Rioja", industry="food")
    services.create_company(actor=admin_user, name="Aceites Jaén", industry="food")

    listed = admin_api.get(f"{URL}?industry=food").json()["results"]
    export = admin_api.get(f"{URL}export/?industry=food")

    assert [c["name"] for c in listed] == ["Aceites Jaén", "Bodegas Rioja"]
    assert export["Content-Disposition"] == 'attachment; filename="companies.csv"'
    rows = csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode()))
    assert sorted(row["name"] for row in rows) == ["Aceites Jaén", "Bodegas Rioja"]


def test_contacts_cannot_link_to_a_company_the_caller_cannot_see(api, make_user, admin_user):
    hidden = services.create_company(actor=admin_user, name="Oculta", owner=admin_user)
    client = api(make_user("sales", scope="own"))
    response = client.post(
        "/api/v1/contacts/", {"first_name": "Pep", "company": hidden.pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["company"]


def test_a_company_list_page_costs_a_fixed_number_of_queries(
    admin_api, admin_user, django_assert_max_num_queries
):
    for n in range(55):
        services.create_company(actor=admin_user, name=f"Empresa {n:02d}", phones=["976000000"])
    admin_api.get(f"{URL}?page_size=1")
    with django_assert_max_num_queries(6):
        first = admin_api.get(URL).json()
    with django_assert_max_num_queries(6):
        second = admin_api.get(first["next"]).json()
    assert (len(first["results"]), len(second["results"])) == (50, 5)
