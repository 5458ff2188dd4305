"""Contact and company services: validation, children, company links, tags, query budgets."""

import pytest
from django.core.exceptions import ValidationError

from clientela.contacts import services
from clientela.contacts.models import Company, Contact, ContactEmail, Employment
from clientela.core.history import history_for
from clientela.core.models import SearchEntry, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def emails_of(contact):
    return list(
        ContactEmail.objects.filter(contact=contact).values_list("email", "kind", "is_primary")
    )


# --- contacts ------------------------------------------------------------------------------------


def test_create_contact_cleans_names_emails_and_phones(admin_user):
    contact = services.create_contact(
        actor=admin_user,
        first_name="  Ana ",
        last_name=" García ",
        country="es ",
        emails=["Ana@X.es", {"email": "ana@x.es", "is_primary": True}, "otra@x.es"],
        phones=["600 12 34 56", "+34600123456"],
    )
    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.first_name, stored.last_name, stored.country) == ("Ana", "García", "ES")
    assert emails_of(contact) == [("ana@x.es", "work", True), ("otra@x.es", "work", False)]
    assert list(stored.phones.values_list("number", "is_primary")) == [("+34600123456", True)]
    assert stored.sort_name == "garcia\t\tana"


def test_create_contact_needs_a_first_name_or_a_surname(admin_user):
    with pytest.raises(ValidationError) as caught:
        services.create_contact(actor=admin_user, first_name="  ", emails=["a@x.es"])
    assert caught.value.message_dict == {"first_name": ["Enter a first name or a surname."]}
    assert not Contact.all_objects.exists()
    assert not ContactEmail.objects.exists()


def test_create_contact_reports_every_bad_email_and_phone(admin_user):
    with pytest.raises(ValidationError) as caught:
        services.create_contact(
            actor=admin_user, first_name="Ana", emails=["ok@x.es", "bad"], phones=["12"]
        )
    assert caught.value.message_dict == {"emails": ["bad: Enter a valid e-mail address."]}
    with pytest.raises(ValidationError) as caught:
        services.create_contact(actor=admin_user, first_name="Ana", phones=["12", "600123456"])
    assert caught.value.message_dict == {"phones": ["12: Enter a valid phone number."]}


def test_unknown_fields_are_refused(admin_user):
    with pytest.raises(ValidationError) as caught:
        services.create_contact(actor=admin_user, first_name="Ana", sort_name="x", version=9)
    assert caught.value.message_dict == {
        "sort_name": ["Unknown field."],
        "version": ["Unknown field."],
    }


def test_none_for_a_text_field_means_empty_text(admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana", last_name=None)
    services.update_contact(contact, actor=admin_user, job_title=None, notes=None)
    assert Contact.objects.get(pk=contact.pk).last_name == ""


def test_model_validation_errors_are_reported_by_field(admin_user):
    with pytest.raises(ValidationError) as caught:
        services.create_contact(
            actor=admin_user, first_name="x" * 101, lifecycle_stage="boss", country="ESP"
        )
    assert sorted(caught.value.message_dict) == ["country", "first_name", "lifecycle_stage"]


def test_granting_consent_stamps_the_time(admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana", consent_status="granted")
    assert contact.consent_at is not None
    assert contact.has_marketing_consent


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ([False, False, False], [True, False, False]),
        ([False, True, True], [False, True, False]),
        ([True, True, False], [True, False, False]),
        ([False], [True]),
        ([], []),
    ],
)
def test_exactly_one_primary(flags, expected):
    rows = [{"is_primary": f} for f in flags]
    assert [r["is_primary"] for r in services._one_primary(rows)] == expected


def test_a_repeated_address_keeps_the_primary_flag_of_the_repeat(admin_user):
    contact = services.create_contact(
        actor=admin_user,
        first_name="Ana",
        emails=["b@x.es", "a@x.es", {"email": "A@x.es", "is_primary": True}],
    )
    assert emails_of(contact) == [("a@x.es", "work", True), ("b@x.es", "work", False)]
    assert contact.primary_email == "a@x.es"


