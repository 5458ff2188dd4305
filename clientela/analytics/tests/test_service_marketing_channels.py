"""The service, marketing and channels reports against figures worked out by hand."""

import datetime
from decimal import Decimal

import pytest

from clientela.activities import services as activity_services
from clientela.analytics import rollups
from clientela.analytics.reports import channels, marketing, service
from clientela.analytics.reports.filters import Filters
from clientela.analytics.reports.period import custom
from clientela.collaboration.models import Survey, SurveyAnswer, SurveyInvitation
from clientela.contacts import services as contact_services
from clientela.contacts.models import Contact
from clientela.marketing.models import Campaign, CampaignLead
from clientela.support.models import Case, SatisfactionSurvey
from clientela.support.services import cases as case_services

pytestmark = pytest.mark.django_db
MARCH = custom(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
H = datetime.timedelta(hours=1)


def at(day, hour=9):
    return datetime.datetime(2026, 3, day, hour, tzinfo=datetime.UTC)


def kpis(report):
    return {k.key: k.value for k in report.kpis}


@pytest.fixture
def customer(admin_user):
    return contact_services.create_contact(
        actor=admin_user, first_name="Núria", region="Girona", emails=["nuria@example.com"]
    )


def case(actor, contact, channel, opened, *, responded=None, resolved=None, due=None):
    record = case_services.create_case(
        actor=actor, subject=f"{channel} case", contact=contact, channel=channel
    )
    Case.all_objects.filter(pk=record.pk).update(
        created_at=opened,
        first_responded_at=responded,
        resolved_at=resolved,
        first_response_due=due,
        resolution_due=due,
        status="resolved" if resolved else "open",
    )
    return record


@pytest.fixture
def march_cases(admin_user, customer):
    """Three cases opened in March 2026: one by e-mail answered in 2 h (due in 4 h) and
    resolved in 10 h (late), one by phone answered in 6 h (late) and resolved in 20 h (on
    time, due in 24 h), one on the portal still open."""
    mail = case(
        admin_user, customer, "email", at(2), responded=at(2) + 2 * H, resolved=at(2) + 10 * H
    )
    Case.all_objects.filter(pk=mail.pk).update(
        first_response_due=at(2) + 4 * H, resolution_due=at(2) + 8 * H
    )
    call = case(
        admin_user, customer, "phone", at(5), responded=at(5) + 6 * H, resolved=at(5) + 20 * H
    )
    Case.all_objects.filter(pk=call.pk).update(
        first_response_due=at(5) + 4 * H, resolution_due=at(5) + 24 * H
    )
    case(admin_user, customer, "portal", at(20))
    for score, day in ((5, 3), (3, 6)):
        SatisfactionSurvey.objects.create(
            case=mail, created_at=at(day), answered_at=at(day), score=score
        )
    survey = Survey.objects.create(name="NPS", kind="nps")
    for n, score in enumerate((10, 9, 7, 3)):
        person = contact_services.create_contact(actor=admin_user, first_name=f"P{n}")
        invitation = SurveyInvitation.objects.create(survey=survey, contact=person)
        SurveyAnswer.objects.create(
            invitation=invitation, survey=survey, contact=person, score=score, created_at=at(10)
        )
    rollups.rebuild_all()


def test_service_figures(admin_user, march_cases):
    report = service.build(admin_user, Filters(MARCH))

    figures = kpis(report)
    assert figures["opened"] == 3 and figures["resolved"] == 2
    assert figures["first_response"] == pytest.approx(4.0)  # (2 + 6) / 2 hours
    assert figures["resolution"] == pytest.approx(15.0)  # (10 + 20) / 2
    assert figures["response_sla"] == 50 and figures["resolution_sla"] == 50
    assert figures["csat"] == 4.0  # (5 + 3) / 2
    assert figures["nps"] == 25  # 2 promoters, 1 detractor of 4: 50 % - 25 %
    assert figures["backlog"] == 1
    channel_rows = report.table("cases_by_channel").rows
    assert sorted(channel_rows) == sorted(
        [["E-mail", 1, 1], ["Phone", 1, 1], ["Customer portal", 1, 0]]
    )
    [march] = report.table("times").rows
    assert march[1:] == [pytest.approx(4.0), pytest.approx(15.0), 50, 50]
    assert report.table("satisfaction").rows == [["March 2026", 4.0, 2, 25, 4]]
    assert report.table("backlog").rows == [["Normal", 1]]


def test_service_by_channel_and_for_a_salesperson(admin_user, make_user, march_cases):
    phone_only = kpis(service.build(admin_user, Filters(MARCH, channel="phone")))
    assert phone_only["opened"] == 1 and phone_only["first_response"] == pytest.approx(6.0)

    seller = make_user("sales", scope="own")
    theirs = kpis(service.build(seller, Filters(MARCH)))
    assert theirs["opened"] == 0 and theirs["backlog"] == 0
    assert theirs["csat"] is None and theirs["nps"] is None


def test_marketing_leads_conversion_and_campaigns(admin_user):
    for n, (source, stage, region) in enumerate(
        [
            ("web_form", "lead", "Girona"),
            ("web_form", "customer", "Girona"),
            ("web_form", "customer", "Lleida"),
            ("event", "lead", "Lleida"),
        ]
    ):
        contact_services.create_contact(
            actor=admin_user,
            first_name=f"Lead{n}",
            source=source,
            lifecycle_stage=stage,
            region=region,
        )
    campaign = Campaign.objects.create(
        name="Fira", kind="event", cost=Decimal("300"), owner=admin_user
    )
    for contact in Contact.objects.filter(source="web_form"):
        CampaignLead.objects.create(campaign=campaign, contact=contact, source="form")
    today = datetime.date.today()
    period = custom(today.replace(day=1), today)

    report = marketing.build(admin_user, Filters(period))

    figures = kpis(report)
    assert figures["leads"] == 4 and figures["converted"] == 2 and figures["conversion"] == 50
    assert figures["campaigns"] == 1 and figures["cost"] == Decimal("300")
    assert figures["cost_per_lead"] == Decimal("100.00")  # 300 for 3 leads
    assert report.table("leads_by_source").rows == [
        ["Web form", 3, 2, pytest.approx(200 / 3)],
        ["Event", 1, 0, 0.0],
    ]
    assert report.table("leads_by_region").rows == [
        ["Girona", 2, 1, 50.0],
        ["Lleida", 2, 1, 50.0],
    ]
    [event] = report.table("campaigns_by_channel").rows
    assert event[:5] == ["Event", 1, 3, Decimal("300"), Decimal("100.00")]


def test_channels_count_interactions_per_channel(admin_user, customer, march_cases):
    for kind, day in (("call", 2), ("call", 12), ("email", 12), ("meeting", 30), ("note", 3)):
        when = {"starts_at": at(day), "ends_at": at(day) + H} if kind == "meeting" else {}
        activity = activity_services.log_activity(
            actor=admin_user, kind=kind, subject=kind, contact=customer, **when
        )
        type(activity).all_objects.filter(pk=activity.pk).update(timeline_at=at(day))
    rollups.rebuild_all()

    report = channels.build(admin_user, Filters(MARCH, bucket="week"))

    figures = kpis(report)
    # Calls 2 + phone case 1; e-mail 1 + e-mail case 1; 1 meeting; 1 portal case; notes aside.
    assert figures["phone"] == 3 and figures["email"] == 2 and figures["meeting"] == 1
    assert figures["portal"] == 1 and figures["interactions"] == 7
    weeks = {row[0]: row[1:] for row in report.table("over_time").rows}
    assert len(weeks) == 6  # 23 Feb … 30 March, weeks start on Monday
    assert sum(sum(counts) for counts in weeks.values()) == 7
