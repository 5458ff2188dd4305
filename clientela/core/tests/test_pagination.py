"""Keyset pagination: every row exactly once, in order, both ways, whatever the ties."""

import base64
import datetime
import json

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientela.contacts.models import Contact
from clientela.core.pagination import InvalidCursor, encode_cursor, paginate

pytestmark = pytest.mark.django_db

BASE = datetime.datetime(2024, 5, 1, 9, 30, tzinfo=datetime.UTC)
ORDERINGS = [
    ["sort_name", "id"],
    ["-sort_name", "-id"],
    ["sort_name", "-id"],
    ["-created_at", "id"],
    ["lifecycle_stage", "-created_at", "id"],
]


def make_rows(specs):
    """Contacts from (sort_name, minutes after BASE, stage) tuples, in that order."""
    return Contact.objects.bulk_create(
        [
            Contact(
                first_name=f"row{i}",
                sort_name=name,
                created_at=BASE + datetime.timedelta(minutes=minutes, microseconds=7),
                lifecycle_stage=stage,
            )
            for i, (name, minutes, stage) in enumerate(specs)
        ]
    )


def expected_order(ordering):
    rows = list(Contact.objects.all())
    for term in reversed(ordering):
        rows.sort(key=lambda r, t=term: getattr(r, t.lstrip("-")), reverse=term.startswith("-"))
    return [r.pk for r in rows]


def walk_forward(ordering, page_size):
    pages, cursor = [], None
    while True:
        page = paginate(Contact.objects.all(), ordering, cursor, page_size)
        pages.append(page)
        cursor = page.next_cursor
        if cursor is None:
            return pages


def walk_backward(ordering, page_size, cursor):
    pages = []
    while cursor is not None:
        page = paginate(Contact.objects.all(), ordering, cursor, page_size)
        pages.append(page)
        cursor = page.previous_cursor
    return pages


def ids(pages):
    return [item.pk for page in pages for item in page.items]


@pytest.fixture
def ties():
    return make_rows(
        [("b", 1, "lead"), ("a", 2, "customer"), ("b", 1, "lead"), ("a", 3, "lead")]
        + [("b", 2, "customer"), ("c", 1, "lead"), ("a", 2, "lead")]
    )


@pytest.mark.parametrize("ordering", ORDERINGS, ids=lambda o: ",".join(o))
def test_forward_walk_visits_every_row_once_in_order_across_ties(ties, ordering):
    pages = walk_forward(ordering, page_size=2)
    assert ids(pages) == expected_order(ordering)
    assert [len(p.items) for p in pages] == [2, 2, 2, 1]
    assert pages[0].previous_cursor is None
    assert all(p.previous_cursor for p in pages[1:])


@pytest.mark.parametrize("ordering", ORDERINGS, ids=lambda o: ",".join(o))
def test_backward_walk_from_the_last_page_gives_the_earlier_pages(ties, ordering):
    forward = walk_forward(ordering, page_size=2)
    backward = walk_backward(ordering, 2, forward[-1].previous_cursor)
    assert [[i.pk for i in p.items] for p in backward] == [
        [i.pk for i in p.items] for p in reversed(forward[:-1])
    ]
    assert backward[-1].previous_cursor is None
    assert all(p.next_cursor for p in backward)


def test_a_page_holding_everything_has_no_cursors(ties):
    page = paginate(Contact.objects.all(), ["sort_name", "id"], None, 50)
    assert (len(page.items), page.next_cursor, page.previous_cursor) == (7, None, None)


def test_empty_table_gives_an_empty_page():
    assert paginate(Contact.objects.all(), ["sort_name", "id"]).items == []


def test_cursor_position_survives_the_deletion_of_its_row(ties):
    first = paginate(Contact.objects.all(), ["sort_name", "id"], None, 3)
    Contact.objects.filter(pk=first.items[-1].pk).delete()
    second = paginate(Contact.objects.all(), ["sort_name", "id"], first.next_cursor, 3)
    assert [i.pk for i in second.items] == expected_order(["sort_name", "id"])[2:5]


def test_page_emptied_by_deletions_still_links_back(ties):
    first = paginate(Contact.objects.all(), ["sort_name", "id"], None, 5)
    Contact.objects.exclude(pk__in=[i.pk for i in first.items]).delete()
    empty = paginate(Contact.objects.all(), ["sort_name", "id"], first.next_cursor, 5)
    assert (empty.items, empty.next_cursor) == ([], None)
    back = paginate(Contact.objects.all(), ["sort_name", "id"], empty.previous_cursor, 5)
    # the rows before the cursor's position (the position itself was the last row shown)
    assert [i.pk for i in back.items] == [i.pk for i in first.items[:-1]]


