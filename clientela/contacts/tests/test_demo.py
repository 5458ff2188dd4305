import pytest
from stdnum.es import cif

from clientela.contacts import demo
from clientela.contacts.models import Company, Contact, ContactEmail
from clientela.core import search
from clientela.core.models import ChangeRecord, Flag, SearchEntry, Team, User
from clientela.core.validators import normalize_phone


@pytest.fixture
def small_demo(db):
    return demo.load_demo(companies=20, contacts=100)


def test_demo_creates_the_requested_counts_and_marks_itself_loaded(small_demo):
    assert small_demo == {"users": 8, "companies": 20, "contacts": 100}
    assert (Company.objects.count(), Contact.objects.count()) == (20, 100)
    assert User.objects.filter(username__in=[u[0] for u in demo.USERS]).count() == 8
    assert sorted(Team.objects.values_list("handle", flat=True)) == [
        "marketing",
        "servicio",
        "ventas",
    ]
    assert demo.is_loaded()
    assert Flag.objects.get(name="demo_loaded").value["contacts"] == 100


def test_demo_is_deterministic(db):
    demo.load_demo(companies=5, contacts=10)
    first = list(Contact.objects.order_by("pk").values_list("first_name", "last_name", "sort_name"))
    names = list(Company.objects.order_by("pk").values_list("name", "tax_id"))
    Contact.all_objects.all().delete()
    Company.all_objects.all().delete()

    demo.load_demo(companies=5, contacts=10)

    assert list(Company.objects.order_by("pk").values_list("name", "tax_id")) == names
    assert (
        list(Contact.objects.order_by("pk").values_list("first_name", "last_name", "sort_name"))
        == first
    )


def test_demo_values_are_valid(small_demo):
    for company in Company.objects.prefetch_related("phones"):
        assert cif.is_valid(company.tax_id), company.tax_id
        assert company.postcode.isdigit() and len(company.postcode) == 5
        for phone in company.phones.all():
            assert normalize_phone(phone.number) == phone.number
    for contact in Contact.objects.select_related("company").prefetch_related("emails", "phones"):
        assert contact.last_name and contact.second_last_name
        assert contact.phones.all()[0].number.startswith("+346")
        if contact.company_id:
            assert contact.primary_email.endswith("@" + contact.company.domain)
        if contact.consent_status == "granted":
            assert contact.consent_at and contact.consent_method and contact.consent_proof
    assert ContactEmail.objects.values("email").distinct().count() == ContactEmail.objects.count()


def test_demo_records_history_and_is_searchable(small_demo):
    contact = Contact.objects.order_by("pk").first()
    change = ChangeRecord.objects.get(object_id=contact.pk, content_type__model="contact")
    assert change.action == "create"
    assert change.changes["first_name"] == [None, contact.first_name]
    assert SearchEntry.objects.count() == 120
    manager = User.objects.get(username="marta.puig")
    assert contact.pk in [
        e.object_id for e in search.search(manager, contact.full_name, entity_names=["contact"])
    ]


def test_demo_users_cannot_sign_in_until_given_a_password(small_demo):
    assert not User.objects.get(username="jordi.ferrer").has_usable_password()
