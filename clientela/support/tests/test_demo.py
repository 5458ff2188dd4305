"""Customer service in the demo: cases at every stage, SLA set up, articles in the help centre."""

import pytest

from clientela.activities import demo as activities_demo
from clientela.contacts import demo as contacts_demo
from clientela.sales import demo as sales_demo
from clientela.support import demo
from clientela.support.models import Article, Case, SlaPolicy


@pytest.fixture
def loaded(db):
    contacts_demo.load_demo(companies=10, contacts=40)
    sales_demo.load_demo(deals=10)
    activities_demo.load_demo()
    return demo.load_demo(cases_count=12)


def test_demo_cases_are_at_every_stage_with_slas_and_articles(loaded):
    assert loaded == Case.objects.count() == 12
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"new", "pending_customer", "open", "resolved"} <= statuses
    assert Case.objects.filter(owner__isnull=True).exists()
    assert SlaPolicy.objects.count() == 2
    assert not Case.objects.filter(sla_policy__isnull=True).exists()
    assert Article.objects.filter(status="published", language="ca").exists()
    assert demo.load_demo() == 0
