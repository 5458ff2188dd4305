"""``all_or_nothing``: the services marked ``@transactions.atomic`` take no savepoint inside it
(an error undoes the whole block); elsewhere they keep theirs."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from clientela.core import transactions
from clientela.core.models import Tag

pytestmark = pytest.mark.django_db(transaction=True)


@transactions.atomic
def _tag(name, fail=False):
    Tag.objects.create(name=name)
    if fail:
        raise ValueError(name)


def _savepoints(queries):
    return [q["sql"] for q in queries.captured_queries if "SAVEPOINT" in q["sql"].upper()]


def test_inside_all_or_nothing_a_service_takes_no_savepoint():
    with CaptureQueriesContext(connection) as queries, transactions.all_or_nothing():
        _tag("a")
        _tag("b")

    assert _savepoints(queries) == []
    assert set(Tag.objects.values_list("name", flat=True)) == {"a", "b"}


def test_an_error_inside_undoes_the_whole_block():
    with pytest.raises(ValueError), transactions.all_or_nothing():
        _tag("a")
        _tag("b", fail=True)

    assert not Tag.objects.exists()


def test_elsewhere_a_service_keeps_its_savepoint():
    with transaction.atomic():
        _tag("kept")
        with pytest.raises(ValueError):
            _tag("undone", fail=True)  # its own savepoint rolls back; the caller goes on
        _tag("after")

    assert set(Tag.objects.values_list("name", flat=True)) == {"kept", "after"}
