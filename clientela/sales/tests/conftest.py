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
