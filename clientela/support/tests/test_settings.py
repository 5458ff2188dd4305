"""The customer-service settings pages: case categories, working calendars and their holidays,
SLA policies. Who may see them, what they write, and what they do with bad input."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from clientela.core.services import resolve_tags
from clientela.support.choices import CaseStatus
from clientela.support.models import BusinessCalendar, Case, CaseCategory, Holiday, SlaPolicy
from clientela.support.services import cases, setup

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
OFFICE = {str(d): [["09:00", "14:00"], ["15:00", "18:00"]] for d in range(5)}

PAGES = [
    ("support:category_list", "plain"),
    ("support:category_create", "plain"),
    ("support:category_edit", "category"),
    ("support:calendar_list", "plain"),
    ("support:calendar_create", "plain"),
    ("support:calendar_edit", "calendar"),
    ("support:calendar_delete", "calendar"),
    ("support:policy_list", "plain"),
    ("support:policy_create", "plain"),
    ("support:policy_edit", "policy"),
    ("support:policy_delete", "policy"),
]


@pytest.fixture
def manager(make_user):
    return make_user("manager", username="boss")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def things(manager):
    calendar = setup.create_calendar(actor=manager, name="Oficina", hours=OFFICE)
    return {
        "plain": [],
        "category": [setup.create_category(actor=manager, name="Billing").pk],
        "calendar": [calendar.pk],
        "policy": [
            setup.create_policy(
                actor=manager, name="Standard", calendar=calendar, resolution_minutes=480
            ).pk
        ],
    }


def at(*parts):
    return datetime.datetime(*parts, tzinfo=MADRID)


def week(**values):
    """The calendar form's data: office hours, with ``values`` over them."""
    data = {"name": "Oficina", "time_zone": "Europe/Madrid"}
    for day in range(7):
        for n in (1, 2):
            data[f"d{day}_{n}_from"] = data[f"d{day}_{n}_to"] = ""
    for day in range(5):
        data.update(
            {
                f"d{day}_1_from": "09:00",
                f"d{day}_1_to": "14:00",
                f"d{day}_2_from": "15:00",
                f"d{day}_2_to": "18:00",
            }
        )
    data.update(values)
    return data


def policy_data(**values):
    data = {
        "name": "Standard",
        "position": "0",
        "active": "on",
        "priority": "",
        "tier_tag": "",
        "calendar": "",
        "first_response_minutes": "60",
        "resolution_minutes": "480",
        "warn_before_minutes": "30",
        "escalate_to": "",
    }
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


def body(response):
    return response.content.decode()


# --- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role_code", ["admin", "manager", "service"])
@pytest.mark.parametrize(("name", "args"), PAGES)
def test_managers_of_service_see_every_page(client, make_user, things, role_code, name, args):
    client.force_login(make_user(role_code))
    assert client.get(reverse(name, args=things[args])).status_code == 200


@pytest.mark.parametrize("role_code", ["sales", "marketing", "read_only"])
@pytest.mark.parametrize(("name", "args"), PAGES)
def test_others_are_refused_every_page(client, make_user, things, role_code, name, args):
    client.force_login(make_user(role_code))
    assert client.get(reverse(name, args=things[args])).status_code == 403


def test_a_service_agent_with_a_team_scope_is_refused(client, make_user, things):
    client.force_login(make_user("service", scope="team"))
    assert client.get(reverse("support:policy_list")).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, things):
    response = client.get(reverse("support:calendar_list"))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("role_code", ["sales", "read_only"])
