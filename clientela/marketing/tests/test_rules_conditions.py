"""Every operator and behaviour condition of the contact catalogue, on hand-built data with
the exact contacts expected."""

import pytest

from clientela.core.models import Team
from clientela.marketing import rules

from . import world as w

pytestmark = pytest.mark.django_db


def names(tree):
    contacts = rules.queryset("contact", tree, now=w.NOW)
    return sorted(contacts.values_list("first_name", flat=True))


def one(field, operator, value=None, **params):
    rule = {"field": field, "operator": operator}
    if value is not None:
        rule["value"] = value
    if params:
        rule["params"] = params
    return {"op": "and", "rules": [rule]}


@pytest.fixture
def people(make_user):
    owner = make_user("sales", username="olga")
    team = Team.objects.create(name="North", handle="north")
    ana = w.contact(
        "Ana",
        region="Girona",
        city="Olot",
        language="ca",
        lifecycle_stage="customer",
        owner=owner,
        team=team,
        tags=["vip", "newsletter"],
        emails=["ana@gmail.com"],
        completeness=80,
    )
    bea = w.contact(
        "Bea",
        region="Madrid",
        language="es",
        lifecycle_stage="lead",
        tags=["vip"],
        emails=["bea@empresa.es"],
        completeness=40,
    )
    cai = w.contact("Cai", region="", language="", lifecycle_stage="customer", owner=owner)
    Contact = type(ana)
    Contact.objects.filter(pk=cai.pk).update(created_at=w.ago(400))
    Contact.objects.filter(pk__in=[ana.pk, bea.pk]).update(created_at=w.ago(10))
    gone = w.contact("Gone", region="Girona", lifecycle_stage="customer")
    Contact.all_objects.filter(pk=gone.pk).update(deleted_at=w.NOW)
    return {"ana": ana, "bea": bea, "cai": cai, "owner": owner, "team": team}


# --- plain fields ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "operator", "value", "expected"),
    [
        ("region", "eq", "Girona", ["Ana"]),
        ("region", "ne", "Girona", ["Bea", "Cai"]),
        ("region", "contains", "ADR", ["Bea"]),
        ("region", "not_contains", "ron", ["Bea", "Cai"]),
        ("region", "starts_with", "gi", ["Ana"]),
        ("region", "in", ["Girona", "Madrid"], ["Ana", "Bea"]),
        ("region", "not_in", ["Girona"], ["Bea", "Cai"]),
        ("region", "is_empty", None, ["Cai"]),
        ("region", "is_not_empty", None, ["Ana", "Bea"]),
        ("community", "eq", "cataluna", ["Ana"]),
        ("community", "in", ["cataluna", "madrid"], ["Ana", "Bea"]),
        ("community", "ne", "cataluna", ["Bea", "Cai"]),
        ("language", "eq", "ca", ["Ana"]),
        ("language", "is_empty", None, ["Cai"]),
        ("lifecycle_stage", "in", ["customer"], ["Ana", "Cai"]),
        ("lifecycle_stage", "not_in", ["customer"], ["Bea"]),
        ("completeness", "gt", 40, ["Ana"]),
        ("completeness", "gte", "40", ["Ana", "Bea"]),
        ("completeness", "lt", 40, ["Cai"]),
        ("completeness", "lte", 40, ["Bea", "Cai"]),
        ("completeness", "between", [30, "50"], ["Bea"]),
        ("completeness", "eq", "80.0", ["Ana"]),
        ("email", "contains", "gmail", ["Ana"]),
        ("email", "not_contains", "gmail", ["Bea", "Cai"]),
        ("email", "eq", "bea@empresa.es", ["Bea"]),
        ("email", "is_empty", None, ["Cai"]),
        ("tags", "has_any", ["newsletter", "nope"], ["Ana"]),
        ("tags", "has_all", ["vip", "newsletter"], ["Ana"]),
        ("tags", "has_none", ["vip"], ["Cai"]),
        ("created_at", "within_last_days", 30, ["Ana", "Bea"]),
        ("created_at", "more_than_days_ago", 30, ["Cai"]),
        ("created_at", "not_within_last_days", 30, ["Cai"]),
        ("has_phone", "is_false", None, ["Ana", "Bea", "Cai"]),
    ],
)
def test_plain_field_operators(people, field, operator, value, expected):
    assert names(one(field, operator, value)) == expected


