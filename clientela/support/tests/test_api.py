"""``/api/v1/cases/``: CRUD through the services, queues and filters, If-Match, the thread,
the permission matrix, hostile input and the cost of a page."""

import json

import pytest

from clientela.contacts import services as contact_services
from clientela.core import services as core_services
from clientela.core.models import ChangeRecord
from clientela.sales import services as sales_services
from clientela.support.choices import CaseStatus, MessageKind, SlaState
from clientela.support.models import Case, CaseAttachment, CaseCategory, CaseMessage, SlaPolicy
from clientela.support.models.cases import MAX_BODY
from clientela.support.services import cases

pytestmark = pytest.mark.django_db
URL = "/api/v1/cases/"


def detail(case):
    return f"{URL}{case.pk}/"


def thread(case):
    return f"{URL}{case.pk}/messages/"


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def assert_error(response, status, code, fields):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert sorted(body["fields"]) == sorted(fields)
    return body


def db_state():
    """Everything a case write could touch."""
    return {
        "cases": list(Case.all_objects.order_by("id").values()),
        "messages": list(CaseMessage.objects.order_by("id").values()),
        "case_tags": list(Case.tags.through.objects.order_by("id").values()),
        "case_deals": list(Case.deals.through.objects.order_by("id").values()),
        "changes": ChangeRecord.objects.count(),
    }


@pytest.fixture
def service_team(make_team):
    return make_team("Service")


@pytest.fixture
def agent(make_user, service_team):
    return make_user("service", username="marta", teams=[service_team])


@pytest.fixture
def agent_api(api, agent):
    return api(agent)


@pytest.fixture
def ana(admin_user):
    company = contact_services.create_company(actor=admin_user, name="Puig SL")
    return contact_services.create_contact(
        actor=admin_user,
        first_name="Ana",
        last_name="Puig",
        company=company,
        emails=["ana@puig.cat"],
        owner=admin_user,
    )


@pytest.fixture
def policies(db):
    """Round-the-clock targets: urgent cases within 30 minutes, normal ones within 4 hours;
    low-priority cases have no SLA."""
    return {
        "urgent": SlaPolicy.objects.create(
            name="Urgent", position=1, priority="urgent", first_response_minutes=30
        ),
        "normal": SlaPolicy.objects.create(
            name="Normal",
            position=2,
            priority="normal",
            first_response_minutes=240,
            resolution_minutes=2400,
        ),
    }


def open_case(actor, **fields):
    fields.setdefault("subject", "The invoice is wrong")
    fields.setdefault("description", "My invoice of May shows 12 units; I bought 2.")
    return cases.create_case(actor=actor, **fields)


# --- create, read, update, delete ----------------------------------------------------------------