def test_others_cannot_write_anything(client, make_user, things, role_code):
    client.force_login(make_user(role_code))
    calendar_id, policy_id = things["calendar"][0], things["policy"][0]
    holiday = Holiday.objects.create(
        calendar_id=calendar_id, date=datetime.date(2026, 1, 1), name="New Year"
    )
    posts = [
        (reverse("support:category_create"), {"name": "Hacked"}),
        (reverse("support:category_edit", args=things["category"]), {"name": "Hacked"}),
        (reverse("support:calendar_create"), week(name="Hacked")),
        (reverse("support:calendar_edit", args=[calendar_id]), week(name="Hacked")),
        (reverse("support:calendar_delete", args=[calendar_id]), {}),
        (
            reverse("support:holiday_add", args=[calendar_id]),
            {"holiday-date": "2026-05-01", "holiday-name": "Hacked"},
        ),
        (reverse("support:holiday_load", args=[calendar_id]), {"load-year": "2026"}),
        (reverse("support:holiday_remove", args=[calendar_id, holiday.pk]), {}),
        (reverse("support:policy_create"), policy_data(name="Hacked")),
        (reverse("support:policy_edit", args=[policy_id]), policy_data(name="Hacked")),
        (reverse("support:policy_delete", args=[policy_id]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert not CaseCategory.objects.filter(name="Hacked").exists()
    assert not BusinessCalendar.objects.filter(name="Hacked").exists()
    assert not SlaPolicy.objects.filter(name="Hacked").exists()
    assert Holiday.objects.get().name == "New Year"
    assert SlaPolicy.objects.filter(pk=policy_id).exists()


def test_the_settings_navigation_shows_what_each_may_open(client, make_user, admin_user):
    client.force_login(admin_user)
    page = body(client.get(reverse("core:user_list")))
    assert reverse("support:policy_list") in page
    assert reverse("support:calendar_list") in page

    client.force_login(make_user("manager"))
    page = body(client.get(reverse("support:policy_list")))
    assert reverse("support:category_list") in page
    assert reverse("core:user_list") not in page  # a manager does not manage users


@pytest.mark.parametrize(
    ("role_code", "shown"),
    [("admin", True), ("manager", True), ("service", True), ("sales", False), ("read_only", False)],
)
def test_the_case_list_links_the_settings_for_managers_only(client, make_user, role_code, shown):
    client.force_login(make_user(role_code))
    page = body(client.get(reverse("support:case_list")))
    assert (f'href="{reverse("support:settings")}"' in page) is shown


def test_the_settings_start_at_the_categories(manager_client):
    response = manager_client.get(reverse("support:settings"))
    assert response.status_code == 302
    assert response["Location"] == reverse("support:category_list")


# --- categories ---------------------------------------------------------------------------------


def test_create_and_edit_a_category(manager_client, make_team):
    team = make_team("Billing")
    response = manager_client.post(
        reverse("support:category_create"), {"name": "Billing", "team": team.pk, "active": "on"}
    )
    assert response.status_code == 302
    category = CaseCategory.objects.get()
    assert (category.name, category.team, category.active) == ("Billing", team, True)

    response = manager_client.post(
        reverse("support:category_edit", args=[category.pk]), {"name": "Invoices", "team": ""}
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert (category.name, category.team, category.active) == ("Invoices", None, False)
    page = body(manager_client.get(reverse("support:category_list")))
    assert "Invoices" in page and "Not offered" in page


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("billing", "There is already a category called"),
        ("x" * 10_000, "at most 80 characters"),
        ("   ", "This field is required."),
    ],
)
def test_bad_category_names_come_back_with_an_error(manager_client, manager, name, message):
    setup.create_category(actor=manager, name="Billing")
    response = manager_client.post(reverse("support:category_create"), {"name": name})
    assert response.status_code == 400
    assert message in body(response)
    assert CaseCategory.objects.count() == 1


def test_hostile_names_are_escaped(manager_client, manager):
    setup.create_category(actor=manager, name="<script>alert(1)</script>")
    page = body(manager_client.get(reverse("support:category_list")))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- calendars ----------------------------------------------------------------------------------


def test_a_new_calendar_starts_from_office_hours(manager_client):
    response = manager_client.get(reverse("support:calendar_create"))
    form = response.context["form"]
    assert form["d0_1_from"].value() == "09:00"
    assert form["d4_2_to"].value() == "18:00"
    assert form["d5_1_from"].value() in (None, "")
    assert 'type="time"' in body(response)


def test_create_a_calendar_with_its_working_week(manager_client):
    data = week(
        name="Shop",
        time_zone="Atlantic/Canary",
        d5_1_from="10:00",
        d5_1_to="00:00",  # to midnight
        d4_2_from="",
        d4_2_to="",
    )
    response = manager_client.post(reverse("support:calendar_create"), data)

    calendar = BusinessCalendar.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("support:calendar_edit", args=[calendar.pk])
    assert calendar.time_zone == "Atlantic/Canary"
    assert calendar.hours["4"] == [["09:00", "14:00"]]
    assert calendar.hours["5"] == [["10:00", "24:00"]]
    assert "6" not in calendar.hours
    # Shown again as a time input can show it.
    form = manager_client.get(response["Location"]).context["form"]
    assert form["d5_1_to"].value() == "00:00"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice"),
        ({"time_zone": "localtime"}, "Select a valid choice"),
        ({"d0_1_to": "25:00"}, "Write a time of day such as 09:00."),
        ({"d0_1_to": "9h"}, "Write a time of day such as 09:00."),
        ({"d0_1_from": "24:00"}, "Write a time of day such as 09:00."),
        ({"d0_1_to": "08:00"}, "A working period must end after it starts."),
        ({"d0_2_from": "13:00"}, "Working periods of a day overlap."),
        ({"d0_2_to": ""}, "Give both the start and the end of the period."),
        ({"name": "x" * 10_000}, "at most 100 characters"),
        (
            {f"d{d}_{n}_{s}": "" for d in range(5) for n in (1, 2) for s in ("from", "to")},
            "Give at least one working period in the week.",
        ),
    ],
)
def test_a_bad_working_week_comes_back_with_what_was_typed(manager_client, values, message):
    data = week(**{"name": "Shop typed", **values})
    response = manager_client.post(reverse("support:calendar_create"), data)
    assert response.status_code == 400
    page = body(response)
    assert message in page
    if data["d1_2_from"]:
        assert 'value="15:00"' in page  # what was typed is still there
    assert not BusinessCalendar.objects.exists()


