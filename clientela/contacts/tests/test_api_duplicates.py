"""``/api/v1/contacts/duplicates/`` and ``/api/v1/contacts/{id}/merge/`` (and companies')."""

from clientela.contacts import services
from clientela.contacts.models import Company, Contact


def _twins(admin_user):
    a = services.create_contact(
        actor=admin_user, first_name="Quique", last_name="Soler", phones=["600111222"]
    )
    b = services.create_contact(
        actor=admin_user, first_name="Enrique", last_name="Soler", phones=["+34 600 11 12 22"]
    )
    return a, b


def test_duplicates_lists_pairs_with_scores_and_reasons(admin_api, admin_user):
    a, b = _twins(admin_user)

    body = admin_api.get("/api/v1/contacts/duplicates/").json()

    assert body == {
        "results": [
            {
                "first": {"id": a.pk, "name": "Quique Soler"},
                "second": {"id": b.pk, "name": "Enrique Soler"},
                "score": 100,
                "reasons": ["same phone", "same name"],
            }
        ],
        "next": None,
    }


def test_merge_takes_chosen_values_and_trashes_the_other(admin_api, admin_user):
    a, b = _twins(admin_user)

    response = admin_api.post(
        f"/api/v1/contacts/{a.pk}/merge/",
        {"other": b.pk, "values": {"first_name": "other"}},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["first_name"] == "Enrique"
    assert list(Contact.objects.values_list("pk", flat=True)) == [a.pk]


def test_merge_of_a_record_outside_the_callers_scope_is_404(api, make_user, admin_user):
    seller = make_user("sales", scope="own")
    a, b = _twins(admin_user)
    services.assign_records([a], actor=admin_user, owner=seller)

    response = api(seller).post(f"/api/v1/contacts/{a.pk}/merge/", {"other": b.pk}, format="json")

    assert response.status_code == 404
    assert Contact.objects.count() == 2


def test_merge_refuses_an_unknown_field(admin_api, admin_user):
    a, b = _twins(admin_user)

    response = admin_api.post(
        f"/api/v1/contacts/{a.pk}/merge/",
        {"other": b.pk, "values": {"version": "other"}},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"version": ["Unknown field."]}


def test_companies_merge_through_the_api(admin_api, admin_user):
    a = services.create_company(actor=admin_user, name="Acme SL", tax_id="B12345674")
    b = services.create_company(actor=admin_user, name="Acme", tax_id="B12345674")
    [pair] = admin_api.get("/api/v1/companies/duplicates/").json()["results"]
    assert (pair["first"]["id"], pair["second"]["id"], pair["score"]) == (a.pk, b.pk, 100)

    response = admin_api.post(f"/api/v1/companies/{a.pk}/merge/", {"other": b.pk}, format="json")

    assert response.status_code == 200
    assert list(Company.objects.values_list("name", flat=True)) == ["Acme SL"]


def test_creating_a_likely_duplicate_answers_its_ids_in_a_header(admin_api, admin_user):
    a, b = _twins(admin_user)

    response = admin_api.post(
        "/api/v1/contacts/",
        {"first_name": "Kike", "last_name": "Soler", "phones": [{"number": "600111222"}]},
        format="json",
    )

    assert response.status_code == 201
    assert response["X-Likely-Duplicates"] == f"{a.pk},{b.pk}"
    assert Contact.objects.count() == 3


def test_creating_someone_new_answers_no_duplicate_header(admin_api, admin_user):
    _twins(admin_user)

    response = admin_api.post(
        "/api/v1/contacts/", {"first_name": "Ana", "last_name": "Gil"}, format="json"
    )

    assert response.status_code == 201
    assert "X-Likely-Duplicates" not in response
