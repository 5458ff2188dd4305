"""Handoffs (a record to another owner or department, with a note) and the notifications of
assignments and of changes to followed records."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from clientela.collaboration.choices import FeedVerb, NotificationKind
from clientela.collaboration.models import Handoff, Notification
from clientela.collaboration.services import feed, follows, handoffs
from clientela.contacts import services as contact_services
from clientela.contacts.models import Contact
from clientela.core import records

pytestmark = pytest.mark.django_db


def told(user, kind=None):
    rows = Notification.objects.filter(recipient=user)
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.order_by("id").values_list("kind", "title", "text"))


@pytest.fixture
def service(make_team):
    return make_team("Servicio", handle="servicio")


def test_a_won_customer_handed_to_service_with_a_note(make_user, owner, customer, service, sales):
    agent = make_user("service", username="elena", teams=[service], scope="team")
    other_agent = make_user("service", username="oriol", teams=[service], scope="team")

    handoffs.hand_over(
        customer, actor=owner, to_owner=agent, to_team=service, note="Signed yearly plan."
    )

    customer = Contact.objects.get(pk=customer.pk)
    assert (customer.owner, customer.team) == (agent, service)
    trail = list(
        handoffs.handoffs_of(customer).values_list(
            "from_owner", "to_owner", "from_team", "to_team", "note", "by"
        )
    )
    assert trail == [(owner.pk, agent.pk, sales.pk, service.pk, "Signed yearly plan.", owner.pk)]
    assert told(agent) == [(NotificationKind.HANDOFF, "Núria Puig", "Signed yearly plan.")]
    assert told(other_agent) == []  # given to a person: the person is told
    assert follows.is_following(customer, owner)  # the one who handed it over still follows
    assert feed.my_feed(agent).entries[0].verb == FeedVerb.HANDOFF
    assert feed.team_feed(other_agent, service).entries[0].detail == "Signed yearly plan."


def test_handed_to_a_team_tells_the_members_who_may_see_it(make_user, owner, customer, service):
    agent = make_user("service", username="elena", teams=[service], scope="team")
    blind = make_user("sales", username="pere", teams=[service], scope="own")

    handoffs.hand_over(customer, actor=owner, to_team=service, note="Please call them")

    assert [k for k, _t, _x in told(agent)] == [NotificationKind.HANDOFF]
    assert told(blind) == []


def test_a_handoff_needs_a_note_a_receiver_and_the_right_to_change_it(
    make_user, owner, customer, service
):
    reader = make_user("read_only", username="lector", scope="all")
    with pytest.raises(PermissionDenied):
        handoffs.hand_over(customer, actor=reader, to_team=service, note="x")
    with pytest.raises(ValidationError) as error:
        handoffs.hand_over(customer, actor=owner, note="   ")
    assert set(error.value.message_dict) == {"note", "to_owner"}
    gone = make_user("sales", username="gone")
    gone.is_active = False
    gone.save()
    with pytest.raises(ValidationError) as error:
        handoffs.hand_over(customer, actor=owner, to_owner=gone, note="Yours")
    assert "to_owner" in error.value.message_dict
    with pytest.raises(ValidationError):
        handoffs.hand_over(customer, actor=owner, to_owner=owner, note="Mine again")
    assert not Handoff.objects.exists()


def test_an_assignment_is_told_once_and_a_bulk_one_in_one_notification(
    make_user, admin_user, owner
):
    seller = make_user("sales", username="lucia", scope="own")
    one = contact_services.create_contact(actor=admin_user, first_name="Ona")
    many = [
        contact_services.create_contact(actor=admin_user, first_name=f"P{n}") for n in range(21)
    ]

    records.bulk_set([one], actor=admin_user, owner=seller)
    records.bulk_set([one], actor=seller, owner=seller)  # nothing changes: nobody told
    records.bulk_set(many, actor=admin_user, owner=seller)
    records.bulk_set([one], actor=seller, owner=owner)

    assert told(seller) == [
        (NotificationKind.ASSIGNMENT, "Ona", ""),
        (NotificationKind.ASSIGNMENT, "21 contacts given to you", ""),
    ]
    assert told(owner) == [(NotificationKind.ASSIGNMENT, "Ona", "")]


def test_followers_hear_of_changes_they_may_see(make_user, admin_user, owner, customer):
    reader = make_user("manager", username="marta")
    follows.follow(customer, user=reader)
    limited = make_user("sales", username="pablo", scope="own")
    follows.follow_all(customer, [limited], reason="manual")  # followed while it was theirs

    contact_services.update_contact(customer, actor=admin_user, job_title="CEO")

    assert told(reader) == [(NotificationKind.RECORD_CHANGED, "Núria Puig", "Changed: job title")]
    assert told(limited) == []
    assert told(owner, NotificationKind.RECORD_CHANGED) == []  # the owner has the feed


def test_the_handoff_form_on_the_record_page(client, make_user, owner, customer, service):
    agent = make_user("service", username="elena", teams=[service], scope="team")
    client.force_login(owner)
    page = client.get(reverse("contacts:contact_detail", args=[customer.pk])).content.decode()
    assert "Hand over to another person or team" in page
    url = reverse(
        "collaboration:hand_over",
        args=[
            Handoff._meta.apps.get_model("contenttypes", "ContentType")
            .objects.get_for_model(Contact)
            .pk,
            customer.pk,
        ],
    )

    rejected = client.post(url, {"to_owner": "999999", "note": "<b>keep me</b>"})
    assert rejected.status_code == 400
    assert "&lt;b&gt;keep me&lt;/b&gt;" in rejected.content.decode()

    done = client.post(url, {"to_owner": str(agent.pk), "note": "Yours now"})
    assert done.status_code == 302  # to the feed: the owner may no longer see it
    assert Contact.objects.get(pk=customer.pk).owner == agent
    client.force_login(agent)
    page = client.get(reverse("contacts:contact_detail", args=[customer.pk])).content.decode()
    assert 'id="handoffs"' in page and "Yours now" in page

    client.force_login(make_user("sales", username="pablo", scope="own"))
    assert client.post(url, {"to_owner": str(agent.pk), "note": "x"}).status_code == 404