def test_calendar_names_are_unique(manager_client, manager):
    setup.create_calendar(actor=manager, name="Oficina", hours=OFFICE)
    response = manager_client.post(reverse("support:calendar_create"), week(name="OFICINA"))
    assert response.status_code == 400
    assert "There is already a calendar called" in body(response)


def test_changing_the_hours_moves_the_due_moments_of_open_cases(
    manager_client, manager, monkeypatch
):
    calendar = setup.create_calendar(actor=manager, name="Oficina", hours=OFFICE)
    setup.create_policy(actor=manager, name="Standard", calendar=calendar, resolution_minutes=480)
    monkeypatch.setattr(timezone, "now", lambda: at(2026, 3, 2, 10))  # a Monday
    open_case = cases.create_case(actor=manager, subject="Open")
    done = cases.create_case(actor=manager, subject="Done")
    cases.change_status(done, CaseStatus.RESOLVED, actor=manager)
    assert open_case.resolution_due == at(2026, 3, 3, 10)
    mornings = {f"d{d}_2_{s}": "" for d in range(5) for s in ("from", "to")}

    response = manager_client.post(
        reverse("support:calendar_edit", args=[calendar.pk]), week(**mornings), follow=True
    )

    assert "Open cases whose due moments were counted again: 1." in body(response)
    open_case.refresh_from_db()
    done.refresh_from_db()
    assert open_case.resolution_due == at(2026, 3, 3, 13)
    assert done.resolution_due == at(2026, 3, 3, 10)


def test_a_calendar_in_use_is_not_deleted(manager_client, manager, things):
    calendar_id = things["calendar"][0]
    url = reverse("support:calendar_delete", args=[calendar_id])
    assert "cannot be deleted" in body(manager_client.get(url))

    response = manager_client.post(url, follow=True)

    assert "cannot be deleted" in body(response)
    assert "Standard" in body(response)
    assert BusinessCalendar.objects.filter(pk=calendar_id).exists()


def test_an_unused_calendar_is_deleted_with_its_holidays(manager_client, manager):
    calendar = setup.create_calendar(actor=manager, name="Spare", hours=OFFICE)
    setup.load_holidays(calendar, 2026, actor=manager)
    response = manager_client.post(reverse("support:calendar_delete", args=[calendar.pk]))
    assert response.status_code == 302
    assert not BusinessCalendar.objects.exists()
    assert not Holiday.objects.exists()


# --- holidays -----------------------------------------------------------------------------------


@pytest.fixture
def calendar(manager):
    return setup.create_calendar(actor=manager, name="Oficina", hours=OFFICE)


