"""Setting up customer service through its services: categories, calendars, holidays, policies,
and how a change to what a clock counts with moves the due moments of the open cases."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clientela.core.services import resolve_tags
from clientela.support.choices import CaseStatus, SlaState
from clientela.support.models import BusinessCalendar, Case, CaseCategory, Holiday, SlaPolicy
from clientela.support.services import cases, setup, sla

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
OFFICE = {str(d): [["09:00", "14:00"], ["15:00", "18:00"]] for d in range(5)}


def at(*parts):
    return datetime.datetime(*parts, tzinfo=MADRID)


@pytest.fixture
def manager(make_user):
    return make_user("manager", username="boss")


@pytest.fixture
def office(manager):
    return setup.create_calendar(actor=manager, name="Oficina", hours=OFFICE)


@pytest.fixture
def frozen(monkeypatch):
    """``frozen(moment)`` pins ``timezone.now()`` (the services read it once per call)."""

    def freeze(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return freeze


def open_case(actor, frozen, when, **fields):
    frozen(when)
    fields.setdefault("subject", "The invoice is wrong")
    return cases.create_case(actor=actor, **fields)


# --- categories ----------------------------------------------------------------------------------


def test_a_category_sends_new_cases_to_its_team(manager, make_team):
    billing_team = make_team("Billing")
    category = setup.create_category(actor=manager, name="  Billing \n ", team=billing_team)
    assert category.name == "Billing"

    case = cases.create_case(actor=manager, subject="Invoice", category=category)

    assert case.team == billing_team


def test_category_names_are_unique_ignoring_case(manager):
    setup.create_category(actor=manager, name="Billing")
    with pytest.raises(ValidationError) as error:
        setup.create_category(actor=manager, name="BILLING")
    assert "already a category" in error.value.message_dict["name"][0]
    assert CaseCategory.objects.count() == 1


@pytest.mark.parametrize("name", ["", "   ", "\x00\x01", "x" * 10_000])
def test_a_category_needs_a_short_name(manager, name):
    with pytest.raises(ValidationError) as error:
        setup.create_category(actor=manager, name=name)
    assert "name" in error.value.message_dict
    assert not CaseCategory.objects.exists()


def test_update_and_deactivate_a_category(manager, make_team):
    category = setup.create_category(actor=manager, name="Billing", team=make_team("Billing"))
    setup.update_category(category, actor=manager, name="Invoices", team=None)
    setup.deactivate_category(category, actor=manager)

    category.refresh_from_db()
    assert (category.name, category.team, category.active) == ("Invoices", None, False)
    with pytest.raises(ValidationError):
        setup.update_category(category, actor=manager, colour="red")


# --- calendars -----------------------------------------------------------------------------------


def test_a_calendar_keeps_its_hours_in_order(manager):
    calendar = setup.create_calendar(
        actor=manager,
        name="Shop",
        time_zone="Atlantic/Canary",
        hours={0: [["15:00", "20:00"], ["9:30", "13:30"]], "5": [["10:00", "24:00"]]},
    )
    assert calendar.hours == {
        "0": [["09:30", "13:30"], ["15:00", "20:00"]],
        "5": [["10:00", "24:00"]],
    }
    assert calendar.time_zone == "Atlantic/Canary"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": "../../etc/passwd"}, "time_zone"),
        ({"time_zone": "localtime"}, "time_zone"),
        ({"time_zone": "x" * 10_000}, "time_zone"),
        ({"hours": {"0": [["09:00", "14:00"], ["13:00", "18:00"]]}}, "hours"),  # overlap
        ({"hours": {"0": [["14:00", "09:00"]]}}, "hours"),  # end before start
        ({"hours": {"0": [["09:00", "25:00"]]}}, "hours"),
        ({"hours": {"0": [["09:00", "09:60"]]}}, "hours"),
        ({"hours": {"7": [["09:00", "14:00"]]}}, "hours"),
        ({"hours": {"0": [["09:00"]]}}, "hours"),
        ({"hours": {"0": "09:00-14:00"}}, "hours"),
        ({"hours": {}}, "hours"),  # no working time at all
        ({"hours": "Monday to Friday"}, "hours"),
        ({"name": "x" * 101}, "name"),
    ],
)
def test_bad_calendars_are_refused(manager, fields, field):
    values = {"name": "Shop", "hours": OFFICE, **fields}
    with pytest.raises(ValidationError) as error:
        setup.create_calendar(actor=manager, **values)
    assert field in error.value.message_dict
    assert not BusinessCalendar.objects.exists()


def test_calendar_names_are_unique(manager, office):
    with pytest.raises(ValidationError):
        setup.create_calendar(actor=manager, name="oficina", hours=OFFICE)
    renamed = setup.update_calendar(office, actor=manager, name="Office")
    assert renamed.name == "Office"
    assert renamed.recounted == 0  # nothing a clock counts with changed


def test_a_calendar_in_use_cannot_be_deleted(manager, office):
    setup.create_policy(actor=manager, name="Standard", calendar=office, resolution_minutes=480)
    with pytest.raises(ValidationError) as error:
        setup.delete_calendar(office, actor=manager)
    assert "Standard" in error.value.messages[0]
    assert BusinessCalendar.objects.filter(pk=office.pk).exists()

    spare = setup.create_calendar(actor=manager, name="Spare", hours=OFFICE)
    setup.add_holiday(spare, actor=manager, date=datetime.date(2026, 1, 1), name="New Year")
    setup.delete_calendar(spare, actor=manager)
    assert not BusinessCalendar.objects.filter(pk=spare.pk).exists()
    assert not Holiday.objects.filter(calendar_id=spare.pk).exists()


# --- holidays ------------------------------------------------------------------------------------


def test_loading_a_preset_twice_adds_nothing_the_second_time(manager, office):
    setup.add_holiday(office, actor=manager, date=datetime.date(2026, 1, 6), name="Reis")

    first = setup.load_holidays(office, 2026, "ES-CT", actor=manager)
    second = setup.load_holidays(office, 2026, "ES-CT", actor=manager)

    assert (first, second) == (13, 0)  # 10 national + 4 Catalan, less the 6th already there
    assert office.holidays.count() == 14
    assert office.holidays.get(date=datetime.date(2026, 1, 6)).name == "Reis"  # kept
    assert office.holidays.filter(name="Saint John's Day").exists()
    assert setup.load_holidays(office, 2027, actor=manager) == 10  # national only


@pytest.mark.parametrize(
    ("year", "region", "field"),
    [
        (0, None, "year"),
        (99999, None, "year"),
        (-1, None, "year"),
        ("2026", None, "year"),
        (True, None, "year"),
        (2026, "ES-XX", "region"),
        (2026, "<script>", "region"),
    ],
)
def test_loading_bad_years_or_regions_is_refused(manager, office, year, region, field):
    with pytest.raises(ValidationError) as error:
        setup.load_holidays(office, year, region, actor=manager)
    assert field in error.value.message_dict
    assert not office.holidays.exists()


def test_one_holiday_per_day(manager, office):
    setup.add_holiday(office, actor=manager, date=datetime.date(2026, 6, 24), name="Sant Joan")
    with pytest.raises(ValidationError) as error:
        setup.add_holiday(office, actor=manager, date=datetime.date(2026, 6, 24), name="Again")
    assert "Sant Joan" in error.value.message_dict["date"][0]
    with pytest.raises(ValidationError):
        setup.add_holiday(office, actor=manager, date=datetime.date(1, 1, 1), name="Too old")
    assert office.holidays.count() == 1


# --- policies ------------------------------------------------------------------------------------


def test_policies_take_the_next_position(manager, office):
    first = setup.create_policy(
        actor=manager, name="Urgent", priority="urgent", resolution_minutes=60
    )
    second = setup.create_policy(
        actor=manager, name="Standard", calendar=office, resolution_minutes=480
    )
    assert (first.position, second.position) == (0, 1)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"first_response_minutes": None, "resolution_minutes": None}, "__all__"),
        ({"first_response_minutes": -5}, "first_response_minutes"),
        ({"first_response_minutes": 0}, "first_response_minutes"),
        ({"resolution_minutes": 10**12}, "resolution_minutes"),
        ({"resolution_minutes": 60.5}, "resolution_minutes"),
        ({"resolution_minutes": "60"}, "resolution_minutes"),
        ({"warn_before_minutes": -1}, "warn_before_minutes"),
        ({"position": 2**40}, "position"),
        ({"priority": "whenever"}, "priority"),
        ({"name": "y" * 10_000}, "name"),
        ({"calendar": "Oficina"}, "calendar"),
    ],
)
def test_bad_policies_are_refused(manager, fields, field):
    values = {"name": "Standard", "first_response_minutes": 60, **fields}
    with pytest.raises(ValidationError) as error:
        setup.create_policy(actor=manager, **values)
    assert field in error.value.message_dict
    assert not SlaPolicy.objects.exists()


def test_escalation_goes_to_someone_who_works_on_cases(manager, make_user):
    seller = make_user("sales")
    gone = make_user("service")
    gone.is_active = False
    gone.save()
    for person in (seller, gone):
        with pytest.raises(ValidationError) as error:
            setup.create_policy(actor=manager, name="P", resolution_minutes=60, escalate_to=person)
        assert "escalate_to" in error.value.message_dict
    lead = make_user("service")
    policy = setup.create_policy(actor=manager, name="P", resolution_minutes=60, escalate_to=lead)
    assert policy.escalate_to == lead


def test_targets_a_calendar_cannot_reach_are_refused(manager):
    sundays = setup.create_calendar(
        actor=manager, name="Sundays", hours={"6": [["10:00", "11:00"]]}
    )
    with pytest.raises(ValidationError) as error:
        setup.create_policy(
            actor=manager, name="Year", calendar=sundays, resolution_minutes=365 * 24 * 60
        )
    assert "calendar" in error.value.message_dict
    policy = setup.create_policy(
        actor=manager, name="Month", calendar=sundays, resolution_minutes=600
    )
    # Nor can the calendar lose the hours its policies count with.
    with pytest.raises(ValidationError) as error:
        setup.update_calendar(sundays, actor=manager, hours={"6": [["10:00", "10:01"]]})
    assert "Month" in error.value.message_dict["hours"][0]
    assert policy.calendar.hours == {"6": [["10:00", "11:00"]]}


# --- recounting open cases -----------------------------------------------------------------------


def test_new_targets_move_the_due_moments_of_open_cases_only(manager, office, frozen):
    policy = setup.create_policy(
        actor=manager,
        name="Standard",
        calendar=office,
        first_response_minutes=60,
        resolution_minutes=480,
    )
    # Monday 2026-03-02, 10:00 in Madrid.
    waiting = open_case(manager, frozen, at(2026, 3, 2, 10))
    done = open_case(manager, frozen, at(2026, 3, 2, 10))
    frozen(at(2026, 3, 2, 10, 30))
    cases.change_status(done, CaseStatus.RESOLVED, actor=manager)
    done.refresh_from_db()
    assert waiting.first_response_due == at(2026, 3, 2, 11)
    before_done = (done.first_response_due, done.resolution_due, done.sla_state)

    updated = setup.update_policy(policy, actor=manager, first_response_minutes=300)

    assert updated.recounted == 1
    waiting.refresh_from_db()
    done.refresh_from_db()
    # 10:00 + 5 working hours: four to 14:00, the lunch hour, then one more: 16:00.
    assert waiting.first_response_due == at(2026, 3, 2, 16)
    assert waiting.next_due == at(2026, 3, 2, 16)
    assert waiting.resolution_due == at(2026, 3, 3, 10)  # unchanged: 8 working hours
    assert waiting.sla_state == SlaState.ON_TRACK
    assert (done.first_response_due, done.resolution_due, done.sla_state) == before_done


def test_new_hours_and_holidays_move_the_due_moments(manager, office, frozen):
    setup.create_policy(actor=manager, name="Standard", calendar=office, resolution_minutes=480)
    case = open_case(manager, frozen, at(2026, 3, 2, 10))  # Monday
    assert case.resolution_due == at(2026, 3, 3, 10)

    mornings = {str(d): [["09:00", "14:00"]] for d in range(5)}
    assert setup.update_calendar(office, actor=manager, hours=mornings).recounted == 1
    case.refresh_from_db()
    # 4 hours on Monday, 4 on Tuesday: due on Tuesday at 13:00.
    assert case.resolution_due == at(2026, 3, 3, 13)

    setup.add_holiday(office, actor=manager, date=datetime.date(2026, 3, 3), name="Closed")
    case.refresh_from_db()
    assert case.resolution_due == at(2026, 3, 4, 13)

    setup.remove_holiday(office.holidays.get(), actor=manager)
    case.refresh_from_db()
    assert case.resolution_due == at(2026, 3, 3, 13)

    setup.update_calendar(office, actor=manager, time_zone="America/New_York")
    case.refresh_from_db()
    # Opened at 4:00 in New York: 5 hours on Monday, 3 on Tuesday, to 12:00 there.
    assert case.resolution_due == at(2026, 3, 3, 18)


def test_a_breach_caused_by_new_targets_is_left_to_the_minute_job(
    manager, office, frozen, make_user
):
    lead = make_user("service", username="lead")
    policy = setup.create_policy(
        actor=manager, name="Standard", calendar=office, resolution_minutes=480, escalate_to=lead
    )
    case = open_case(manager, frozen, at(2026, 3, 2, 10))
    frozen(at(2026, 3, 2, 13))

    setup.update_policy(policy, actor=manager, resolution_minutes=60)

    case.refresh_from_db()
    assert case.resolution_due == at(2026, 3, 2, 11)
    assert case.sla_state == SlaState.WARNING
    # ... which marks it breached and escalates it, as any breach.
    assert sla.refresh_states(at(2026, 3, 2, 13))[1] == [case.pk]


def test_the_time_a_case_stood_paused_still_counts(manager, office, frozen):
    policy = setup.create_policy(
        actor=manager, name="Standard", calendar=office, resolution_minutes=480
    )
    paused = open_case(manager, frozen, at(2026, 3, 2, 10))
    resumed = open_case(manager, frozen, at(2026, 3, 2, 10))
    frozen(at(2026, 3, 2, 11))
    cases.reply_to_case(paused, "Which invoice?", actor=manager)  # waits for the customer
    cases.reply_to_case(resumed, "Which invoice?", actor=manager)
    frozen(at(2026, 3, 2, 12))
    cases.add_customer_message(resumed, "The one of May.")  # an hour paused

    setup.update_policy(policy, actor=manager, resolution_minutes=240)

    paused.refresh_from_db()
    resumed.refresh_from_db()
    assert paused.resolution_due == at(2026, 3, 2, 14)
    assert (paused.next_due, paused.sla_state) == (None, SlaState.PAUSED)
    # Four working hours from 10:00 and the hour paused: 14:00, lunch, 16:00.
    assert resumed.paused_seconds == 3600
    assert resumed.resolution_due == resumed.next_due == at(2026, 3, 2, 16)
    assert resumed.sla_state == SlaState.ON_TRACK


def test_deleting_a_policy_moves_its_open_cases_to_the_next_match(manager, office, frozen):
    vip = resolve_tags(["vip"])[0]
    special = setup.create_policy(
        actor=manager, name="Urgent", priority="urgent", first_response_minutes=30
    )
    standard = setup.create_policy(
        actor=manager, name="Standard", calendar=office, resolution_minutes=480
    )
    urgent = open_case(manager, frozen, at(2026, 3, 2, 10), priority="urgent")
    normal = open_case(manager, frozen, at(2026, 3, 2, 10))
    assert (urgent.sla_policy, normal.sla_policy) == (special, standard)
    setup.create_policy(actor=manager, name="VIP", tier_tag=vip, resolution_minutes=5)

    assert setup.delete_policy(special, actor=manager) == 1

    urgent.refresh_from_db()
    assert urgent.sla_policy == standard
    assert urgent.first_response_due is None
    assert urgent.resolution_due == at(2026, 3, 3, 10)
    assert setup.delete_policy(standard, actor=manager) == 2
    urgent.refresh_from_db()
    assert (urgent.sla_policy, urgent.sla_state, urgent.next_due) == (None, SlaState.NONE, None)


def test_recount_costs_a_few_statements_per_batch(manager, office, frozen):
    policy = setup.create_policy(
        actor=manager, name="Standard", calendar=office, resolution_minutes=480
    )
    for _ in range(7):
        open_case(manager, frozen, at(2026, 3, 2, 10))
    SlaPolicy.objects.filter(pk=policy.pk).update(resolution_minutes=60)

    with CaptureQueriesContext(connection) as queries:
        assert sla.recompute([policy.pk], batch_size=3, now=at(2026, 3, 2, 10)) == 7

    # The policy, the calendar's holidays, then per batch of 3: read, write; a last empty read.
    assert len(queries.captured_queries) <= 2 + 3 * 2 + 1
    assert set(Case.objects.values_list("resolution_due", flat=True)) == {at(2026, 3, 2, 11)}
