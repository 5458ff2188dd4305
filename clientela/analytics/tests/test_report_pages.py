"""Report pages, exports and API: filters read from the query string, bad input refused with
a clear message, areas and scopes applied."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from clientela.core.models import Role
from clientela.sales.services import deals

pytestmark = pytest.mark.django_db
CUSTOM_Q1 = {"period": "custom", "start": "2026-01-01", "end": "2026-03-31"}


@pytest.fixture
def won(admin_user, stages):
    deal = deals.create_deal(
        actor=admin_user, name="Cava", amount="1234.5", pipeline=stages["Lead"].pipeline
    )
    deals.move_deal(deal, stages["Won"], actor=admin_user)
    return deal


def test_the_list_shows_the_reports_one_may_read(client, admin_user):
    client.force_login(admin_user)

    page = client.get(reverse("analytics:report_list"))

    assert page.status_code == 200
    assert reverse("analytics:report", args=["sales"]) in page.content.decode()


def test_the_sales_page_shows_figures_charts_and_tables(client, admin_user, won):
    client.force_login(admin_user)

    page = client.get(reverse("analytics:report", args=["sales"]), {"period": "this_month"})

    body = page.content.decode()
    assert page.status_code == 200
    assert "1,234.50 EUR" in body  # revenue won this month
    assert 'role="img"' in body and "<table" in body
    assert reverse("analytics:report_csv", args=["sales"]) in body


@pytest.mark.parametrize(
    "query, message",
    [
        ({"period": "custom", "start": "2026-02-01"}, "Give both dates"),
        ({"period": "custom", "start": "2026-03-01", "end": "2026-01-01"}, "ends before"),
        ({"period": "custom", "start": "1990-01-01", "end": "2026-01-01"}, "ten years"),
        ({"period": "next_century"}, "Select a valid choice"),
        ({"start": "yesterday", "end": "2026-01-01"}, "Enter a valid date"),
        ({"region": "x" * 101}, "at most 100 characters"),
        ({"owner": "'; DROP TABLE deals;--"}, "Select a valid choice"),
        ({"pipeline": "-1"}, "greater than or equal to 1"),
    ],
)
def test_bad_filters_get_a_clear_error(client, admin_user, query, message):
    client.force_login(admin_user)

    page = client.get(reverse("analytics:report", args=["sales"]), query)

    assert page.status_code == 400
    assert message in page.content.decode()


def test_hostile_text_in_a_filter_is_shown_as_text(client, admin_user, stages):
    client.force_login(admin_user)

    page = client.get(
        reverse("analytics:report", args=["sales"]), {"region": "<script>alert(1)</script>"}
    )

    assert page.status_code == 200
    assert "<script>alert(1)" not in page.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content.decode()


def test_an_unknown_report_is_not_found(client, admin_user):
    client.force_login(admin_user)

    assert client.get(reverse("analytics:report", args=["nope"])).status_code == 404


def test_a_role_without_sales_may_not_read_the_sales_report(client, api, make_user):
    role = Role.objects.create(code="contacts_only", name="Contacts", access={"contacts": "read"})
    reader = make_user("read_only")
    reader.role = role
    reader.save()
    client.force_login(reader)

    assert client.get(reverse("analytics:report", args=["sales"])).status_code == 403
    assert client.get(reverse("analytics:report_csv", args=["sales"])).status_code == 403
    listed = client.get(reverse("analytics:report_list")).content.decode()
    assert reverse("analytics:report", args=["sales"]) not in listed
    assert api(reader).get("/api/v1/reports/sales/").status_code == 403


def test_csv_export_holds_the_figures_and_tables(client, admin_user, won):
    client.force_login(admin_user)

    response = client.get(reverse("analytics:report_csv", args=["sales"]), {"period": "this_month"})

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert ["Revenue won", "1234.5", "0.0"] in rows
    assert ["Pipeline by stage"] in rows


def test_xlsx_export_opens_in_a_spreadsheet(client, admin_user, won):
    client.force_login(admin_user)

    response = client.get(
        reverse("analytics:report_xlsx", args=["sales"]), {"period": "this_month"}
    )

    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert ["Revenue won", 1234.5, 0] in [row[:3] for row in values]


def test_api_serves_the_report_as_json(admin_api, won):
    response = admin_api.get("/api/v1/reports/sales/", {"period": "this_month"})

    assert response.status_code == 200
    body = response.json()
    assert body["report"] == "sales"
    [revenue] = [k for k in body["kpis"] if k["key"] == "won_revenue"]
    assert revenue["value"] == 1234.5 and revenue["previous"] == 0.0
    assert revenue["change_percent"] is None
    assert [t["key"] for t in body["tables"]] == [
        "revenue",
        "pipeline",
        "funnel",
        "leaderboard",
        "forecast",
    ]
    assert admin_api.get("/api/v1/reports/").json()["results"][0]["key"] == "sales"


def test_api_refuses_bad_filters_with_field_messages(admin_api):
    response = admin_api.get("/api/v1/reports/sales/", {"period": "custom", "start": "x"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["fields"]["start"] == ["Enter a valid date."]
    assert admin_api.get("/api/v1/reports/nope/").status_code == 404