def test_owner_and_team_by_id(people):
    owner, team = people["owner"], people["team"]
    assert names(one("owner", "eq", owner.pk)) == ["Ana", "Cai"]
    assert names(one("owner", "ne", str(owner.pk))) == ["Bea"]  # unassigned counts as "not"
    assert names(one("owner", "is_empty")) == ["Bea"]
    assert names(one("team", "in", [team.pk])) == ["Ana"]
    assert names(one("team", "not_in", [team.pk])) == ["Bea", "Cai"]


def test_dates_before_after_on_between_use_local_days(people):
    Contact = type(people["ana"])
    # 23:30 in Madrid on 2026-03-01 is 22:30 UTC: the local day counts.
    import datetime

    late = datetime.datetime(2026, 3, 1, 22, 30, tzinfo=datetime.UTC)
    Contact.objects.filter(pk=people["bea"].pk).update(created_at=late)
    assert names(one("created_at", "on", "2026-03-01")) == ["Bea"]
    assert names(one("created_at", "on", "2026-03-02")) == []
    assert names(one("created_at", "before", "2026-03-01")) == ["Cai"]
    assert names(one("created_at", "after", "2026-03-01")) == ["Ana"]
    assert names(one("created_at", "between", ["2026-01-01", "2026-03-01"])) == ["Bea"]


# --- custom fields and consent --------------------------------------------------------------------


def test_custom_fields_of_each_type(people):
    w.custom_field("budget", "decimal")
    w.custom_field("seats", "integer")
    w.custom_field("plan", "choice", choices=["basic", "pro"])
    w.custom_field("hobbies", "multi_choice", choices=["ski", "surf", "golf"])
    w.custom_field("renewal", "date")
    w.custom_field("partner", "boolean")
    w.custom_field("note", "text")
    Contact = type(people["ana"])
    Contact.objects.filter(pk=people["ana"].pk).update(
        custom_fields={
            "budget": "1250.5",
            "seats": 3,
            "plan": "pro",
            "hobbies": ["ski", "golf"],
            "renewal": "2026-07-01",
            "partner": True,
            "note": "Prefers mornings",
        }
    )
    Contact.objects.filter(pk=people["bea"].pk).update(
        custom_fields={
            "budget": "99",
            "seats": 12,
            "plan": "basic",
            "hobbies": ["surf"],
            "renewal": "2025-01-01",
            "partner": False,
        }
    )
    assert names(one("cf.budget", "gt", 100)) == ["Ana"]
    assert names(one("cf.budget", "between", [50, 100])) == ["Bea"]
    assert names(one("cf.seats", "gte", 10)) == ["Bea"]
    assert names(one("cf.plan", "eq", "pro")) == ["Ana"]
    assert names(one("cf.plan", "ne", "pro")) == ["Bea", "Cai"]
    assert names(one("cf.plan", "in", ["basic", "pro"])) == ["Ana", "Bea"]
    assert names(one("cf.plan", "is_empty")) == ["Cai"]
    assert names(one("cf.hobbies", "has_any", ["surf", "golf"])) == ["Ana", "Bea"]
    assert names(one("cf.hobbies", "has_all", ["ski", "golf"])) == ["Ana"]
    assert names(one("cf.hobbies", "has_none", ["ski"])) == ["Bea", "Cai"]
    assert names(one("cf.renewal", "after", "2026-06-30")) == ["Ana"]
    assert names(one("cf.renewal", "before", "2026-01-01")) == ["Bea"]
    assert names(one("cf.renewal", "more_than_days_ago", 30)) == ["Bea"]
    assert names(one("cf.partner", "is_true")) == ["Ana"]
    assert names(one("cf.partner", "is_false")) == ["Bea"]
    assert names(one("cf.note", "contains", "MORNING")) == ["Ana"]
    assert names(one("cf.note", "not_contains", "morning")) == ["Bea", "Cai"]


