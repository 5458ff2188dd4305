"""The contacts API: CRUD through the services, nested data, ETags, trash, history, export,
filters, pagination and the cost of a list page."""

import csv
import io

import pytest
from django.contrib.contenttypes.models import ContentType

from clientela.contacts import services
from clientela.contacts.models import Contact
from clientela.core.choices import CustomFieldType
from clientela.core.history import history_for
from clientela.core.models import CustomField

URL = "/api/v1/contacts/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def detail(contact):
    return f"{URL}{contact.pk}/"


@pytest.fixture
def company(admin_user):
    return services.create_company(actor=admin_user, name="Talleres Muñoz SL")


@pytest.fixture
def contact(admin_user):
    return services.create_contact(
        actor=admin_user,
        first_name="Ana",
        last_name="García",
        emails=["ana@example.es"],
        owner=admin_user,
    )


def test_create_returns_the_stored_contact_with_nested_data_and_etag(
    admin_api, admin_user, company
):
    response = admin_api.post(
        URL,
        {
            "first_name": "  Núria ",
            "last_name": "Puig",
            "second_last_name": "Soler",
            "company": company.pk,
            "job_title": "CFO",
            "emails": [
                {"email": "NURIA@Example.ES", "kind": "work"},
                {"email": "nuria@home.cat", "kind": "personal", "is_primary": True},
            ],
            "phones": [{"number": "600 12 34 56"}, {"number": "+44 20 7946 0958", "kind": "work"}],
            "tags": ["vip", "barcelona", "vip"],
            "lifecycle_stage": "customer",
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    stored = Contact.objects.get()
    assert body["id"] == stored.pk
    assert response["ETag"] == f'"{stored.pk}-1"'
    assert body["full_name"] == "Núria Puig Soler"
    assert body["first_name"] == "Núria"
    assert body["emails"] == [
        {"email": "nuria@home.cat", "kind": "personal", "is_primary": True},
        {"email": "nuria@example.es", "kind": "work", "is_primary": False},
    ]
    assert body["phones"] == [
        {"number": "+34600123456", "kind": "mobile", "is_primary": True},
        {"number": "+442079460958", "kind": "work", "is_primary": False},
    ]
    assert body["tags"] == ["barcelona", "vip"]
    assert body["company"] == company.pk
    assert body["company_name"] == "Talleres Muñoz SL"
    assert body["owner"] == admin_user.pk
    assert body["version"] == 1
    assert [
        (link["company"], link["role"], link["is_current"]) for link in body["company_links"]
    ] == [(company.pk, "CFO", True)]
    change = history_for(stored).get(action="create")
    assert change.source == "api"
    assert change.actor == admin_user


def test_create_with_explicit_null_owner_leaves_the_contact_unassigned(admin_api):
    response = admin_api.post(URL, {"first_name": "Pau", "owner": None}, format="json")
    assert response.status_code == 201
    assert Contact.objects.get().owner_id is None


def test_detail_sets_the_etag_of_the_current_version(admin_api, contact):
    response = admin_api.get(detail(contact))
    assert response.status_code == 200
    assert response["ETag"] == f'"{contact.pk}-1"'
    assert response.json()["emails"] == [
        {"email": "ana@example.es", "kind": "work", "is_primary": True}
    ]


def test_patch_changes_only_the_given_fields(admin_api, contact):
    response = admin_api.patch(detail(contact), {"job_title": "Gerente"}, format="json")
    assert response.status_code == 200
    contact.refresh_from_db()
    assert (contact.job_title, contact.first_name, contact.version) == ("Gerente", "Ana", 2)
    assert [e.email for e in contact.emails.all()] == ["ana@example.es"]
    assert response["ETag"] == f'"{contact.pk}-2"'


def test_put_replaces_nested_lists_that_are_sent(admin_api, contact):
    response = admin_api.put(
        detail(contact),
        {"first_name": "Ana", "last_name": "García", "emails": [], "tags": ["nuevo"]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["emails"] == []
    assert response.json()["tags"] == ["nuevo"]


def test_put_accepts_back_the_read_only_fields_it_returned(admin_api, contact):
    body = admin_api.get(detail(contact)).json()
    body["city"] = "Girona"
    response = admin_api.put(detail(contact), body, format="json")
    assert response.status_code == 200
    contact.refresh_from_db()
    assert (contact.city, contact.version) == ("Girona", 2)


def test_moving_to_another_company_keeps_the_old_link_in_company_links(
    admin_api, admin_user, company
):
    contact = services.create_contact(actor=admin_user, first_name="Joan", company=company)
    other = services.create_company(actor=admin_user, name="Acme")
    response = admin_api.patch(detail(contact), {"company": other.pk}, format="json")
    assert response.status_code == 200
    links = response.json()["company_links"]
    assert [(link["company_name"], link["is_current"]) for link in links] == [
        ("Acme", True),
        ("Talleres Muñoz SL", False),
    ]


def test_custom_fields_are_validated_and_merged_on_patch(admin_api, contact):
    CustomField.objects.create(
        content_type=ContentType.objects.get_for_model(Contact),
        key="score",
        label="Score",
        field_type="integer",
    )
    CustomField.objects.create(
        content_type=ContentType.objects.get_for_model(Contact),
        key="segment",
        label="Segment",
        field_type=CustomFieldType.CHOICE,
        choices=["a", "b"],
    )
    assert admin_api.patch(
        detail(contact), {"custom_fields": {"score": "7"}}, format="json"
    ).json()["custom_fields"] == {"score": 7}
    response = admin_api.patch(detail(contact), {"custom_fields": {"segment": "b"}}, format="json")
    assert response.json()["custom_fields"] == {"score": 7, "segment": "b"}
    refused = admin_api.patch(detail(contact), {"custom_fields": {"segment": "z"}}, format="json")
    assert refused.status_code == 400
    assert refused.json()["fields"] == {"segment": ["Choose one of the options."]}


def test_if_match_with_the_current_etag_applies_the_write(admin_api, contact):
    etag = admin_api.get(detail(contact))["ETag"]
    response = admin_api.patch(detail(contact), {"city": "Reus"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] == f'"{contact.pk}-2"'


def test_second_writer_with_the_old_etag_gets_412_and_the_first_write_stays(
    api, make_user, contact
):
    first, second = api(make_user("manager")), api(make_user("manager"))
    etag = first.get(detail(contact))["ETag"]
    assert second.get(detail(contact))["ETag"] == etag

    assert (
        first.patch(detail(contact), {"job_title": "Primera"}, format="json", HTTP_IF_MATCH=etag)
    ).status_code == 200
    response = second.patch(
        detail(contact), {"job_title": "Segunda"}, format="json", HTTP_IF_MATCH=etag
    )

    assert response.status_code == 412
    assert response.json() == {
        "code": "precondition_failed",
        "message": "The record was changed by someone else; read it again.",
        "fields": {},
    }
    contact.refresh_from_db()
    assert (contact.job_title, contact.version) == ("Primera", 2)
    assert history_for(contact).filter(action="update").count() == 1


def test_delete_with_a_stale_etag_gets_412_and_keeps_the_contact(admin_api, contact):
    etag = admin_api.get(detail(contact))["ETag"]
    admin_api.patch(detail(contact), {"city": "Lleida"}, format="json")
    response = admin_api.delete(detail(contact), HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_etag_of_another_record_never_matches(admin_api, admin_user, contact):
    other = services.create_contact(actor=admin_user, first_name="Otro")
    response = admin_api.patch(
        detail(contact), {"city": "Vic"}, format="json", HTTP_IF_MATCH=f'"{other.pk}-1"'
    )
    assert response.status_code == 412
    contact.refresh_from_db()
    assert contact.city == ""


def test_missing_if_match_lets_the_last_write_win(admin_api, contact):
    admin_api.patch(detail(contact), {"city": "Tarragona"}, format="json")
    assert admin_api.patch(detail(contact), {"city": "Manresa"}, format="json").status_code == 200
    contact.refresh_from_db()
    assert (contact.city, contact.version) == ("Manresa", 3)


def test_delete_moves_to_trash_and_restore_brings_it_back(admin_api, contact):
    assert admin_api.delete(detail(contact)).status_code == 204
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert Contact.all_objects.get(pk=contact.pk).deleted_at is not None
    assert admin_api.get(detail(contact)).status_code == 404
    assert [c["id"] for c in admin_api.get(URL).json()["results"]] == []
    assert [c["id"] for c in admin_api.get(f"{URL}?trashed=true").json()["results"]] == [contact.pk]

    response = admin_api.post(f"{detail(contact)}restore/")

    assert response.status_code == 200
    assert response.json()["deleted_at"] is None
    assert [c["id"] for c in admin_api.get(URL).json()["results"]] == [contact.pk]
    actions = list(history_for(contact).values_list("action", flat=True))
    assert actions == ["restore", "delete", "create"]


def test_restore_of_a_record_not_in_the_trash_is_404(admin_api, contact):
    response = admin_api.post(f"{detail(contact)}restore/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_history_lists_changes_newest_first_with_a_cursor(admin_api, contact):
    for city in ("Olot", "Figueres", "Blanes"):
        admin_api.patch(detail(contact), {"city": city}, format="json")

    first = admin_api.get(f"{detail(contact)}history/?page_size=2").json()
    second = admin_api.get(first["next"])

    assert [c["action"] for c in first["results"]] == ["update", "update"]
    assert [c["changes"]["city"] for c in first["results"]] == [
        ["Figueres", "Blanes"],
        ["Olot", "Figueres"],
    ]
    assert [c["action"] for c in second.json()["results"]] == ["update", "create"]
    assert second.json()["next"] is None
    assert first["results"][0]["source"] == "api"


def test_export_streams_csv_of_the_filtered_list(admin_api, admin_user):
    services.create_contact(actor=admin_user, first_name="Ana", lifecycle_stage="customer")
    services.create_contact(actor=admin_user, first_name="Bea", lifecycle_stage="lead")
    services.create_contact(actor=admin_user, first_name="Carla", lifecycle_stage="customer")

    response = admin_api.get(f"{URL}export/?lifecycle_stage=customer")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="contacts.csv"'
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["first_name"] for row in rows] == ["Ana", "Carla"]


def test_export_answers_csv_even_when_the_client_accepts_only_csv(admin_api, contact):
    response = admin_api.get(f"{URL}export/", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert b"ana@example.es" in b"".join(response.streaming_content)


def test_list_filters_with_the_shared_filterset(admin_api, admin_user, company):
    a = services.create_contact(actor=admin_user, first_name="Ana", company=company, tags=["vip"])
    services.create_contact(actor=admin_user, first_name="Bea", tags=["vip"])
    services.create_contact(actor=admin_user, first_name="Carla", company=company)

    def ids(query):
        response = admin_api.get(f"{URL}?{query}")
        assert response.status_code == 200
        return [c["id"] for c in response.json()["results"]]

    assert ids(f"company={company.pk}&tag=vip") == [a.pk]
    assert ids("q=carl") == [Contact.objects.get(first_name="Carla").pk]
    assert ids("owner=me") == []
    assert len(ids("owner=none")) == 3


def test_list_pages_with_a_cursor_in_each_ordering(admin_api, admin_user):
    names = ["Zoe", "Álvaro", "Marta", "Ñaki", "Nora"]
    for name in names:
        services.create_contact(actor=admin_user, first_name="X", last_name=name)

    def walk(ordering):
        seen, url = [], f"{URL}?page_size=2&ordering={ordering}"
        while url:
            body = admin_api.get(url).json()
            seen += [c["last_name"] for c in body["results"]]
            url = body["next"]
        return seen

    assert walk("name") == ["Álvaro", "Marta", "Nora", "Ñaki", "Zoe"]
    assert walk("-created") == list(reversed(names))
    assert walk("created") == names


@pytest.fixture
def sixty_contacts(admin_user, company):
    for n in range(60):
        services.create_contact(
            actor=admin_user,
            first_name=f"Persona{n:02d}",
            company=company,
            emails=[f"p{n}@example.es", f"p{n}@home.es"],
            phones=[f"6001234{n:02d}"],
            tags=["vip", f"t{n % 3}"],
        )


@pytest.mark.parametrize(("scope", "ordering"), [("all", "name"), ("team", "-updated")])
def test_a_list_page_of_50_costs_at_most_8_queries_on_any_page(
    api,
    admin_user,
    make_user,
    make_team,
    sixty_contacts,
    django_assert_max_num_queries,
    scope,
    ordering,
):
    team = make_team("Ventas")
    services.assign_records(
        list(Contact.objects.all()), actor=admin_user, set_owner=False, team=team, set_team=True
    )
    client = api(make_user("sales", teams=[team], scope=scope))
    client.get(f"{URL}?page_size=1")  # the token's first use is recorded once

    with django_assert_max_num_queries(8):
        first = client.get(f"{URL}?ordering={ordering}")
    with django_assert_max_num_queries(8):
        deep = client.get(first.json()["next"])

    assert len(first.json()["results"]) == 50
    assert len(deep.json()["results"]) == 10
    assert all(len(c["emails"]) == 2 and c["company_name"] for c in deep.json()["results"])


def test_what_was_read_can_be_put_back_with_a_deactivated_owner_and_trashed_company(
    admin_api, admin_user, make_user, company
):
    former = make_user("sales")
    contact = services.create_contact(
        actor=admin_user, first_name="Lola", owner=former, company=company
    )
    former.is_active = False
    former.save()
    services.delete_records([company], actor=admin_user)
    body = admin_api.get(detail(contact)).json()

    response = admin_api.put(detail(contact), {**body, "city": "Cádiz"}, format="json")

    assert response.status_code == 200, response.json()
    contact.refresh_from_db()
    assert (contact.owner_id, contact.company_id, contact.city) == (former.pk, company.pk, "Cádiz")


def test_records_cannot_be_given_to_a_deactivated_user(admin_api, make_user, contact):
    former = make_user("sales")
    former.is_active = False
    former.save()
    response = admin_api.patch(detail(contact), {"owner": former.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"owner": ["This user is deactivated."]}


def test_records_in_the_trash_are_not_edited(admin_api, admin_user, contact):
    services.delete_records([contact], actor=admin_user)
    response = admin_api.patch(f"{detail(contact)}?trashed=true", {"city": "X"}, format="json")
    assert response.status_code == 404
    assert Contact.all_objects.get(pk=contact.pk).city == ""
