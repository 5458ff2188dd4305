"""One history mechanism: exactly one change per create/update/delete/restore/purge, with who,
from where (source, request id) and the values before and after."""

import pytest
from django.contrib.contenttypes.models import ContentType

from clientela.contacts import services
from clientela.contacts.models import Contact
from clientela.core.choices import ChangeSource, CustomFieldType
from clientela.core.context import change_context
from clientela.core.history import diff, history_for, snapshot
from clientela.core.models import ChangeRecord, CustomField

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def budget_field():
    return CustomField.objects.create(
        content_type=ContentType.objects.get_for_model(Contact),
        key="budget",
        label="Budget",
        field_type=CustomFieldType.DECIMAL,
    )


def only_change(record):
    changes = list(history_for(record))
    assert len(changes) == 1
    return changes[0]


def test_create_records_one_change_with_actor_source_request_and_values(admin_user, budget_field):
    with change_context(source=ChangeSource.API, request_id="req-1"):
        contact = services.create_contact(
            actor=admin_user,
            first_name="Ana",
            last_name="García",
            emails=["ana@x.es"],
            phones=["600123456"],
            tags=["vip"],
            custom_fields={"budget": "1200.50"},
        )
    change = only_change(contact)
    assert (change.action, change.actor, change.source, change.request_id) == (
        "create",
        admin_user,
        "api",
        "req-1",
    )
    assert change.object_repr == "Ana García"
    assert change.changes == {
        "custom_fields.budget": [None, "1200.5"],
        "emails": [None, ["ana@x.es (work)"]],
        "first_name": [None, "Ana"],
        "last_name": [None, "García"],
        "lifecycle_stage": [None, "lead"],
        "phones": [None, ["+34600123456 (mobile)"]],
        "source": [None, "manual"],
        "consent_status": [None, "unknown"],
        "tags": [None, ["vip"]],
    }


def test_update_records_one_change_with_before_and_after(admin_user, make_user, budget_field):
    contact = services.create_contact(
        actor=admin_user,
        first_name="Ana",
        emails=["ana@x.es"],
        tags=["vip"],
        custom_fields={"budget": "10"},
    )
    editor = make_user("manager")
    with change_context(source=ChangeSource.UI, request_id="req-2"):
        services.update_contact(
            contact,
            actor=editor,
            first_name="Anna",
            owner=editor,
            emails=[{"email": "ana@x.es", "kind": "personal"}],
            tags=["vip", "partner"],
            custom_fields={"budget": "12.0"},
        )
    change = history_for(contact).first()
    assert ChangeRecord.objects.filter(action="update").count() == 1
    assert (change.actor, change.source, change.request_id) == (editor, "ui", "req-2")
    assert change.changes == {
        "custom_fields.budget": ["10", "12"],
        "emails": [["ana@x.es (work)"], ["ana@x.es (personal)"]],
        "first_name": ["Ana", "Anna"],
        "owner": [None, editor.pk],
        "tags": [["vip"], ["partner", "vip"]],
    }


def test_changing_only_the_primary_phone_is_a_change(admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana", phones=["600123456"])
    services.update_contact(
        contact,
        actor=admin_user,
        phones=["600123456", {"number": "972123456", "is_primary": True}],
    )
    services.update_contact(
        contact,
        actor=admin_user,
        phones=[{"number": "600123456", "is_primary": True}, "972123456"],
    )
    latest = history_for(contact).first()
    assert latest.changes == {
        "phones": [
            ["+34972123456 (mobile)", "+34600123456 (mobile)"],
            ["+34600123456 (mobile)", "+34972123456 (mobile)"],
        ]
    }
    assert Contact.objects.get(pk=contact.pk).version == 3


def test_delete_restore_and_purge_each_record_one_change(admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    with change_context(source=ChangeSource.CLI, request_id="req-3"):
        services.delete_records([contact], actor=admin_user)
        deleted_at = Contact.all_objects.get(pk=contact.pk).deleted_at
        services.restore_records([contact], actor=admin_user)
        services.delete_records([contact], actor=admin_user)
        services.purge_records([contact], actor=admin_user)
    changes = list(history_for(contact))
    assert [(c.action, c.actor, c.source, c.request_id) for c in changes] == [
        ("purge", admin_user, "cli", "req-3"),
        ("delete", admin_user, "cli", "req-3"),
        ("restore", admin_user, "cli", "req-3"),
        ("delete", admin_user, "cli", "req-3"),
        ("create", admin_user, "system", ""),
    ]
    assert changes[3].changes == {"deleted_at": [None, deleted_at.isoformat()]}
    assert changes[2].changes == {"deleted_at": [deleted_at.isoformat(), None]}
    assert changes[0].changes == {}
    assert changes[0].object_repr == "Ana"


def test_history_keeps_the_actor_out_when_it_is_anonymous(admin_user):
    from django.contrib.auth.models import AnonymousUser

    contact = services.create_contact(actor=AnonymousUser(), first_name="Web form")
    assert only_change(contact).actor is None


def test_change_context_restores_the_previous_source_afterwards(admin_user):
    with change_context(source=ChangeSource.IMPORT, request_id="outer"):
        with change_context(source=ChangeSource.AUTOMATION):
            inner = services.create_contact(actor=admin_user, first_name="Inner")
        outer = services.create_contact(actor=admin_user, first_name="Outer")
    after = services.create_contact(actor=admin_user, first_name="After")
    assert [(only_change(c).source, only_change(c).request_id) for c in (inner, outer, after)] == [
        ("automation", "outer"),
        ("import", "outer"),
        ("system", ""),
    ]


def test_snapshot_is_not_fooled_by_in_place_changes_of_custom_fields(admin_user, budget_field):
    contact = services.create_contact(
        actor=admin_user, first_name="Ana", custom_fields={"budget": "1"}
    )
    before = snapshot(contact)
    contact.custom_fields["budget"] = "2"
    assert diff(before, snapshot(contact)) == {"custom_fields.budget": ["1", "2"]}


def test_snapshot_reads_children_from_the_database_not_a_stale_prefetch(admin_user):
    services.create_contact(actor=admin_user, first_name="Ana", emails=["a@x.es"], tags=["x"])
    contact = Contact.objects.prefetch_related("emails", "tags").get()
    before = snapshot(contact)
    contact.emails.get().delete()
    contact.tags.through.objects.all().delete()
    assert diff(before, snapshot(contact)) == {
        "emails": [["a@x.es (work)"], []],
        "tags": [["x"], []],
    }


def test_diff_lists_only_changed_keys():
    assert diff({"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 5, "d": 4}) == {
        "b": [2, 5],
        "c": [3, None],
        "d": [None, 4],
    }
