"""Merging a request opened twice, and splitting another request out of a case."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clientela.contacts import services as contact_services
from clientela.support.choices import CaseStatus, MessageKind
from clientela.support.services import cases


@pytest.fixture
def agent(make_user):
    return make_user("service", username="agent")


@pytest.fixture
def ana(agent):
    return contact_services.create_contact(actor=agent, first_name="Ana", emails=["ana@x.es"])


def open_case(agent, ana, subject, text, **fields):
    return cases.create_case(actor=agent, subject=subject, description=text, contact=ana, **fields)


def test_merging_moves_the_conversation_and_closes_the_duplicate(agent, ana):
    first = open_case(agent, ana, "Lamp broken", "My lamp arrived broken.", tags=["lamp"])
    second = open_case(agent, ana, "Lamp", "Did you get my e-mail?", tags=["urgent"])

    target = cases.merge_cases(first, [second], actor=agent)

    bodies = list(target.messages.values_list("kind", "body"))
    assert bodies[:2] == [
        (MessageKind.CUSTOMER, "My lamp arrived broken."),
        (MessageKind.CUSTOMER, "Did you get my e-mail?"),
    ]
    assert bodies[2] == (MessageKind.NOTE, f"Merged here: #{second.pk}.")
    assert sorted(t.name for t in target.tags.all()) == ["lamp", "urgent"]
    second.refresh_from_db()
    assert (second.status, second.merged_into) == (CaseStatus.CLOSED, first)
    assert list(second.messages.values_list("body", flat=True)) == [f"Merged into #{first.pk}."]


def test_a_case_cannot_be_merged_into_itself_or_twice(agent, ana):
    first = open_case(agent, ana, "A", "a")
    second = open_case(agent, ana, "B", "b")
    with pytest.raises(ValidationError):
        cases.merge_cases(first, [first], actor=agent)
    cases.merge_cases(first, [second], actor=agent)
    second.refresh_from_db()
    with pytest.raises(ValidationError):
        cases.merge_cases(first, [second], actor=agent)


def test_splitting_opens_a_case_with_the_message_and_what_followed(agent, ana):
    case = open_case(agent, ana, "Invoice", "The invoice is wrong.", priority="high")
    cases.reply_to_case(case, "We will fix it.", actor=agent)
    other = cases.add_customer_message(case, "Also: can I change my address?")
    cases.add_note(case, "Address change is another team.", actor=agent)

    new = cases.split_case(case, other, actor=agent)

    assert (new.contact, new.priority) == (ana, "high")
    assert [m.body for m in new.messages.all()][:2] == [
        "Also: can I change my address?",
        "Address change is another team.",
    ]
    assert case.messages.filter(body="The invoice is wrong.").exists()
    assert case.messages.last().body == f"Split into #{new.pk}."


def test_the_whole_conversation_cannot_be_split_away(agent, ana):
    case = open_case(agent, ana, "Invoice", "The invoice is wrong.")
    with pytest.raises(ValidationError):
        cases.split_case(case, case.messages.get(), actor=agent)


def test_merge_and_split_from_the_page(client, agent, ana, make_user):
    first = open_case(agent, ana, "Lamp", "Broken lamp.")
    second = open_case(agent, ana, "Lamp again", "Hello?")
    client.force_login(agent)

    response = client.post(
        reverse("support:case_merge", args=[second.pk]), {"into": f"#{first.pk}"}
    )

    assert response["Location"] == reverse("support:case_detail", args=[first.pk])
    second.refresh_from_db()
    assert second.merged_into == first

    hidden = open_case(make_user("service", username="boss"), ana, "Secret", "x")
    loner = make_user("service", username="loner", scope="own")
    client.force_login(loner)
    mine = open_case(loner, ana, "Mine", "y", owner=loner)
    client.post(reverse("support:case_merge", args=[mine.pk]), {"into": str(hidden.pk)})
    mine.refresh_from_db()
    assert mine.merged_into is None  # a case out of scope is not a target
