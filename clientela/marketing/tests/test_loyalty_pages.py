"""Loyalty pages: members (keyset pages, tier filter), one member's points with redeem and
adjust forms, customers at risk and their CSV, rewards, tiers, settings; who may do what;
malformed and hostile input refused with nothing written."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from clientela.contacts import services as contact_services
from clientela.core.models import Role
from clientela.marketing.choices import PointsKind
from clientela.marketing.models import (
    LoyaltyAccount,
    LoyaltyProgram,
    LoyaltyTier,
    PointsEntry,
    Reward,
)
from clientela.marketing.services import loyalty, points
from clientela.sales import services as sales

pytestmark = pytest.mark.django_db
MEMBERS = reverse("marketing:loyalty_members")
AT_RISK = reverse("marketing:loyalty_at_risk")


@pytest.fixture
def program(db):
    return loyalty.update_program(actor=None, active=True)


@pytest.fixture
def anna(admin_user):
    return contact_services.create_contact(actor=admin_user, first_name="Anna", last_name="Puig")


@pytest.fixture
def mug(admin_user):
    return loyalty.save_reward(actor=admin_user, name="Mug", points_cost=60)


def signed_in(client, user):
    client.force_login(user)
    return client


def bought(contact, total, days_ago, *, actor):
    purchase, _ = sales.record_purchase(
        actor=actor,
        contact=contact,
        purchased_at=timezone.now() - datetime.timedelta(days=days_ago),
        total_amount=total,
    )
    points.award_points([purchase])  # what the event does after the commit
    return purchase


# --- members -------------------------------------------------------------------------------------


def test_members_are_listed_by_lifetime_points_a_page_at_a_time(
    client, admin_user, program, django_assert_max_num_queries
):
    people = [
        contact_services.create_contact(actor=admin_user, first_name=f"Client {n:02d}")
        for n in range(55)
    ]
    for n, person in enumerate(people):
        loyalty.adjust_points(person, n + 1, actor=admin_user, note="Opening balance")
    signed_in(client, admin_user)

    with django_assert_max_num_queries(12):
        first = client.get(MEMBERS)
    rows = first.context["page"].items
    assert [a.lifetime_points for a in rows[:3]] == [55, 54, 53]
    assert len(rows) == 50
    second = client.get(MEMBERS + first.context["page_links"]["next"])
    assert [a.contact.first_name for a in second.context["page"].items] == [
        "Client 04",
        "Client 03",
        "Client 02",
        "Client 01",
        "Client 00",
    ]


def test_members_are_filtered_by_tier(client, admin_user, program, anna):
    gold = loyalty.save_tier(actor=admin_user, name="Gold", min_points=100)
    pau = contact_services.create_contact(actor=admin_user, first_name="Pau")
    loyalty.adjust_points(anna, 150, actor=admin_user, note="Old card")
    loyalty.adjust_points(pau, 10, actor=admin_user, note="Old card")
    signed_in(client, admin_user)

    gold_members = client.get(MEMBERS, {"tier": gold.pk}).context["page"].items
    without = client.get(MEMBERS, {"tier": "null"}).context["page"].items

    assert [a.contact for a in gold_members] == [anna]
    assert [a.contact for a in without] == [pau]


@pytest.mark.parametrize("tier", ["abc", "99999", "1" * 40, "<script>"])
def test_a_malformed_tier_filter_is_a_400(client, admin_user, tier):
    response = signed_in(client, admin_user).get(MEMBERS, {"tier": tier})

    assert response.status_code == 400
    assert response.context["page"].items == []


def test_a_broken_cursor_shows_the_first_page(client, admin_user, program, anna):
    loyalty.adjust_points(anna, 5, actor=admin_user, note="Gift")

    response = signed_in(client, admin_user).get(MEMBERS, {"cursor": "%%%garbage"})

    assert [a.contact for a in response.context["page"].items] == [anna]


# --- one member ----------------------------------------------------------------------------------


def test_a_member_page_shows_balance_tier_and_history(client, admin_user, program, anna):
    silver = loyalty.save_tier(actor=admin_user, name="Silver", min_points=20, benefits="5% off")
    loyalty.save_tier(actor=admin_user, name="Gold", min_points=500)
    purchase = bought(anna, "42.50", 3, actor=admin_user)

    response = signed_in(client, admin_user).get(
        reverse("marketing:loyalty_member", args=[anna.pk])
    )

    assert response.context["account"].tier == silver
    assert response.context["next_tier"].name == "Gold"
    assert [(e.kind, e.points, e.purchase) for e in response.context["page"].items] == [
        (PointsKind.PURCHASE, 42, purchase)
    ]
    assert "5% off" in response.text


def test_redeeming_from_the_page(client, admin_user, program, anna, mug):
    loyalty.adjust_points(anna, 100, actor=admin_user, note="Gift")
    url = reverse("marketing:loyalty_redeem", args=[anna.pk])

    response = signed_in(client, admin_user).post(url, {"reward": mug.pk, "note": "In store"})

    assert response.status_code == 302
    assert LoyaltyAccount.objects.get(contact=anna).balance == 40


def test_redeeming_without_enough_points_says_so(client, admin_user, program, anna, mug):
    loyalty.adjust_points(anna, 10, actor=admin_user, note="Gift")
    url = reverse("marketing:loyalty_redeem", args=[anna.pk])

    response = signed_in(client, admin_user).post(url, {"reward": mug.pk})

    assert response.status_code == 400
    assert response.context["redeem_form"].errors == {
        "reward": ["Not enough points: 10 of the 60 this reward needs."]
    }
    assert LoyaltyAccount.objects.get(contact=anna).balance == 10


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"points": "1e30", "note": "x"}, "points"),
        ({"points": "10000000000000", "note": "x"}, "points"),
        ({"points": "ten", "note": "x"}, "points"),
        ({"points": "5", "note": ""}, "note"),
        ({"points": "5", "note": "x" * 501}, "note"),
        ({"points": "5", "note": "a\x00b"}, "note"),
        ({"points": "-5", "note": "Too many"}, "points"),
    ],
)
def test_bad_adjustments_from_the_page_write_nothing(
    client, admin_user, program, anna, data, field
):
    url = reverse("marketing:loyalty_adjust", args=[anna.pk])

    response = signed_in(client, admin_user).post(url, data)

    assert response.status_code == 400
    assert list(response.context["adjust_form"].errors) == [field]
    assert PointsEntry.objects.count() == 0


def test_a_redeem_form_with_an_unknown_reward_is_refused(client, admin_user, program, anna):
    url = reverse("marketing:loyalty_redeem", args=[anna.pk])

    response = signed_in(client, admin_user).post(url, {"reward": "99999999999999999999"})

    assert response.status_code == 400
    assert list(response.context["redeem_form"].errors) == ["reward"]


# --- who may --------------------------------------------------------------------------------------


def test_sales_read_loyalty_but_change_nothing(client, make_user, program, anna, mug, admin_user):
    seller = make_user("sales", scope="all")
    signed_in(client, seller)
    loyalty.adjust_points(anna, 100, actor=admin_user, note="Gift")

    assert client.get(MEMBERS).status_code == 200
    page = client.get(reverse("marketing:loyalty_member", args=[anna.pk]))
    assert page.status_code == 200
    assert page.context["can_change"] is False
    assert b"Redeem a reward" not in page.content
    for url, data in [
        (reverse("marketing:loyalty_redeem", args=[anna.pk]), {"reward": mug.pk}),
        (reverse("marketing:loyalty_adjust", args=[anna.pk]), {"points": "5", "note": "x"}),
        (reverse("marketing:loyalty_reward_create"), {"name": "Pen", "points_cost": "5"}),
        (reverse("marketing:loyalty_tier_create"), {"name": "Gold", "min_points": "5"}),
        (reverse("marketing:loyalty_settings"), {"at_risk_days": "30"}),
        (reverse("marketing:loyalty_reward_delete", args=[mug.pk]), {}),
    ]:
        assert client.post(url, data).status_code == 403, url
    assert LoyaltyAccount.objects.get(contact=anna).balance == 100
    assert Reward.objects.count() == 1
    assert LoyaltyTier.objects.count() == 0
    assert LoyaltyProgram.current().at_risk_days == 90


def test_read_only_sees_the_settings_but_cannot_save_them(client, make_user, program):
    signed_in(client, make_user("read_only"))

    page = client.get(reverse("marketing:loyalty_settings"))

    assert page.status_code == 200
    assert all(field.disabled for field in page.context["form"].fields.values())
    assert client.post(reverse("marketing:loyalty_settings"), {}).status_code == 403


def test_a_role_without_marketing_sees_no_loyalty_page(client, make_user, anna):
    role = Role.objects.create(
        code="support_only", name="Support only", access={"support": "write"}
    )
    user = make_user("service")
    user.role = role
    user.save()
    signed_in(client, user)

    for url in [
        MEMBERS,
        AT_RISK,
        reverse("marketing:loyalty_at_risk_export"),
        reverse("marketing:loyalty_rewards"),
        reverse("marketing:loyalty_tiers"),
        reverse("marketing:loyalty_settings"),
        reverse("marketing:loyalty_member", args=[anna.pk]),
    ]:
        assert client.get(url).status_code == 403, url


def test_a_contact_out_of_scope_is_not_found(client, make_user, make_team, anna, admin_user):
    seller = make_user("sales", teams=[make_team("North")])
    loyalty.adjust_points(anna, 5, actor=admin_user, note="Gift")
    signed_in(client, seller)

    response = client.get(reverse("marketing:loyalty_member", args=[anna.pk]))

    assert response.status_code == 404
    assert client.get(MEMBERS).context["page"].items == []


def test_loyalty_is_in_the_menu(client, admin_user):
    response = signed_in(client, admin_user).get(MEMBERS)

    marketing = next(i for i in response.context["nav_items"] if i["label"] == "Marketing")
    assert {"label": "Loyalty", "url": MEMBERS, "active": True} in marketing["children"]


# --- at risk -------------------------------------------------------------------------------------


def test_the_at_risk_list_and_its_export(client, admin_user, program):
    gold = loyalty.save_tier(actor=admin_user, name="Gold", min_points=100)
    lapsed = contact_services.create_contact(
        actor=admin_user, first_name="=HYPERLINK(1)", last_name="Lapsed"
    )
    recent = contact_services.create_contact(actor=admin_user, first_name="Recent")
    bought(lapsed, "100.25", 200, actor=admin_user)
    bought(lapsed, "20.00", 120, actor=admin_user)
    bought(recent, "10.00", 3, actor=admin_user)
    signed_in(client, admin_user)

    page = client.get(AT_RISK)
    rows = [(c, c.lifetime_value, c.tier_name) for c in page.context["contacts"]]
    assert rows == [(lapsed, 120.25, "Gold")]
    assert (
        page.context["contacts"][0].last_purchase.date()
        == (timezone.now() - datetime.timedelta(days=120)).date()
    )
    # By surnames, then first name.
    assert [c.pk for c in client.get(AT_RISK, {"days": "2"}).context["contacts"]] == [
        lapsed.pk,
        recent.pk,
    ]

    export = client.get(reverse("marketing:loyalty_at_risk_export"), {"days": "90"})
    assert export["Content-Disposition"] == 'attachment; filename="at-risk-90-days.csv"'
    lines = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert lines[0] == ["Id", "Name", "Last purchase", "Lifetime value", "Tier"]
    assert [(r[0], r[1], r[3], r[4]) for r in lines[1:]] == [
        (str(lapsed.pk), "'=HYPERLINK(1) Lapsed", "120.25", "Gold")
    ]
    assert gold.pk


def test_the_at_risk_customers_become_a_segment_that_finds_them(client, admin_user, program):
    from clientela.marketing.models import Segment
    from clientela.marketing.services import segments

    lapsed = contact_services.create_contact(actor=admin_user, first_name="Lapsed")
    recent = contact_services.create_contact(actor=admin_user, first_name="Recent")
    bought(lapsed, "20.00", 120, actor=admin_user)
    bought(recent, "10.00", 3, actor=admin_user)
    signed_in(client, admin_user)

    response = client.post(reverse("marketing:loyalty_at_risk_segment"), {"days": "90"})

    segment = Segment.objects.get()
    assert response["Location"] == reverse("marketing:segment_detail", args=[segment.pk])
    assert segment.name == "Customers at risk (no purchase in 90 days)"
    assert list(segments.segment_contacts(segment)) == [lapsed]


@pytest.mark.parametrize("days", ["0", "-3", "abc", "99999999999999999999", "1.5"])
def test_a_malformed_period_is_a_400(client, admin_user, days):
    signed_in(client, admin_user)

    assert client.get(AT_RISK, {"days": days}).status_code == 400
    assert (
        client.get(reverse("marketing:loyalty_at_risk_export"), {"days": days}).status_code == 404
    )


# --- rewards, tiers, settings --------------------------------------------------------------------


def test_rewards_are_created_edited_and_deleted(client, admin_user):
    signed_in(client, admin_user)

    created = client.post(
        reverse("marketing:loyalty_reward_create"),
        {"name": "Tote bag", "description": "Cotton", "points_cost": "150", "active": "on"},
    )
    reward = Reward.objects.get()
    assert created.status_code == 302
    assert (reward.name, reward.points_cost, reward.stock, reward.active) == (
        "Tote bag",
        150,
        None,
        True,
    )

    client.post(
        reverse("marketing:loyalty_reward_edit", args=[reward.pk]),
        {"name": "Tote bag", "points_cost": "120", "stock": "10", "version": reward.version},
    )
    reward.refresh_from_db()
    assert (reward.points_cost, reward.stock, reward.active, reward.version) == (120, 10, False, 2)

    stale = client.post(
        reverse("marketing:loyalty_reward_edit", args=[reward.pk]),
        {"name": "Other", "points_cost": "1", "version": "1"},
    )
    assert stale.status_code == 400
    assert stale.context["form"].non_field_errors() == [
        "Someone else changed it meanwhile; reload the page."
    ]

    assert (
        client.get(reverse("marketing:loyalty_reward_delete", args=[reward.pk])).status_code == 200
    )
    client.post(reverse("marketing:loyalty_reward_delete", args=[reward.pk]))
    assert Reward.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "points_cost": "10"}, "name"),
        ({"name": "x" * 201, "points_cost": "10"}, "name"),
        ({"name": "Pen", "points_cost": "0"}, "points_cost"),
        ({"name": "Pen", "points_cost": "1" * 30}, "points_cost"),
        ({"name": "Pen", "points_cost": "10", "stock": "-1"}, "stock"),
        ({"name": "Pen", "points_cost": "10", "description": "x" * 2001}, "description"),
    ],
)
def test_bad_rewards_are_refused(client, admin_user, data, field):
    response = signed_in(client, admin_user).post(reverse("marketing:loyalty_reward_create"), data)

    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert Reward.objects.count() == 0


def test_tiers_are_created_and_move_members(client, admin_user, program, anna):
    loyalty.adjust_points(anna, 300, actor=admin_user, note="Old card")
    signed_in(client, admin_user)

    client.post(reverse("marketing:loyalty_tier_create"), {"name": "Gold", "min_points": "250"})
    duplicate = client.post(
        reverse("marketing:loyalty_tier_create"), {"name": "Gold", "min_points": "10"}
    )

    assert LoyaltyAccount.objects.get(contact=anna).tier.name == "Gold"
    assert duplicate.status_code == 400
    assert list(duplicate.context["form"].errors) == ["name"]


def test_the_programme_is_set_up_from_its_page(client, admin_user):
    response = signed_in(client, admin_user).post(
        reverse("marketing:loyalty_settings"),
        {
            "active": "on",
            "name": "Club Botiga",
            "points_per_unit": "2.5",
            "expiry_days": "365",
            "at_risk_days": "60",
            "earning_statuses": ["completed"],
        },
    )

    program = LoyaltyProgram.current()
    assert response.status_code == 302
    assert (program.active, program.name, str(program.points_per_unit), program.expiry_days) == (
        True,
        "Club Botiga",
        "2.5000",
        365,
    )
    assert program.at_risk_days == 60


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"points_per_unit": "abc", "at_risk_days": "90"}, "points_per_unit"),
        ({"points_per_unit": "1", "at_risk_days": "0"}, "at_risk_days"),
        ({"points_per_unit": "1", "at_risk_days": "90", "expiry_days": "-5"}, "expiry_days"),
        (
            {"points_per_unit": "1", "at_risk_days": "90", "earning_statuses": ["x"]},
            "earning_statuses",
        ),
    ],
)
def test_bad_programme_settings_from_the_page_are_refused(client, admin_user, data, field):
    base = {"earning_statuses": ["completed"]}
    response = signed_in(client, admin_user).post(
        reverse("marketing:loyalty_settings"), {**base, **data}
    )

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert LoyaltyProgram.current().points_per_unit == 1
