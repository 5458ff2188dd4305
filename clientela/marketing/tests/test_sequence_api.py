"""``/api/v1/sequences/``: CRUD with nested steps, If-Match, the state actions, enrolling,
the enrollments and cancelling; the permission matrix; bad, hostile and oversized input."""

import pytest

from clientela.marketing.choices import EnrollmentStatus
from clientela.marketing.models import Enrollment, Sequence
from clientela.marketing.services import sequences

pytestmark = pytest.mark.django_db
URL = "/api/v1/sequences/"


@pytest.fixture
def marketer(make_user):
    return make_user("marketing", username="mia")


def assert_error(response, status, code, fields):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert sorted(body["fields"]) == sorted(fields)
    return body


def body_with(template, **extra):
    return {
        "name": "Després de la compra",
        "trigger": "purchase_made",
        "exit_on_purchase": True,
        "steps": [
            {"kind": "email", "template": template.pk},
            {"kind": "wait", "wait_days": 7},
            {
                "kind": "branch",
                "rules": {
                    "op": "and",
                    "rules": [{"field": "first_name", "operator": "eq", "value": "Pau"}],
                },
                "then": "exit",
            },
            {"kind": "task", "subject": "Truca per l'opinió", "due_in_days": 2},
        ],
        **extra,
    }


def test_crud_with_steps_etags_and_actions(api, marketer, make_template, make_contact):
    client = api(marketer)
    thanks = make_template("Gràcies")
    created = client.post(URL, body_with(thanks), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["owner"], body["trigger_options"]) == ("draft", marketer.pk, {})
    assert [(s["position"], s["kind"]) for s in body["steps"]] == [
        (1, "email"),
        (2, "wait"),
        (3, "branch"),
        (4, "task"),
    ]
    assert body["steps"][0]["template"] == thanks.pk
    detail = f"{URL}{body['id']}/"
    stale = client.patch(detail, {"name": "X"}, format="json", HTTP_IF_MATCH=f'"{body["id"]}-9"')
    assert_error(stale, 412, "precondition_failed", [])
    changed = client.patch(
        detail, {"name": "Seguiment"}, format="json", HTTP_IF_MATCH=created["ETag"]
    )
    assert (changed.status_code, changed.json()["version"], len(changed.json()["steps"])) == (
        200,
        2,
        4,
    )
    fewer = client.patch(detail, {"steps": [{"kind": "wait", "wait_hours": 2}]}, format="json")
    assert [s["kind"] for s in fewer.json()["steps"]] == ["wait"]

    assert client.post(f"{detail}activate/").json()["status"] == "active"
    anna = make_contact("anna@example.com")
    enrolled = client.post(f"{detail}enroll/", {"contact": anna.pk}, format="json")
    assert enrolled.status_code == 201, enrolled.content
    assert (enrolled.json()["status"], enrolled.json()["source"]) == ("active", "manual")
    again = client.post(f"{detail}enroll/", {"contact": anna.pk}, format="json")
    assert_error(again, 400, "invalid", ["contact"])
    listed = client.get(f"{detail}enrollments/", {"status": "active"})
    assert [row["contact"] for row in listed.json()["results"]] == [anna.pk]
    assert_error(client.get(f"{detail}enrollments/", {"status": "x"}), 400, "invalid", ["status"])
    enrollment_id = enrolled.json()["id"]
    cancelled = client.post(f"{detail}enrollments/{enrollment_id}/cancel/")
    assert cancelled.json()["status"] == "cancelled"
    assert_error(
        client.post(f"{detail}enrollments/{enrollment_id}/cancel/"),
        400,
        "invalid",
        ["non_field_errors"],
    )
    assert client.post(f"{detail}enrollments/999999/cancel/").status_code == 404
    assert client.post(f"{detail}pause/").json()["status"] == "paused"
    assert client.post(f"{detail}archive/").json()["status"] == "archived"
    assert_error(client.post(f"{detail}pause/"), 400, "invalid", ["non_field_errors"])
    assert client.delete(detail).status_code == 204
    assert client.get(detail).status_code == 404


