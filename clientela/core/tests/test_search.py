"""The global search index on SQLite FTS5 and the PostgreSQL word table (run the file on both)."""

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientela.contacts import services
from clientela.contacts.models import Company, Contact
from clientela.core import search
from clientela.core.models import SearchEntry, SearchWord
from clientela.core.text import search_terms

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def titles(user, query, **kwargs):
    return sorted(e.title for e in search.search(user, query, **kwargs))


@pytest.fixture
def people(admin_user):
    acme = services.create_company(actor=admin_user, name="Acme Telecom SL", city="Girona")
    ana = services.create_contact(
        actor=admin_user,
        first_name="Ana",
        last_name="García",
        second_last_name="Muñoz",
        company=acme,
        emails=["ana.garcia@example.es"],
        phones=["600 123 456"],
    )
    jordi = services.create_contact(
        actor=admin_user,
        first_name="Jordi",
        last_name="Puig",
        emails=["jordi@puig.cat"],
        phones=["+44 20 7183 8750"],
    )
    return {"acme": acme, "ana": ana, "jordi": jordi}


def test_contact_is_found_by_surname_prefix_without_accents(admin_user, people):
    assert titles(admin_user, "munoz") == ["Ana García Muñoz"]
    assert titles(admin_user, "GARC") == ["Ana García Muñoz"]


def test_every_word_must_match(admin_user, people):
    assert titles(admin_user, "ana puig") == []
    assert titles(admin_user, "jordi puig") == ["Jordi Puig"]


def test_contact_is_found_by_email_parts(admin_user, people):
    assert titles(admin_user, "ana.garcia@example.es") == ["Ana García Muñoz"]
    assert titles(admin_user, "puig.cat") == ["Jordi Puig"]


def test_contact_is_found_by_company_name(admin_user, people):
    assert titles(admin_user, "acme", entity_names=["contact"]) == ["Ana García Muñoz"]


@pytest.mark.parametrize("query", ["600123456", "600 12 34 56", "+34 600 123 456", "34600123456"])
def test_spanish_phone_is_found_by_national_and_international_digits(admin_user, people, query):
    assert titles(admin_user, query) == ["Ana García Muñoz"]


def test_foreign_phone_is_found_by_national_digits(admin_user, people):
    assert titles(admin_user, "020 7183 8750") == []  # a national prefix "0" is not stored
    assert titles(admin_user, "2071838750") == ["Jordi Puig"]
    assert titles(admin_user, "+44 20 7183 8750") == ["Jordi Puig"]


def test_company_is_found_by_phone(admin_user):
    services.create_company(actor=admin_user, name="Ferretería Soler", phones=["972 123 456"])
    assert titles(admin_user, "972123456") == ["Ferretería Soler"]