def test_create_opens_the_case_with_its_thread_sla_and_etag(
    agent_api, agent, ana, policies, service_team
):
    billing = CaseCategory.objects.create(name="Billing", team=service_team)
    deal = sales_services.create_deal(actor=agent, name="Renewal", owner=agent)

    response = agent_api.post(
        URL,
        {
            "subject": "  The   invoice is wrong ",
            "description": "My invoice of May shows 12 units; I bought 2.",
            "contact": ana.pk,
            "category": billing.pk,
            "channel": "phone",
            "language": "ca",
            "tags": ["vip", "billing"],
            "deals": [deal.pk],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    case = Case.objects.get()
    assert body["id"] == case.pk
    assert body["reference"] == f"#{case.pk}"
    assert response["ETag"] == f'"{case.pk}-1"'
    assert (body["subject"], body["status"], body["priority"], body["channel"]) == (
        "The invoice is wrong",
        "new",
        "normal",
        "phone",
    )
    assert (body["owner"], body["team"], body["company"], body["contact"]) == (
        agent.pk,  # the caller
        service_team.pk,  # the category's team
        ana.company_id,  # the contact's company
        ana.pk,
    )
    assert (body["tags"], body["deals"], body["language"]) == (["billing", "vip"], [deal.pk], "ca")
    assert body["sla_policy"] == policies["normal"].pk
    assert body["sla_state"] == SlaState.ON_TRACK
    assert body["first_response_due"] is not None
    assert body["next_due"] == body["first_response_due"]
    assert (body["first_responded_at"], body["resolved_at"], body["closed_at"]) == (None,) * 3
    assert "from_customer" not in body
    [message] = case.messages.all()
    assert (message.kind, message.contact) == (MessageKind.CUSTOMER, ana)


def test_an_agent_typed_case_starts_with_a_note_and_null_owner_leaves_it_unassigned(agent_api):
    response = agent_api.post(
        URL,
        {
            "subject": "Call: the router blinks",
            "description": "Customer called, router blinks red.",
            "from_customer": False,
            "owner": None,
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    case = Case.objects.get()
    assert case.owner is None
    assert case.messages.get().kind == MessageKind.NOTE


def test_custom_fields_are_defined_for_cases_and_validated_on_them(admin_api, agent_api):
    defined = admin_api.post(
        "/api/v1/custom-fields/",
        {"record_type": "case", "key": "serial", "label": "Serial", "field_type": "integer"},
        format="json",
    )
    assert defined.status_code == 201, defined.json()
    assert defined.json()["record_type"] == "case"
    listed = admin_api.get("/api/v1/custom-fields/?record_type=case").json()["results"]
    assert [f["key"] for f in listed] == ["serial"]

    bad = agent_api.post(
        URL, {"subject": "Broken", "custom_fields": {"serial": "many"}}, format="json"
    )
    assert_error(bad, 400, "invalid", ["serial"])
    good = agent_api.post(
        URL, {"subject": "Broken", "custom_fields": {"serial": "1234"}}, format="json"
    )
    assert good.status_code == 201, good.json()
    assert good.json()["custom_fields"] == {"serial": 1234}
    assert Case.objects.get().custom_fields == {"serial": 1234}


def test_retrieve_then_patch_with_if_match_and_a_stale_write_is_412(agent_api, agent, policies):
    case = open_case(agent, owner=agent)
    read = agent_api.get(detail(case))
    etag = read["ETag"]
    assert etag == f'"{case.pk}-1"'
    assert read.json()["reference"] == f"#{case.pk}"

    first = agent_api.patch(detail(case), {"priority": "urgent"}, format="json", HTTP_IF_MATCH=etag)
    second = agent_api.patch(detail(case), {"priority": "low"}, format="json", HTTP_IF_MATCH=etag)

    assert first.status_code == 200, first.json()
    assert first["ETag"] == f'"{case.pk}-2"'
    assert (first.json()["priority"], first.json()["sla_policy"]) == (
        "urgent",
        policies["urgent"].pk,
    )
    assert_error(second, 412, "precondition_failed", [])
    case.refresh_from_db()
    assert (case.priority, case.version) == ("urgent", 2)


def test_patching_the_status_keeps_the_sla_times(agent_api, agent):
    case = open_case(agent, owner=agent)

    resolved = agent_api.patch(detail(case), {"status": "resolved"}, format="json")
    closed = agent_api.patch(detail(case), {"status": "closed"}, format="json")

    assert resolved.status_code == 200
    assert resolved.json()["resolved_at"] is not None
    assert closed.json()["closed_at"] is not None
    assert closed.json()["status"] == CaseStatus.CLOSED


def test_what_was_read_can_be_put_back(agent_api, agent, ana):
    case = open_case(agent, owner=agent, contact=ana, tags=["vip"])
    read = agent_api.get(detail(case)).json()

    response = agent_api.put(detail(case), {**read, "subject": "New subject"}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["subject"] == "New subject"
    assert response.json()["tags"] == ["vip"]


def test_from_customer_is_refused_after_the_case_is_opened(agent_api, agent):
    case = open_case(agent, owner=agent)

    response = agent_api.patch(detail(case), {"from_customer": False}, format="json")

    assert_error(response, 400, "invalid", ["from_customer"])


def test_delete_moves_the_case_to_the_trash_and_restore_brings_it_back(agent_api, agent):
    case = open_case(agent, owner=agent)

    assert agent_api.delete(detail(case)).status_code == 204
    assert agent_api.get(detail(case)).status_code == 404
    assert ids(agent_api.get(URL, {"trashed": "true"})) == [case.pk]
    restored = agent_api.post(f"{detail(case)}restore/")
    assert restored.status_code == 200
    assert restored.json()["deleted_at"] is None
    assert ids(agent_api.get(URL)) == [case.pk]
    actions = [c["action"] for c in agent_api.get(f"{detail(case)}history/").json()["results"]]
    assert actions == ["restore", "delete", "create"]


def test_delete_with_a_stale_etag_is_412_and_keeps_the_case(agent_api, agent):
    case = open_case(agent, owner=agent)
    cases.update_case(case, actor=agent, priority="high")

    response = agent_api.delete(detail(case), HTTP_IF_MATCH=f'"{case.pk}-1"')

    assert_error(response, 412, "precondition_failed", [])
    assert Case.objects.filter(pk=case.pk).exists()


def test_export_streams_the_visible_cases_as_csv(agent_api, agent):
    open_case(agent, owner=agent, subject="=HYPERLINK(1)", tags=["vip"])

    response = agent_api.get(f"{URL}export/")

    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("id,reference,subject,status")
    assert lines[1].split(",")[2] == "'=HYPERLINK(1)"


# --- queues, filters, ordering -------------------------------------------------------------------


@pytest.fixture
def queue_cases(agent, make_user, service_team, policies):
    """One case for each situation the queues tell apart."""
    colleague = make_user("service", teams=[service_team])
    outsider = make_user("service")
    found = {
        "mine": open_case(agent, owner=agent, priority="normal"),
        "unassigned": open_case(agent, owner=None, priority="low"),
        "team": open_case(agent, owner=colleague, team=service_team, priority="urgent"),
        "other": open_case(agent, owner=outsider, priority="low"),
        "resolved": open_case(agent, owner=agent, priority="urgent"),
    }
    cases.change_status(found["resolved"], CaseStatus.RESOLVED, actor=agent)
    return found


@pytest.mark.parametrize(
    ("queue", "expected"),
    [
        ("mine", ["mine"]),
        ("unassigned", ["unassigned"]),
        ("team", ["team"]),
        ("active", ["other", "team", "unassigned", "mine"]),
        # by the next due moment: the urgent case (30 min) before the normal one (4 h)
        ("breaching", ["team", "mine"]),
    ],
)
def test_queues_list_active_cases_in_their_order(agent_api, queue_cases, queue, expected):
    response = agent_api.get(URL, {"queue": queue})

    assert ids(response) == [queue_cases[name].pk for name in expected]


def test_the_default_list_is_newest_first_with_every_status(agent_api, queue_cases):
    names = ["resolved", "other", "team", "unassigned", "mine"]
    assert ids(agent_api.get(URL)) == [queue_cases[n].pk for n in names]
    assert ids(agent_api.get(URL, {"ordering": "created"})) == [
        queue_cases[n].pk for n in reversed(names)
    ]


def test_the_breaching_queue_pages_by_due_moment(agent_api, agent, policies):
    urgent = [open_case(agent, owner=agent, priority="urgent") for _ in range(3)]
    normal = [open_case(agent, owner=agent, priority="normal") for _ in range(2)]

    first = agent_api.get(URL, {"queue": "breaching", "page_size": 2}).json()
    rest = agent_api.get(first["next"]).json()
    last = agent_api.get(rest["next"]).json()

    seen = [r["id"] for page in (first, rest, last) for r in page["results"]]
    assert seen == [c.pk for c in urgent + normal]
    assert last["next"] is None


def test_sorting_by_due_moment_outside_the_breaching_queue_is_400(agent_api, queue_cases):
    response = agent_api.get(URL, {"ordering": "due"})

    assert_error(response, 400, "invalid", ["ordering"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "resolved"}, ["resolved"]),
        ({"status": ["new", "resolved"]}, ["resolved", "other", "team", "unassigned", "mine"]),
        ({"priority": "urgent"}, ["resolved", "team"]),
        ({"sla_state": "none"}, ["other", "unassigned"]),
        ({"owner": "none"}, ["unassigned"]),
        ({"owner": "me", "status": "new"}, ["mine"]),
    ],
)
def test_filters_narrow_the_list(agent_api, queue_cases, query, expected):
    assert ids(agent_api.get(URL, query)) == [queue_cases[n].pk for n in expected]


def test_filters_by_customer_channel_category_and_tag(agent_api, agent, ana):
    billing = CaseCategory.objects.create(name="Billing")
    by_ana = open_case(agent, owner=agent, contact=ana, channel="phone")
    billed = open_case(agent, owner=agent, category=billing, tags=["vip"])

    assert ids(agent_api.get(URL, {"contact": ana.pk})) == [by_ana.pk]
    assert ids(agent_api.get(URL, {"company": ana.company_id})) == [by_ana.pk]
    assert ids(agent_api.get(URL, {"channel": "phone"})) == [by_ana.pk]
    assert ids(agent_api.get(URL, {"category": billing.pk})) == [billed.pk]
    assert ids(agent_api.get(URL, {"tag": "vip"})) == [billed.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("queue=everything", "queue"),
        ("status=lost", "status"),
        ("priority=asap", "priority"),
        ("sla_state=late", "sla_state"),
        ("category=999999", "category"),
        ("ordering=subject", "ordering"),
        ("cursor=not-a-cursor", "cursor"),
        ("page_size=0", "page_size"),
        ("trashed=perhaps", "trashed"),
    ],
)
def test_bad_list_parameters_are_400_with_the_parameter_named(agent_api, agent, query, field):
    open_case(agent, owner=agent)

    assert_error(agent_api.get(f"{URL}?{query}"), 400, "invalid", [field])


# --- the thread ----------------------------------------------------------------------------------


def test_the_thread_lists_oldest_first_with_notes_in_pages(agent_api, agent, ana):
    case = open_case(agent, owner=agent, contact=ana)
    cases.add_note(case, "Checked the invoice: our mistake.", actor=agent)
    cases.reply_to_case(case, "Sorry! A corrected invoice is on its way.", actor=agent)
    cases.add_customer_message(case, "Thanks, received.")

    first = agent_api.get(thread(case), {"page_size": 2})
    rest = agent_api.get(first.json()["next"])

    assert first.status_code == 200
    kinds = [m["kind"] for page in (first, rest) for m in page.json()["results"]]
    assert kinds == ["customer", "note", "reply", "customer"]
    assert rest.json()["next"] is None
    reply = rest.json()["results"][0]
    assert (reply["author"], reply["author_name"], reply["to_addresses"]) == (
        agent.pk,
        str(agent),
        ["ana@puig.cat"],
    )
    assert first.json()["results"][0]["contact"] == ana.pk
    newest = agent_api.get(thread(case), {"ordering": "-created"}).json()["results"]
    assert [m["kind"] for m in newest] == ["customer", "reply", "note", "customer"]


def test_a_reply_answers_the_customer_and_waits_for_them(agent_api, agent, ana, policies):
    case = open_case(agent, owner=agent, contact=ana)

    response = agent_api.post(
        thread(case), {"kind": "reply", "body": "We are on it."}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["body"], body["author"], body["to_addresses"]) == (
        "reply",
        "We are on it.",
        agent.pk,
        ["ana@puig.cat"],
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING_CUSTOMER
    assert case.first_responded_at is not None
    assert case.sla_state == SlaState.PAUSED


def test_a_reply_can_set_or_keep_the_status(agent_api, agent):
    case = open_case(agent, owner=agent)

    resolved = agent_api.post(
        thread(case), {"kind": "reply", "body": "Fixed.", "status": "resolved"}, format="json"
    )
    case.refresh_from_db()
    assert (resolved.status_code, case.status) == (201, CaseStatus.RESOLVED)

    kept = agent_api.post(
        thread(case), {"kind": "reply", "body": "One more thing.", "status": None}, format="json"
    )
    case.refresh_from_db()
    assert (kept.status_code, case.status) == (201, CaseStatus.RESOLVED)


def test_a_note_is_internal_and_changes_nothing_else(agent_api, agent):
    case = open_case(agent, owner=agent)

    response = agent_api.post(
        thread(case), {"kind": "note", "body": "Customer is on holiday."}, format="json"
    )

    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["to_addresses"]) == ("note", [])
    case.refresh_from_db()
    assert (case.status, case.version, case.first_responded_at) == (CaseStatus.NEW, 1, None)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"kind": "note", "body": "x", "status": "resolved"}, ["status"]),
        ({"kind": "customer", "body": "I am the customer"}, ["kind"]),
        ({"kind": "automatic", "body": "Received"}, ["kind"]),
        ({"kind": "reply", "body": ""}, ["body"]),
        ({"kind": "reply", "body": "   \n "}, ["body"]),
        ({"kind": "reply"}, ["body"]),
        ({"body": "x"}, ["kind"]),
        ({"kind": "reply", "body": ["x"]}, ["body"]),
        ({"kind": "reply", "body": "x", "status": "done"}, ["status"]),
        ({"kind": "reply", "body": "x", "to": ["evil@example.com"]}, ["to"]),
    ],
)
def test_bad_messages_are_400_and_change_nothing(agent_api, agent, body, fields):
    case = open_case(agent, owner=agent)
    before = db_state()

    response = agent_api.post(thread(case), body, format="json")

    assert_error(response, 400, "invalid", fields)
    assert db_state() == before


