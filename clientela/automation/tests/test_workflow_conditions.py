"""Conditions read in memory say what the SQL says, over random trees of a contact's own
columns and random contacts (hypothesis); trees that need more go to the database."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientela.automation.workflows import conditions
from clientela.contacts.models import Contact

pytestmark = pytest.mark.django_db

CITIES = ["Vic", "Olot", "vic", "Reus", ""]
TITLES = ["CEO", "Buyer", "", "ceo of x"]


def leaf():
    return st.one_of(
        st.builds(
            lambda op, v: {"field": "city", "operator": op, "value": v},
            st.sampled_from(["eq", "ne", "contains", "not_contains", "starts_with"]),
            st.sampled_from(["Vic", "vi", "Ol", "Reus"]),
        ),
        st.builds(
            lambda op, v: {"field": "city", "operator": op, "value": v},
            st.sampled_from(["in", "not_in"]),
            st.lists(st.sampled_from(CITIES[:4]), min_size=1, max_size=3),
        ),
        st.builds(
            lambda op: {"field": "job_title", "operator": op},
            st.sampled_from(["is_empty", "is_not_empty"]),
        ),
        st.builds(
            lambda op, v: {"field": "job_title", "operator": op, "value": v},
            st.sampled_from(["eq", "contains"]),
            st.sampled_from(["CEO", "ceo", "Buy"]),
        ),
        st.builds(
            lambda op, d: {"field": "created_at", "operator": op, "value": d},
            st.sampled_from(["before", "after", "on"]),
            st.sampled_from(["2026-01-10", "2026-02-01"]),
        ),
    )


trees = st.recursive(
    leaf(),
    lambda children: st.builds(
        lambda op, rules: {"op": op, "rules": rules},
        st.sampled_from(["and", "or"]),
        st.lists(children, min_size=1, max_size=3),
    ),
    max_leaves=6,
).map(lambda node: node if "rules" in node else {"op": "and", "rules": [node]})


@pytest.fixture
def people(db):
    made = []
    for n, (city, title) in enumerate((c, t) for c in CITIES for t in TITLES):
        made.append(
            Contact.objects.create(
                first_name=f"P{n}",
                city=city,
                job_title=title,
                created_at=datetime.datetime(2026, 1, 1 + n, 12, tzinfo=datetime.UTC),
            )
        )
    return made


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tree=trees)
def test_in_memory_and_sql_agree(people, tree):
    compiled = conditions.compile_conditions("contact", tree)
    assert compiled.in_memory
    selected = set(Contact.objects.filter(compiled.q).values_list("pk", flat=True))
    assert {p.pk for p in people if conditions.evaluate(compiled.q, p)} == selected


def test_trees_reading_related_rows_go_to_the_database(people):
    tree = {"op": "and", "rules": [{"field": "tags", "operator": "has_any", "value": ["vip"]}]}
    compiled = conditions.compile_conditions("contact", tree)
    assert compiled.in_memory is False
    assert compiled.matches(people[0]) is False


def test_a_tree_settled_by_the_records_columns_needs_no_query(people, django_assert_num_queries):
    tree = {
        "op": "and",
        "rules": [
            {"field": "tags", "operator": "has_any", "value": ["vip"]},
            {"field": "city", "operator": "eq", "value": "Nowhere"},
        ],
    }
    compiled = conditions.compile_conditions("contact", tree)
    with django_assert_num_queries(0):
        assert compiled.matches(people[0]) is False


def test_no_conditions_match_every_record_but_no_missing_one(people):
    compiled = conditions.compile_conditions("case", {"op": "and", "rules": []})
    assert compiled.matches(people[0]) is True
    with_rule = conditions.compile_conditions(
        "case", {"op": "and", "rules": [{"field": "city", "operator": "eq", "value": "Vic"}]}
    )
    assert with_rule.matches(None) is False
