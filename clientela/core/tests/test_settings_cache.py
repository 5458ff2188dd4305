"""Settings held per process: read once, forgotten when this process changes them, and never
remembered from a transaction that changed them (it may yet roll back)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from clientela.contacts.models import Contact
from clientela.core import customfields, settings_cache
from clientela.core.models import CustomField

pytestmark = pytest.mark.django_db(transaction=True)


def _define(key):
    return CustomField.objects.create(
        content_type=ContentType.objects.get_for_model(Contact), key=key, label=key.title()
    )


def _keys():
    return [field.key for field in customfields.definitions_for(Contact)]


def test_definitions_are_read_once_then_held():
    _define("score")
    assert _keys() == ["score"]

    with CaptureQueriesContext(connection) as queries:
        assert _keys() == ["score"]

    assert len(queries) == 0


def test_a_change_in_this_process_is_seen_at_once():
    assert _keys() == []
    field = _define("score")
    assert _keys() == ["score"]
    field.delete()
    assert _keys() == []


def test_a_change_rolled_back_is_not_remembered():
    assert _keys() == []
    with pytest.raises(RuntimeError), transaction.atomic():
        _define("ghost")
        assert _keys() == ["ghost"]  # this transaction sees its own change...
        raise RuntimeError("undo")

    assert _keys() == []  # ...which nobody remembers once it is rolled back


def test_stale_values_are_read_again(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(settings_cache.time, "monotonic", lambda: clock[0])
    assert _keys() == []
    # Another process's change: no signal here, so the values are held until stale.
    late = CustomField(content_type=ContentType.objects.get_for_model(Contact), key="late")
    CustomField.objects.bulk_create([late])
    clock[0] += settings_cache.FRESH_FOR - 1
    assert _keys() == []
    clock[0] += 2
    assert _keys() == ["late"]