def test_consent_per_purpose_is_the_latest_record(people):
    w.consent(people["ana"], "newsletter", "grant")
    w.consent(people["bea"], "newsletter", "grant")
    w.consent(people["bea"], "newsletter", "withdraw")
    w.consent(people["cai"], "profiling", "grant")
    assert names(one("consent.newsletter", "eq", "grant")) == ["Ana"]
    assert names(one("consent.newsletter", "eq", "withdraw")) == ["Bea"]
    assert names(one("consent.newsletter", "eq", "none")) == ["Cai"]
    assert names(one("consent.newsletter", "ne", "grant")) == ["Bea", "Cai"]
    assert names(one("consent.newsletter", "in", ["grant", "none"])) == ["Ana", "Cai"]
    assert names(one("consent_status", "eq", "unknown")) == ["Ana", "Bea", "Cai"]


# --- behaviour ------------------------------------------------------------------------------------


def test_purchases_count_total_and_last_date(people):
    ana, bea, cai = people["ana"], people["bea"], people["cai"]
    w.purchase(ana, 10, "150.00")
    w.purchase(ana, 40, "100.00")
    w.purchase(ana, 200, "1000.00")
    w.purchase(bea, 100, "50.00")
    w.purchase(bea, 5, "500.00", status="refunded")  # refunds are not purchases
    w.purchase(cai, 3, "999.00", deleted=True)  # nor trashed ones
    assert names(one("purchases.count", "eq", 3)) == ["Ana"]
    assert names(one("purchases.count", "lt", 1)) == ["Cai"]
    assert names(one("purchases.count", "lte", 1)) == ["Bea", "Cai"]
    assert names(one("purchases.count", "gte", 1, days=90)) == ["Ana"]
    assert names(one("purchases.count", "eq", 0, days=90)) == ["Bea", "Cai"]
    assert names(one("purchases.count", "between", [1, 2], days=120)) == ["Ana", "Bea"]
    assert names(one("purchases.total", "gt", "200", days=90)) == ["Ana"]
    assert names(one("purchases.total", "gt", "250", days=90)) == []
    assert names(one("purchases.total", "lt", "100")) == ["Bea", "Cai"]
    assert names(one("purchases.total", "ne", "1250")) == ["Bea", "Cai"]
    assert names(one("purchases.last_date", "within_last_days", 30)) == ["Ana"]
    assert names(one("purchases.last_date", "not_within_last_days", 30)) == ["Bea", "Cai"]
    assert names(one("purchases.last_date", "more_than_days_ago", 30)) == ["Bea"]
    assert names(one("purchases.last_date", "is_empty")) == ["Cai"]
    assert names(one("purchases.last_date", "is_not_empty")) == ["Ana", "Bea"]
    day = w.ago(100).date().isoformat()
    assert names(one("purchases.last_date", "on", day)) == ["Bea"]
    assert names(one("purchases.last_date", "before", w.ago(50).date().isoformat())) == ["Bea"]
    assert names(one("purchases.last_date", "after", w.ago(50).date().isoformat())) == ["Ana"]


def test_numbers_of_the_same_purchases_share_one_grouping(people):
    ana, bea = people["ana"], people["bea"]
    for days in (1, 2, 3, 4, 5):
        w.purchase(ana, days, "10.00")  # often
    w.purchase(bea, 10, "1600.00")  # much
    w.purchase(people["cai"], 10, "100.00")  # neither
    month = {"days": 30}
    often, much = (
        {"field": "purchases.count", "operator": "gte", "value": 5, "params": month},
        {"field": "purchases.total", "operator": "gt", "value": "1500", "params": month},
    )
    either = {"op": "or", "rules": [often, much]}
    both = {"op": "and", "rules": [often, {**much, "value": "40"}]}
    windows = {"op": "or", "rules": [often, {**much, "params": {"days": 3}}]}

    assert names(either) == ["Ana", "Bea"]
    assert names(both) == ["Ana"]
    assert names(windows) == ["Ana"]  # Bea's purchase is older than three days

    def groupings(tree):
        return str(rules.queryset("contact", tree, now=w.NOW).query).upper().count("GROUP BY")

    assert groupings(either) == 1
    assert groupings(windows) == 2


