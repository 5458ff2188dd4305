"""What contacts and companies answer: names, sort order in the database, primary e-mail."""

import pytest
from django.db import connection

from clientela.contacts import services
from clientela.contacts.models import Company, Contact

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_contacts_sort_by_first_surname_then_second_then_first_name_in_the_database(
    admin_user,
):
    for first, last, second in [
        ("Ana", "García", "Martínez"),
        ("Zoe", "García", ""),
        ("Ana", "García", "López"),
        ("Bea", "Garcíaz", ""),
        ("Luis", "Muñoz", ""),
        ("Eva", "Munuera", ""),
        ("Íñigo", "Muro", ""),
        ("Álex", "", ""),
        ("Pau", "Ñúñez", ""),
        ("Olga", "Nuñez", ""),
    ]:
        services.create_contact(
            actor=admin_user, first_name=first, last_name=last, second_last_name=second
        )
    assert [str(c) for c in Contact.objects.order_by("sort_name", "id")] == [
        "Álex",
        "Zoe García",
        "Ana García López",
        "Ana García Martínez",
        "Bea Garcíaz",
        "Eva Munuera",
        "Luis Muñoz",
        "Íñigo Muro",
        "Olga Nuñez",
        "Pau Ñúñez",
    ]


def test_companies_sort_the_spanish_way_in_the_database(admin_user):
    for name in ["Muro SL", "Muñoz e Hijos", "Munuera SA", "Ñandú Viajes", "Nzeta"]:
        services.create_company(actor=admin_user, name=name)
    assert [c.name for c in Company.objects.order_by("sort_name")] == [
        "Munuera SA",
        "Muñoz e Hijos",
        "Muro SL",
        "Nzeta",
        "Ñandú Viajes",
    ]


def test_sort_columns_use_the_binary_collation_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only; SQLite compares bytes already")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, collation_name FROM information_schema.columns "
            "WHERE column_name = 'sort_name' ORDER BY table_name"
        )
        assert cursor.fetchall() == [("contacts_company", "C"), ("contacts_contact", "C")]


def test_names_and_str(admin_user):
    contact = Contact(first_name="Ana", last_name="García", second_last_name="Muñoz")
    assert (contact.surnames, contact.full_name, str(contact)) == (
        "García Muñoz",
        "Ana García Muñoz",
        "Ana García Muñoz",
    )
    assert str(Contact()) == "(no name)"


def test_etag_changes_with_the_version(admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    assert contact.etag == f'"{contact.pk}-1"'
    updated = services.update_contact(contact, actor=admin_user, first_name="Anna")
    assert updated.etag == f'"{contact.pk}-2"'


def test_primary_email_and_phone_prefer_the_primary_then_the_first(admin_user):
    contact = services.create_contact(
        actor=admin_user,
        first_name="Ana",
        emails=["a@x.es", {"email": "b@x.es", "is_primary": True}],
        phones=["600123456"],
    )
    assert (contact.primary_email, contact.primary_phone) == ("b@x.es", "+34600123456")
    bare = services.create_contact(actor=admin_user, first_name="Pau")
    assert (bare.primary_email, bare.primary_phone) == ("", "")


def test_primary_email_uses_the_prefetch_without_queries(admin_user, django_assert_num_queries):
    for n in range(3):
        services.create_contact(actor=admin_user, first_name=f"P{n}", emails=[f"p{n}@x.es"])
    contacts = list(Contact.objects.prefetch_related("emails", "phones").order_by("pk"))
    with django_assert_num_queries(0):
        assert [c.primary_email for c in contacts] == ["p0@x.es", "p1@x.es", "p2@x.es"]
        assert [c.primary_phone for c in contacts] == ["", "", ""]


def test_trash_is_hidden_from_the_default_manager(admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    services.delete_records([contact], actor=admin_user)
    assert list(Contact.objects.all()) == []
    assert list(Contact.all_objects.trashed()) == [contact]
    assert Contact.all_objects.get(pk=contact.pk).is_deleted
