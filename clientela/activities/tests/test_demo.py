"""The activities of the demo: along the deals, and My day for each salesperson."""

import pytest
from django.db.models import F
from django.utils import timezone

from clientela.activities import demo
from clientela.activities.models import Activity
from clientela.contacts import demo as contacts_demo
from clientela.sales import demo as sales_demo


@pytest.fixture
def loaded(db):
    contacts_demo.load_demo(companies=30, contacts=150)
    sales_demo.load_demo(deals=60)
    return demo.load_demo()


def test_demo_fills_timelines_my_day_and_the_calendar(loaded):
    now = timezone.now()
    assert loaded == Activity.objects.count() > 60
    assert set(Activity.objects.values_list("kind", flat=True)) == {
        "call",
        "email",
        "note",
        "task",
        "meeting",
    }
    overdue = Activity.objects.filter(kind="task", done_at__isnull=True, due_at__lt=now)
    assert overdue.exists()
    assert not overdue.filter(due_at__lt=F("created_at")).exists()
    assert Activity.objects.filter(kind="meeting", starts_at__gte=now).exists()
    assert demo.load_demo() == 0
