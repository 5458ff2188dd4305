"""Fixtures of the sales tests: a pipeline with its stages, a salesperson, a customer."""

import pytest

from clientela.contacts import services as contact_services
from clientela.sales import services
from clientela.sales.models import Pipeline

STAGES = [
    ("Qualification", 10, "open"),
    ("Proposal", 40, "open"),
    ("Negotiation", 70, "open"),
    ("Won", 100, "won"),
    ("Lost", 0, "lost"),
]


@pytest.fixture
def pipeline(db, admin_user):
    Pipeline.objects.all().delete()  # the first pipeline a migration creates
    return services.create_pipeline(
        actor=admin_user, name="New business", stages=STAGES, is_default=True
    )


@pytest.fixture
def stages(pipeline):
    return {stage.name: stage for stage in pipeline.stages.all()}


@pytest.fixture
def other_pipeline(admin_user):
    return services.create_pipeline(
        actor=admin_user, name="Renewals", stages=[("Due", 50, "open"), ("Renewed", 100, "won")]
    )


@pytest.fixture
def seller(make_user, make_team):
    return make_user("sales", username="jordi", teams=[make_team("Vendes")])


@pytest.fixture
def customer(admin_user):
    company = contact_services.create_company(actor=admin_user, name="Vins Puig SL")
    return contact_services.create_contact(
        actor=admin_user,
        first_name="Núria",
        last_name="Puig",
        company=company,
        lifecycle_stage="lead",
        emails=["nuria@vinspuig.cat"],
    )


@pytest.fixture
def rates(db):
    """The tax rates the migration creates: IVA 21, 10, 4 and exempt, by percentage."""
    from clientela.sales.models import TaxRate

    return {int(rate.rate): rate for rate in TaxRate.objects.all()}


@pytest.fixture
def cava(admin_user, rates):
    return services.create_product(
        actor=admin_user, sku="CAVA-BR", name="Cava brut", unit_price="12.50", tax_rate=rates[21]
    )


@pytest.fixture
def oil(admin_user, rates):
    return services.create_product(
        actor=admin_user, sku="OLI-5L", name="Oli d’oliva 5 l", unit_price="30", tax_rate=rates[10]
    )
