"""Canned replies and macros: placeholders filled in, fields set when sent, hostile text."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clientela.contacts import services as contact_services
from clientela.support.choices import CaseStatus, MessageKind
from clientela.support.models import CannedReply, CaseCategory
from clientela.support.services import canned, cases


@pytest.fixture
def agent(make_user):
    return make_user("service", username="agent")


@pytest.fixture
def case(agent):
    ana = contact_services.create_contact(
        actor=agent, first_name="Ana", last_name="Puig", emails=["ana@puig.cat"]
    )
    return cases.create_case(actor=agent, subject="Lamp broken", description="Help", contact=ana)


def test_placeholders_are_filled_in(agent, case):
    reply = canned.save_canned_reply(
        actor=agent, title="Sorry", body="Hello {first_name}, about {case} ({subject}): {agent}."
    )
    text = canned.fill_in(reply, case, agent)
    assert text == f"Hello Ana, about #{case.pk} (Lamp broken): {agent.get_full_name()}."


@pytest.mark.parametrize(
    "body",
    ["Hi {password}", "Hi {first_name:>999999999}", "Hi {first_name!r}", "Hi {", "{0}", "{}"],
)
def test_unknown_or_formatted_placeholders_are_refused(agent, body):
    with pytest.raises(ValidationError) as raised:
        canned.save_canned_reply(actor=agent, title="Bad", body=body)
    assert "body" in raised.value.message_dict
    assert not CannedReply.objects.exists()


def test_braces_can_be_written_doubled(agent, case):
    reply = canned.save_canned_reply(actor=agent, title="Code", body="Type {{code}}, {first_name}.")
    assert canned.fill_in(reply, case, agent) == "Type {code}, Ana."


def test_a_macro_sets_fields_and_tags_as_the_reply_goes(agent, case):
    returns = CaseCategory.objects.create(name="Returns")
    macro = canned.save_canned_reply(
        actor=agent,
        title="Return label",
        body="Here is your return label.",
        set_status=CaseStatus.RESOLVED,
        set_priority="high",
        set_category=returns,
        add_tags="returns, label",
    )

    canned.send_canned_reply(case, macro, "Here is your label, Ana.", actor=agent)

    case.refresh_from_db()
    assert (case.status, case.priority, case.category) == (CaseStatus.RESOLVED, "high", returns)
    assert sorted(t.name for t in case.tags.all()) == ["label", "returns"]
    assert case.messages.filter(kind=MessageKind.REPLY).get().body == "Here is your label, Ana."


def test_the_same_title_twice_in_a_language_is_refused(agent):
    canned.save_canned_reply(actor=agent, title="Thanks", body="Thanks!", language="en")
    canned.save_canned_reply(actor=agent, title="Thanks", body="Gràcies!", language="ca")
    with pytest.raises(ValidationError):
        canned.save_canned_reply(actor=agent, title="Thanks", body="Again", language="en")


def test_picking_a_canned_reply_fills_the_form_and_sending_applies_it(client, agent, case):
    macro = canned.save_canned_reply(
        actor=agent, title="Solved", body="Solved, {first_name}!", set_status=CaseStatus.RESOLVED
    )
    client.force_login(agent)
    page = client.get(reverse("support:case_detail", args=[case.pk]), {"canned": macro.pk})
    form = page.context["message_form"]
    assert form.initial["body"] == "Solved, Ana!"

    client.post(
        reverse("support:case_message", args=[case.pk]),
        {"kind": "reply", "body": "Solved, Ana! Enjoy.", "canned": macro.pk, "status": "resolved"},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
    assert form.initial["status"] == CaseStatus.RESOLVED  # the macro's, shown to the agent

    client.post(
        reverse("support:case_message", args=[case.pk]),
        {"kind": "reply", "body": "One more thing.", "canned": macro.pk, "status": "on_hold"},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.ON_HOLD  # what the agent chose wins


def test_only_managers_edit_canned_replies(client, agent, make_user):
    client.force_login(make_user("sales", username="seller"))
    assert client.get(reverse("support:canned_list")).status_code == 403
    client.force_login(agent)  # the service role manages customer service
    response = client.post(
        reverse("support:canned_create"), {"title": "Hi", "body": "Hello {name}", "active": "on"}
    )
    assert response.status_code == 302
    assert CannedReply.objects.get().title == "Hi"
