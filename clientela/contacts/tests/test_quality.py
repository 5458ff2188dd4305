"""The completeness score: kept in step on every write path, shown with what is missing, and
filtered fast."""

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from clientela.contacts import quality, services
from clientela.contacts.filtersets import ContactFilterSet
from clientela.contacts.models import Company, Contact
from clientela.core.history import snapshot
from clientela.core.models import ChangeRecord

LIST = "/contacts/"
SQLITE_ONLY = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")


def stored(record):
    return type(record).all_objects.values_list("completeness", flat=True).get(pk=record.pk)


def assert_in_step(record):
    """The stored score and flags are what the rules say of the record as it is now."""
    fresh = type(record).all_objects.get(pk=record.pk)
    assert fresh.completeness == quality.score(fresh)
    assert fresh.has_phone == fresh.phones.exists()
    if isinstance(fresh, Contact):
        assert fresh.has_email == fresh.emails.exists()


def test_weights_add_up_to_100():
    assert sum(c.weight for c in quality.CONTACT_CRITERIA) == 100
    assert sum(c.weight for c in quality.COMPANY_CRITERIA) == 100


def test_a_full_contact_scores_100_and_a_bare_one_only_what_it_has(admin_user):
    company = services.create_company(actor=admin_user, name="Acme")
    full = services.create_contact(
        actor=admin_user,
        first_name="Ana",
        last_name="Puig",
        job_title="CEO",
        company=company,
        emails=["ana@acme.es"],
        phones=["600123456"],
        city="Vic",
        country="es",
        owner=admin_user,
        consent_status="granted",
        language="ca",
    )
    bare = services.create_contact(actor=admin_user, first_name="Eva")

    assert (full.completeness, stored(full), full.has_email, full.has_phone) == (
        100,
        100,
        True,
        True,
    )
    assert (bare.completeness, stored(bare), bare.has_email) == (0, 0, False)
    assert [c.key for c in quality.missing(bare)] == [
        "email",
        "phone",
        "name",
        "company",
        "job_title",
        "owner",
        "consent",
        "city",
        "country",
        "language",
    ]