def test_a_whole_purchase_history_is_read_from_the_totals_kept_on_the_contact(people):
    ana, bea = people["ana"], people["bea"]
    for days in (1, 2, 3, 4, 5):
        w.purchase(ana, days, "10.00")
    w.purchase(bea, 400, "1600.00")
    w.purchase(bea, 500, "5.00", status="refunded")
    either = {
        "op": "or",
        "rules": [
            {"field": "purchases.count", "operator": "gte", "value": 5},
            {"field": "purchases.total", "operator": "gt", "value": "1500"},
        ],
    }

    assert names(either) == ["Ana", "Bea"]
    assert names(one("purchases.last_date", "more_than_days_ago", 365)) == ["Bea"]
    assert names(one("purchases.last_date", "is_empty")) == ["Cai"]
    assert names(one("purchases.count", "eq", 0)) == ["Cai"]
    sql = str(rules.queryset("contact", either, now=w.NOW).query).upper()
    assert "SALES_PURCHASE" not in sql


def test_no_purchase_in_a_window_is_the_absence_of_one(people):
    w.purchase(people["ana"], 10, "10.00")
    w.purchase(people["bea"], 100, "10.00")
    none_lately = one("purchases.count", "lt", 1, days=30)

    assert names(none_lately) == ["Bea", "Cai"]
    assert names(one("purchases.count", "lte", 1, days=30)) == ["Ana", "Bea", "Cai"]
    assert "GROUP BY" not in str(rules.queryset("contact", none_lately, now=w.NOW).query)


def test_purchases_of_one_product(people):
    shoes, hats = w.product("Shoes"), w.product("Hats")
    w.purchase(people["ana"], 10, "80", product=shoes)
    w.purchase(people["bea"], 10, "30", product=hats)
    w.purchase(people["bea"], 400, "30", product=shoes)
    assert names(one("purchases.count", "gte", 1, product=shoes.pk)) == ["Ana", "Bea"]
    assert names(one("purchases.count", "gte", 1, product=shoes.pk, days=30)) == ["Ana"]
    assert names(one("purchases.last_date", "within_last_days", 30, product=hats.pk)) == ["Bea"]


def test_user_story_catalonia_bought_in_90_days_spent_over_200(people):
    ana, bea = people["ana"], people["bea"]
    girona = w.contact("Dani", region="Barcelona")
    w.purchase(ana, 20, "120")
    w.purchase(ana, 80, "90.50")  # 210.50 in 90 days
    w.purchase(girona, 20, "150")
    w.purchase(girona, 200, "500")  # only 150 in the last 90 days
    w.purchase(bea, 1, "900")  # Madrid
    tree = {
        "op": "and",
        "rules": [
            {"field": "community", "operator": "eq", "value": "cataluna"},
            {"field": "purchases.total", "operator": "gt", "value": 200, "params": {"days": 90}},
        ],
    }
    assert names(tree) == ["Ana"]


def test_campaign_engagement(people):
    spring, summer = w.campaign("Spring"), w.campaign("Summer")
    w.opened(people["ana"], spring, 5, clicked=True)
    w.opened(people["bea"], summer, 60)
    assert names(one("campaigns.opened", "is_true")) == ["Ana", "Bea"]
    assert names(one("campaigns.opened", "is_true", days=30)) == ["Ana"]
    assert names(one("campaigns.opened", "is_false", days=30)) == ["Bea", "Cai"]
    assert names(one("campaigns.opened", "is_true", campaign=summer.pk)) == ["Bea"]
    assert names(one("campaigns.clicked", "is_true")) == ["Ana"]
    assert names(one("campaigns.clicked", "is_false")) == ["Bea", "Cai"]


def test_activity_recency(people):
    w.activity(people["ana"], 3)
    w.activity(people["bea"], 45)
    w.activity(people["bea"], 2, deleted=True)
    w.activity(people["cai"], -5)  # a meeting ahead is not activity yet
    assert names(one("activities.last_date", "within_last_days", 30)) == ["Ana"]
    assert names(one("activities.last_date", "not_within_last_days", 30)) == ["Bea", "Cai"]
    assert names(one("activities.last_date", "more_than_days_ago", 30)) == ["Bea"]
    assert names(one("activities.last_date", "is_empty")) == ["Cai"]
    assert names(one("activities.count", "gte", 1, days=60)) == ["Ana", "Bea"]


