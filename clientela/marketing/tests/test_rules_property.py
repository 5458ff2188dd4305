"""For random rule trees over a random small dataset, the SQL the engine makes selects exactly
the contacts a plain Python reading of the same tree selects."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientela.activities.models import Activity
from clientela.contacts.models import Contact
from clientela.core.models import Tag, User
from clientela.marketing import rules
from clientela.marketing.models import CampaignRecipient
from clientela.sales import rollups
from clientela.sales.models import Purchase

from . import world as w

pytestmark = pytest.mark.django_db

REGIONS = ["Girona", "girona", "Madrid", "Lleida", ""]
STAGES = ["lead", "customer", "mql"]
TAGS = ["vip", "news", "b2b"]
DAYS = st.integers(min_value=0, max_value=120)
WINDOWS = st.sampled_from([None, 7, 30, 90])


def moment(days):
    """Half a day past a whole number of days: never on a cut-off."""
    return w.NOW - datetime.timedelta(days=days, hours=12)


people = st.lists(
    st.fixed_dictionaries(
        {
            "region": st.sampled_from(REGIONS),
            "stage": st.sampled_from(STAGES),
            "owner": st.sampled_from([None, 0, 1]),
            "created": DAYS,
            "tags": st.sets(st.sampled_from(TAGS)),
            "purchases": st.lists(
                st.tuples(DAYS, st.integers(0, 400), st.sampled_from(["completed", "refunded"])),
                max_size=3,
            ),
            "activities": st.lists(DAYS, max_size=2),
            "opened": st.one_of(st.none(), DAYS),
        }
    ),
    min_size=1,
    max_size=6,
)


def leaf(owners):
    numbers = st.integers(0, 3)
    amounts = st.integers(0, 600)
    return st.one_of(
        st.tuples(
            st.just("region"),
            st.sampled_from(["eq", "ne", "contains", "starts_with", "in", "not_in"]),
            st.sampled_from(["Girona", "gir", "Madrid", "ona"]),
        ).map(lambda t: _rule(t[0], t[1], [t[2]] if t[1] in ("in", "not_in") else t[2])),
        st.sampled_from(["is_empty", "is_not_empty"]).map(lambda op: _rule("region", op)),
        st.tuples(st.sampled_from(["eq", "ne"]), st.sampled_from(STAGES)).map(
            lambda t: _rule("lifecycle_stage", *t)
        ),
        st.tuples(st.sampled_from(["eq", "ne"]), st.sampled_from(owners)).map(
            lambda t: _rule("owner", *t)
        ),
        st.just(_rule("owner", "is_empty")),
        st.tuples(
            st.sampled_from(["has_any", "has_all", "has_none"]),
            st.sets(st.sampled_from(TAGS), min_size=1),
        ).map(lambda t: _rule("tags", t[0], sorted(t[1]))),
        st.tuples(
            st.sampled_from(["within_last_days", "not_within_last_days", "more_than_days_ago"]),
            st.integers(1, 100),
        ).map(lambda t: _rule("created_at", *t)),
        st.tuples(st.sampled_from(["eq", "ne", "gt", "gte", "lt", "lte"]), numbers, WINDOWS).map(
            lambda t: _rule("purchases.count", t[0], t[1], days=t[2])
        ),
        st.tuples(st.sampled_from(["gt", "lt", "between"]), amounts, WINDOWS).map(
            lambda t: _rule(
                "purchases.total",
                t[0],
                [t[1], t[1] + 100] if t[0] == "between" else t[1],
                days=t[2],
            )
        ),
        st.tuples(
            st.sampled_from(["purchases.last_date", "activities.last_date"]),
            st.sampled_from(["within_last_days", "not_within_last_days", "more_than_days_ago"]),
            st.integers(1, 100),
        ).map(lambda t: _rule(*t)),
        st.tuples(
            st.sampled_from(["purchases.last_date", "activities.last_date"]),
            st.sampled_from(["is_empty", "is_not_empty"]),
        ).map(lambda t: _rule(*t)),
        st.tuples(st.sampled_from(["is_true", "is_false"]), WINDOWS).map(
            lambda t: _rule("campaigns.opened", t[0], days=t[1])
        ),
    )


def _rule(field, operator, value=None, **params):
    rule = {"field": field, "operator": operator}
    if value is not None:
        rule["value"] = value
    params = {k: v for k, v in params.items() if v is not None}
    if params:
        rule["params"] = params
    return rule


def trees(owners):
    return st.recursive(
        leaf(owners),
        lambda children: st.fixed_dictionaries(
            {
                "op": st.sampled_from(["and", "or"]),
                "rules": st.lists(children, min_size=1, max_size=3),
            }
        ),
        max_leaves=8,
    ).map(lambda node: node if "rules" in node else {"op": "and", "rules": [node]})


# --- the Python reading -------------------------------------------------------------------------


def matches(person, node):
    if "rules" in node:
        results = [matches(person, child) for child in node["rules"]]
        return all(results) if node["op"] == "and" else any(results)
    return check(person, node)


def check(p, rule):
    field, op, value = rule["field"], rule["operator"], rule.get("value")
    days = (rule.get("params") or {}).get("days")
    if field == "region":
        region = p["region"]
        return {
            "eq": lambda: region == value,
            "ne": lambda: region != value,
            "contains": lambda: str(value).lower() in region.lower(),
            "starts_with": lambda: region.lower().startswith(str(value).lower()),
            "in": lambda: region in value,
            "not_in": lambda: region not in value,
            "is_empty": lambda: region == "",
            "is_not_empty": lambda: region != "",
        }[op]()
    if field == "lifecycle_stage":
        return (p["stage"] == value) == (op == "eq")
    if field == "owner":
        if op == "is_empty":
            return p["owner_id"] is None
        return (p["owner_id"] == value) == (op == "eq")
    if field == "tags":
        wanted = set(value)
        return {
            "has_any": lambda: bool(p["tags"] & wanted),
            "has_all": lambda: wanted <= p["tags"],
            "has_none": lambda: not (p["tags"] & wanted),
        }[op]()
    if field == "created_at":
        return recency([p["created"]], op, value)
    completed = [(d, amount) for d, amount, status in p["purchases"] if status == "completed"]
    if field in ("purchases.count", "purchases.total"):
        window = [amount for d, amount in completed if days is None or d < days]
        number = len(window) if field == "purchases.count" else sum(window)
        if op == "between":
            return value[0] <= number <= value[1]
        return {
            "eq": number == value,
            "ne": number != value,
            "gt": number > value,
            "gte": number >= value,
            "lt": number < value,
            "lte": number <= value,
        }[op]
    if field == "purchases.last_date":
        return recency([d for d, _amount in completed], op, value)
    if field == "activities.last_date":
        return recency(p["activities"], op, value)
    if field == "campaigns.opened":
        opened = p["opened"] is not None and (days is None or p["opened"] < days)
        return opened == (op == "is_true")
    raise AssertionError(field)


def recency(ages, op, value):
    """Ages in whole days (each half a day more in the data) against a date operator."""
    if op == "is_empty":
        return not ages
    if op == "is_not_empty":
        return bool(ages)
    recent = any(age < value for age in ages)
    if op == "within_last_days":
        return recent
    if op == "not_within_last_days":
        return not recent
    return bool(ages) and not recent  # more_than_days_ago


# --- the property ---------------------------------------------------------------------------------


def build(dataset, owners):
    Contact.all_objects.all().delete()
    campaign = w.campaign("Property")
    tags = {name: Tag.objects.get_or_create(name=name)[0] for name in TAGS}
    expected = []
    for n, p in enumerate(dataset):
        p = dict(p, owner_id=None if p["owner"] is None else owners[p["owner"]])
        person = Contact.objects.create(
            first_name=f"P{n}",
            region=p["region"],
            lifecycle_stage=p["stage"],
            owner_id=p["owner_id"],
        )
        Contact.objects.filter(pk=person.pk).update(created_at=moment(p["created"]))
        person.tags.set([tags[t] for t in p["tags"]])
        for number, (days, amount, status) in enumerate(p["purchases"]):
            Purchase.objects.create(
                number=f"P{n}-{number}-{person.pk}",
                contact=person,
                purchased_at=moment(days),
                channel="store",
                status=status,
                total_base=Decimal(amount),
                total_amount=Decimal(amount),
            )
        rollups.refresh(Contact, [person.pk])  # as the purchase services do
        for days in p["activities"]:
            Activity.objects.create(kind="note", contact=person, timeline_at=moment(days))
        if p["opened"] is not None:
            CampaignRecipient.objects.create(
                campaign=campaign,
                contact=person,
                email="p@example.com",
                opened_at=moment(p["opened"]),
            )
        expected.append((person.pk, p))
    return expected


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_sql_matches_the_python_reading(make_user, data):
    owners = list(User.objects.filter(username__startswith="prop").values_list("pk", flat=True))
    if len(owners) < 2:
        owners = [make_user("sales", username=f"prop{i}").pk for i in range(2)]
    dataset = data.draw(people, label="dataset")
    tree = data.draw(trees(owners), label="tree")
    expected_people = build(dataset, owners)
    wanted = sorted(pk for pk, person in expected_people if matches(person, tree))
    tree = rules.validate("contact", tree)
    found = sorted(rules.queryset("contact", tree, now=w.NOW).values_list("pk", flat=True))
    assert found == wanted