def test_foreign_key_ordering_puts_ids_in_the_cursor(make_user):
    users = [make_user("sales") for _ in range(3)]
    Contact.objects.bulk_create([Contact(first_name=str(i), owner=users[i % 3]) for i in range(5)])
    first = paginate(Contact.objects.all(), ["owner", "id"], None, 2)
    raw = json.loads(base64.urlsafe_b64decode(first.next_cursor + "=="))
    assert raw["v"] == [first.items[-1].owner_id, first.items[-1].pk]
    rest = paginate(Contact.objects.all(), ["owner", "id"], first.next_cursor, 10)
    assert len(first.items) + len(rest.items) == 5


def test_datetime_cursor_keeps_microseconds(ties):
    first = paginate(Contact.objects.all(), ["-created_at", "id"], None, 1)
    raw = json.loads(base64.urlsafe_b64decode(first.next_cursor + "=="))
    assert raw["v"][0] == first.items[0].created_at.isoformat()
    assert raw["v"][0].endswith(".000007+00:00")


def _cursor(payload):
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


BAD_CURSORS = {
    "not base64": "!!!***",
    "not json": base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    "json list": _cursor([1, 2]),
    "json string": _cursor("x"),
    "missing direction": _cursor({"v": ["a", 1]}),
    "bad direction": _cursor({"v": ["a", 1], "d": "sideways"}),
    "values not a list": _cursor({"v": "a", "d": "next"}),
    "too few values": _cursor({"v": [1], "d": "next"}),
    "too many values": _cursor({"v": ["a", 1, 2], "d": "next"}),
    "null value": _cursor({"v": [None, 1], "d": "next"}),
    "nested value": _cursor({"v": [["a"], 1], "d": "next"}),
    "id not a number": _cursor({"v": ["a", "one"], "d": "next"}),
    "id too large": _cursor({"v": ["a", 10**30], "d": "next"}),
    "nul byte": _cursor({"v": ["a\x00", 1], "d": "prev"}),
    "text too long": _cursor({"v": ["x" * 400, 1], "d": "next"}),
    "non-ascii": "ñ" * 10,
    "too long": "A" * 1001,
}


@pytest.mark.parametrize("cursor", BAD_CURSORS.values(), ids=BAD_CURSORS.keys())
def test_bad_cursor_is_refused_cleanly(ties, cursor):
    with pytest.raises(InvalidCursor):
        paginate(Contact.objects.all(), ["sort_name", "id"], cursor, 2)


def test_bad_datetime_in_cursor_is_refused():
    cursor = encode_cursor(["yesterday", 1], "next")
    with pytest.raises(InvalidCursor):
        paginate(Contact.objects.all(), ["-created_at", "id"], cursor, 2)


def test_cursor_made_for_another_ordering_with_compatible_types_is_just_a_position(ties):
    cursor = encode_cursor([str(timezone.now()), 1], "next")
    page = paginate(Contact.objects.all(), ["sort_name", "id"], cursor, 50)
    # every sort_name ("a", "b", "c") sorts after a "2026-..." date string: all rows follow
    assert [i.pk for i in page.items] == expected_order(["sort_name", "id"])


NAMES = st.sampled_from(["", "a", "a b", "ab", "garcia lopez", "garciaz", "mun\x7foz", "munuera"])
ROWS = st.lists(
    st.tuples(NAMES, st.integers(0, 3), st.sampled_from(["lead", "customer"])),
    max_size=25,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=ROWS, ordering=st.sampled_from(ORDERINGS), page_size=st.integers(1, 6))
def test_walking_forward_then_back_visits_every_row_once_in_order(rows, ordering, page_size):
    with transaction.atomic():
        make_rows(rows)
        expected = expected_order(ordering)
        forward = walk_forward(ordering, page_size)
        assert ids(forward) == expected
        backward = walk_backward(ordering, page_size, forward[-1].previous_cursor)
        seen_back = [pk for page in reversed(backward) for pk in (i.pk for i in page.items)]
        assert seen_back + [i.pk for i in forward[-1].items] == expected
        transaction.set_rollback(True)