def test_score_follows_updates_and_email_rows(admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana", owner=admin_user)
    assert stored(contact) == 10

    services.update_contact(contact, actor=admin_user, emails=["ana@x.es"], job_title="CEO")
    assert stored(contact) == 40
    services.update_contact(contact, actor=admin_user, phones=["600123456"])
    assert stored(contact) == 55
    services.update_contact(contact, actor=admin_user, emails=[])
    assert stored(contact) == 35
    contact = services.update_contact(contact, actor=admin_user, last_name="Puig", city="Vic")
    assert (contact.completeness, stored(contact)) == (50, 50)
    assert_in_step(contact)


def test_score_is_not_in_history(admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    services.update_contact(contact, actor=admin_user, emails=["ana@x.es"])

    changes = ChangeRecord.objects.filter(object_id=contact.pk).order_by("id")
    assert [sorted(c.changes) for c in changes][1] == ["emails"]
    assert not {"completeness", "has_email", "has_phone"} & set(snapshot(contact))


def test_bulk_assignment_changes_the_score(admin_user):
    contacts = [services.create_contact(actor=admin_user, first_name=f"A{i}") for i in range(3)]
    services.assign_records(contacts, actor=admin_user, owner=admin_user)
    assert [stored(c) for c in contacts] == [10, 10, 10]
    services.assign_records(contacts[:1], actor=admin_user, owner=None)
    assert [stored(c) for c in contacts] == [0, 10, 10]


def test_merge_rescores_both_records(admin_user):
    keep = services.create_contact(actor=admin_user, first_name="Ana")
    other = services.create_contact(
        actor=admin_user, first_name="Ana", last_name="Puig", emails=["ana@x.es"]
    )
    assert (stored(keep), stored(other)) == (0, 30)

    services.merge_contacts(keep, other, actor=admin_user, values={"last_name": "other"})

    assert stored(keep) == 30  # the e-mail moved over, and the surname was taken
    # The merged-away record keeps its name but lost its e-mail to ``keep``.
    assert Contact.all_objects.values_list("completeness", "has_email").get(pk=other.pk) == (
        10,
        False,
    )
    assert_in_step(keep)


def test_company_merge_and_purge_rescore_their_contacts(admin_user):
    first = services.create_company(actor=admin_user, name="Acme", phones=["931234567"])
    second = services.create_company(actor=admin_user, name="Acme SL", tax_id="B12345674")
    person = services.create_contact(actor=admin_user, first_name="Ana", company=second)
    assert (stored(first), stored(second), stored(person)) == (15, 15, 10)

    services.merge_companies(first, second, actor=admin_user, values={"tax_id": "other"})
    assert stored(first) == 30
    assert stored(person) == 10  # still has a company (the kept one)

    services.delete_records([first], actor=admin_user)
    services.purge_records([Company.all_objects.get(pk=first.pk)], actor=admin_user)
    assert stored(person) == 0


def test_demo_loader_and_backfill_agree_with_the_rules(admin_user):
    from clientela.contacts import demo

    demo.load(actor=admin_user, contacts=30, companies=5, seed=3) if hasattr(demo, "load") else None
    services.create_contact(actor=admin_user, first_name="Ana", emails=["a@x.es"])
    Contact.all_objects.update(completeness=0, has_email=False)  # as before the backfill
    quality.refresh_all(Contact, batch_size=7)
    for contact in Contact.all_objects.prefetch_related("emails", "phones"):
        assert (contact.completeness, contact.has_email) == (
            quality.score(contact),
            bool(contact.emails.all()),
        )


def test_restoring_a_merged_record_shows_its_real_score(admin_user):
    keep = services.create_contact(actor=admin_user, first_name="Ana")
    other = services.create_contact(actor=admin_user, first_name="Ana", emails=["a@x.es"])
    services.merge_contacts(keep, other, actor=admin_user)
    services.restore_records([Contact.all_objects.get(pk=other.pk)], actor=admin_user)
    assert_in_step(Contact.objects.get(pk=other.pk))


# --- filters --------------------------------------------------------------------------------------


@pytest.fixture
def people(admin_user):
    acme = services.create_company(actor=admin_user, name="Acme")
    return {
        "full": services.create_contact(
            actor=admin_user,
            first_name="Ana",
            last_name="Full",
            emails=["a@x.es"],
            phones=["600000001"],
            owner=admin_user,
            company=acme,
        ),
        "no_email": services.create_contact(
            actor=admin_user, first_name="Bea", last_name="Phone", phones=["600000002"]
        ),
        "nothing": services.create_contact(actor=admin_user, first_name="Cai"),
    }


def _names(query, user):
    data = QueryDict(mutable=True)
    for key, value in query.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    filterset = ContactFilterSet(data, queryset=Contact.objects.all())
    assert filterset.is_valid(), filterset.errors
    return sorted(c.first_name for c in filterset.qs)


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"missing": ["email"]}, ["Bea", "Cai"]),
        ({"missing": ["phone"]}, ["Cai"]),
        ({"missing": ["owner"]}, ["Bea", "Cai"]),
        ({"missing": ["company"]}, ["Bea", "Cai"]),
        ({"missing": ["email", "phone"]}, ["Cai"]),
        ({"completeness_below": "1"}, ["Cai"]),
        ({"completeness_below": "31"}, ["Bea", "Cai"]),
        ({"completeness_below": "101"}, ["Ana", "Bea", "Cai"]),
    ],
)
def test_quality_filters(people, admin_user, query, names):
    assert _names(query, admin_user) == names


@pytest.mark.parametrize(
    "query",
    [{"missing": ["nope"]}, {"completeness_below": "-1"}, {"completeness_below": "9" * 30}],
)
def test_quality_filters_refuse_bad_values(people, query):
    assert not ContactFilterSet(query, queryset=Contact.objects.all()).is_valid()


def test_api_filters_and_sorts_by_completeness(people, admin_api):
    response = admin_api.get("/api/v1/contacts/", {"missing": "email", "ordering": "completeness"})
    assert response.status_code == 200
    assert [r["first_name"] for r in response.json()["results"]] == ["Cai", "Bea"]
    assert [r["completeness"] for r in response.json()["results"]] == [0, 25]


