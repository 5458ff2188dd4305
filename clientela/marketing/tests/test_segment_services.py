"""Segment services: what they write, what they refuse, what campaigns read."""

import pytest
from django.core.exceptions import ValidationError

from clientela.contacts.models import Contact
from clientela.core.models import ChangeRecord
from clientela.core.records import StaleRecord
from clientela.marketing.models import Segment, SegmentMember
from clientela.marketing.services import segments as services
from clientela.marketing.services.segments import segment_contacts

from . import world as w

pytestmark = pytest.mark.django_db

GIRONA = {"op": "and", "rules": [{"field": "region", "operator": "eq", "value": "Girona"}]}


@pytest.fixture
def actor(make_user):
    return make_user("marketing", username="mia")


@pytest.fixture
def people():
    return [
        w.contact("Ana", region="Girona"),
        w.contact("Bea", region="Girona"),
        w.contact("Cai", region="Madrid"),
    ]


def names(queryset):
    return sorted(queryset.values_list("first_name", flat=True))


def test_a_dynamic_segment_is_its_rules_evaluated_now(actor, people):
    segment = services.create_segment(actor=actor, name="  Girona  people ", rules=GIRONA)
    assert segment.name == "Girona people"
    assert names(segment_contacts(segment)) == ["Ana", "Bea"]
    w.contact("Dani", region="Girona")
    assert names(segment_contacts(segment)) == ["Ana", "Bea", "Dani"]
    assert services.count_segment(segment) == 3
    stored = Segment.objects.get(pk=segment.pk)
    assert (stored.cached_count, stored.counted_at is not None) == (3, True)
    assert ChangeRecord.objects.filter(object_id=segment.pk, action="create").count() == 1


def test_wrong_rules_are_refused_and_nothing_is_written(actor):
    tree = {"op": "and", "rules": [{"field": "region", "operator": "gt", "value": "x"}]}
    with pytest.raises(ValidationError) as error:
        services.create_segment(actor=actor, name="", rules=tree)
    assert error.value.message_dict == {
        "name": ["Give the segment a name."],
        "rules.0.operator": ["This operator cannot be used with this field."],
    }
    assert Segment.all_objects.count() == 0
    assert ChangeRecord.objects.count() == 0


def test_unknown_fields_and_type_changes_are_refused(actor):
    with pytest.raises(ValidationError) as error:
        services.create_segment(actor=actor, name="x", cached_count=5)
    assert error.value.message_dict == {"cached_count": ["Unknown field."]}
    segment = services.create_segment(actor=actor, name="x")
    with pytest.raises(ValidationError) as error:
        services.update_segment(segment, actor=actor, kind="static")
    assert error.value.message_dict == {"kind": ["This cannot be changed once the segment exists."]}


def test_update_checks_the_version_and_records_the_change(actor, people):
    segment = services.create_segment(actor=actor, name="G", rules=GIRONA)
    with pytest.raises(StaleRecord):
        services.update_segment(segment, actor=actor, expected_version=7, name="H")
    services.update_segment(segment, actor=actor, expected_version=1, name="H", tags=["spring"])
    segment.refresh_from_db()
    assert (segment.name, segment.version, [t.name for t in segment.tags.all()]) == (
        "H",
        2,
        ["spring"],
    )
    change = ChangeRecord.objects.filter(object_id=segment.pk, action="update").get()
    assert change.changes["name"] == ["G", "H"]


def test_a_static_list_has_no_rules_and_keeps_its_members(actor, people):
    ana, bea, cai = people
    segment = services.create_segment(actor=actor, name="VIP", kind="static", rules=GIRONA)
    assert segment.rules == {}
    assert services.add_members(segment, [ana, bea.pk, ana.pk], actor=actor) == 2
    assert services.add_members(segment, [bea, cai], actor=actor) == 1
    assert names(segment_contacts(segment)) == ["Ana", "Bea", "Cai"]
    assert services.remove_members(segment, [bea, 999999], actor=actor) == 1
    assert names(segment_contacts(segment)) == ["Ana", "Cai"]
    Contact.all_objects.filter(pk=cai.pk).update(deleted_at=w.NOW)
    assert names(segment_contacts(segment)) == ["Ana"]  # a trashed contact is in no segment
    changes = ChangeRecord.objects.filter(object_id=segment.pk, action="update").order_by("id")
    assert [c.changes for c in changes] == [
        {"members_added": [None, 2]},
        {"members_added": [None, 1]},
        {"members_removed": [None, 1]},
    ]


def test_members_only_on_static_lists_and_in_bounds(actor, people):
    dynamic = services.create_segment(actor=actor, name="D", rules=GIRONA)
    with pytest.raises(ValidationError):
        services.add_members(dynamic, people, actor=actor)
    static = services.create_segment(actor=actor, name="S", kind="static")
    with pytest.raises(ValidationError):
        services.add_members(static, list(range(1, 10_002)), actor=actor)
    with pytest.raises(ValidationError):
        services.add_members(static, ["1; DROP TABLE"], actor=actor)
    assert SegmentMember.objects.count() == 0


def test_freezing_copies_whoever_matches_now(actor, people):
    dynamic = services.create_segment(actor=actor, name="Girona", rules=GIRONA)
    frozen = services.freeze_segment(dynamic, actor=actor, name="Girona, June")
    w.contact("Later", region="Girona")
    assert (frozen.kind, frozen.name, frozen.cached_count) == ("static", "Girona, June", 2)
    assert names(segment_contacts(frozen)) == ["Ana", "Bea"]
    assert names(segment_contacts(dynamic)) == ["Ana", "Bea", "Later"]
    with pytest.raises(ValidationError):
        services.freeze_segment(frozen, actor=actor)


def test_trash_and_restore(actor):
    segment = services.create_segment(actor=actor, name="Old")
    services.delete_segments([segment], actor=actor)
    assert not Segment.objects.filter(pk=segment.pk).exists()
    assert Segment.all_objects.get(pk=segment.pk).deleted_at is not None
