"""Contact and company list pages: filters, sorting, keyset pages, saved views, bulk actions,
export, permissions and query counts."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clientela.contacts import services
from clientela.contacts.models import Company, Contact
from clientela.core.models import ChangeRecord, SavedView, Tag

LIST = reverse("contacts:contact_list")
COMPANIES = reverse("contacts:company_list")
BULK = reverse("contacts:contact_bulk")


def names_on(response):
    """The record names in the list table, in order."""
    html = response.content.decode()
    return re.findall(r'<td class="name"><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def make_contact(actor, **fields):
    fields.setdefault("emails", [f"{fields.get('first_name', 'x').lower()}@example.com"])
    return services.create_contact(actor=actor, **fields)


def test_contact_list_sorts_by_surnames_then_first_name(signed_in, admin_user):
    make_contact(admin_user, first_name="Zoe", last_name="Abad")
    make_contact(admin_user, first_name="Ana", last_name="Muñoz")
    make_contact(admin_user, first_name="Luis", last_name="Munuera")

    response = signed_in.get(LIST)

    assert response.status_code == 200
    assert names_on(response) == ["Zoe Abad", "Luis Munuera", "Ana Muñoz"]


def test_contact_list_shows_company_primary_email_formatted_phone_stage_owner_and_tags(
    signed_in, admin_user
):
    company = services.create_company(actor=admin_user, name="Acme SL")
    make_contact(
        admin_user,
        first_name="Ana",
        last_name="García",
        company=company,
        emails=["other@acme.es", {"email": "ana@acme.es", "is_primary": True}],
        phones=["+34600123456"],
        tags=["vip"],
        lifecycle_stage="customer",
        owner=admin_user,
    )

    html = signed_in.get(LIST).content.decode()

    assert ">Acme SL</a>" in html
    assert ">ana<wbr>@acme.es</a>" in html
    assert "other@acme.es" not in html
    assert ">600 12 34 56</a>" in html
    assert "<td>Customer</td>" in html
    assert f"<td>{admin_user}</td>" in html
    assert '<span class="tag">vip</span>' in html


def test_contact_list_filters_with_the_shared_filterset(signed_in, admin_user):
    make_contact(admin_user, first_name="Ana", last_name="Uno", lifecycle_stage="customer")
    make_contact(admin_user, first_name="Bea", last_name="Dos", lifecycle_stage="lead")
    make_contact(admin_user, first_name="Carla", last_name="Tres", lifecycle_stage="customer")

    response = signed_in.get(LIST, {"lifecycle_stage": "customer", "q": "carla"})

    assert names_on(response) == ["Carla Tres"]


def test_filter_sidebar_offers_any_as_the_empty_choice(signed_in, make_team):
    make_team("Sales")

    html = signed_in.get(LIST).content.decode()
    sidebar = html.split('class="filters"', 1)[1].split("</form>", 1)[0]

    for name in ("language", "team"):
        first = re.search(
            rf'<select name="{name}"[^>]*>\s*<option value="([^"]*)"[^>]*>([^<]*)<', sidebar
        )
        assert first.groups() == ("", "Any")
    assert "---------" not in sidebar


def test_contact_list_filters_by_custom_field(signed_in, admin_user):
    from django.contrib.contenttypes.models import ContentType

    from clientela.core.models import CustomField

    CustomField.objects.create(
        content_type=ContentType.objects.get_for_model(Contact),
        key="shoe_size",
        label="Shoe size",
        field_type="integer",
    )
    make_contact(admin_user, first_name="Ana", last_name="Uno", custom_fields={"shoe_size": 38})
    make_contact(admin_user, first_name="Bea", last_name="Dos", custom_fields={"shoe_size": 41})

    response = signed_in.get(LIST, {"cf_shoe_size": "41"})

    assert names_on(response) == ["Bea Dos"]
    assert 'name="cf_shoe_size"' in response.content.decode()


def test_contact_list_pages_with_next_and_previous_links_and_no_page_numbers(
    signed_in, admin_user, monkeypatch
):
    from clientela.contacts.views import ContactListView

    monkeypatch.setattr(ContactListView, "page_size", 2)
    for name in ["Ana", "Bea", "Carla", "Dora", "Eva"]:
        make_contact(admin_user, first_name=name, last_name="Sol")

    first = signed_in.get(LIST)
    assert names_on(first) == ["Ana Sol", "Bea Sol"]
    next_link = re.search(r'rel="next" href="([^"]+)"', first.content.decode()).group(1)
    assert 'rel="prev"' not in first.content.decode()

    second = signed_in.get(LIST + next_link.replace("&amp;", "&"))
    assert names_on(second) == ["Carla Sol", "Dora Sol"]
    html = second.content.decode()
    previous = re.search(r'rel="prev" href="([^"]+)"', html).group(1)
    assert names_on(signed_in.get(LIST + previous.replace("&amp;", "&"))) == [
        "Ana Sol",
        "Bea Sol",
    ]
    assert "page=" not in html


def test_contact_list_ignores_a_broken_cursor(signed_in, admin_user):
    make_contact(admin_user, first_name="Ana", last_name="Sol")

    response = signed_in.get(LIST, {"cursor": "not-a-cursor"})

    assert response.status_code == 200
    assert names_on(response) == ["Ana Sol"]


def test_contact_list_sorts_by_newest_first(signed_in, admin_user):
    make_contact(admin_user, first_name="Old", last_name="A")
    make_contact(admin_user, first_name="New", last_name="B")

    assert names_on(signed_in.get(LIST, {"sort": "newest"})) == ["New B", "Old A"]


def test_contact_list_ignores_an_unknown_sort(signed_in, admin_user):
    make_contact(admin_user, first_name="Bea", last_name="B")
    make_contact(admin_user, first_name="Ana", last_name="A")

    assert names_on(signed_in.get(LIST, {"sort": "email; drop table"})) == ["Ana A", "Bea B"]


def test_contact_list_costs_the_same_queries_for_few_and_many_rows(
    client, make_user, admin_user, django_assert_max_num_queries
):
    company = services.create_company(actor=admin_user, name="Acme")
    user = make_user("sales", scope="all")
    client.force_login(user)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        return len(queries)

    make_contact(admin_user, first_name="A0", last_name="X", company=company, tags=["t"])
    few = count()
    for i in range(1, 20):
        make_contact(
            admin_user,
            first_name=f"A{i}",
            last_name="X",
            company=company,
            phones=[f"+3460012{i:04d}"],
            tags=["t", f"u{i}"],
            owner=admin_user,
        )
    many = count()

    assert many == few
    with django_assert_max_num_queries(14):
        client.get(LIST)


def test_company_list_costs_a_bounded_number_of_queries(
    signed_in, admin_user, django_assert_max_num_queries
):
    for i in range(15):
        services.create_company(
            actor=admin_user, name=f"Co {i}", phones=[f"+3491000{i:04d}"], tags=[f"t{i}"]
        )

    with django_assert_max_num_queries(13):
        response = signed_in.get(COMPANIES)

    assert len(names_on(response)) == 15


def test_company_list_shows_formatted_primary_phone_and_industry(signed_in, admin_user):
    services.create_company(
        actor=admin_user, name="Acme SL", phones=["+34910001122"], industry="retail", city="Vic"
    )

    html = signed_in.get(COMPANIES).content.decode()

    assert names_on(signed_in.get(COMPANIES)) == ["Acme SL"]
    assert ">910 00 11 22</a>" in html
    assert "<td>Retail and e-commerce</td>" in html
    assert "<td>Vic</td>" in html


def test_list_shows_only_records_in_the_users_scope(client, make_user, admin_user):
    seller = make_user("sales", scope="own")
    make_contact(admin_user, first_name="Mine", last_name="A", owner=seller)
    make_contact(admin_user, first_name="Theirs", last_name="B", owner=admin_user)
    client.force_login(seller)

    assert names_on(client.get(LIST)) == ["Mine A"]


def test_list_without_contacts_access_is_forbidden(client, make_user):
    from clientela.core.models import Role

    role = Role.objects.create(code="nobody", name="Nobody", scope="all", access={})
    user = make_user("read_only")
    user.role = role
    user.save()
    client.force_login(user)

    assert client.get(LIST).status_code == 403


def test_empty_list_says_whether_filters_hide_everything(signed_in):
    assert "No contacts yet." in signed_in.get(LIST).content.decode()
    assert "No contacts yet." in signed_in.get(LIST, {"sort": "newest"}).content.decode()
    filtered = signed_in.get(LIST, {"city": "Vic"}).content.decode()
    assert "No contacts match these filters." in filtered


def test_list_redirects_anonymous_visitors_to_sign_in(client, db):
    response = client.get(LIST)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


def test_read_only_user_sees_no_bulk_actions_or_new_button(client, make_user, admin_user):
    make_contact(admin_user, first_name="Ana", last_name="A")
    client.force_login(make_user("read_only"))

    html = client.get(LIST).content.decode()

    assert names_on(client.get(LIST)) == ["Ana A"]
    assert "data-bulk-action" not in html
    assert reverse("contacts:contact_create") not in html


# --- export link ------------------------------------------------------------------------------


def test_export_link_carries_the_current_filters_and_streams_visible_rows(
    client, make_user, admin_user
):
    seller = make_user("sales", scope="own")
    make_contact(admin_user, first_name="Ana", last_name="A", owner=seller, tags=["vip"])
    make_contact(admin_user, first_name="Bea", last_name="B", owner=seller)
    make_contact(admin_user, first_name="Carla", last_name="C", owner=admin_user, tags=["vip"])
    client.force_login(seller)

    html = client.get(LIST, {"tag": "vip", "cursor": "x"}).content.decode()
    link = re.search(r'href="([^"]+)" download>Export CSV', html).group(1)
    assert link == reverse("contacts:contact_export") + "?tag=vip"

    response = client.get(link)
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="contacts.csv"'
    rows = body.strip().splitlines()
    assert rows[0].startswith("id,first_name,last_name")
    assert [row.split(",")[1] for row in rows[1:]] == ["Ana"]


def test_company_export_streams_csv(signed_in, admin_user):
    services.create_company(actor=admin_user, name="Acme SL")

    response = signed_in.get(reverse("contacts:company_export"))
    body = b"".join(response.streaming_content).decode()

    assert body.splitlines()[1].split(",")[1] == "Acme SL"


# --- saved views --------------------------------------------------------------------------------


def test_saving_a_view_stores_the_filters_without_the_cursor_and_lists_it(signed_in, admin_user):
    response = signed_in.post(
        reverse("contacts:contact_view_save"),
        {"name": "Customers", "query": "lifecycle_stage=customer&cursor=abc&q="},
    )

    assert response.status_code == 302
    assert response["Location"] == LIST + "?lifecycle_stage=customer"
    view = SavedView.objects.get(user=admin_user, list_name="contacts")
    assert (view.name, view.query) == ("Customers", "lifecycle_stage=customer")
    html = signed_in.get(LIST, {"lifecycle_stage": "customer"}).content.decode()
    assert f'<a href="{LIST}?lifecycle_stage=customer" aria-current="true">Customers</a>' in html


def test_saving_a_view_with_the_same_name_replaces_it(signed_in, admin_user):
    url = reverse("contacts:contact_view_save")
    signed_in.post(url, {"name": "Mine", "query": "owner=me"})
    signed_in.post(url, {"name": "Mine", "query": "owner=none"})

    assert list(SavedView.objects.values_list("name", "query")) == [("Mine", "owner=none")]


def test_saving_a_view_without_a_name_saves_nothing(signed_in):
    signed_in.post(reverse("contacts:contact_view_save"), {"name": " ", "query": "owner=me"})

    assert SavedView.objects.count() == 0


def test_saved_views_are_per_user_and_per_list(client, make_user):
    ana, bea = make_user("sales"), make_user("sales")
    SavedView.objects.create(user=ana, list_name="contacts", name="Ana's view", query="q=x")
    SavedView.objects.create(user=bea, list_name="contacts", name="Bea's view", query="q=y")
    SavedView.objects.create(user=ana, list_name="companies", name="Ana's firms", query="q=z")
    client.force_login(ana)

    html = client.get(LIST).content.decode()

    assert "Ana&#x27;s view" in html
    assert "Bea&#x27;s view" not in html
    assert "Ana&#x27;s firms" not in html


def test_deleting_a_saved_view_only_works_for_its_owner(client, make_user):
    ana, bea = make_user("sales"), make_user("sales")
    view = SavedView.objects.create(user=ana, list_name="contacts", name="V", query="")
    url = reverse("contacts:contact_view_delete", args=[view.pk])

    client.force_login(bea)
    assert client.post(url).status_code == 404
    client.force_login(ana)
    assert client.post(url).status_code == 302
    assert SavedView.objects.count() == 0


# --- bulk actions -------------------------------------------------------------------------------


def test_bulk_assign_owner_changes_selected_rows_and_records_history(
    signed_in, admin_user, make_user
):
    seller = make_user("sales")
    a = make_contact(admin_user, first_name="Ana", last_name="A")
    b = make_contact(admin_user, first_name="Bea", last_name="B")
    c = make_contact(admin_user, first_name="Carla", last_name="C")

    response = signed_in.post(
        BULK,
        {"ids": [a.pk, b.pk], "action": "assign_owner", "owner": seller.pk, "next": LIST},
    )

    assert response.status_code == 302
    assert response["Location"] == LIST
    owners = dict(Contact.objects.values_list("pk", "owner_id"))
    assert owners == {a.pk: seller.pk, b.pk: seller.pk, c.pk: None}
    change = ChangeRecord.objects.filter(object_id=a.pk, action="update").get()
    assert change.changes == {"owner": [None, seller.pk]}
    assert change.source == "ui"


def test_bulk_assign_team_and_unassign(signed_in, admin_user, make_team):
    team = make_team("Sales")
    a = make_contact(admin_user, first_name="Ana", last_name="A", owner=admin_user)

    signed_in.post(BULK, {"ids": [a.pk], "action": "assign_team", "team": team.pk})
    signed_in.post(BULK, {"ids": [a.pk], "action": "assign_owner", "owner": "none"})

    a.refresh_from_db()
    assert (a.team_id, a.owner_id) == (team.pk, None)


def test_bulk_add_and_remove_tag(signed_in, admin_user):
    a = make_contact(admin_user, first_name="Ana", last_name="A", tags=["old"])
    b = make_contact(admin_user, first_name="Bea", last_name="B")

    signed_in.post(BULK, {"ids": [a.pk, b.pk], "action": "add_tag", "tag": "vip"})
    signed_in.post(BULK, {"ids": [a.pk], "action": "remove_tag", "tag": "old"})

    assert sorted(t.name for t in a.tags.all()) == ["vip"]
    assert sorted(t.name for t in b.tags.all()) == ["vip"]


def test_bulk_move_to_trash(signed_in, admin_user):
    a = make_contact(admin_user, first_name="Ana", last_name="A")
    b = make_contact(admin_user, first_name="Bea", last_name="B")

    signed_in.post(BULK, {"ids": [a.pk], "action": "delete"})

    assert list(Contact.objects.values_list("pk", flat=True)) == [b.pk]
    assert list(Contact.all_objects.trashed().values_list("pk", flat=True)) == [a.pk]


def test_bulk_skips_records_the_user_may_not_change(client, make_user, admin_user):
    seller = make_user("sales", scope="own")
    mine = make_contact(admin_user, first_name="Mine", last_name="A", owner=seller)
    theirs = make_contact(admin_user, first_name="Theirs", last_name="B", owner=admin_user)
    client.force_login(seller)

    client.post(BULK, {"ids": [mine.pk, theirs.pk], "action": "add_tag", "tag": "x"})

    assert [t.name for t in mine.tags.all()] == ["x"]
    assert list(theirs.tags.all()) == []


def test_bulk_is_forbidden_for_read_only_users(client, make_user, admin_user):
    a = make_contact(admin_user, first_name="Ana", last_name="A")
    client.force_login(make_user("read_only"))

    response = client.post(BULK, {"ids": [a.pk], "action": "delete"})

    assert response.status_code == 403
    assert Contact.objects.filter(pk=a.pk).exists()


def test_bulk_tag_action_without_a_tag_changes_nothing(signed_in, admin_user):
    a = make_contact(admin_user, first_name="Ana", last_name="A")

    response = signed_in.post(BULK, {"ids": [a.pk], "action": "add_tag", "tag": ""}, follow=True)

    assert "Enter a tag (at most 50 characters)." in response.content.decode()
    assert Tag.objects.count() == 0


def test_bulk_ignores_an_off_site_next_url(signed_in, admin_user):
    a = make_contact(admin_user, first_name="Ana", last_name="A")

    response = signed_in.post(
        BULK, {"ids": [a.pk], "action": "add_tag", "tag": "x", "next": "https://evil.example/"}
    )

    assert response["Location"] == LIST


def test_company_bulk_assign_owner(signed_in, admin_user, make_user):
    seller = make_user("sales")
    company = services.create_company(actor=admin_user, name="Acme")

    signed_in.post(
        reverse("contacts:company_bulk"),
        {"ids": [company.pk], "action": "assign_owner", "owner": seller.pk},
    )

    assert Company.objects.get().owner_id == seller.pk


def test_views_shared_with_a_team_or_everyone(client, make_user, make_team):
    ventas, suport = make_team("Ventas", handle="ventas"), make_team("Suport", handle="suport")
    ana = make_user("sales", teams=[ventas])
    mate, outsider = make_user("sales", teams=[ventas]), make_user("sales", teams=[suport])
    client.force_login(ana)
    save = reverse("contacts:contact_view_save")
    client.post(save, {"name": "Team view", "query": "owner=me", "share": f"team:{ventas.pk}"})
    client.post(save, {"name": "For all", "query": "q=a", "share": "everyone"})
    client.post(save, {"name": "Not my team", "query": "q=b", "share": f"team:{suport.pk}"})
    client.post(save, {"name": "Odd", "query": "q=c", "share": "team:99999999999999999999"})

    assert dict(SavedView.objects.values_list("name", "sharing")) == {
        "Team view": "team",
        "For all": "everyone",
        "Not my team": "private",  # only one's own teams
        "Odd": "private",
    }
    client.cookies.clear()  # the "saved" messages
    client.force_login(mate)
    html = client.get(LIST).content.decode()
    assert ">Team view</a>" in html and ">For all</a>" in html and "Not my team" not in html
    assert "shared by" in html
    client.force_login(outsider)
    html = client.get(LIST).content.decode()
    assert ">For all</a>" in html and "Team view" not in html
    view = SavedView.objects.get(name="For all")
    assert client.post(reverse("contacts:contact_view_delete", args=[view.pk])).status_code == 404
