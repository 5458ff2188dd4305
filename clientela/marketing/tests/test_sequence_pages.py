"""Sequence pages without JavaScript: create with the step editor, reorder and remove steps,
bad input refused with its message and nothing saved, the detail's figures and enrollments,
manual enrolment, cancelling, activate/pause/archive; who may do what."""

import pytest

from clientela.marketing.choices import EnrollmentStatus, SequenceStatus
from clientela.marketing.models import Enrollment, Sequence
from clientela.marketing.services import sequences

pytestmark = pytest.mark.django_db
LIST = "/marketing/sequences/"
NEW = "/marketing/sequences/new/"


@pytest.fixture
def marketer(make_user):
    return make_user("marketing", username="mia")


@pytest.fixture
def signed_in(client, marketer):
    client.force_login(marketer)
    return client


def step_rows(*rows, initial=0):
    data = {
        "steps-TOTAL_FORMS": str(len(rows)),
        "steps-INITIAL_FORMS": str(initial),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "50",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"steps-{index}-{key}"] = value
    return data


def form_data(*rows, **fields):
    data = {
        "name": "Després de la compra",
        "trigger": "purchase_made",
        "exit_on_reply": "on",
        "exit_on_purchase": "on",
    }
    data.update(fields)
    data.update(step_rows(*rows))
    return data


def test_create_with_steps_in_the_order_of_their_numbers(signed_in, make_template):
    thanks, offer = make_template("Gràcies"), make_template("Oferta")
    response = signed_in.post(
        NEW,
        form_data(
            {"kind": "email", "template": offer.pk, "ORDER": "3"},
            {"kind": "email", "template": thanks.pk, "ORDER": "1"},
            {"kind": "wait", "wait_days": "30", "ORDER": "2"},
            {"kind": "", "ORDER": ""},  # the empty row
        ),
    )
    sequence = Sequence.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/marketing/sequences/{sequence.pk}/"
    assert [(s.position, s.kind, s.template_id, s.wait_days) for s in sequence.steps.all()] == [
        (1, "email", thanks.pk, 0),
        (2, "wait", None, 30),
        (3, "email", offer.pk, 0),
    ]
    assert (sequence.trigger, sequence.exit_on_purchase, sequence.reenroll) == (
        "purchase_made",
        True,
        False,
    )


def test_edit_removes_a_step_and_keeps_the_others(signed_in, admin_user, make_template):
    thanks = make_template("Gràcies")
    sequence = sequences.create_sequence(
        actor=admin_user,
        name="Seguiment",
        steps=[
            {"kind": "email", "template": thanks},
            {"kind": "wait", "wait_hours": 5},
            {"kind": "task", "subject": "Truca", "due_in_days": 2},
        ],
    )
    page = signed_in.get(f"{LIST}{sequence.pk}/edit/")
    assert page.status_code == 200
    assert 'name="steps-2-subject"' in page.content.decode()
    data = form_data(
        {"kind": "email", "template": thanks.pk, "ORDER": "1"},
        {"kind": "wait", "wait_hours": "5", "ORDER": "2", "DELETE": "on"},
        {"kind": "task", "subject": "Truca", "due_in_days": "2", "ORDER": "3"},
        name="Seguiment",
        trigger="manual",
        version=str(sequence.version),
    )
    data["steps-INITIAL_FORMS"] = "3"
    response = signed_in.post(f"{LIST}{sequence.pk}/edit/", data)
    assert response.status_code == 302
    assert [(s.position, s.kind) for s in sequence.steps.all()] == [(1, "email"), (2, "task")]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"kind": "wait", "wait_hours": "0"}, "Wait at least an hour."),
        ({"kind": "wait", "wait_days": "366"}, "Ensure this value is less than or equal to 365."),
        ({"kind": "email"}, "Choose one."),
        ({"kind": "task", "subject": ""}, "Say what the task is."),
        ({"kind": "task", "subject": "x" * 201}, "Ensure this value has at most 200 characters"),
        ({"kind": "branch", "rules": "{not json", "then": "exit"}, "Give the condition"),
        (
            {"kind": "branch", "rules": '{"op": "and", "rules": [{"field": "nope"}]}'},
            "Unknown field",
        ),
        ({"kind": "branch", "rules": "x" * 20000, "then": "exit"}, "at most 16384 characters"),
        ({"kind": "<script>"}, "Select a valid choice."),
    ],
)
def test_bad_steps_are_refused_with_their_message_and_nothing_is_saved(signed_in, row, message):
    response = signed_in.post(NEW, form_data(row))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Sequence.objects.exists()


def test_a_loop_without_a_wait_is_refused(signed_in, make_template):
    thanks = make_template("Gràcies")
    rule = '{"op": "and", "rules": [{"field": "first_name", "operator": "eq", "value": "A"}]}'
    response = signed_in.post(
        NEW,
        form_data(
            {"kind": "email", "template": thanks.pk},
            {"kind": "branch", "rules": rule, "then": "jump", "jump_to": "1"},
        ),
    )
    assert response.status_code == 400
    assert "This jump makes a loop with no wait in it" in response.content.decode()
    assert not Sequence.objects.exists()


