"""Dashboards (built-in per role, made and shared, tiles pinned, moved, removed), reports
e-mailed on a schedule (to a real SMTP peer), and the predictions page."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from clientela.analytics import dashboards, rollups
from clientela.analytics.models import Dashboard, Frequency, PredictionRun, ReportSubscription
from clientela.analytics.services import library, sales_forecast, subscriptions
from clientela.analytics.tests.conftest import STAGES  # noqa: F401  (the stages fixture's)
from clientela.sales.models import Deal
from clientela.sales.services import deals
from clientela.support.tests.conftest import smtp_peer  # noqa: F401  (a real SMTP peer)

pytestmark = pytest.mark.django_db


def test_each_role_opens_its_dashboard(client, make_user, stages):
    for role, title in (
        ("sales", "Sales dashboard"),
        ("marketing", "Marketing dashboard"),
        ("service", "Service dashboard"),
        ("manager", "Manager dashboard"),
    ):
        client.force_login(make_user(role))
        page = client.get(reverse("analytics:my_dashboard"))
        assert page.status_code == 200 and title in page.content.decode()


def test_the_manager_dashboard_shows_every_departments_figures(client, admin_user, stages):
    client.force_login(admin_user)

    body = client.get(reverse("analytics:builtin_dashboard", args=["manager"])).content.decode()

    for heading in ("Revenue won", "New leads", "Cases opened", "Interactions by channel"):
        assert heading in body
    assert 0 < body.count('role="img"') <= body.count("<table")  # every chart with its table


def test_a_dashboard_needs_valid_filters(client, admin_user):
    client.force_login(admin_user)

    page = client.get(reverse("analytics:builtin_dashboard", args=["sales"]), {"period": "nope"})

    assert page.status_code == 400
    assert client.get(reverse("analytics:builtin_dashboard", args=["x"])).status_code == 404


def test_pin_move_and_remove_tiles(client, admin_user, stages):
    board = library.create_dashboard(actor=admin_user, name="Mine")
    client.force_login(admin_user)
    for table in ("pipeline", "funnel"):
        client.post(
            reverse("analytics:pin"),
            {"dashboard": board.pk, "report": "sales", "table": table},
        )
    saved = library.save_report(
        actor=admin_user,
        name="By stage",
        spec={"entity": "deal", "group_by": [{"dimension": "stage"}]},
    )
    library.pin(board, actor=admin_user, saved_report=saved)
    tiles = list(board.tiles.all())
    assert [(t.report, t.table, t.saved_report_id) for t in tiles] == [
        ("sales", "pipeline", None),
        ("sales", "funnel", None),
        ("", "", saved.pk),
    ]

    client.post(reverse("analytics:tile_change", args=[tiles[2].pk]), {"action": "up"})
    client.post(reverse("analytics:tile_change", args=[tiles[0].pk]), {"action": "remove"})

    assert [t.pk for t in board.tiles.all()] == [tiles[2].pk, tiles[1].pk]
    page = client.get(reverse("analytics:dashboard", args=[board.pk])).content.decode()
    assert page.index("By stage") < page.index("Stage-to-stage funnel")


def test_only_the_owner_changes_a_dashboard(admin_user, make_user, make_team, stages):
    team = make_team("Vendes")
    admin_user.teams.add(team)
    teammate = make_user("sales", teams=[team])
    board = library.create_dashboard(actor=admin_user, name="Team", sharing="team", team=team)

    assert list(Dashboard.objects.visible_to(teammate)) == [board]
    with pytest.raises(PermissionDenied):
        library.pin(board, actor=teammate, report="sales", table="pipeline")
    with pytest.raises(PermissionDenied):
        library.delete(teammate, board)
    with pytest.raises(ValidationError):
        library.pin(board, actor=admin_user, report="nope", table="x")
    with pytest.raises(ValidationError):
        library.create_dashboard(actor=admin_user, name=" ")


def test_a_shared_dashboard_shows_each_reader_their_own_figures(
    admin_user, make_user, make_team, stages
):
    team = make_team("Vendes")
    admin_user.teams.add(team)
    teammate = make_user("sales", teams=[team], scope="own")
    deals.create_deal(
        actor=admin_user,
        name="Mine",
        amount="700",
        owner=admin_user,
        pipeline=stages["Lead"].pipeline,
    )
    board = library.create_dashboard(actor=admin_user, name="Team", sharing="team", team=team)
    library.pin(board, actor=admin_user, report="sales", table="pipeline")

    from clientela.analytics.reports.filters import Filters
    from clientela.analytics.reports.period import preset

    def pipeline(reader):
        [tile] = dashboards.draw(reader, Filters(preset("this_year")), board.tiles.all())
        return tile.table.rows

    assert pipeline(admin_user)[0][1] == 1
    assert pipeline(teammate) == []


def test_subscriptions_are_due_on_mondays_and_on_the_first():
    monday = timezone.make_aware(datetime.datetime(2026, 11, 23, 8, 0))
    weekly = ReportSubscription(frequency=Frequency.WEEKLY)
    monthly = ReportSubscription(frequency=Frequency.MONTHLY)

    assert subscriptions.is_due(weekly, monday)
    assert not subscriptions.is_due(weekly, monday - datetime.timedelta(hours=2))  # 6:00
    assert not subscriptions.is_due(weekly, monday + datetime.timedelta(days=1))
    weekly.last_sent_at = monday
    assert not subscriptions.is_due(weekly, monday + datetime.timedelta(hours=3))
    first = timezone.make_aware(datetime.datetime(2026, 12, 1, 9, 0))
    assert subscriptions.is_due(monthly, first) and not subscriptions.is_due(monthly, monday)
    assert subscriptions.period_for(Frequency.MONTHLY, first.date()).start == datetime.date(
        2026, 11, 1
    )


def test_a_weekly_report_is_emailed_as_pdf_and_csv(admin_user, stages, smtp_peer):  # noqa: F811
    admin_user.email, admin_user.language = "boss@example.com", "es"
    admin_user.save()
    deal = deals.create_deal(
        actor=admin_user, name="Cava", amount="1500", pipeline=stages["Lead"].pipeline
    )
    deals.move_deal(deal, stages["Won"], actor=admin_user)
    monday = timezone.make_aware(datetime.datetime(2026, 11, 23, 8, 0))
    saturday = monday - datetime.timedelta(days=2)
    Deal.all_objects.filter(pk=deal.pk).update(closed_at=saturday, created_at=saturday)
    rollups.rebuild_all()
    library.subscribe(actor=admin_user, frequency="weekly", report="sales")

    assert subscriptions.send_due(monday) == 1
    assert subscriptions.send_due(monday + datetime.timedelta(hours=1)) == 0  # once a week

    [(recipients, message)] = smtp_peer.messages
    assert recipients == ["boss@example.com"]
    assert message["Subject"].startswith("Ventas: ")  # in the reader's language
    parts = {part.get_filename(): part for part in message.iter_attachments()}
    pdf = next(part for name, part in parts.items() if name.endswith(".pdf"))
    csv_text = next(part for name, part in parts.items() if name.endswith(".csv")).get_content()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.get_content())).pages)
    assert "500,00 EUR" in text  # Spanish decimals (the thousands mark varies by platform)
    assert "1500.0" in csv_text


def test_subscribing_needs_a_known_report_one_may_read(admin_user, make_user):
    with pytest.raises(ValidationError):
        library.subscribe(actor=admin_user, frequency="weekly", report="nope")
    with pytest.raises(ValidationError):
        library.subscribe(actor=admin_user, frequency="daily", report="sales")


def test_the_forecast_says_when_there_is_not_enough_data(client, admin_user, stages):
    run = sales_forecast.retrain()
    client.force_login(admin_user)

    page = client.get(reverse("analytics:predictions")).content.decode()

    assert run.status == "not_enough" and "Not enough data yet" in page


def test_the_forecast_of_two_years_of_sales(client, admin_user, stages):
    today = timezone.localdate()
    for months_ago in range(1, 25):
        closed = timezone.make_aware(
            datetime.datetime(today.year, today.month, 1)
            - datetime.timedelta(days=30 * months_ago - 15)
        )
        deal = deals.create_deal(
            actor=admin_user,
            name=f"M{months_ago}",
            amount=str(1000 + 10 * (24 - months_ago)),
            pipeline=stages["Lead"].pipeline,
        )
        deals.move_deal(deal, stages["Won"], actor=admin_user)
        Deal.all_objects.filter(pk=deal.pk).update(closed_at=closed, created_at=closed)
    rollups.rebuild_all()

    run = sales_forecast.retrain()

    assert run.status == "ready" and len(run.parameters["months"]) == 3
    month = run.parameters["months"][0]
    assert (
        month["low_95"] <= month["low_80"] <= month["value"] <= month["high_80"] <= month["high_95"]
    )
    assert run.accuracy["months"] == 6
    client.force_login(admin_user)
    page = client.get(reverse("analytics:predictions")).content.decode()
    assert "Back-tested on the last 6 months" in page


def test_a_salesperson_does_not_see_the_company_forecast(client, make_user, stages):
    sales_forecast.retrain()
    client.force_login(make_user("sales"))

    page = client.get(reverse("analytics:predictions")).content.decode()

    assert "shown to those who see every deal" in page
    assert PredictionRun.objects.filter(kind="forecast").count() == 1


def test_lead_scores_say_why_in_words(client, admin_user, stages):
    from clientela.analytics.services import leads

    pipeline = stages["Lead"].pipeline
    for n in range(80):
        referral = n % 2 == 0
        won = (n // 2) % 10 < (8 if referral else 2)
        deal = deals.create_deal(
            actor=admin_user,
            name=f"D{n}",
            amount="1000",
            pipeline=pipeline,
            source="referral" if referral else "social",
        )
        deals.move_deal(deal, stages["Won" if won else "Lost"], actor=admin_user)
    deals.create_deal(
        actor=admin_user, name="Hopeful", amount="1000", pipeline=pipeline, source="referral"
    )
    leads.retrain()
    client.force_login(admin_user)

    page = client.get(reverse("analytics:predictions")).content.decode()

    assert "Hopeful" in page and "Source: Referral raises it" in page
    assert "AUC" in page