HOSTILE = [
    '"',
    '""',
    "'",
    "*",
    "**",
    "ana*",
    "NEAR(ana garcia)",
    "ana AND garcia",
    "ana OR jordi",
    "NOT ana",
    "(ana",
    "ana)",
    "ana:*",
    "ana & jordi | x",
    "!ana",
    "'; DROP TABLE core_searchentry; --",
    "' OR 1=1 --",
    '" OR ""="',
    "\\",
    "\x00",
    "😀🔥",
    "^ana",
    "ana -garcia",
    "text:ana",
    "{ana garcia}",
    "ana" + "a" * 10_000,
    "x" * 10_000,
    " ".join(["zz"] * 5_000),
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_never_error_nor_match_everything(admin_user, people, query):
    found = titles(admin_user, query)
    assert found in ([], ["Ana García Muñoz"])
    assert list(Contact.objects.filter(id__in=search.matching_ids(Contact, query))) in (
        [],
        [people["ana"]],
    )


def test_query_with_an_operator_word_matches_the_word_not_the_operator(admin_user, people):
    assert titles(admin_user, "ana*") == ["Ana García Muñoz"]
    assert titles(admin_user, "NEAR(ana garcia)") == []  # "near" must be a word too


def test_matching_ids_works_as_a_subquery_of_a_list(admin_user, people):
    found = Contact.objects.filter(id__in=search.matching_ids(Contact, "garc")).order_by("pk")
    assert list(found) == [people["ana"]]


def test_matching_ids_of_an_empty_query_match_nothing(people):
    assert list(Contact.objects.filter(id__in=search.matching_ids(Contact, "  *  "))) == []


def test_trashed_record_leaves_the_index_and_comes_back_on_restore(admin_user, people):
    services.delete_records([people["ana"]], actor=admin_user)
    assert titles(admin_user, "munoz") == []
    services.restore_records([people["ana"]], actor=admin_user)
    assert titles(admin_user, "munoz") == ["Ana García Muñoz"]


def test_purged_record_has_no_index_entry(admin_user, people):
    services.delete_records([people["jordi"]], actor=admin_user)
    services.purge_records([people["jordi"]], actor=admin_user)
    assert not SearchEntry.objects.filter(entity="contact", object_id=people["jordi"].pk).exists()


def test_renaming_a_company_reindexes_its_contacts(admin_user, people):
    services.update_company(people["acme"], actor=admin_user, name="Bitel Comunicaciones")
    assert titles(admin_user, "bitel", entity_names=["contact"]) == ["Ana García Muñoz"]
    assert titles(admin_user, "acme") == []


def test_renaming_a_company_reindexes_contacts_in_a_fixed_number_of_queries(
    admin_user, django_assert_max_num_queries
):
    company = services.create_company(actor=admin_user, name="Acme")
    for n in range(30):
        services.create_contact(
            actor=admin_user, first_name=f"P{n}", company=company, emails=[f"p{n}@x.es"]
        )
    with django_assert_max_num_queries(27):  # with the feed entry and followers read
        services.update_company(company, actor=admin_user, name="Renamed")
    assert SearchEntry.objects.filter(entity="contact", text__contains="renamed").count() == 30


def test_index_records_accepts_ids_and_querysets(admin_user, people):
    SearchEntry.objects.all().delete()
    search.index_records([people["ana"].pk], model=Contact)
    search.index_records(Company.objects.all())
    assert sorted(SearchEntry.objects.values_list("title", flat=True)) == [
        "Acme Telecom SL",
        "Ana García Muñoz",
    ]


def test_index_records_reads_a_batch_in_a_fixed_number_of_queries(
    admin_user, django_assert_num_queries
):
    company = services.create_company(actor=admin_user, name="Acme")
    for n in range(20):
        services.create_contact(
            actor=admin_user,
            first_name=f"P{n}",
            company=company,
            emails=[f"p{n}@x.es"],
            phones=[f"6001234{n:02d}"],
        )
    contacts = list(Contact.objects.all())
    # delete old entries, company, e-mails, phones, insert
    with django_assert_num_queries(5):
        search.index_records(contacts)
    entry = SearchEntry.objects.get(entity="contact", title="P7")
    assert entry.text == "p7 acme p7 x es 34600123407 600123407"
    assert entry.subtitle == "Acme · p7@x.es"


def test_index_entry_copies_owner_and_team(admin_user, make_team):
    team = make_team("Sales")
    contact = services.create_contact(
        actor=admin_user, first_name="Ona", owner=admin_user, team=team
    )
    entry = SearchEntry.objects.get(entity="contact", object_id=contact.pk)
    assert (entry.owner_id, entry.team_id) == (admin_user.pk, team.pk)


class TestScope:
    @pytest.fixture
    def setup(self, make_user, make_team, admin_user):
        sales, support = make_team("Sales"), make_team("Support")
        me = make_user("sales", teams=[sales], scope="own")
        mate = make_user("sales", teams=[sales])
        other = make_user("sales", teams=[support])
        for first, owner, team in [
            ("Mine", me, None),
            ("Mates", mate, None),
            ("Teams", other, sales),
            ("Others", other, support),
            ("Nobodys", None, None),
        ]:
            services.create_contact(
                actor=admin_user, first_name=first, last_name="Zamora", owner=owner, team=team
            )
        return me

    def test_own_scope_finds_only_own_records(self, setup):
        assert titles(setup, "zamora") == ["Mine Zamora"]

    def test_team_scope_finds_teammates_and_team_records(self, setup):
        setup.role.scope = "team"
        setup.role.save()
        assert titles(setup, "zamora") == ["Mates Zamora", "Mine Zamora", "Teams Zamora"]

    def test_all_scope_finds_unassigned_records_too(self, setup):
        setup.role.scope = "all"
        setup.role.save()
        assert titles(setup, "zamora") == [
            "Mates Zamora",
            "Mine Zamora",
            "Nobodys Zamora",
            "Others Zamora",
            "Teams Zamora",
        ]

    def test_user_without_read_access_finds_nothing(self, setup):
        setup.role.access = {}
        setup.role.save()
        assert titles(setup, "zamora") == []

    def test_inactive_user_finds_nothing(self, setup):
        setup.is_active = False
        assert titles(setup, "zamora") == []

    def test_reassigning_moves_the_entry_between_scopes(self, setup, admin_user):
        nobodys = Contact.objects.get(first_name="Nobodys")
        services.assign_records([nobodys], actor=admin_user, owner=setup)
        assert titles(setup, "zamora") == ["Mine Zamora", "Nobodys Zamora"]


def test_search_of_an_anonymous_user_is_empty(people):
    from django.contrib.auth.models import AnonymousUser

    assert search.search(AnonymousUser(), "ana") == []


def test_best_match_comes_first(admin_user):
    for first, last in [("Marta", "Anaya"), ("Ana", "Vidal")]:
        services.create_contact(actor=admin_user, first_name=first, last_name=last)
    assert [e.title for e in search.search(admin_user, "ana")] == ["Ana Vidal", "Marta Anaya"]


def _oracle(query):
    """What a prefix search must find, computed in Python over the stored entries."""
    terms = search_terms(query)
    if not terms:
        return []
    return sorted(
        e.title
        for e in SearchEntry.objects.all()
        if all(any(w.startswith(t) for w in e.text.split()) for t in terms)
    )


SPANISH_TEXT = st.text(
    alphabet=st.sampled_from("anagrciumozjdpl AÑÁÉñéç0123456789@.+-*\"'():&|!_"), max_size=40
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=SPANISH_TEXT)
def test_search_finds_exactly_the_entries_with_every_word_as_a_prefix(people, admin_user, query):
    assert titles(admin_user, query) == _oracle(query)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=300))