def test_a_huge_message_is_kept_cut_with_a_note(agent_api, agent):
    case = open_case(agent, owner=agent)
    text = "a" * 150_000

    response = agent_api.post(thread(case), {"kind": "note", "body": text}, format="json")

    assert response.status_code == 201
    stored = CaseMessage.objects.get(pk=response.json()["id"]).body
    assert stored.startswith("a" * MAX_BODY)
    assert stored[MAX_BODY:] == "\n\n[The rest of this message was cut: too long.]"
    assert response.json()["body"] == stored


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert('x')</script>",
        "<img src=x onerror=alert(1)>",
        "Robert'); DROP TABLE support_case;--",
    ],
)
def test_html_in_messages_and_subjects_is_stored_and_answered_as_text(agent_api, agent, text):
    created = agent_api.post(URL, {"subject": text, "description": text}, format="json")
    case = Case.objects.get(pk=created.json()["id"])
    posted = agent_api.post(thread(case), {"kind": "reply", "body": text}, format="json")

    assert (created.status_code, posted.status_code) == (201, 201)
    assert created["Content-Type"] == posted["Content-Type"] == "application/json"
    assert (case.subject, created.json()["description"]) == (text, text)
    assert posted.json()["body"] == CaseMessage.objects.get(pk=posted.json()["id"]).body == text
    assert [m["body"] for m in agent_api.get(thread(case)).json()["results"]] == [text, text]


