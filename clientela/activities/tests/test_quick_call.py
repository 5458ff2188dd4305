"""Quick call logging from contact, company and deal pages."""

import datetime

import pytest
from django.utils import timezone

from clientela.activities.models import Activity
from clientela.contacts import services as contact_services
from clientela.sales.models import DealContact

URL = "/activities/quick-call/"


@pytest.fixture
def caller(client, admin_user):
    client.force_login(admin_user)
    return client


def post(client, **data):
    return client.post(URL, {"outcome": "connected", **data})


def test_contact_page_offers_a_form_per_phone(caller, admin_user, contact):
    contact_services.update_contact(
        contact, actor=admin_user, phones=["600123456", "+34 931 234 567"]
    )
    html = caller.get(f"/contacts/{contact.pk}/").content.decode()
    assert html.count('action="/activities/quick-call/"') == 2
    assert "<summary>Log a call to 600 12 34 56</summary>" in html
    assert 'name="number" value="+34600123456"' in html
    assert '<label for="quick-call-2-outcome">Outcome:</label>' in html


def test_logging_a_call_returns_to_the_timeline_with_it(caller, admin_user, contact):
    back = f"/contacts/{contact.pk}/?kind=call"
    response = post(
        caller,
        contact=contact.pk,
        number="+34600123456",
        outcome="voicemail",
        duration_minutes="3",
        note="Left a message about the <b>offer</b>",
        next=back,
    )

    assert response.status_code == 302
    assert response["Location"] == f"{back}#timeline"
    call = Activity.objects.get(kind="call")
    assert (call.subject, call.outcome, call.duration_seconds, call.direction) == (
        "Call to 600 12 34 56",
        "voicemail",
        180,
        "out",
    )
    assert (call.contact_id, call.company_id, call.owner_id) == (
        contact.pk,
        contact.company_id,
        admin_user.pk,
    )
    assert call.body == "<p>Left a message about the <b>offer</b></p>" or "offer" in call.body
    page = caller.get(back).content.decode()
    assert "Call to 600 12 34 56" in page


def test_a_follow_up_date_adds_a_task_for_the_caller(caller, admin_user, contact):
    day = timezone.localdate() + datetime.timedelta(days=2)
    response = post(caller, contact=contact.pk, follow_up_on=day.isoformat())

    assert response.status_code == 302
    task = Activity.objects.get(kind="task")
    assert task.subject == "Follow up the call with Núria Puig"
    assert timezone.localtime(task.due_at).replace(tzinfo=None) == datetime.datetime.combine(
        day, datetime.time(9)
    )
    assert (task.contact_id, task.owner_id) == (contact.pk, admin_user.pk)


def test_a_follow_up_today_is_due_at_nine_or_within_the_hour(caller, contact):
    post(caller, contact=contact.pk, follow_up_on=timezone.localdate().isoformat())
    task = Activity.objects.get(kind="task")
    nine = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(9)))
    assert task.due_at >= timezone.now() - datetime.timedelta(minutes=1)
    assert task.due_at <= max(nine, timezone.now() + datetime.timedelta(hours=1))


def test_company_and_deal_pages_log_on_their_record(caller, admin_user, company, deal, contact):
    contact_services.update_contact(contact, actor=admin_user, phones=["600123456"])
    DealContact.objects.create(deal=deal, contact=contact)

    html = caller.get(f"/deals/{deal.pk}/").content.decode()
    assert '<a href="tel:+34600123456">600 12 34 56</a>' in html
    assert f'name="deal" value="{deal.pk}"' in html

    post(caller, deal=deal.pk, contact=contact.pk, number="+34600123456")
    post(caller, company=company.pk)
    calls = Activity.objects.filter(kind="call").order_by("id")
    assert [(c.deal_id, c.contact_id, c.company_id) for c in calls] == [
        (deal.pk, contact.pk, company.pk),
        (None, None, company.pk),
    ]
    assert calls[1].subject == "Call"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"duration_minutes": "-1"},
            "duration_minutes",
            "Ensure this value is greater than or equal to 0.",
        ),
        (
            {"duration_minutes": "1441"},
            "duration_minutes",
            "Ensure this value is less than or equal to 1440.",
        ),
        (
            {"duration_minutes": "9" * 40},
            "duration_minutes",
            "Ensure this value is less than or equal to 1440.",
        ),
        ({"duration_minutes": "1e3"}, "duration_minutes", "Enter a whole number."),
        ({"follow_up_on": "2024-02-30"}, "follow_up_on", "Enter a valid date."),
        ({"follow_up_on": "yesterday"}, "follow_up_on", "Enter a valid date."),
        ({"follow_up_on": "2001-01-01"}, "follow_up_on", "Choose today or a later day."),
        ({"follow_up_on": "2200-01-01"}, "follow_up_on", "Choose a day before 2200."),
        (
            {"outcome": "hung_up"},
            "outcome",
            "Select a valid choice. hung_up is not one of the available choices.",
        ),
        (
            {"note": "x" * 5001},
            "note",
            "Ensure this value has at most 5000 characters (it has 5001).",
        ),
    ],
)
def test_bad_input_is_shown_again_and_nothing_is_written(caller, contact, data, field, message):
    response = post(caller, contact=contact.pk, **{"note": "kept", **data})

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert Activity.objects.count() == 0
    if field != "note":
        assert "kept</textarea>" in response.content.decode()  # what was typed stays


def test_a_record_the_user_cannot_see_is_refused(client, make_user, admin_user):
    hidden = contact_services.create_contact(actor=admin_user, first_name="Ana", owner=admin_user)
    client.force_login(make_user("sales", scope="own"))
    response = post(client, contact=hidden.pk)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["The record of this call is not found."]
    assert post(client).status_code == 400
    assert Activity.objects.count() == 0


def test_read_only_users_cannot_log_calls_nor_see_the_form(client, make_user, contact):
    client.force_login(make_user("read_only", scope="all"))
    assert post(client, contact=contact.pk).status_code == 403
    assert client.get(URL).status_code == 403
    html = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "quick-call" not in html
    assert Activity.objects.count() == 0


def test_next_never_leaves_the_site(caller, contact):
    response = post(caller, contact=contact.pk, next="https://evil.example/")
    assert response["Location"] == f"/contacts/{contact.pk}/#timeline"


def test_the_service_writes_both_or_neither(admin_user, contact):
    from django.core.exceptions import ValidationError

    from clientela.activities import services

    past = timezone.now() - datetime.timedelta(days=3)
    with pytest.raises(ValidationError):
        services.log_call(actor=admin_user, subject="Call", contact=contact, follow_up_at=past)
    assert Activity.objects.count() == 0