def test_add_and_remove_a_holiday(manager_client, calendar):
    response = manager_client.post(
        reverse("support:holiday_add", args=[calendar.pk]),
        {"holiday-date": "2026-06-24", "holiday-name": "Sant Joan"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#holidays")
    holiday = calendar.holidays.get()
    assert (holiday.date, holiday.name) == (datetime.date(2026, 6, 24), "Sant Joan")
    assert "Sant Joan" in body(
        manager_client.get(reverse("support:calendar_edit", args=[calendar.pk]))
    )

    response = manager_client.post(
        reverse("support:holiday_remove", args=[calendar.pk, holiday.pk])
    )
    assert response.status_code == 302
    assert not calendar.holidays.exists()


def test_holidays_are_removed_only_from_their_own_calendar(manager_client, manager, calendar):
    other = setup.create_calendar(actor=manager, name="Other", hours=OFFICE)
    holiday = setup.add_holiday(other, actor=manager, date=datetime.date(2026, 1, 1), name="NY")
    url = reverse("support:holiday_remove", args=[calendar.pk, holiday.pk])
    assert manager_client.post(url).status_code == 404
    assert (
        manager_client.get(
            reverse("support:holiday_remove", args=[other.pk, holiday.pk])
        ).status_code
        == 405
    )
    assert Holiday.objects.filter(pk=holiday.pk).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"holiday-date": "2026-06-24", "holiday-name": "Again"}, "There is already a holiday on"),
        ({"holiday-date": "0000-01-01", "holiday-name": "Zero"}, "Enter a valid date."),
        ({"holiday-date": "99999-01-01", "holiday-name": "Far"}, "Enter a valid date."),
        ({"holiday-date": "1900-01-01", "holiday-name": "Old"}, "Choose a date from 2000 to 2100."),
        ({"holiday-date": "2026-02-30", "holiday-name": "No such day"}, "Enter a valid date."),
        ({"holiday-date": "2026-05-01", "holiday-name": "x" * 10_000}, "at most 100 characters"),
        ({"holiday-date": "2026-05-01", "holiday-name": ""}, "This field is required."),
    ],
)
def test_bad_holidays_come_back_with_an_error(manager_client, manager, calendar, data, message):
    setup.add_holiday(calendar, actor=manager, date=datetime.date(2026, 6, 24), name="Sant Joan")
    response = manager_client.post(reverse("support:holiday_add", args=[calendar.pk]), data)
    assert response.status_code == 400
    assert message in body(response)
    assert calendar.holidays.count() == 1


def test_loading_a_preset_twice_adds_nothing_the_second_time(manager_client, calendar):
    url = reverse("support:holiday_load", args=[calendar.pk])

    first = manager_client.post(url, {"load-year": "2026", "load-region": "ES-CT"}, follow=True)
    assert "Holidays of 2026 added: 14." in body(first)
    assert calendar.holidays.count() == 14
    second = manager_client.post(url, {"load-year": "2026", "load-region": "ES-CT"}, follow=True)
    assert "The calendar already had every holiday of 2026." in body(second)
    assert calendar.holidays.count() == 14


def test_presets_are_named_in_the_managers_language(client, make_user, calendar):
    client.force_login(make_user("manager", language="es"))
    client.post(
        reverse("support:holiday_load", args=[calendar.pk]),
        {"load-year": "2026", "load-region": ""},
    )
    assert calendar.holidays.count() == 10
    assert calendar.holidays.get(date=datetime.date(2026, 12, 25)).name == "Navidad"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"load-year": "0"}, "greater than or equal to 2000"),
        ({"load-year": "99999"}, "less than or equal to 2100"),
        ({"load-year": "twenty"}, "Enter a whole number."),
        ({"load-year": "2026", "load-region": "ES-XX"}, "Select a valid choice"),
    ],
)
def test_loading_bad_years_or_regions_is_refused(manager_client, calendar, data, message):
    response = manager_client.post(reverse("support:holiday_load", args=[calendar.pk]), data)
    assert response.status_code == 400
    assert message in body(response)
    assert not calendar.holidays.exists()


# --- policies -----------------------------------------------------------------------------------


def test_create_edit_and_list_policies_in_order(manager_client, manager, calendar, make_user):
    lead = make_user("service", username="lead")
    vip = resolve_tags(["vip"])[0]
    response = manager_client.post(
        reverse("support:policy_create"),
        policy_data(
            name="VIP",
            position="5",
            priority="urgent",
            tier_tag=vip.pk,
            calendar=calendar.pk,
            escalate_to=lead.pk,
        ),
    )
    assert response.status_code == 302
    manager_client.post(reverse("support:policy_create"), policy_data(name="Anyone", position="9"))
    policy = SlaPolicy.objects.get(name="VIP")
    assert (policy.priority, policy.tier_tag, policy.calendar, policy.escalate_to) == (
        "urgent",
        vip,
        calendar,
        lead,
    )

    response = manager_client.post(
        reverse("support:policy_edit", args=[policy.pk]),
        policy_data(name="VIP", position="10", first_response_minutes="", calendar=calendar.pk),
    )
    assert response.status_code == 302
    response = manager_client.get(reverse("support:policy_list"))
    assert [row["policy"].name for row in response.context["rows"]] == ["Anyone", "VIP"]
    assert "8 h" in body(response)
    policy.refresh_from_db()
    assert (policy.position, policy.first_response_minutes, policy.escalate_to) == (10, None, None)