def test_bad_trigger_options_and_oversized_name(signed_in, make_template):
    response = signed_in.post(
        NEW,
        form_data(
            {"kind": "wait", "wait_days": "1"},
            trigger="stage_changed",
            trigger_stage="999999",
            name="x" * 201,
        ),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Ensure this value has at most 200 characters" in body
    assert not Sequence.objects.exists()
    response = signed_in.post(
        NEW,
        form_data(
            {"kind": "wait", "wait_days": "1"}, trigger="stage_changed", trigger_stage="999999"
        ),
    )
    assert response.status_code == 400
    assert "Choose one of the options." in response.content.decode()
    assert not Sequence.objects.exists()


def test_add_a_step_shows_one_more_row_and_saves_nothing(signed_in):
    data = form_data({"kind": "wait", "wait_days": "1"})
    data["add_step"] = "1"
    response = signed_in.post(NEW, data)
    assert response.status_code == 200
    assert 'name="steps-1-kind"' in response.content.decode()
    assert not Sequence.objects.exists()


def test_detail_figures_enrol_by_hand_cancel_and_state_actions(
    signed_in, admin_user, make_template, make_contact, run_sequences, mailoutbox
):
    sequence = sequences.create_sequence(
        actor=admin_user,
        name="Benvinguda",
        steps=[
            {"kind": "email", "template": make_template("Hola")},
            {"kind": "wait", "wait_days": 2},
        ],
    )
    url = f"{LIST}{sequence.pk}/"
    anna = make_contact("anna@example.com")
    pau = make_contact("pau@example.com")
    # A draft takes nobody in.
    response = signed_in.post(f"{url}enroll/", {"contact": anna.pk}, follow=True)
    assert "Only an active sequence takes contacts in." in response.content.decode()
    signed_in.post(f"{url}action/", {"action": "activate"})
    sequence.refresh_from_db()
    assert sequence.status == SequenceStatus.ACTIVE
    signed_in.post(f"{url}enroll/", {"contact": anna.pk})
    signed_in.post(f"{url}enroll/", {"contact": pau.pk})
    response = signed_in.post(f"{url}enroll/", {"contact": anna.pk}, follow=True)
    assert "This contact is going through this sequence already." in response.content.decode()
    response = signed_in.post(f"{url}enroll/", {"contact": "1 OR 1=1"}, follow=True)
    assert "No contact with this id that you can see." in response.content.decode()
    assert run_sequences() == 2
    assert len(mailoutbox) == 2

    page = signed_in.get(url)
    assert page.status_code == 200
    steps = page.context["steps"]
    assert [
        (step.position, figures["done"], figures["sent"], figures["now"]) for step, figures in steps
    ] == [
        (1, 2, 2, 0),
        (2, 2, None, 2),
    ]
    enrollment = Enrollment.objects.get(contact=pau)
    log = signed_in.get(f"{url}enrollments/{enrollment.pk}/")
    assert log.status_code == 200
    assert "pau@example.com" in log.content.decode()
    signed_in.post(f"{url}enrollments/{enrollment.pk}/cancel/")
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.exit_reason) == ("cancelled", "cancelled")
    page = signed_in.get(url, {"status": "cancelled"})
    assert [e.pk for e in page.context["enrollments"]] == [enrollment.pk]

    signed_in.post(f"{url}action/", {"action": "pause"})
    sequence.refresh_from_db()
    assert sequence.status == SequenceStatus.PAUSED
    response = signed_in.post(f"{url}action/", {"action": "pause"}, follow=True)
    assert "This cannot be done to a sequence that is paused." in response.content.decode()
    signed_in.post(f"{url}action/", {"action": "archive"})
    assert Enrollment.objects.get(contact=anna).status == EnrollmentStatus.CANCELLED


def test_list_filters_by_status(signed_in, admin_user):
    draft = sequences.create_sequence(actor=admin_user, name="Esborrany")
    sequences.create_sequence(
        actor=admin_user, name="Arxivada", steps=[{"kind": "wait", "wait_days": 1}]
    )
    sequences.archive_sequence(Sequence.objects.get(name="Arxivada"), actor=admin_user)
    page = signed_in.get(LIST, {"status": "draft"})
    assert page.status_code == 200
    assert [s.pk for s in page.context["records"]] == [draft.pk]
    assert signed_in.get(LIST, {"status": "nonsense"}).status_code in (200, 400)


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        ("marketing", 200, 200),
        ("manager", 200, 200),
        ("admin", 200, 200),
        ("read_only", 200, 403),
        ("sales", 200, 403),  # marketing is readable by every role (as segments)
        ("service", 200, 403),
    ],
)
def test_who_may_see_and_change_sequences(client, make_user, admin_user, role, read, write):
    sequence = sequences.create_sequence(actor=admin_user, name="Benvinguda")
    client.force_login(make_user(role))
    assert client.get(LIST).status_code == read
    assert client.get(f"{LIST}{sequence.pk}/").status_code in (read, 404)
    assert client.get(NEW).status_code == write
    response = client.post(f"{LIST}{sequence.pk}/action/", {"action": "archive"})
    sequence.refresh_from_db()
    if write == 200:
        assert sequence.status == SequenceStatus.ARCHIVED
    else:
        assert response.status_code in (403, 404)
        assert sequence.status == SequenceStatus.DRAFT


def test_signed_out_is_sent_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/login" in response["Location"] or "sign" in response["Location"]