def test_any_unicode_query_runs_without_error(people, admin_user, query):
    assert len(search.search(admin_user, query)) <= 3
    assert Contact.objects.filter(id__in=search.matching_ids(Contact, query)).count() <= 2


def _words_of(record):
    entry = SearchEntry.objects.get(entity=record._meta.model_name, object_id=record.pk)
    return set(SearchWord.objects.filter(entry=entry).values_list("word", flat=True))


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the word table exists on PostgreSQL only"
)


@postgres_only
def test_postgres_word_table_follows_every_change_of_an_entry(admin_user):
    contact = services.create_contact(
        actor=admin_user, first_name="Núria", last_name="Puig", emails=["np@vins.cat"]
    )
    assert _words_of(contact) == {"nuria", "puig", "np", "vins", "cat"}

    services.update_contact(contact, actor=admin_user, last_name="Serra")
    assert _words_of(contact) == {"nuria", "serra", "np", "vins", "cat"}

    entry_id = SearchEntry.objects.get(entity="contact", object_id=contact.pk).pk
    services.delete_records([contact], actor=admin_user)
    assert not SearchWord.objects.filter(entry_id=entry_id).exists()


@postgres_only
def test_postgres_word_table_is_emptied_with_the_entries(people):
    assert SearchWord.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE core_searchentry")
    assert not SearchWord.objects.exists()


@postgres_only
def test_postgres_multi_word_query_is_led_by_its_narrowest_word(people, admin_user):
    for n in range(5):
        services.create_contact(actor=admin_user, first_name="Ana", last_name=f"Pons{n}")
    assert search._count_words("ana") == 6
    assert [str(w.word) for w in search._words(["ana", "garc"])] == ["garcia"]
