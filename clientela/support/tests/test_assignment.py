"""Assignment rules for cases: a new case without an assignee goes where the first matching
rule says, whatever channel opened it (e-mail included); workload counts open cases only."""

import pytest
from django.core.exceptions import ValidationError

from clientela.contacts import services as contact_services
from clientela.core.models import ChangeRecord
from clientela.intake import services as intake
from clientela.support.models import Case
from clientela.support.services import cases

from .conftest import run_jobs
from .test_email_to_case import deliver, email

pytestmark = pytest.mark.django_db


@pytest.fixture
def service_team(make_team, make_user):
    team = make_team("Suport")
    people = [make_user("service", username=n, teams=[team]) for n in ("jordi", "laia", "marc")]
    return team, people


def open_case(actor, **fields):
    return cases.create_case(actor=actor, subject="No funciona", from_customer=False, **fields)


def test_a_rule_for_cases_assigns_new_cases_by_channel_and_territory(admin_user, service_team):
    team, (jordi, laia, _marc) = service_team
    intake.create_rule(
        actor=admin_user,
        name="Phone, Catalonia",
        record_type="case",
        sources=["phone"],
        regions="Girona, Barcelona",
        strategy="user",
        user=jordi,
    )
    intake.create_rule(
        actor=admin_user, name="The rest", record_type="case", strategy="user", user=laia
    )
    gironi = contact_services.create_contact(actor=admin_user, first_name="Pere", region="Girona")
    company = contact_services.create_company(actor=admin_user, name="Fred SL", region="Madrid")
    madrileny = contact_services.create_contact(
        actor=admin_user, first_name="Ana", region="Girona", company=company
    )

    by_phone = open_case(admin_user, channel="phone", contact=gironi)
    by_chat = open_case(admin_user, channel="chat", contact=gironi)
    # The company's address wins over its contact's.
    from_madrid = open_case(admin_user, channel="phone", contact=madrileny)
    chosen = open_case(admin_user, channel="phone", contact=gironi, owner=laia)

    assert [c.owner for c in (by_phone, by_chat, from_madrid, chosen)] == [jordi, laia, laia, laia]
    by_phone.refresh_from_db()
    assert by_phone.owner == jordi
    change = ChangeRecord.objects.filter(object_id=by_phone.pk, action="update").get()
    assert (change.changes, change.source) == ({"owner": [None, jordi.pk]}, "automation")
    # An agent's own choice is never overruled.
    assert not ChangeRecord.objects.filter(object_id=chosen.pk, action="update").exists()


def test_rules_for_contacts_do_not_touch_cases(admin_user, service_team):
    _team, (jordi, _laia, _marc) = service_team
    intake.create_rule(
        actor=admin_user, name="Contacts", record_type="contact", strategy="user", user=jordi
    )

    assert open_case(admin_user, channel="phone").owner is None


def test_workload_counts_only_the_open_cases_of_each_member(admin_user, service_team):
    team, (jordi, laia, marc) = service_team
    for _ in range(3):  # Jordi has more cases, but all of them done
        case = open_case(admin_user, owner=jordi)
        cases.change_status(case, "closed", actor=admin_user)
    open_case(admin_user, owner=laia)
    open_case(admin_user, owner=marc)
    intake.create_rule(
        actor=admin_user, name="Least busy", record_type="case", strategy="workload", team=team
    )

    # Ties go to the first member.
    assert [open_case(admin_user).owner for _ in range(3)] == [jordi, jordi, laia]


def test_round_robin_spreads_cases_opened_by_email(
    support_mailbox, service, admin_user, service_team, django_capture_on_commit_callbacks
):
    team, people = service_team
    intake.create_rule(
        actor=admin_user,
        name="E-mail round robin",
        record_type="case",
        sources=["email"],
        strategy="round_robin",
        team=team,
    )

    with django_capture_on_commit_callbacks(execute=True):
        for n in range(4):
            deliver(email(sender=f"client{n}@example.net", subject=f"Ajuda {n}"), support_mailbox)
    run_jobs()

    owners = list(Case.objects.order_by("pk").values_list("owner", "team"))
    assert owners == [(p.pk, team.pk) for p in (*people, people[0])]


def test_a_field_condition_names_a_field_cases_have(admin_user, service_team):
    with pytest.raises(ValidationError) as error:
        intake.create_rule(
            actor=admin_user,
            name="Lost",
            record_type="case",
            field="industry",
            field_value="wine",
            strategy="user",
            user=service_team[1][0],
        )
    assert "field" in error.value.message_dict

    rule = intake.create_rule(
        actor=admin_user,
        name="Urgent",
        record_type="case",
        field="priority",
        field_value="urgent",
        strategy="user",
        user=service_team[1][1],
    )
    assert open_case(admin_user, priority="urgent").owner == rule.user
    assert open_case(admin_user, priority="low").owner is None
