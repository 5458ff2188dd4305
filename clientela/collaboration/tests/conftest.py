"""A sales team with its member who owns a customer, and a service agent who sees everyone."""

import pytest

from clientela.contacts import services as contact_services


@pytest.fixture
def sales(make_team):
    return make_team("Ventas", handle="ventas")


@pytest.fixture
def owner(make_user, sales):
    return make_user("sales", username="jordi.ferrer", teams=[sales], scope="own")


@pytest.fixture
def agent(make_user):
    return make_user("service", username="elena", scope="all")


@pytest.fixture
def customer(admin_user, owner, sales):
    return contact_services.create_contact(
        actor=admin_user, first_name="Núria", last_name="Puig", owner=owner, team=sales
    )