def test_attachments_are_listed_with_their_message(agent_api, agent):
    case = open_case(agent, owner=agent)
    message = case.messages.get()
    CaseAttachment.objects.create(
        message=message, name="invoice.pdf", content_type="application/pdf", size=1234
    )

    [listed] = agent_api.get(thread(case)).json()["results"]

    assert [(a["name"], a["content_type"], a["size"]) for a in listed["attachments"]] == [
        ("invoice.pdf", "application/pdf", 1234)
    ]


def test_a_trashed_case_has_no_thread_to_post_to(agent_api, agent):
    case = open_case(agent, owner=agent)
    core_services.delete_records([case], actor=agent)

    assert agent_api.get(thread(case)).status_code == 404
    response = agent_api.post(thread(case), {"kind": "note", "body": "x"}, format="json")
    assert_error(response, 404, "not_found", [])
    assert agent_api.get(thread(case), {"trashed": "true"}).status_code == 200


# --- permissions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "writes"), [("manager", True), ("service", True)])
def test_support_writers_create_change_and_post(api, make_user, admin_user, role, writes):
    client = api(make_user(role))
    case = open_case(admin_user, owner=admin_user)

    assert client.post(URL, {"subject": "Mine"}, format="json").status_code == 201
    assert client.patch(detail(case), {"priority": "high"}, format="json").status_code == 200
    posted = client.post(thread(case), {"kind": "note", "body": "Seen."}, format="json")
    assert posted.status_code == 201
    assert client.delete(detail(case)).status_code == 204


