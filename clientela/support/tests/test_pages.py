"""The case pages: queues, the case with its conversation, writing replies and notes, changing
status, the form; permissions and hostile input."""

import datetime
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test.html import parse_html
from django.urls import reverse
from django.utils import timezone, translation

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


def test_queue_rows_show_each_cases_people_at_a_fixed_number_of_queries(
    agent_client, agent, make_user, make_team, django_assert_num_queries
):
    from clientela.support.models import CaseCategory

    def case_of(n, **fields):
        company = contact_services.create_company(actor=agent, name=f"Company {n}")
        contact = contact_services.create_contact(
            actor=agent, first_name=f"Name{n}", last_name=f"Surname{n}", company=company
        )
        category = CaseCategory.objects.create(name=f"Category {n}")
        return new_case(agent, contact=contact, category=category, subject=f"Case {n}", **fields)

    url = reverse("support:case_list")
    case_of(0, owner=agent, team=make_team("Team 0"))
    agent_client.get(url)
    # the bell's unread count and the user's teams (views shared with a team) included
    with django_assert_num_queries(12) as first:
        agent_client.get(url)
    gone = make_user("service", username="gone")
    for n in range(1, 4):
        case_of(n, owner=make_user("service", username=f"agent{n}"), team=make_team(f"Team {n}"))
    case_of(4, owner=gone)
    gone.is_active = False  # not among the active people the sidebar lists
    gone.save()

    # One query more: the deactivated owner, read by id.
    with django_assert_num_queries(len(first.captured_queries) + 1):
        response = agent_client.get(url)

    body = response.content.decode()
    for n in range(5):
        assert f"Name{n} Surname{n}" in body
        assert f"Company {n}" in body
        assert f"Category {n}" in body
    for n in range(4):
        assert f"Team {n}" in body
    rows = {case.subject: case for case in response.context["records"]}
    assert str(rows["Case 4"].owner) == "Service User2" and rows["Case 4"].owner == gone
    assert rows["Case 1"].owner.username == "agent1"
    assert rows["Case 1"].team.name == "Team 1"


# The markup the badge had as an included template, which the tag must keep.
SLA_BADGE_TEMPLATE = (
    '{% if case.sla_state != "none" %}<span class="badge{% if case.sla_state == \'breached\' %}'
    " badge-danger{% elif case.sla_state == 'warning' %} badge-warning{% elif case.sla_state =="
    " 'met' %} badge-success{% endif %}\">{{ case.get_sla_state_display }}</span>{% if"
    ' case.next_due %} <time class="muted small" datetime="{{ case.next_due|date:\'c\' }}">'
    '{{ case.next_due|date:"SHORT_DATETIME_FORMAT" }}</time>{% endif %}{% endif %}'
)


@pytest.mark.parametrize("state", ["none", "on_track", "paused", "warning", "breached", "met"])
@pytest.mark.parametrize("due", [None, datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)])
def test_the_sla_badge_shows_the_state_and_the_next_due_moment(state, due):
    case = Case(sla_state=state, next_due=due)
    context = Context({"case": case})

    with timezone.override("Europe/Madrid"), translation.override("es"):
        html = Template("{% load support_tags %}{% sla_badge case %}").render(context)
        expected = Template(SLA_BADGE_TEMPLATE).render(context)

    assert html == expected
    assert ("2026-03-02T10:30:00+01:00" in html) == (state != "none" and due is not None)


# The markup the queue rows had in template, which the tag must keep.
CASE_ROW_TEMPLATE = (
    "{% load i18n support_tags %}{% for record in records %}<tr>{% if can_bulk %}"
    '<td class="check"><input type="checkbox" name="ids" value="{{ record.pk }}" aria-label="'
    '{% blocktranslate with name=record %}Select {{ name }}{% endblocktranslate %}"></td>'
    "{% endif %}"
    '<td class="name"><a href="{% url \'support:case_detail\' record.pk %}">{{ record.reference }}'
    ' {{ record.subject }}</a>{% if record.category %}<br><span class="muted small">'
    '{{ record.category }}</span>{% endif %}</td><td>{% if record.contact %}<a href="'
    "{% url 'contacts:contact_detail' record.contact_id %}\">{{ record.contact }}</a>{% endif %}"
    '{% if record.company %}<br><span class="muted small">{{ record.company.name }}</span>'
    "{% endif %}</td><td>{{ record.get_status_display }}</td><td>{% if record.priority =="
    ' "urgent" or record.priority == "high" %}<span class="badge badge-danger">'
    "{{ record.get_priority_display }}</span>{% else %}{{ record.get_priority_display }}"
    '{% endif %}</td><td class="nowrap">{% sla_badge record %}</td><td>'
    '{{ record.owner|default:"" }}{% if record.team %}<br><span class="muted small">'
    "{{ record.team }}</span>{% endif %}</td></tr>{% endfor %}"
)


@pytest.mark.parametrize("can_bulk", [True, False])
def test_queue_rows_keep_their_markup(agent, ana, make_team, can_bulk):
    from clientela.support.models import CaseCategory

    category = CaseCategory.objects.create(name="Factures <b>")
    records = [
        new_case(agent, contact=ana, owner=agent, team=make_team("Suport"), category=category),
        new_case(agent, subject="<script>alert(1)</script>", priority="urgent"),
    ]
    context = Context({"records": records, "can_bulk": can_bulk})

    with translation.override("ca"):
        html = Template("{% load support_tags %}{% case_rows records can_bulk %}").render(context)
        expected = Template(CASE_ROW_TEMPLATE).render(context)

    assert parse_html(html) == parse_html(expected)
    assert "<script>" not in html


# The markup the conversation had in template, which the tag must keep.
THREAD_TEMPLATE = "{% load i18n %}" + (
    Path(__file__).parent / "data" / "thread_as_template.html"
).read_text(encoding="utf-8")


@pytest.mark.parametrize("agent_view", [True, False])
def test_the_conversation_keeps_its_markup(agent, ana, agent_view):
    case = new_case(agent, contact=ana)
    cases.add_note(case, "Línia <b>u</b>\nlínia dos", actor=agent)
    cases.add_customer_message(case, "Una altra <script>x</script>", contact=ana)
    thread = list(case.messages.order_by("id").prefetch_related("attachments"))
    context = Context(
        {"thread": thread, "message_form": agent_view, "split_url": "/split/", "csrf_token": "t"}
    )

    with timezone.override("Europe/Madrid"), translation.override("es"):
        html = Template("{% load support_tags %}{% thread_messages thread %}").render(context)
        expected = Template(THREAD_TEMPLATE).render(context)

    assert parse_html(html) == parse_html(expected)
    assert ("/split/" in html) == agent_view
    assert "<script>" not in html


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
