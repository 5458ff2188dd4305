"""The sales demo: Spanish pipelines, deals in every state, customers, quotas."""

import pytest

from clientela.contacts import demo as contacts_demo
from clientela.contacts.models import Contact
from clientela.sales import demo
from clientela.sales.models import Deal, Pipeline, Quota


@pytest.fixture
def loaded(db):
    contacts_demo.load_demo(companies=30, contacts=150)
    return demo.load_demo(deals=120)


def test_demo_deals_cover_every_state_with_customers_and_quotas(loaded):
    assert loaded == 120
    assert list(Pipeline.objects.values_list("name", flat=True)) == [
        "Nuevo negocio",
        "Renovaciones",
    ]
    statuses = set(Deal.objects.values_list("status", flat=True))
    assert statuses == {"open", "won", "lost"}
    assert not Deal.objects.filter(status="open", closed_at__isnull=False).exists()
    assert not Deal.objects.exclude(status="open").filter(closed_at__isnull=True).exists()
    won_contacts = Contact.objects.filter(deal_links__deal__status="won")
    assert won_contacts.exists()
    assert set(won_contacts.values_list("lifecycle_stage", flat=True)) <= {
        "customer",
        "evangelist",
        "other",
    }
    assert Quota.objects.count() == 36  # three salespeople, twelve months
    assert demo.is_loaded()


def test_demo_loads_once(loaded):
    assert demo.load_demo(deals=5) == 0
    assert Deal.objects.count() == 120
