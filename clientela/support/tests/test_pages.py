"""The case pages: queues, the case with its conversation, writing replies and notes, changing
status, the form; permissions and hostile input."""

import pytest
from django.urls import reverse

from clientela.contacts import services as contact_services
from clientela.support.choices import CaseStatus, MessageKind
from clientela.support.models import Case
from clientela.support.services import cases


@pytest.fixture
def agent(make_user, make_team):
    return make_user("service", username="agent", teams=[make_team("Service")])


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def ana(agent):
    return contact_services.create_contact(
        actor=agent, first_name="Ana", last_name="Puig", emails=["ana@puig.cat"]
    )


def new_case(actor, **fields):
    fields.setdefault("subject", "The invoice is wrong")
    fields.setdefault("description", "My invoice shows 12 units; I bought 2.")
    return cases.create_case(actor=actor, **fields)


def test_queues_show_the_right_cases(agent_client, agent, ana, make_user):
    other = make_user("service", username="other")
    mine = new_case(agent, contact=ana, owner=agent, subject="Mine")
    unassigned = new_case(agent, subject="Nobody's")
    new_case(agent, owner=other, subject="Someone else's")
    done = new_case(agent, owner=agent, subject="Done")
    cases.change_status(done, CaseStatus.RESOLVED, actor=agent)
    url = reverse("support:case_list")

    def listed(query):
        response = agent_client.get(url, query)
        assert response.status_code == 200
        return {case.subject for case in response.context["records"]}

    assert listed({"queue": "mine"}) == {mine.subject}
    assert listed({"queue": "unassigned"}) == {unassigned.subject}
    assert listed({}) == {"Mine", "Nobody's", "Someone else's", "Done"}
    assert listed({"status": "resolved"}) == {"Done"}
    assert listed({"queue": "nonsense"}) == listed({})  # ignored, as other bad filters are


def test_the_list_costs_the_same_queries_for_many_cases(
    agent_client, agent, ana, django_assert_max_num_queries
):
    for n in range(3):
        new_case(agent, contact=ana, subject=f"Case {n}")
    agent_client.get(reverse("support:case_list"))
    with django_assert_max_num_queries(20) as few:
        agent_client.get(reverse("support:case_list"))
    for n in range(30):
        new_case(agent, contact=ana, subject=f"More {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        agent_client.get(reverse("support:case_list"))


def test_the_case_page_shows_the_conversation(agent_client, agent, ana):
    case = new_case(agent, contact=ana)
    cases.add_note(case, "Billing knows: bug 42.", actor=agent)

    response = agent_client.get(reverse("support:case_detail", args=[case.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "My invoice shows 12 units; I bought 2." in body
    assert "Billing knows: bug 42." in body
    assert f"#{case.pk}" in body


def test_replying_from_the_page_waits_for_the_customer(agent_client, agent, ana):
    case = new_case(agent, contact=ana)

    response = agent_client.post(
        reverse("support:case_message", args=[case.pk]),
        {"kind": "reply", "body": "A new invoice is on its way.", "status": "pending_customer"},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING_CUSTOMER
    reply = case.messages.get(kind=MessageKind.REPLY)
    assert (reply.author, reply.to_addresses) == (agent, ["ana@puig.cat"])


def test_a_note_from_the_page_keeps_the_status(agent_client, agent, ana):
    case = new_case(agent, contact=ana)
    agent_client.post(
        reverse("support:case_message", args=[case.pk]),
        {"kind": "note", "body": "Call her back after 5.", "status": "resolved"},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW
    assert case.messages.filter(kind=MessageKind.NOTE).count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "reply", "body": ""},
        {"kind": "shout", "body": "Hello"},
        {"kind": "reply", "body": "x" * 100_001},
        {"kind": "reply", "body": "Hi", "status": "lost"},
    ],
)
def test_a_bad_message_is_shown_again_and_nothing_is_written(agent_client, agent, ana, data):
    case = new_case(agent, contact=ana)
    response = agent_client.post(reverse("support:case_message", args=[case.pk]), data)
    assert response.status_code == 400
    assert case.messages.count() == 1  # the description only


def test_html_in_a_message_is_shown_as_text(agent_client, agent, ana):
    case = new_case(agent, contact=ana, description='<script>alert("x")</script><b>hi</b>')
    body = agent_client.get(reverse("support:case_detail", args=[case.pk])).content.decode()
    assert '<script>alert("x")</script>' not in body
    assert "&lt;script&gt;" in body


def test_status_changes_with_the_version_it_was_read_at(agent_client, agent, ana):
    case = new_case(agent, contact=ana)
    url = reverse("support:case_status", args=[case.pk])

    agent_client.post(url, {"status": "resolved", "version": case.version})
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED

    agent_client.post(url, {"status": "open", "version": 1})  # stale: someone changed it
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED


def test_creating_a_case_from_the_form(agent_client, agent, ana):
    response = agent_client.post(
        reverse("support:case_create"),
        {
            "subject": "Broken lamp",
            "description": "Arrived broken.",
            "priority": "high",
            "status": "new",
            "channel": "phone",
            "contact": str(ana.pk),
            "owner": str(agent.pk),
        },
    )
    case = Case.objects.get()
    assert response["Location"] == reverse("support:case_detail", args=[case.pk])
    assert (case.contact, case.priority, case.channel) == (ana, "high", "phone")


def test_other_roles_read_but_do_not_write(client, make_user, agent, ana):
    case = new_case(agent, contact=ana)
    seller = make_user("sales", username="seller", scope="all")
    client.force_login(seller)

    assert client.get(reverse("support:case_detail", args=[case.pk])).status_code == 200
    reply = client.post(
        reverse("support:case_message", args=[case.pk]), {"kind": "note", "body": "hi"}
    )
    assert reply.status_code == 403
    assert client.get(reverse("support:case_create")).status_code == 403


def test_a_case_out_of_scope_is_not_found(client, make_user, agent, ana):
    case = new_case(agent, contact=ana, owner=agent)
    loner = make_user("service", username="loner", scope="own")
    client.force_login(loner)
    assert client.get(reverse("support:case_detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("support:case_list")).context["records"] == []
