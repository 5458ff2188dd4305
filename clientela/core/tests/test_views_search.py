"""The global search page and the typeahead's JSON suggestions."""

import pytest
from django.urls import reverse

from clientela.contacts import services
from clientela.core.models import Role
from clientela.core.views.search import MAX_QUERY_LENGTH

XSS = '<script>alert("x")</script>'


@pytest.fixture
def owner(make_user):
    return make_user("sales", username="marta", scope="own")


@pytest.fixture
def colleague(make_user):
    return make_user("sales", username="pau", scope="own")


def contact(actor, first_name, last_name="", **fields):
    return services.create_contact(
        actor=actor, first_name=first_name, last_name=last_name, owner=actor, **fields
    )


def test_suggestions_hold_only_records_in_the_users_scope(client, owner, colleague):
    mine = contact(owner, "Núria", "Vidal")
    contact(colleague, "Nuria", "Soler")
    client.force_login(owner)
    response = client.get(reverse("core:search_suggest"), {"q": "nuria"})
    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {
                "entity": "contact",
                "id": mine.pk,
                "label": "Contacts",
                "title": "Núria Vidal",
                "subtitle": "",
                "url": reverse("contacts:contact_detail", kwargs={"pk": mine.pk}),
            }
        ]
    }


def test_suggestions_for_one_entity_hold_only_that_kind_of_record_with_ids(client, owner):
    company = services.create_company(
        actor=owner, name="Ferrer Logística", city="Reus", owner=owner
    )
    contact(owner, "Marc", "Ferrer")
    client.force_login(owner)

    response = client.get(reverse("core:search_suggest"), {"q": "ferrer", "entity": "company"})

    assert response.json() == {
        "results": [
            {
                "entity": "company",
                "id": company.pk,
                "label": "Companies",
                "title": "Ferrer Logística",
                "subtitle": "Reus",
                "url": reverse("contacts:company_detail", kwargs={"pk": company.pk}),
            }
        ]
    }


def test_suggestions_without_an_entity_hold_every_kind_of_record(client, owner):
    services.create_company(actor=owner, name="Ferrer Logística", owner=owner)
    contact(owner, "Marc", "Ferrer")
    client.force_login(owner)

    for params in ({"q": "ferrer"}, {"q": "ferrer", "entity": ""}):
        results = client.get(reverse("core:search_suggest"), params).json()["results"]
        assert sorted(r["entity"] for r in results) == ["company", "contact"]


@pytest.mark.parametrize("entity", ["deal", "Company", "company,contact", "x" * 5000, XSS])
def test_suggestions_for_an_unknown_entity_are_empty(client, owner, entity):
    services.create_company(actor=owner, name="Ferrer Logística", owner=owner)
    client.force_login(owner)

    response = client.get(reverse("core:search_suggest"), {"q": "ferrer", "entity": entity})

    assert response.status_code == 200
    assert response.json() == {"results": []}


def test_suggestions_are_capped_at_ten(client, owner):
    for n in range(12):
        contact(owner, "Jordi", f"Surname{n:02d}")
    client.force_login(owner)
    results = client.get(reverse("core:search_suggest"), {"q": "jordi"}).json()["results"]
    assert len(results) == 10


def test_suggestions_for_a_user_without_contacts_access_are_empty(client, make_user, owner):
    contact(owner, "Laia", "Puig")
    nobody = make_user("sales", username="nobody")
    nobody.role = Role.objects.create(code="no-access", name="No access", scope="all", access={})
    nobody.save()
    client.force_login(nobody)
    assert client.get(reverse("core:search_suggest"), {"q": "laia"}).json() == {"results": []}


def test_suggestions_need_sign_in(client):
    response = client.get(reverse("core:search_suggest"), {"q": "x"})
    assert response.status_code == 302


def test_over_long_query_is_capped_before_searching(client, owner):
    contact(owner, "A" * MAX_QUERY_LENGTH)
    client.force_login(owner)
    long_query = "a" * (MAX_QUERY_LENGTH + 500)
    response = client.get(reverse("core:search_suggest"), {"q": long_query})
    assert [r["title"] for r in response.json()["results"]] == ["A" * MAX_QUERY_LENGTH]
    page = client.get(reverse("core:search"), {"q": long_query})
    assert page.context["search_query"] == "a" * MAX_QUERY_LENGTH


def test_empty_query_gives_no_suggestions(client, owner):
    contact(owner, "Laia")
    client.force_login(owner)
    assert client.get(reverse("core:search_suggest"), {"q": "   "}).json() == {"results": []}


def test_search_page_groups_results_by_entity(client, owner):
    company = services.create_company(actor=owner, name="Ferrer Logística", owner=owner)
    person = contact(owner, "Marc", "Ferrer")
    client.force_login(owner)
    response = client.get(reverse("core:search"), {"q": "ferrer"})
    groups = response.context["groups"]
    assert [(str(g["label"]), [r["title"] for r in g["results"]]) for g in groups] == [
        ("Companies", ["Ferrer Logística"]),
        ("Contacts", ["Marc Ferrer"]),
    ]
    html = response.content.decode()
    assert f'href="{reverse("contacts:company_detail", kwargs={"pk": company.pk})}"' in html
    assert f'href="{reverse("contacts:contact_detail", kwargs={"pk": person.pk})}"' in html


def test_search_page_without_matches_says_so(client, owner):
    client.force_login(owner)
    response = client.get(reverse("core:search"), {"q": "zzzz"})
    assert "Nothing matches “zzzz”." in response.content.decode()


def test_hostile_query_is_escaped_on_the_search_page(client, owner):
    client.force_login(owner)
    html = client.get(reverse("core:search"), {"q": XSS}).content.decode()
    assert XSS not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_hostile_record_names_are_escaped_in_results(client, owner):
    contact(owner, XSS, "Roca")
    client.force_login(owner)
    html = client.get(reverse("core:search"), {"q": "roca"}).content.decode()
    assert XSS not in html
    assert "&lt;script&gt;" in html
    suggestion = client.get(reverse("core:search_suggest"), {"q": "roca"}).json()["results"][0]
    # JSON carries the raw text; the script inserts it with textContent, never as HTML.
    assert suggestion["title"] == f"{XSS} Roca"


def test_header_search_box_is_a_labelled_combobox(client, owner):
    client.force_login(owner)
    html = client.get(reverse("core:search")).content.decode()
    assert '<label class="visually-hidden" for="global-search">Search</label>' in html
    assert 'role="combobox"' in html
    assert 'aria-controls="global-search-listbox"' in html
    assert f'data-suggest-url="{reverse("core:search_suggest")}"' in html
    assert f'action="{reverse("core:search")}"' in html