@pytest.mark.parametrize("role", ["read_only", "marketing", "sales"])
def test_support_readers_list_and_read_but_never_write(api, make_user, admin_user, role):
    reader = make_user(role, scope="all")
    client = api(reader)
    case = open_case(admin_user, owner=admin_user)
    before = db_state()

    assert ids(client.get(URL)) == [case.pk]
    assert client.get(detail(case)).status_code == 200
    assert [m["kind"] for m in client.get(thread(case)).json()["results"]] == ["customer"]
    assert_error(client.post(URL, {"subject": "x"}, format="json"), 403, "permission_denied", [])
    patch = client.patch(detail(case), {"priority": "high"}, format="json")
    assert_error(patch, 403, "permission_denied", [])
    assert_error(client.delete(detail(case)), 403, "permission_denied", [])
    for kind in ("reply", "note"):
        posted = client.post(thread(case), {"kind": kind, "body": "x"}, format="json")
        assert_error(posted, 403, "permission_denied", [])
    assert_error(client.post(f"{detail(case)}restore/"), 403, "permission_denied", [])
    assert client.get(URL, {"trashed": "true"}).status_code == 403
    assert db_state() == before


def test_salespeople_see_the_cases_of_their_team_only(api, make_user, make_team, admin_user):
    sales_team = make_team("Vendes")
    seller = make_user("sales", teams=[sales_team])  # the built-in role: team scope
    teammate = make_user("sales", teams=[sales_team])
    ours = open_case(admin_user, owner=teammate)
    given = open_case(admin_user, owner=None, team=sales_team)
    theirs = open_case(admin_user, owner=admin_user)
    client = api(seller)

    assert ids(client.get(URL)) == [given.pk, ours.pk]
    assert client.get(detail(theirs)).status_code == 404
    assert client.get(thread(theirs)).status_code == 404
    assert client.get(detail(ours)).status_code == 200