def test_a_new_policy_is_offered_the_next_position(manager_client, things):
    form = manager_client.get(reverse("support:policy_create")).context["form"]
    assert form["position"].value() == 1


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"first_response_minutes": "-5"}, "first_response_minutes", "greater than or equal to 1"),
        (
            {"resolution_minutes": "99999999999999999999"},
            "resolution_minutes",
            "less than or equal to 525600",
        ),
        ({"warn_before_minutes": "-1"}, "warn_before_minutes", "greater than or equal to 0"),
        (
            {"first_response_minutes": "", "resolution_minutes": ""},
            None,
            "Give a first-response target, a resolution target or both.",
        ),
        ({"position": "99999999999"}, "position", "less than or equal to 10000"),
        ({"priority": "whenever"}, "priority", "Select a valid choice"),
        ({"calendar": "999999"}, "calendar", "Select a valid choice"),
        ({"name": "y" * 10_000}, "name", "at most 100 characters"),
    ],
)
def test_bad_policies_come_back_with_an_error(manager_client, values, field, message):
    response = manager_client.post(reverse("support:policy_create"), policy_data(**values))
    assert response.status_code == 400
    form = response.context["form"]
    errors = form.errors.get(field or "__all__", [])
    assert any(message in error for error in errors), form.errors
    assert not SlaPolicy.objects.exists()


def test_only_people_who_work_on_cases_take_breached_ones(manager_client, make_user):
    seller = make_user("sales", username="seller")
    response = manager_client.post(
        reverse("support:policy_create"), policy_data(escalate_to=seller.pk)
    )
    assert response.status_code == 400
    assert "escalate_to" in response.context["form"].errors


def test_targets_the_calendar_cannot_reach_are_explained(manager_client, manager):
    sundays = setup.create_calendar(
        actor=manager, name="Sundays", hours={"6": [["10:00", "11:00"]]}
    )
    response = manager_client.post(
        reverse("support:policy_create"),
        policy_data(calendar=sundays.pk, resolution_minutes="525600"),
    )
    assert response.status_code == 400
    assert "would not fall due within three years" in body(response)


def test_new_minutes_move_the_due_moments_of_open_cases_only(
    manager_client, manager, calendar, monkeypatch
):
    policy = setup.create_policy(
        actor=manager,
        name="Standard",
        calendar=calendar,
        first_response_minutes=60,
        resolution_minutes=480,
    )
    monkeypatch.setattr(timezone, "now", lambda: at(2026, 3, 2, 10))  # a Monday
    open_case = cases.create_case(actor=manager, subject="Open")
    done = cases.create_case(actor=manager, subject="Done")
    cases.change_status(done, CaseStatus.RESOLVED, actor=manager)
    done.refresh_from_db()
    kept = (done.first_response_due, done.resolution_due, done.sla_state)

    response = manager_client.post(
        reverse("support:policy_edit", args=[policy.pk]),
        policy_data(calendar=calendar.pk, first_response_minutes="120", resolution_minutes="960"),
        follow=True,
    )

    assert "Open cases whose due moments were counted again: 1." in body(response)
    open_case.refresh_from_db()
    done.refresh_from_db()
    assert open_case.first_response_due == at(2026, 3, 2, 12)
    assert open_case.resolution_due == at(2026, 3, 4, 10)
    assert open_case.next_due == at(2026, 3, 2, 12)
    assert (done.first_response_due, done.resolution_due, done.sla_state) == kept


def test_delete_a_policy_after_confirming(manager_client, manager, things):
    policy_id = things["policy"][0]
    cases.create_case(actor=manager, subject="Open")
    page = body(manager_client.get(reverse("support:policy_delete", args=[policy_id])))
    assert "Open cases following it: 1." in page

    response = manager_client.post(reverse("support:policy_delete", args=[policy_id]), follow=True)

    assert "Open cases moved to the next policy that matches them: 1." in body(response)
    assert not SlaPolicy.objects.exists()
    assert Case.objects.get().sla_policy is None


def test_unknown_records_are_not_found(manager_client):
    for name in ("support:category_edit", "support:calendar_edit", "support:policy_edit"):
        assert manager_client.get(reverse(name, args=[987654])).status_code == 404
