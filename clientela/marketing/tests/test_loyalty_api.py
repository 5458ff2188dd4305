"""``/api/v1/loyalty-accounts/``, ``/rewards/`` and ``/loyalty-tiers/``: reading in scope,
redeeming and adjusting, CRUD with ETags, permissions, malformed and hostile bodies."""

import pytest

from clientela.contacts import services as contact_services
from clientela.marketing.models import LoyaltyAccount, LoyaltyTier, PointsEntry, Reward
from clientela.marketing.services import loyalty

pytestmark = pytest.mark.django_db
ACCOUNTS = "/api/v1/loyalty-accounts/"
REWARDS = "/api/v1/rewards/"
TIERS = "/api/v1/loyalty-tiers/"


@pytest.fixture
def program(db):
    return loyalty.update_program(actor=None, active=True)


@pytest.fixture
def anna(admin_user):
    return contact_services.create_contact(actor=admin_user, first_name="Anna")


@pytest.fixture
def anna_account(anna, admin_user, program):
    loyalty.adjust_points(anna, 100, actor=admin_user, note="Welcome gift")
    return LoyaltyAccount.objects.get(contact=anna)


@pytest.fixture
def mug(admin_user):
    return loyalty.save_reward(actor=admin_user, name="Mug", points_cost=60, stock=3)


def test_accounts_are_listed_filtered_and_read(admin_api, anna_account, admin_user):
    gold = loyalty.save_tier(actor=admin_user, name="Gold", min_points=50)
    pau = contact_services.create_contact(actor=admin_user, first_name="Pau")
    loyalty.adjust_points(pau, 10, actor=admin_user, note="Welcome gift")

    listed = admin_api.get(ACCOUNTS).json()
    gold_only = admin_api.get(ACCOUNTS, {"tier": gold.pk}).json()
    one = admin_api.get(f"{ACCOUNTS}{anna_account.pk}/").json()

    assert [row["balance"] for row in listed["results"]] == [100, 10]
    assert [row["contact"] for row in gold_only["results"]] == [anna_account.contact_id]
    assert {k: one[k] for k in ("balance", "lifetime_points", "tier", "tier_name")} == {
        "balance": 100,
        "lifetime_points": 100,
        "tier": gold.pk,
        "tier_name": "Gold",
    }


def test_the_ledger_newest_first(admin_api, anna_account, mug, admin_user):
    loyalty.redeem_reward(anna_account.contact, mug, actor=admin_user)

    rows = admin_api.get(f"{ACCOUNTS}{anna_account.pk}/ledger/").json()["results"]

    assert [(r["kind"], r["points"], r["reward"]) for r in rows] == [
        ("redemption", -60, mug.pk),
        ("adjustment", 100, None),
    ]


def test_redeem_and_adjust(admin_api, anna_account, mug):
    redeemed = admin_api.post(
        f"{ACCOUNTS}{anna_account.pk}/redeem/", {"reward": mug.pk, "note": "Shop"}, format="json"
    )
    adjusted = admin_api.post(
        f"{ACCOUNTS}{anna_account.pk}/adjust/", {"points": -15, "note": "Typo"}, format="json"
    )

    assert redeemed.status_code == 201
    assert (redeemed.json()["points"], redeemed.json()["balance"]) == (-60, 40)
    assert adjusted.status_code == 201
    assert adjusted.json()["balance"] == 25


