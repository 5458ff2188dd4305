"""Fixtures of the activities tests: a customer company with a contact, a deal, a salesperson."""

import datetime

import pytest
from django.utils import timezone

from clientela.contacts import services as contact_services
from clientela.sales import services as sales_services
from clientela.sales.models import Pipeline


@pytest.fixture
def company(admin_user):
    return contact_services.create_company(actor=admin_user, name="Vins Puig SL", owner=admin_user)


@pytest.fixture
def contact(admin_user, company):
    return contact_services.create_contact(
        actor=admin_user,
        first_name="Núria",
        last_name="Puig",
        company=company,
        owner=admin_user,
        emails=["nuria@vinspuig.cat"],
    )


@pytest.fixture
def deal(admin_user, company):
    Pipeline.objects.all().delete()
    sales_services.create_pipeline(
        actor=admin_user,
        name="New business",
        stages=[("Qualification", 10, "open"), ("Won", 100, "won"), ("Lost", 0, "lost")],
        is_default=True,
    )
    return sales_services.create_deal(
        actor=admin_user, name="Cava for Christmas", company=company, owner=admin_user
    )


@pytest.fixture
def seller(make_user, make_team):
    return make_user("sales", username="jordi", teams=[make_team("Vendes")])


def at(days=0, hours=0, minutes=0):
    """A moment relative to now, whole minutes."""
    now = timezone.now().replace(second=0, microsecond=0)
    return now + datetime.timedelta(days=days, hours=hours, minutes=minutes)