@pytest.mark.parametrize("scope", ["own", "team"])
def test_a_narrow_scope_hides_other_cases_everywhere(api, make_user, make_team, agent, scope):
    narrow = make_user("service", scope=scope, teams=[make_team("Night shift")])
    own = open_case(agent, owner=narrow)
    other = open_case(agent, owner=agent)
    client = api(narrow)
    before = db_state()

    assert ids(client.get(URL)) == [own.pk]
    assert ids(client.get(URL, {"queue": "active"})) == [own.pk]
    assert ids(client.get(URL, {"q": "invoice"})) == [own.pk]
    for response in (
        client.get(detail(other)),
        client.get(thread(other)),
        client.patch(detail(other), {"priority": "high"}, format="json"),
        client.delete(detail(other)),
        client.post(thread(other), {"kind": "reply", "body": "x"}, format="json"),
        client.get(f"{detail(other)}history/"),
    ):
        assert_error(response, 404, "not_found", [])
    assert db_state() == before
    exported = b"".join(client.get(f"{URL}export/").streaming_content).decode()
    assert [line.split(",")[0] for line in exported.splitlines()[1:]] == [str(own.pk)]


def test_links_to_records_out_of_scope_are_refused_like_missing_ones(
    api, make_user, admin_user, agent, ana
):
    narrow = make_user("service", scope="own")
    hidden_deal = sales_services.create_deal(actor=admin_user, name="Secret", owner=admin_user)
    mine = open_case(agent, owner=narrow)
    client = api(narrow)
    before = db_state()

    hidden = client.post(
        URL,
        {"subject": "x", "contact": ana.pk, "company": ana.company_id, "deals": [hidden_deal.pk]},
        format="json",
    )
    missing = client.post(
        URL,
        {"subject": "x", "contact": 999999, "company": 999998, "deals": [999997]},
        format="json",
    )
    patched = client.patch(detail(mine), {"contact": ana.pk}, format="json")

    links = ["contact", "company", "deals"]
    hidden_fields = assert_error(hidden, 400, "invalid", links)["fields"]
    missing_fields = assert_error(missing, 400, "invalid", links)["fields"]
    assert hidden_fields["contact"] == [f'Invalid pk "{ana.pk}" - object does not exist.']
    assert missing_fields["contact"] == ['Invalid pk "999999" - object does not exist.']
    assert assert_error(patched, 400, "invalid", ["contact"])["fields"] == {
        "contact": [f'Invalid pk "{ana.pk}" - object does not exist.']
    }
    assert db_state() == before


