"""The shared write path: versions, history, index and events for bulk and tracked changes."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clientela.contacts import services
from clientela.contacts.models import Company, Contact, ContactEmail
from clientela.core import events, records
from clientela.core.history import history_for
from clientela.core.models import ChangeRecord, SearchEntry, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def published():
    """The events published during the test, as (name, record pk, changes) after commit."""
    seen = []

    def handler(name, record=None, changes=None, **payload):
        seen.append((name, record.pk, changes))

    events.subscribe("*")(handler)
    yield seen
    events.unsubscribe("*", handler)


def make_contacts(actor, n, **fields):
    return [
        services.create_contact(actor=actor, first_name=f"P{i:02d}", **fields) for i in range(n)
    ]


# --- bulk_tag ------------------------------------------------------------------------------------


def test_bulk_tag_adds_and_removes_with_one_history_entry_per_changed_record(admin_user):
    vip, old = Tag.objects.create(name="vip"), Tag.objects.create(name="old")
    a, b, c = make_contacts(admin_user, 3)
    a.tags.add(vip)  # already tagged: only loses "old"... which it does not have -> unchanged
    b.tags.add(old)
    changed = records.bulk_tag([a, b, c], actor=admin_user, add=[vip], remove=[old])
    assert [r.pk for r in changed] == [b.pk, c.pk]
    assert sorted(Contact.objects.get(pk=b.pk).tags.values_list("name", flat=True)) == ["vip"]
    assert list(Contact.objects.get(pk=a.pk).tags.values_list("name", flat=True)) == ["vip"]
    assert history_for(b).first().changes == {"tags": [["old"], ["vip"]]}
    assert history_for(c).first().changes == {"tags": [[], ["vip"]]}
    assert history_for(a).first().action == "create"


def test_bulk_tag_bumps_versions_in_database_and_memory(admin_user):
    (a,) = make_contacts(admin_user, 1)
    records.bulk_tag([a], actor=admin_user, add=[Tag.objects.create(name="vip")])
    assert a.version == 2
    assert Contact.objects.get(pk=a.pk).version == 2


def test_bulk_tag_removing_a_tag_the_record_lacks_changes_nothing(admin_user):
    (a,) = make_contacts(admin_user, 1)
    assert records.bulk_tag([a], actor=admin_user, remove=[Tag.objects.create(name="x")]) == []
    assert Contact.objects.get(pk=a.pk).version == 1


def test_bulk_tag_with_a_tag_both_added_and_removed_removes_it(admin_user):
    vip = Tag.objects.create(name="vip")
    (a,) = make_contacts(admin_user, 1)
    a.tags.add(vip)
    records.bulk_tag([a], actor=admin_user, add=[vip], remove=[vip])
    assert list(a.tags.all()) == []


def test_bulk_tag_costs_the_same_queries_for_3_and_30_records(
    admin_user, django_assert_num_queries
):
    vip, old = Tag.objects.create(name="vip"), Tag.objects.create(name="old")
    few, many = make_contacts(admin_user, 3), make_contacts(admin_user, 30)
    for group in (few, many):
        for record in group:
            record.tags.add(old)
    # read links, insert links, delete links, bump versions, insert history; the history's
    # listener: insert feed entries, read the records' followers
    with django_assert_num_queries(7):
        records.bulk_tag(few, actor=admin_user, add=[vip], remove=[old])
    with django_assert_num_queries(7):
        records.bulk_tag(many, actor=admin_user, add=[vip], remove=[old])
    assert ChangeRecord.objects.filter(action="update").count() == 33


def test_bulk_tag_publishes_an_update_per_changed_record_after_commit(
    admin_user, published, django_capture_on_commit_callbacks
):
    a, b = make_contacts(admin_user, 2)
    with django_capture_on_commit_callbacks(execute=True):
        records.bulk_tag([a, b], actor=admin_user, add=[Tag.objects.create(name="vip")])
    assert published == [
        ("contact.updated", a.pk, {"tags": [[], ["vip"]]}),
        ("contact.updated", b.pk, {"tags": [[], ["vip"]]}),
    ]


def test_bulk_tag_drops_a_stale_prefetched_tag_cache(admin_user):
    make_contacts(admin_user, 1)
    (a,) = Contact.objects.prefetch_related("tags")
    records.bulk_tag([a], actor=admin_user, add=[Tag.objects.create(name="vip")])
    assert [t.name for t in a.tags.all()] == ["vip"]


# --- bulk_set ------------------------------------------------------------------------------------


def test_bulk_set_accepts_instances_and_ids_and_skips_records_already_set(admin_user, make_user):
    seller = make_user("sales")
    a, b = make_contacts(admin_user, 2)
    services.assign_records([a], actor=admin_user, owner=seller)
    a.refresh_from_db()
    changed = records.bulk_set([a, b], actor=admin_user, owner=seller.pk)
    assert changed == [b]
    assert b.owner == seller  # the stale cached owner (None) is not kept
    assert history_for(b).first().changes == {"owner": [None, seller.pk]}
    assert records.bulk_set([a, b], actor=admin_user, owner=seller) == []


def test_bulk_set_updates_version_index_and_memory(admin_user, make_user, make_team):
    team = make_team("Sales")
    (a,) = make_contacts(admin_user, 1)
    before = a.updated_at
    records.bulk_set([a], actor=admin_user, team=team)
    stored = Contact.objects.get(pk=a.pk)
    assert (stored.team_id, stored.version, a.version) == (team.pk, 2, 2)
    assert a.updated_at == stored.updated_at > before
    assert SearchEntry.objects.get(entity="contact", object_id=a.pk).team_id == team.pk


def test_bulk_set_to_none_clears_the_owner(admin_user):
    (a,) = make_contacts(admin_user, 1, owner=admin_user)
    records.bulk_set([a], actor=admin_user, owner=None)
    assert Contact.objects.get(pk=a.pk).owner_id is None
    assert history_for(a).first().changes == {"owner": [admin_user.pk, None]}


# --- track_update --------------------------------------------------------------------------------


def test_validation_error_inside_track_update_records_nothing(admin_user, published):
    contact = services.create_contact(actor=admin_user, first_name="Ana", emails=["a@x.es"])
    with pytest.raises(ValidationError):
        services.update_contact(
            contact, actor=admin_user, first_name="Changed", emails=["not an address"]
        )
    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.first_name, stored.version) == ("Ana", 1)
    assert list(ContactEmail.objects.values_list("email", flat=True)) == ["a@x.es"]
    assert [c.action for c in history_for(contact)] == ["create"]


def test_error_after_writes_inside_track_update_rolls_them_back(admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana", emails=["a@x.es"])
    with (
        pytest.raises(ValidationError),
        transaction.atomic(),  # what every service opens
        records.track_update(contact, actor=admin_user),
    ):
        contact.first_name = "Changed"
        contact.save()
        ContactEmail.objects.filter(contact=contact).delete()
        raise ValidationError("late failure")
    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.first_name, stored.version) == ("Ana", 1)
    assert ContactEmail.objects.filter(contact=contact).count() == 1
    assert ChangeRecord.objects.filter(action="update").count() == 0


def test_track_update_refuses_a_stale_version(admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    services.update_contact(contact, actor=admin_user, first_name="Anna")
    with pytest.raises(records.StaleRecord):
        services.update_contact(contact, actor=admin_user, expected_version=1, first_name="X")
    with pytest.raises(records.StaleRecord):
        services.update_contact(contact, actor=admin_user, expected_version="x", first_name="X")
    updated = services.update_contact(
        contact, actor=admin_user, expected_version="2", first_name="Anita"
    )
    assert (updated.first_name, updated.version) == ("Anita", 3)


def test_update_without_changes_keeps_the_version_and_records_nothing(admin_user, published):
    contact = services.create_contact(actor=admin_user, first_name="Ana", emails=["a@x.es"])
    services.update_contact(contact, actor=admin_user, first_name="Ana", emails=["A@X.ES"])
    assert Contact.objects.get(pk=contact.pk).version == 1
    assert [c.action for c in history_for(contact)] == ["create"]


def test_update_publishes_only_after_commit(
    admin_user, published, django_capture_on_commit_callbacks
):
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    with django_capture_on_commit_callbacks() as callbacks:
        services.update_contact(contact, actor=admin_user, first_name="Anna")
        assert published == []
    for callback in callbacks:
        callback()
    assert published == [("contact.updated", contact.pk, {"first_name": ["Ana", "Anna"]})]


# --- trash ---------------------------------------------------------------------------------------


def test_soft_delete_restore_and_purge_handle_mixed_models(admin_user):
    company = services.create_company(actor=admin_user, name="Acme")
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    assert records.soft_delete([company, contact], actor=admin_user) == [company, contact]
    assert Company.objects.count() == Contact.objects.count() == 0
    assert records.restore([contact], actor=admin_user) == [contact]
    assert records.purge([company, contact], actor=admin_user) == [company]
    assert list(Contact.objects.all()) == [contact]
    assert not Company.all_objects.exists()


def test_soft_delete_skips_records_already_in_the_trash_in_the_database(admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    stale = Contact.objects.get(pk=contact.pk)
    records.soft_delete([contact], actor=admin_user)
    assert records.soft_delete([stale], actor=admin_user) == []
    assert [c.action for c in history_for(contact)] == ["delete", "create"]


def test_purge_leaves_a_record_restored_meanwhile(admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    records.soft_delete([contact], actor=admin_user)
    stale = Contact.all_objects.get(pk=contact.pk)
    records.restore([contact], actor=admin_user)
    assert records.purge([stale], actor=admin_user) == []
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_trashed_before_returns_records_trashed_before_the_cutoff_oldest_first(admin_user):
    old, older, recent, alive = make_contacts(admin_user, 4)
    now = timezone.now()
    records.soft_delete([old, older, recent], actor=admin_user)
    Contact.all_objects.filter(pk=old.pk).update(deleted_at=now - datetime.timedelta(days=31))
    Contact.all_objects.filter(pk=older.pk).update(deleted_at=now - datetime.timedelta(days=40))
    cutoff = now - datetime.timedelta(days=30)
    assert list(records.trashed_before(Contact, cutoff)) == [older, old]
    assert list(records.trashed_before(Company, cutoff)) == []


def test_trashed_before_feeds_purge_records(admin_user):
    old, alive = make_contacts(admin_user, 2)
    records.soft_delete([old], actor=admin_user)
    purged = services.purge_records(
        records.trashed_before(Contact, timezone.now() + datetime.timedelta(seconds=1)),
        actor=admin_user,
    )
    assert purged == [old]
    assert list(Contact.all_objects.all()) == [alive]