def test_missing_email_list_costs_the_same_queries_for_few_and_many(client, admin_user):
    client.force_login(admin_user)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST, {"missing": "email", "completeness_below": "90"})
        assert response.status_code == 200
        return len(queries)

    services.create_contact(actor=admin_user, first_name="A0", phones=["600000100"])
    few = count()
    for i in range(1, 15):
        services.create_contact(
            actor=admin_user, first_name=f"A{i}", phones=[f"6000001{i:02d}"], tags=[f"t{i}"]
        )
    assert count() == few


def _plan(sql, params):
    with connection.cursor() as cursor:
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(prefix + sql, params)
        return " ".join(str(row) for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ({"missing": "email"}, "contact_no_email_idx"),
        ({"missing": "phone"}, "contact_no_phone_idx"),
        # owner_id / company_id IS NULL: a range of these, in name order. PostgreSQL, which
        # knows how many are null, may rightly sort the few it finds in a tiny test table.
        pytest.param({"missing": "owner"}, "contact_owner_idx", marks=SQLITE_ONLY),
        pytest.param({"missing": "company"}, "contact_company_sort_idx", marks=SQLITE_ONLY),
    ],
)
def test_missing_lists_read_their_partial_index(admin_user, query, index):
    """With the statistics of a table where few records lack it, the planner reads the partial
    index rather than walking the whole name index."""
    owner_company = services.create_company(actor=admin_user, name="Acme")
    for i in range(30):
        services.create_contact(
            actor=admin_user,
            first_name=f"A{i}",
            emails=[f"a{i}@x.es"],
            phones=[f"6000002{i:02d}"],
            owner=admin_user,
            company=owner_company,
        )
    services.create_contact(actor=admin_user, first_name="Lacking")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE contacts_contact")
        if connection.vendor == "postgresql":  # a tiny table: make the planner show its choice
            cursor.execute("SET LOCAL enable_seqscan = off")
    data = QueryDict(mutable=True)
    data.update(query)
    filterset = ContactFilterSet(data, queryset=Contact.objects.all())
    assert filterset.is_valid()
    queryset = filterset.qs.order_by("sort_name", "id")
    sql, params = queryset[:51].query.sql_with_params()
    assert index in _plan(sql, params), sql


# --- pages ----------------------------------------------------------------------------------------


def test_contact_page_shows_the_score_and_links_what_is_missing(client, admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana", emails=["a@x.es"])
    client.force_login(admin_user)
    html = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "20% complete" in html
    assert f'<a href="/contacts/{contact.pk}/edit/#id_phones-0-number">Phone</a>' in html
    assert f'<a href="/contacts/{contact.pk}/edit/#id_owner">Owner</a>' in html


def test_read_only_users_see_what_is_missing_without_edit_links(client, make_user, admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    client.force_login(make_user("read_only", scope="all"))
    html = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "0% complete" in html
    assert "/edit/#id_" not in html


def test_data_quality_page_counts_and_links(client, make_user, people, admin_user):
    services.create_company(actor=admin_user, name="Solo")
    client.force_login(make_user("manager"))
    response = client.get("/contacts/quality/")
    assert response.status_code == 200
    rows = response.context["contact_rows"]
    assert [(r["count"], r["url"]) for r in rows] == [
        (2, "/contacts/?missing=email"),
        (1, "/contacts/?missing=phone"),
        (2, "/contacts/?missing=owner"),
        (2, "/contacts/?missing=company"),
        (2, "/contacts/?completeness_below=50&sort=completeness"),
    ]
    assert [(r["count"], r["url"]) for r in response.context["company_rows"]][:2] == [
        (2, "/contacts/companies/?missing=phone"),
        (2, "/contacts/companies/?missing=owner"),
    ]
    by_owner = {r["name"]: (r["count"], r["average"]) for r in response.context["by_owner"]}
    assert by_owner == {None: (2, 13), str(admin_user): (1, 65)}


@pytest.mark.parametrize("role", ["sales", "read_only"])
def test_data_quality_page_is_for_managers(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get("/contacts/quality/").status_code == 403


def test_completeness_below_gives_the_same_rows_whether_matches_are_few_or_many(
    people, admin_user, monkeypatch
):
    from clientela.contacts import filtersets

    few = _names({"completeness_below": "31"}, admin_user)
    monkeypatch.setattr(filtersets, "FEW_MATCHES", 1)  # now "many" match
    assert _names({"completeness_below": "31"}, admin_user) == few == ["Bea", "Cai"]
