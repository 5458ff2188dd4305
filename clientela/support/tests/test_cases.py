"""Cases through their services: what opening, answering, noting and changing status write,
and how the SLA clock follows (targets, pauses while the customer has to answer, states)."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clientela.contacts import services as contact_services
from clientela.core.history import history_for
from clientela.core.services import resolve_tags
from clientela.support.choices import CaseStatus, MessageKind, SlaState
from clientela.support.models import BusinessCalendar, Case, CaseCategory, SlaPolicy
from clientela.support.services import cases, sla

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
OFFICE = {str(d): [["09:00", "14:00"], ["15:00", "18:00"]] for d in range(5)}


@pytest.fixture
def ana(admin_user):
    return contact_services.create_contact(
        actor=admin_user, first_name="Ana", last_name="Puig", emails=["ana@puig.cat"]
    )


@pytest.fixture
def office_policy(db):
    calendar = BusinessCalendar.objects.create(name="Oficina", hours=OFFICE)
    return SlaPolicy.objects.create(
        name="Standard", calendar=calendar, first_response_minutes=60, resolution_minutes=480
    )


def at(*parts):
    return datetime.datetime(*parts, tzinfo=MADRID)


def open_case(actor, when, **fields):
    fields.setdefault("subject", "The invoice is wrong")
    fields.setdefault("description", "Hello, my invoice of May shows 12 units, I bought 2.")
    with _now(when):
        return cases.create_case(actor=actor, **fields)


class _now:
    """``timezone.now()`` pinned (services read it once per call)."""

    def __init__(self, when):
        self.when = when

    def __enter__(self):
        self.patch = pytest.MonkeyPatch()
        self.patch.setattr(timezone, "now", lambda: self.when)

    def __exit__(self, *exc):
        self.patch.undo()


def test_a_case_from_a_customer_starts_its_thread_with_their_words(admin_user, ana, make_team):
    billing = CaseCategory.objects.create(name="Billing", team=make_team("Service"))

    case = open_case(admin_user, at(2025, 11, 24, 10), contact=ana, category=billing)

    assert case.status == CaseStatus.NEW
    assert case.team.name == "Service"  # the category's team
    [message] = case.messages.all()
    assert (message.kind, message.contact, message.body) == (
        MessageKind.CUSTOMER,
        ana,
        "Hello, my invoice of May shows 12 units, I bought 2.",
    )
    assert history_for(case).get().action == "create"


def test_a_case_typed_by_an_agent_keeps_the_description_as_a_note(admin_user, ana):
    case = open_case(admin_user, at(2025, 11, 24, 10), contact=ana, from_customer=False)
    assert case.messages.get().kind == MessageKind.NOTE


def test_the_case_follows_its_contacts_company(admin_user, ana):
    company = contact_services.create_company(actor=admin_user, name="Puig SL")
    ana = contact_services.update_contact(ana, actor=admin_user, company=company)
    assert open_case(admin_user, at(2025, 11, 24, 10), contact=ana).company == company


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"subject": "   "}, "subject"),
        ({"priority": "whenever"}, "priority"),
        ({"status": "lost"}, "status"),
        ({"number": 7}, "number"),
    ],
)
def test_bad_fields_are_refused_and_nothing_is_saved(admin_user, fields, error):
    with pytest.raises(ValidationError) as raised:
        open_case(admin_user, at(2025, 11, 24, 10), **fields)
    assert error in raised.value.message_dict
    assert not Case.all_objects.exists()


def test_an_oversized_message_is_kept_cut_with_a_note(admin_user):
    case = open_case(admin_user, at(2025, 11, 24, 10), description="x" * 150_000)
    body = case.messages.get().body
    assert body.startswith("x" * 100_000) and body.endswith("too long.]")


def test_targets_are_counted_in_working_hours(admin_user, ana, office_policy):
    friday_evening = at(2025, 11, 21, 17, 30)

    case = open_case(admin_user, friday_evening, contact=ana)

    assert case.sla_policy == office_policy
    assert case.first_response_due == at(2025, 11, 24, 9, 30)  # Monday
    assert case.resolution_due == at(2025, 11, 24, 17, 30)
    assert case.next_due == case.first_response_due
    assert case.sla_state == SlaState.ON_TRACK


def test_the_policy_matches_priority_and_the_customers_tier_tag(admin_user, ana):
    SlaPolicy.objects.create(
        name="Urgent", position=1, priority="urgent", first_response_minutes=15
    )
    vip = SlaPolicy.objects.create(
        name="VIP", position=0, first_response_minutes=30, tier_tag=resolve_tags(["vip"])[0]
    )
    fallback = SlaPolicy.objects.create(name="Anyone", position=9, first_response_minutes=240)
    when = at(2025, 11, 24, 10)

    assert open_case(admin_user, when, contact=ana).sla_policy == fallback
    assert open_case(admin_user, when, contact=ana, priority="urgent").sla_policy.name == "Urgent"
    ana = contact_services.update_contact(ana, actor=admin_user, tags=["vip"])
    assert open_case(admin_user, when, contact=ana).sla_policy == vip


def test_waiting_for_the_customer_stops_the_clock(admin_user, ana, office_policy):
    case = open_case(admin_user, at(2025, 11, 24, 9), contact=ana)  # Monday 9:00

    with _now(at(2025, 11, 24, 9, 20)):
        reply = cases.reply_to_case(case, "Could you send us the invoice number?", actor=admin_user)
    case.refresh_from_db()
    assert reply.to_addresses == ["ana@puig.cat"]
    assert case.first_responded_at == at(2025, 11, 24, 9, 20)
    assert (case.status, case.sla_state, case.next_due) == (
        CaseStatus.PENDING_CUSTOMER,
        SlaState.PAUSED,
        None,
    )

    # She answers on Tuesday at 10:00: 8 h 40 min of working time stood still (Monday
    # 9:20-14:00 and 15:00-18:00, Tuesday 9:00-10:00).
    with _now(at(2025, 11, 25, 10)):
        cases.add_customer_message(case, "It is F-2025-0042.", from_address="ana@puig.cat")
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert case.last_message_at == at(2025, 11, 25, 10)
    assert case.paused_seconds == (8 * 60 + 40) * 60
    # Eight working hours from Monday 9:00 was Monday 18:00; 8 h 40 min later is Wednesday 9:40.
    assert case.resolution_due == at(2025, 11, 26, 9, 40)
    assert case.next_due == case.resolution_due


def test_a_note_changes_neither_status_nor_clock(admin_user, ana, office_policy):
    case = open_case(admin_user, at(2025, 11, 24, 9), contact=ana)
    with _now(at(2025, 11, 24, 9, 10)):
        cases.add_note(case, "Billing says it is a known bug.", actor=admin_user)
    case.refresh_from_db()
    assert (case.status, case.first_responded_at) == (CaseStatus.NEW, None)


def test_resolving_meets_the_targets_and_reopening_clears_the_times(admin_user, ana, office_policy):
    case = open_case(admin_user, at(2025, 11, 24, 9), contact=ana)
    with _now(at(2025, 11, 24, 9, 30)):
        cases.reply_to_case(
            case,
            "Fixed, a new invoice is on its way.",
            actor=admin_user,
            status=CaseStatus.RESOLVED,
        )
    case.refresh_from_db()
    assert (case.resolved_at, case.sla_state) == (at(2025, 11, 24, 9, 30), SlaState.MET)

    with _now(at(2025, 11, 24, 12)):
        cases.add_customer_message(case, "It still says 12.", from_address="ana@puig.cat")
    case.refresh_from_db()
    assert (case.status, case.resolved_at) == (CaseStatus.OPEN, None)


def test_refresh_marks_due_soon_and_breached_cases(admin_user, ana, office_policy):
    late = open_case(admin_user, at(2025, 11, 24, 9), contact=ana)  # response due 10:00
    soon = open_case(admin_user, at(2025, 11, 24, 9, 45), contact=ana)  # due 10:45

    warned, breached = sla.refresh_states(at(2025, 11, 24, 10, 1))

    assert (warned, breached) == ([], [late.pk])  # "soon" was due soon from its opening
    states = dict(Case.objects.values_list("pk", "sla_state"))
    assert states == {late.pk: SlaState.BREACHED, soon.pk: SlaState.WARNING}
    assert sla.refresh_states(at(2025, 11, 24, 10, 2)) == ([], [])  # reported once


@pytest.mark.parametrize(
    "hours",
    [
        [],
        {"7": [["09:00", "10:00"]]},
        {"0": [["10:00", "09:00"]]},
        {"0": [["09:00", "13:00"], ["12:00", "14:00"]]},
        {"0": [["9", "10:00"]]},
        {"0": [["24:30", "25:00"]]},
        {"0": "09:00-14:00"},
    ],
)
def test_malformed_working_hours_are_refused(hours):
    with pytest.raises(ValidationError):
        sla.clean_hours(hours)


def test_working_hours_are_stored_in_order():
    hours = {"4": [["15:00", "18:00"], ["9:00", "14:00"]], "6": []}
    assert sla.clean_hours(hours) == {"4": [["09:00", "14:00"], ["15:00", "18:00"]]}


def test_the_sla_job_escalates_a_breached_case_to_the_policys_person(admin_user, ana, make_user):
    from clientela.support import jobs

    lead = make_user("service", username="lead")
    policy = SlaPolicy.objects.create(name="Fast", first_response_minutes=5, escalate_to=lead)
    case = open_case(admin_user, timezone.now() - datetime.timedelta(minutes=10), contact=ana)
    assert case.sla_policy == policy

    result = jobs.refresh_sla.call()

    case.refresh_from_db()
    assert result == {"warned": 0, "breached": 1, "alerts": 0, "reassigned": 1}
    assert (case.owner, case.sla_state) == (lead, SlaState.BREACHED)
    change = history_for(case).filter(action="update").get()
    assert (change.source, change.changes["owner"][1]) == ("automation", lead.pk)
    assert jobs.refresh_sla.call() == {"warned": 0, "breached": 0, "alerts": 0, "reassigned": 0}
