"""``/api/v1/automations/``: CRUD with ETags, per-place errors for bad triggers, conditions and
actions (hostile and oversized too, nothing written), the dry run, the run log, permissions."""

import pytest

from clientela.automation import services
from clientela.automation.models import WorkflowRule, WorkflowRun
from clientela.contacts import services as contact_services

pytestmark = pytest.mark.django_db
URL = "/api/v1/automations/"
VIC = {"op": "and", "rules": [{"field": "city", "operator": "eq", "value": "Vic"}]}


def body(**fields):
    return {
        "name": "Welcome",
        "entity": "contact",
        "trigger": "created",
        "conditions": VIC,
        "actions": [{"kind": "create_task", "subject": "Call", "due_in_days": 1}],
        **fields,
    }


def test_create_read_change_and_delete_with_etags(admin_api):
    created = admin_api.post(URL, body(), format="json")
    assert created.status_code == 201, created.data
    rule_id = created.data["id"]
    assert created.data["trigger_options"] == {}
    assert created.data["actions"] == [
        {"kind": "create_task", "subject": "Call", "due_in_days": 1, "owner": None, "team": None}
    ]
    read = admin_api.get(f"{URL}{rule_id}/")
    assert read["ETag"] == f'"{rule_id}-1"'
    stale = admin_api.patch(
        f"{URL}{rule_id}/", {"active": False}, format="json", HTTP_IF_MATCH=f'"{rule_id}-9"'
    )
    assert stale.status_code == 412
    changed = admin_api.patch(
        f"{URL}{rule_id}/", {"active": False}, format="json", HTTP_IF_MATCH=f'"{rule_id}-1"'
    )
    assert (changed.status_code, changed.data["active"], changed.data["version"]) == (200, False, 2)
    assert admin_api.get(URL).data["results"][0]["id"] == rule_id
    assert admin_api.delete(f"{URL}{rule_id}/").status_code == 204
    assert WorkflowRule.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "place"),
    [
        ({"entity": "planet"}, "entity"),
        ({"trigger": "stage_changed"}, "trigger"),
        (
            {"trigger": "field_changed", "trigger_options": {"field": "password"}},
            "trigger_options.field",
        ),
        (
            {"trigger": "field_changed", "trigger_options": {"field": "city", "x": 1}},
            "trigger_options",
        ),
        (
            {"conditions": {"op": "and", "rules": [{"field": "nope", "operator": "eq"}]}},
            "conditions.rules.0.field",
        ),
        (
            {
                "conditions": {
                    "op": "and",
                    "rules": [{"field": "city", "operator": "eq", "value": "x" * 10_000}],
                }
            },
            "conditions.rules.0.value",
        ),
        ({"conditions": {"op": "and", "rules": [VIC] * 60}}, "conditions.rules"),
        ({"actions": []}, "actions"),
        ({"actions": [{"kind": "create_task", "subject": "x"}] * 21}, "actions"),
        ({"actions": [{"kind": "launch_missiles"}]}, "actions.0.kind"),
        ({"actions": [{"kind": "create_task", "subject": "<script>" * 100}]}, "actions.0.subject"),
        ({"actions": [{"kind": "update_field", "field": "id", "value": "1"}]}, "actions.0.field"),
        ({"actions": [{"kind": "assign", "owner": "1; DROP TABLE"}]}, "actions.0.owner"),
        (
            {"actions": [{"kind": "create_deal", "name": "D", "amount": "1e999"}]},
            "actions.0.amount",
        ),
    ],
)
def test_bad_rules_get_errors_where_they_are_and_nothing_is_written(admin_api, fields, place):
    answer = admin_api.post(URL, body(**fields), format="json")
    assert answer.status_code == 400, answer.data
    assert place in str(answer.data), answer.data
    assert WorkflowRule.objects.count() == 0


def test_an_oversized_body_is_refused(admin_api):
    answer = admin_api.post(
        URL, body(actions=[{"kind": "tag", "add": ["a"]}] * 5000), format="json"
    )
    assert answer.status_code == 400
    assert WorkflowRule.objects.count() == 0


def test_dry_run_lists_the_matching_records_now(admin_api, admin_user):
    made = services.create_rule(actor=admin_user, **body())
    vic = [
        contact_services.create_contact(actor=admin_user, first_name=f"V{i}", city="Vic")
        for i in range(3)
    ]
    contact_services.create_contact(actor=admin_user, first_name="O", city="Olot")

    saved = admin_api.post(f"{URL}{made.pk}/dry-run/", {}, format="json")
    assert saved.status_code == 200
    assert saved.data["count"] == 3
    assert [r["id"] for r in saved.data["records"]] == [c.pk for c in vic]
    assert saved.data["next_after"] is None
    edited = admin_api.post(
        f"{URL}{made.pk}/dry-run/",
        {
            "conditions": {
                "op": "and",
                "rules": [{"field": "city", "operator": "eq", "value": "Olot"}],
            }
        },
        format="json",
    )
    assert edited.data["count"] == 1
    bad = admin_api.post(f"{URL}{made.pk}/dry-run/", {"conditions": {"op": "xor"}}, format="json")
    assert bad.status_code == 400
    runs = admin_api.get(f"{URL}{made.pk}/runs/")
    assert [(r["status"], r["results"][0]["detail"]) for r in runs.data["results"]] == [
        ("dry_run", "3")
    ]
    assert admin_api.get(f"{URL}{made.pk}/runs/?status=bogus").status_code == 400


def test_runs_are_paged_by_cursor_and_filtered(admin_api, admin_user):
    made = services.create_rule(actor=admin_user, **body())
    WorkflowRun.objects.bulk_create(
        WorkflowRun(
            rule=made,
            entity="contact",
            record_id=i,
            event_key=f"k{i}",
            status="failed" if i % 2 else "succeeded",
        )
        for i in range(60)
    )
    first = admin_api.get(f"{URL}{made.pk}/runs/?status=failed")
    assert len(first.data["results"]) == 30 or first.data["next"]
    ids = [r["id"] for r in first.data["results"]]
    assert ids == sorted(ids, reverse=True)
    assert {r["status"] for r in first.data["results"]} == {"failed"}


@pytest.mark.parametrize("role", ["sales", "marketing", "service", "read_only"])
def test_roles_without_automation_writes_get_403(api, make_user, admin_user, role):
    made = services.create_rule(actor=admin_user, **body())
    client = api(make_user(role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, body(), format="json").status_code == 403
    assert client.post(f"{URL}{made.pk}/dry-run/", {}, format="json").status_code == 403
    assert client.get(f"{URL}{made.pk}/runs/").status_code == 403


def test_a_manager_may_write(api, make_user):
    assert api(make_user("manager")).post(URL, body(), format="json").status_code == 201