def test_links_the_case_has_already_are_accepted_back(api, make_user, admin_user, ana):
    narrow = make_user("service", scope="own")
    deal = sales_services.create_deal(actor=admin_user, name="Secret", owner=admin_user)
    case = open_case(admin_user, owner=narrow, contact=ana, deals=[deal])
    client = api(narrow)
    read = client.get(detail(case)).json()

    response = client.put(detail(case), {**read, "priority": "high"}, format="json")

    assert response.status_code == 200, response.json()
    assert (response.json()["contact"], response.json()["deals"]) == (ana.pk, [deal.pk])


def test_unauthenticated_callers_get_401(client):
    assert_error(client.get(URL), 401, "not_authenticated", [])


# --- hostile and malformed input -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"colour": "red"}, ["colour"]),
        ({"sla_state": "met", "hack": 1}, ["hack"]),
        ({"subject": ""}, ["subject"]),
        ({"subject": "   "}, ["subject"]),
        ({"subject": ["x"]}, ["subject"]),
        ({"subject": "x" * 301}, ["subject"]),
        ({"description": "x" * 100_001}, ["description"]),
        ({"priority": "asap"}, ["priority"]),
        ({"status": "lost"}, ["status"]),
        ({"channel": 3}, ["channel"]),
        ({"language": "klingon"}, ["language"]),
        ({"contact": "abc"}, ["contact"]),
        ({"contact": {"id": 1}}, ["contact"]),
        ({"category": 999999}, ["category"]),
        ({"owner": 999999}, ["owner"]),
        ({"deals": "1"}, ["deals"]),
        ({"deals": list(range(1, 60))}, ["deals"]),
        ({"tags": "vip"}, ["tags"]),
        ({"tags": ["x" * 51]}, ["tags"]),
        ({"custom_fields": []}, ["custom_fields"]),
        ({"from_customer": "perhaps"}, ["from_customer"]),
    ],
)
def test_bad_input_is_400_and_writes_nothing(agent_api, body, fields):
    before = db_state()

    response = agent_api.post(URL, {"subject": "Broken", **body}, format="json")

    assert_error(response, 400, "invalid", fields)
    assert db_state() == before