def test_update_contact_replaces_children_only_when_given(admin_user):
    contact = services.create_contact(
        actor=admin_user, first_name="Ana", emails=["a@x.es"], phones=["600123456"], tags=["x"]
    )
    services.update_contact(contact, actor=admin_user, job_title="CEO")
    assert emails_of(contact) == [("a@x.es", "work", True)]
    services.update_contact(contact, actor=admin_user, emails=[], phones=[], tags=[])
    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.emails.count(), stored.phones.count(), stored.tags.count()) == (0, 0, 0)


def test_moving_to_another_company_keeps_the_old_link_as_past(admin_user):
    acme = services.create_company(actor=admin_user, name="Acme")
    bitel = services.create_company(actor=admin_user, name="Bitel")
    contact = services.create_contact(
        actor=admin_user, first_name="Ana", company=acme, job_title="CTO"
    )
    services.update_contact(contact, actor=admin_user, company=bitel)
    links = list(Employment.objects.order_by("id").values_list("company__name", "is_current"))
    assert links == [("Acme", False), ("Bitel", True)]
    assert Employment.objects.get(company=acme).ended_on is not None


def test_a_company_in_the_trash_cannot_be_given_to_a_contact(admin_user):
    acme = services.create_company(actor=admin_user, name="Acme")
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    services.delete_records([acme], actor=admin_user)
    with pytest.raises(ValidationError) as caught:
        services.update_contact(contact, actor=admin_user, company=acme)
    assert caught.value.message_dict == {"company": ["This company is in the trash."]}
    with pytest.raises(ValidationError):
        services.create_contact(actor=admin_user, first_name="Pau", company=acme)
    assert Contact.objects.get(pk=contact.pk).company_id is None


def test_a_contact_keeps_its_company_after_the_company_is_trashed(admin_user):
    acme = services.create_company(actor=admin_user, name="Acme")
    contact = services.create_contact(actor=admin_user, first_name="Ana", company=acme)
    services.delete_records([acme], actor=admin_user)
    acme.refresh_from_db()
    services.update_contact(contact, actor=admin_user, company=acme, city="Vic")
    assert Contact.objects.get(pk=contact.pk).company_id == acme.pk


def test_adding_a_past_company_link_is_recorded_in_history(admin_user):
    acme = services.create_company(actor=admin_user, name="Acme")
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    import datetime

    services.add_company_link(
        contact,
        acme,
        actor=admin_user,
        role="Analyst",
        started_on=datetime.date(2019, 1, 1),
        ended_on=datetime.date(2021, 6, 30),
    )
    change = history_for(contact).first()
    assert change.changes == {"company_links": [None, "Acme · Analyst · 2019-01-01 – 2021-06-30"]}
    assert Contact.objects.get(pk=contact.pk).version == 2


def test_company_link_ending_before_it_starts_is_refused(admin_user):
    import datetime

    acme = services.create_company(actor=admin_user, name="Acme")
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    with pytest.raises(ValidationError):
        services.add_company_link(
            contact,
            acme,
            actor=admin_user,
            started_on=datetime.date(2021, 1, 1),
            ended_on=datetime.date(2020, 1, 1),
        )
    assert not Employment.objects.exists()


# --- companies -----------------------------------------------------------------------------------


def test_create_company_normalises_tax_id_domain_and_country(admin_user):
    company = services.create_company(
        actor=admin_user,
        name=" Acme SL ",
        tax_id="b58378431",
        domain="WWW.Acme.es ",
        country="es",
        phones=["972 12 34 56"],
    )
    stored = Company.objects.get(pk=company.pk)
    assert (stored.name, stored.tax_id, stored.domain, stored.country) == (
        "Acme SL",
        "B58378431",
        "acme.es",
        "ES",
    )
    assert list(stored.phones.values_list("number", flat=True)) == ["+34972123456"]


def test_company_errors_are_reported_together(admin_user):
    with pytest.raises(ValidationError) as caught:
        services.create_company(actor=admin_user, name=" ", tax_id="123", website="nope")
    assert sorted(caught.value.message_dict) == ["name", "tax_id", "website"]