def test_redeeming_too_much_is_a_clear_400(admin_api, anna_account, admin_user):
    dear = loyalty.save_reward(actor=admin_user, name="Bike", points_cost=5000)

    response = admin_api.post(
        f"{ACCOUNTS}{anna_account.pk}/redeem/", {"reward": dear.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "The request has invalid fields.",
        "fields": {"reward": ["Not enough points: 100 of the 5000 this reward needs."]},
    }


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("redeem", {"reward": "abc"}, "reward"),
        ("redeem", {"reward": 10**30}, "reward"),
        ("redeem", {"reward": 999999}, "reward"),
        ("redeem", {"reward": None}, "reward"),
        ("redeem", {}, "reward"),
        ("redeem", {"reward": 1, "note": "x" * 501}, "note"),
        ("redeem", {"reward": 1, "extra": 1}, "extra"),
        ("adjust", {"points": 1.5, "note": "x"}, "points"),
        ("adjust", {"points": "1e30", "note": "x"}, "points"),
        ("adjust", {"points": 10**13, "note": "x"}, "points"),
        ("adjust", {"points": 5}, "note"),
        ("adjust", {"points": 5, "note": "a\x00b"}, "note"),
        ("adjust", {"points": 0, "note": "x"}, "points"),
        ("adjust", {"points": -101, "note": "x"}, "points"),
        ("adjust", [1, 2], "non_field_errors"),
    ],
)
def test_bad_bodies_are_refused_and_write_nothing(admin_api, anna_account, path, body, field):
    response = admin_api.post(f"{ACCOUNTS}{anna_account.pk}/{path}/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert PointsEntry.objects.count() == 1  # the welcome gift


def test_malformed_json_and_oversized_bodies(admin_api, anna_account, settings):
    url = f"{ACCOUNTS}{anna_account.pk}/adjust/"
    broken = admin_api.post(url, '{"points": 5,', content_type="application/json")
    settings.API_MAX_BODY_BYTES = 1000
    huge = admin_api.post(url, {"points": 5, "note": "x" * 5000}, format="json")

    assert (broken.status_code, broken.json()["code"]) == (400, "malformed")
    assert (huge.status_code, huge.json()["code"]) == (413, "too_large")
    assert PointsEntry.objects.count() == 1


@pytest.mark.parametrize(
    "query", [{"tier": "abc"}, {"contact": "1e30"}, {"cursor": "x" * 2000}, {"ordering": "evil"}]
)
def test_malformed_list_parameters_are_a_400(admin_api, query):
    assert admin_api.get(ACCOUNTS, query).status_code == 400


# --- permissions ---------------------------------------------------------------------------------


def test_sales_read_but_cannot_change_points_rewards_or_tiers(api, make_user, anna_account, mug):
    seller = api(make_user("sales", scope="all"))

    assert seller.get(f"{ACCOUNTS}{anna_account.pk}/").status_code == 200
    assert seller.get(REWARDS).status_code == 200
    for url, body in [
        (f"{ACCOUNTS}{anna_account.pk}/redeem/", {"reward": mug.pk}),
        (f"{ACCOUNTS}{anna_account.pk}/adjust/", {"points": 5, "note": "x"}),
        (REWARDS, {"name": "Pen", "points_cost": 5}),
        (TIERS, {"name": "Gold", "min_points": 5}),
    ]:
        assert seller.post(url, body, format="json").status_code == 403, url
    assert seller.delete(f"{REWARDS}{mug.pk}/").status_code == 403
    assert LoyaltyAccount.objects.get(pk=anna_account.pk).balance == 100


def test_read_only_cannot_write(api, make_user, anna_account, mug):
    reader = api(make_user("read_only"))

    assert reader.get(f"{ACCOUNTS}{anna_account.pk}/ledger/").status_code == 200
    assert reader.patch(f"{REWARDS}{mug.pk}/", {"name": "X"}, format="json").status_code == 403
    adjust = reader.post(
        f"{ACCOUNTS}{anna_account.pk}/adjust/", {"points": 5, "note": "x"}, format="json"
    )
    assert adjust.status_code == 403


def test_accounts_out_of_scope_are_not_found(api, make_user, make_team, anna_account):
    seller = api(make_user("sales", teams=[make_team("North")]))

    assert seller.get(ACCOUNTS).json()["results"] == []
    assert seller.get(f"{ACCOUNTS}{anna_account.pk}/").status_code == 404
    assert seller.get(f"{ACCOUNTS}{anna_account.pk}/ledger/").status_code == 404


def test_marketing_may_redeem_but_without_a_token_nobody_may(api, make_user, anna_account, mug):
    marketer = api(make_user("marketing"))
    from rest_framework.test import APIClient

    anonymous = APIClient().get(ACCOUNTS)
    redeemed = marketer.post(
        f"{ACCOUNTS}{anna_account.pk}/redeem/", {"reward": mug.pk}, format="json"
    )

    assert anonymous.status_code == 401
    assert redeemed.status_code == 201


# --- rewards and tiers ---------------------------------------------------------------------------


def test_rewards_crud_with_etags(admin_api):
    created = admin_api.post(REWARDS, {"name": "Mug", "points_cost": 60}, format="json")
    url = f"{REWARDS}{created.json()['id']}/"
    tag = created["ETag"]

    changed = admin_api.patch(url, {"stock": 5}, format="json", HTTP_IF_MATCH=tag)
    stale = admin_api.patch(url, {"stock": 9}, format="json", HTTP_IF_MATCH=tag)
    stale_delete = admin_api.delete(url, HTTP_IF_MATCH=tag)
    deleted = admin_api.delete(url, HTTP_IF_MATCH=changed["ETag"])

    assert created.status_code == 201
    assert created.json() == {
        "id": created.json()["id"],
        "name": "Mug",
        "description": "",
        "points_cost": 60,
        "active": True,
        "stock": None,
        "version": 1,
    }
    assert (changed.status_code, changed.json()["stock"], changed.json()["version"]) == (200, 5, 2)
    assert (stale.status_code, stale.json()["code"]) == (412, "precondition_failed")
    assert stale_delete.status_code == 412
    assert deleted.status_code == 204
    assert Reward.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {"name": "", "points_cost": 5},
        {"name": "x" * 201, "points_cost": 5},
        {"name": "Pen", "points_cost": 0},
        {"name": "Pen", "points_cost": 10**13},
        {"name": "Pen", "points_cost": "lots"},
        {"name": "Pen", "points_cost": 5, "stock": -1},
        {"name": "Pen", "points_cost": 5, "stock": 10**12},
        {"name": "Pen\x00", "points_cost": 5},
        {"name": "Pen", "points_cost": 5, "owner": 1},
        {"name": ["Pen"], "points_cost": 5},
    ],
)
def test_bad_rewards_are_refused(admin_api, body):
    response = admin_api.post(REWARDS, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert Reward.objects.count() == 0


def test_tiers_crud_and_duplicates(admin_api, anna_account):
    gold = admin_api.post(TIERS, {"name": "Gold", "min_points": 50}, format="json")
    twin = admin_api.post(TIERS, {"name": "Gold", "min_points": 50}, format="json")

    assert gold.status_code == 201
    assert LoyaltyAccount.objects.get(pk=anna_account.pk).tier_id == gold.json()["id"]
    assert twin.status_code == 400
    assert sorted(twin.json()["fields"]) == ["min_points", "name"]

    moved = admin_api.patch(
        f"{TIERS}{gold.json()['id']}/",
        {"min_points": 500},
        format="json",
        HTTP_IF_MATCH=gold["ETag"],
    )
    assert moved.status_code == 200
    assert LoyaltyAccount.objects.get(pk=anna_account.pk).tier_id is None
    assert admin_api.delete(f"{TIERS}{gold.json()['id']}/").status_code == 204
    assert LoyaltyTier.objects.count() == 0


def test_the_endpoints_are_in_the_openapi_schema(client):
    paths = client.get("/api/v1/schema/", {"format": "json"}).json()["paths"]

    assert {
        "/api/v1/loyalty-accounts/",
        "/api/v1/loyalty-accounts/{id}/ledger/",
        "/api/v1/loyalty-accounts/{id}/redeem/",
        "/api/v1/loyalty-accounts/{id}/adjust/",
        "/api/v1/rewards/{id}/",
        "/api/v1/loyalty-tiers/",
    } <= set(paths)