def test_an_inactive_category_is_refused_on_create(agent_api):
    closed = CaseCategory.objects.create(name="Old", active=False)

    response = agent_api.post(URL, {"subject": "x", "category": closed.pk}, format="json")

    assert_error(response, 400, "invalid", ["category"])


def test_read_only_fields_sent_back_are_ignored(agent_api, agent):
    case = open_case(agent, owner=agent)

    response = agent_api.patch(
        detail(case),
        {"sla_state": "met", "next_due": None, "reference": "#1", "version": 99},
        format="json",
    )

    assert response.status_code == 200
    case.refresh_from_db()
    assert (case.sla_state, case.version) == (SlaState.NONE, 1)


@pytest.mark.parametrize("raw", [b'{"subject": "x"', b"[]", b"null", b"\xff\xfe"])
def test_malformed_json_is_400_and_writes_nothing(agent_api, agent, raw):
    case = open_case(agent, owner=agent)
    before = db_state()

    for url in (URL, thread(case)):
        response = agent_api.generic("POST", url, raw, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["code"] in {"malformed", "invalid"}
    assert db_state() == before


def test_a_10_mb_request_is_413_and_writes_nothing(agent_api, agent):
    case = open_case(agent, owner=agent)
    before = db_state()
    huge = "x" * (10 * 1024 * 1024)

    for method, url, body in (
        ("POST", URL, {"subject": "Big", "description": huge}),
        ("PATCH", detail(case), {"description": huge}),
        ("POST", thread(case), {"kind": "reply", "body": huge}),
    ):
        response = agent_api.generic(method, url, json.dumps(body), content_type="application/json")
        body = assert_error(response, 413, "too_large", [])
        assert body["message"] == "The request body is too large."
    assert db_state() == before


def test_a_form_encoded_body_is_415(agent_api, agent):
    case = open_case(agent, owner=agent)

    response = agent_api.post(thread(case), {"kind": "note", "body": "x"}, format="multipart")

    assert_error(response, 415, "unsupported_media_type", [])


@pytest.mark.parametrize("if_match", ['"garbage"', '"1-x"', '"99999-1"'])
def test_an_unreadable_if_match_is_412(agent_api, agent, if_match):
    case = open_case(agent, owner=agent)

    response = agent_api.patch(
        detail(case), {"priority": "high"}, format="json", HTTP_IF_MATCH=if_match
    )

    assert_error(response, 412, "precondition_failed", [])


# --- cost ----------------------------------------------------------------------------------------


def _many_cases(actor, owner, n):
    deal = sales_services.create_deal(actor=actor, name="Renewal", owner=actor)
    made = []
    for i in range(n):
        case = open_case(actor, owner=owner, tags=[f"t{i % 3}", "vip"], deals=[deal])
        cases.add_note(case, f"Note {i}", actor=actor)
        made.append(case)
    return made


def test_a_case_list_page_costs_a_fixed_number_of_queries(
    agent_api, agent, policies, django_assert_max_num_queries
):
    _many_cases(agent, agent, 3)
    with django_assert_max_num_queries(5) as few:
        assert len(ids(agent_api.get(URL))) == 3
    _many_cases(agent, agent, 40)
    for query in ({}, {"queue": "mine"}, {"queue": "breaching"}, {"page_size": 200}):
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert len(ids(agent_api.get(URL, query))) >= 3


def test_a_thread_page_costs_a_fixed_number_of_queries(
    agent_api, agent, django_assert_max_num_queries
):
    case = open_case(agent, owner=agent)
    with django_assert_max_num_queries(5) as few:
        assert agent_api.get(thread(case)).status_code == 200
    for i in range(30):
        message = cases.add_note(case, f"Note {i}", actor=agent)
        CaseAttachment.objects.create(message=message, name=f"{i}.txt", size=i)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(agent_api.get(thread(case)).json()["results"]) == 31