def test_company_name_longer_once_normalised_still_fits_its_sort_key(admin_user):
    company = services.create_company(actor=admin_user, name="ß" * 200)
    assert Company.objects.get(pk=company.pk).sort_name == "s" * 200


def test_renaming_a_company_updates_its_contacts_search_text(admin_user):
    acme = services.create_company(actor=admin_user, name="Acme")
    ana = services.create_contact(actor=admin_user, first_name="Ana", company=acme)
    services.update_company(acme, actor=admin_user, name="Bitel")
    entry = SearchEntry.objects.get(entity="contact", object_id=ana.pk)
    assert (entry.text, entry.subtitle) == ("ana bitel", "Bitel")


# --- tags and bulk actions -----------------------------------------------------------------------


def test_resolve_tags_creates_missing_tags_once_in_order(admin_user, django_assert_num_queries):
    Tag.objects.create(name="vip")
    with django_assert_num_queries(3):  # read, insert missing, read the new ones
        tags = services.resolve_tags(["new", " vip ", "new", "", "other"])
    assert [t.name for t in tags] == ["new", "vip", "other"]
    assert Tag.objects.count() == 3


def test_removing_an_unknown_tag_does_not_create_it(admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana", tags=["vip"])
    assert services.tag_records([contact], actor=admin_user, remove=["ghost"]) == []
    assert list(Tag.objects.values_list("name", flat=True)) == ["vip"]


def test_tag_records_adds_and_removes_by_name(admin_user):
    a = services.create_contact(actor=admin_user, first_name="Ana", tags=["old"])
    b = services.create_contact(actor=admin_user, first_name="Pau")
    changed = services.tag_records([a, b], actor=admin_user, add=["vip"], remove=["old"])
    assert changed == [a, b]
    assert [list(c.tags.values_list("name", flat=True)) for c in (a, b)] == [["vip"], ["vip"]]


def test_assign_records_sets_owner_and_team(admin_user, make_user, make_team):
    seller, team = make_user("sales"), make_team("Sales")
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    services.assign_records(
        [contact], actor=admin_user, owner=seller, team=team, set_owner=True, set_team=True
    )
    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.owner, stored.team) == (seller, team)


# --- query budgets ------------------------------------------------------------------------------


def full_contact(actor, n_children, company=None):
    return services.create_contact(
        actor=actor,
        first_name="Ana",
        last_name="García",
        company=company,
        emails=[f"a{i}@x.es" for i in range(n_children)],
        phones=[f"60012340{i}" for i in range(n_children)],
        tags=[f"t{i}" for i in range(n_children)],
    )


def test_create_contact_costs_a_small_fixed_number_of_queries(
    admin_user, django_assert_max_num_queries
):
    company = services.create_company(actor=admin_user, name="Acme")
    full_contact(admin_user, 1, company)  # warm up caches (content types)
    # 20, plus 2 that recompute and read back the completeness score, plus up to 6 for the
    # duplicate check (neighbours 2, their facts 3, the pairs 1).
    with django_assert_max_num_queries(28):
        full_contact(admin_user, 1, company)
    with django_assert_max_num_queries(28):
        full_contact(admin_user, 8, company)


def test_update_contact_costs_a_small_fixed_number_of_queries(
    admin_user, django_assert_max_num_queries
):
    company = services.create_company(actor=admin_user, name="Acme")
    contact = full_contact(admin_user, 1)
    # 28, plus 2 for the completeness score, plus up to 6 for the duplicate check of the
    # changed names, e-mails and phones, plus 1 marking the reports' day to count again.
    with django_assert_max_num_queries(37):
        services.update_contact(
            contact,
            actor=admin_user,
            first_name="Anna",
            company=company,
            emails=[f"b{i}@x.es" for i in range(8)],
            phones=[f"60012341{i}" for i in range(8)],
            tags=[f"u{i}" for i in range(8)],
        )
    # lock, 2 snapshots of 3 reads, save, version, completeness (2), history, reindex (5),
    # savepoint (2), the feed entry and the read of the contact's followers, the reports' day
    # marked to count again
    with django_assert_max_num_queries(22):
        services.update_contact(contact, actor=admin_user, job_title="CEO")
