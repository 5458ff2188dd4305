"""The daily rollups follow every write: a write marks its days, a read counts them again."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from clientela.analytics import rollups
from clientela.analytics.models import ContactDay, DealDay, DirtyDay, FunnelDay
from clientela.analytics.rollups import engine
from clientela.analytics.rollups.definitions import DEALS
from clientela.contacts import services as contact_services
from clientela.core import records
from clientela.sales.models import Deal
from clientela.sales.services import deals

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 4, 1)


def rows(key, span="d", **filters):
    model = rollups.settled(key)
    return sorted(
        (
            {k: v for k, v in row.items() if k not in ("id", "span")}
            for row in model.objects.filter(span=span, **filters).values()
        ),
        key=lambda row: sorted((k, str(v)) for k, v in row.items()),
    )


def make_deal(actor, stages, name="Cava", amount="1000", **fields):
    return deals.create_deal(
        actor=actor, name=name, amount=amount, pipeline=stages["Lead"].pipeline, **fields
    )


def test_a_new_deal_is_counted_on_the_day_it_was_created(admin_user, stages):
    company = contact_services.create_company(actor=admin_user, name="Puig", region="Girona")
    make_deal(admin_user, stages, company=company, source="referral", owner=admin_user)
    make_deal(admin_user, stages, name="Oli", amount="500", owner=admin_user, source="referral")

    [by_region_girona, no_region] = sorted(
        rows("deals", event="created"), key=lambda r: r["region"], reverse=True
    )

    assert by_region_girona["day"] == timezone.localdate()
    assert by_region_girona["deals"] == 1 and by_region_girona["amount"] == Decimal("1000.00")
    assert (
        by_region_girona["owner_id"] == admin_user.pk and by_region_girona["source"] == "referral"
    )
    assert no_region["region"] == "" and no_region["amount"] == Decimal("500.00")
    assert not DirtyDay.objects.filter(rollup="deals").exists()  # the read counted them


def test_a_won_deal_counts_its_value_and_cycle(admin_user, stages):
    deal = make_deal(admin_user, stages, amount="2500")
    Deal.all_objects.filter(pk=deal.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=10)
    )
    deal.refresh_from_db()
    deals.move_deal(deal, stages["Won"], actor=admin_user)

    [won] = rows("deals", event="won")

    assert won["day"] == timezone.localdate() and won["deals"] == 1
    assert won["amount"] == Decimal("2500.00")
    assert won["cycle_hours"] == pytest.approx(240, abs=0.1)
    assert rows("deals", event="lost") == []


def test_an_owner_change_moves_the_counts(admin_user, make_user, stages):
    seller = make_user("sales")
    deal = make_deal(admin_user, stages, owner=admin_user)
    assert [r["owner_id"] for r in rows("deals")] == [admin_user.pk]

    records.bulk_set([deal], actor=admin_user, owner=seller)

    assert [r["owner_id"] for r in rows("deals")] == [seller.pk]


def test_trash_takes_a_deal_out_and_restore_brings_it_back(admin_user, stages):
    deal = make_deal(admin_user, stages)
    records.soft_delete([deal], actor=admin_user)
    assert rows("deals") == []
    assert rows("funnel") == []

    records.restore([deal], actor=admin_user)
    assert [r["deals"] for r in rows("deals")] == [1]
    assert [r["deals"] for r in rows("funnel")] == [1]


def test_a_companys_new_region_reaches_its_deals(admin_user, stages):
    company = contact_services.create_company(actor=admin_user, name="Puig", region="Girona")
    make_deal(admin_user, stages, company=company)
    assert [r["region"] for r in rows("deals")] == ["Girona"]

    contact_services.update_company(company, actor=admin_user, region="Lleida")

    assert [r["region"] for r in rows("deals")] == ["Lleida"]


def test_the_funnel_counts_each_deal_at_the_furthest_stage_it_reached(admin_user, stages):
    proposal = make_deal(admin_user, stages)
    make_deal(admin_user, stages, name="Oli")
    lost = make_deal(admin_user, stages, name="Mel")
    deals.move_deal(proposal, stages["Proposal"], actor=admin_user)
    deals.move_deal(lost, stages["Proposal"], actor=admin_user)
    deals.move_deal(lost, stages["Lost"], actor=admin_user)  # reached Proposal before

    furthest = {r["stage_id"]: r["deals"] for r in rows("funnel")}

    assert furthest == {stages["Lead"].pk: 1, stages["Proposal"].pk: 2}


def test_days_follow_the_company_time_zone(admin_user, stages, settings):
    settings.TIME_ZONE = "Europe/Madrid"
    deal = make_deal(admin_user, stages)
    # 22:30 UTC on 31 March is 00:30 on 1 April in Madrid (summer time, UTC+2).
    late = datetime.datetime(2026, 3, 31, 22, 30, tzinfo=datetime.UTC)
    Deal.all_objects.filter(pk=deal.pk).update(created_at=late)

    rollups.rebuild_all()

    assert [r["day"] for r in rows("deals")] == [TODAY]
    assert [r["day"] for r in rows("funnel")] == [TODAY]


def test_a_moved_date_recounts_the_day_it_left(admin_user, stages):
    deal = make_deal(admin_user, stages)
    rows("deals")  # counted on today
    before = timezone.now() - datetime.timedelta(days=40)
    Deal.all_objects.filter(pk=deal.pk).update(created_at=before)
    deal.refresh_from_db()
    # What a service writing the date would report: the day it had before.
    moved = {deal.pk: {"created_at": [timezone.now().isoformat(), ""]}}
    engine.mark({DEALS.key: rollups.touched_days(DEALS, Deal, [deal], moved)})

    assert [r["day"] for r in rows("deals")] == [timezone.localdate(before)]


def test_counting_a_day_twice_counts_it_once(admin_user, stages):
    make_deal(admin_user, stages)
    rows("deals")
    engine.mark({DEALS.key: {timezone.localdate()}})
    engine.mark({DEALS.key: {timezone.localdate()}})

    assert [r["deals"] for r in rows("deals")] == [1]
    assert DealDay.objects.filter(span="d").count() == 1
    assert [(r["day"], r["deals"]) for r in rows("deals", span="m")] == [
        (timezone.localdate().replace(day=1), 1)
    ]


def test_rebuild_counts_everything_again_and_drops_what_is_gone(admin_user, stages):
    make_deal(admin_user, stages)
    rows("deals")
    DealDay.objects.update(deals=99)
    DealDay.objects.create(
        day=datetime.date(2001, 1, 1),
        event="won",
        pipeline_id=1,
        region="",
        source="",
        deals=5,
        amount=0,
    )

    rollups.rebuild_all()

    assert [(r["day"], r["deals"]) for r in rows("deals")] == [(timezone.localdate(), 1)]


def test_new_contacts_are_counted_with_their_stage_today(admin_user):
    lead = contact_services.create_contact(
        actor=admin_user, first_name="Anna", source="web_form", lifecycle_stage="lead"
    )
    contact_services.create_contact(
        actor=admin_user, first_name="Pau", source="web_form", lifecycle_stage="lead"
    )
    contact_services.update_contact(lead, actor=admin_user, lifecycle_stage="customer")

    counts = {r["lifecycle_stage"]: r["contacts"] for r in rows("contacts", source="web_form")}

    assert counts == {"lead": 1, "customer": 1}
    assert ContactDay.objects.filter(day=timezone.localdate()).count() == 2


def test_the_worker_round_counts_raw_writes_of_today(admin_user, stages):
    deal = make_deal(admin_user, stages, amount="100")
    rows("deals")
    Deal.all_objects.filter(pk=deal.pk).update(amount_base=Decimal("300"))

    rollups.settle_all()

    assert [r["amount"] for r in DealDay.objects.filter(span="d").values("amount")] == [
        Decimal("300.00")
    ]
    assert FunnelDay.objects.filter(span="m").count() == 1