def test_an_active_sequence_needs_a_step_and_a_draft_takes_nobody(api, marketer, make_contact):
    client = api(marketer)
    created = client.post(URL, {"name": "Buida"}, format="json").json()
    detail = f"{URL}{created['id']}/"
    assert_error(client.post(f"{detail}activate/"), 400, "invalid", ["steps"])
    anna = make_contact("anna@example.com")
    assert_error(
        client.post(f"{detail}enroll/", {"contact": anna.pk}, format="json"),
        400,
        "invalid",
        ["contact"],
    )
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"steps": [{"kind": "wait"}]}, ["steps.0.wait_hours"]),
        ({"steps": [{"kind": "wait", "wait_days": 366}]}, ["steps"]),
        ({"steps": [{"kind": "email"}]}, ["steps.0.template"]),
        ({"steps": [{"kind": "email", "template": 99999}]}, ["steps"]),
        ({"steps": [{"kind": "nope"}]}, ["steps"]),
        ({"steps": [{"kind": "wait", "wait_days": 1, "evil": 1}]}, ["steps"]),
        ({"steps": [{"kind": "wait", "wait_days": 1}] * 51}, ["steps"]),
        ({"steps": "drop table"}, ["steps"]),
        (
            {"steps": [{"kind": "branch", "rules": {"op": "and", "rules": []}, "then": "exit"}]},
            ["steps.0.rules"],
        ),
        (
            {
                "steps": [
                    {"kind": "task", "subject": "a"},
                    {
                        "kind": "branch",
                        "rules": {
                            "op": "and",
                            "rules": [{"field": "first_name", "operator": "eq", "value": "A"}],
                        },
                        "then": "jump",
                        "jump_to": 1,
                    },
                ]
            },
            ["steps.1.jump_to"],
        ),
        (
            {"steps": [{"kind": "branch", "then": "jump", "jump_to": 7, "rules": {"op": "and"}}]},
            ["steps.0.rules"],  # the jump is checked once the steps themselves are right
        ),
        (
            {"trigger": "form_submitted", "trigger_options": {"form": "1; --"}},
            ["trigger_options.form"],
        ),
        ({"trigger": "manual", "trigger_options": {"x": 1}}, ["trigger_options"]),
        (
            {"trigger": "stage_changed", "trigger_options": {"outcome": "maybe"}},
            ["trigger_options.outcome"],
        ),
        ({"name": "x" * 201}, ["name"]),
        ({"description": "x" * 5001}, ["description"]),
        ({"from_email": "not an address"}, ["from_email"]),
        ({"status": "active"}, []),  # read-only: ignored, stays a draft
        ({"unknown": 1}, ["unknown"]),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(api, marketer, payload, fields):
    response = api(marketer).post(URL, {"name": "Prova", **payload}, format="json")
    if not fields:
        assert response.status_code == 201
        assert response.json()["status"] == "draft"
        return
    assert_error(response, 400, "invalid", fields)
    assert not Sequence.all_objects.exists()


def test_oversized_body_is_refused(api, marketer):
    response = api(marketer).post(
        URL, {"name": "Prova", "description": "x" * 2_000_000}, format="json"
    )
    assert response.status_code == 413
    assert not Sequence.all_objects.exists()


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        ("marketing", 200, 201),
        ("manager", 200, 201),
        ("read_only", 200, 403),
        ("sales", 200, 403),
    ],
)
def test_permission_matrix(api, make_user, admin_user, make_contact, role, read, write):
    sequence = sequences.create_sequence(
        actor=admin_user, name="Benvinguda", steps=[{"kind": "wait", "wait_days": 1}]
    )
    sequences.activate_sequence(sequence, actor=admin_user)
    client = api(make_user(role))
    assert client.get(URL).status_code == read
    assert client.post(URL, {"name": "Nova"}, format="json").status_code == write
    anna = make_contact("anna@example.com")
    enrolled = client.post(f"{URL}{sequence.pk}/enroll/", {"contact": anna.pk}, format="json")
    if write == 201:
        assert enrolled.status_code == 201
    else:
        assert enrolled.status_code in (403, 404)
        assert not Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE).exists()
    assert client.post(f"{URL}{sequence.pk}/archive/").status_code in (
        (200,) if write == 201 else (403, 404)
    )