def test_form_submissions(people):
    contact_form, fair = w.web_form("Contact"), w.web_form("Fair")
    w.submission(people["ana"], contact_form, 2)
    w.submission(people["bea"], fair, 50)
    assert names(one("forms.submitted", "is_true")) == ["Ana", "Bea"]
    assert names(one("forms.submitted", "is_true", form=fair.pk)) == ["Bea"]
    assert names(one("forms.submitted", "is_true", days=10)) == ["Ana"]
    assert names(one("forms.submitted", "is_false", days=10)) == ["Bea", "Cai"]


def test_case_history_and_satisfaction(people):
    w.case(people["ana"], 5, status="open")
    w.case(people["bea"], 100, status="closed", score=2)
    w.case(people["bea"], 20, status="resolved", score=5)
    w.case(people["cai"], 10, status="closed", score=5)
    assert names(one("cases.open", "is_true")) == ["Ana"]
    assert names(one("cases.open", "is_false")) == ["Bea", "Cai"]
    assert names(one("cases.count", "gte", 2)) == ["Bea"]
    assert names(one("cases.count", "eq", 1, days=30)) == ["Ana", "Bea", "Cai"]
    assert names(one("cases.csat", "gte", "3.5")) == ["Bea", "Cai"]
    assert names(one("cases.csat", "lt", 4)) == ["Bea"]  # no survey: no average, no match
    assert names(one("cases.csat", "eq", 5, days=30)) == ["Bea", "Cai"]


# --- groups ---------------------------------------------------------------------------------------


def test_and_or_nesting(people):
    w.purchase(people["cai"], 5, "10")
    tree = {
        "op": "or",
        "rules": [
            {
                "op": "and",
                "rules": [
                    {"field": "region", "operator": "eq", "value": "Girona"},
                    {"field": "tags", "operator": "has_any", "value": ["vip"]},
                ],
            },
            {
                "op": "and",
                "rules": [
                    {"field": "lifecycle_stage", "operator": "eq", "value": "customer"},
                    {
                        "op": "or",
                        "rules": [
                            {"field": "purchases.count", "operator": "gte", "value": 1},
                            {"field": "region", "operator": "eq", "value": "Madrid"},
                        ],
                    },
                ],
            },
        ],
    }
    assert names(tree) == ["Ana", "Cai"]
    tree["op"] = "and"
    assert names(tree) == []
    assert names({"op": "and", "rules": []}) == ["Ana", "Bea", "Cai"]
    assert names({"op": "or", "rules": []}) == ["Ana", "Bea", "Cai"]


def test_a_tree_is_one_query(people, django_assert_num_queries):
    tree = {
        "op": "or",
        "rules": [
            {"field": "purchases.total", "operator": "gt", "value": 200, "params": {"days": 90}},
            {"field": "campaigns.opened", "operator": "is_false", "params": {"days": 30}},
            {"field": "activities.last_date", "operator": "more_than_days_ago", "value": 30},
            {"field": "consent.newsletter", "operator": "eq", "value": "grant"},
            {"field": "tags", "operator": "has_all", "value": ["vip", "newsletter"]},
        ],
    }
    contacts = rules.queryset("contact", tree, now=w.NOW)  # validation reads nothing here
    with django_assert_num_queries(1):
        contacts.count()


def test_companies_and_deals_have_their_own_catalogue(people):
    from clientela.contacts.models import Company

    acme = Company.objects.create(name="Acme", region="Lleida", industry="retail")
    Company.objects.create(name="Other", region="Sevilla", industry="finance")
    companies = rules.queryset(
        "company",
        {"op": "and", "rules": [{"field": "community", "operator": "eq", "value": "cataluna"}]},
    )
    assert list(companies) == [acme]
    with pytest.raises(rules.RuleError) as error:
        rules.validate("deal", one("purchases.count", "gt", 1))
    assert error.value.message_dict == {"rules.0.field": ["Unknown field."]}
    assert {f["name"] for f in rules.describe("deal")["fields"]} >= {"amount", "status", "pipeline"}
