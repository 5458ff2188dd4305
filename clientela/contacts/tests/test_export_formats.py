"""XLSX and vCard exports of contacts and companies: values, types, formula safety, hostile
text, permissions, empty lists; the page, API and CLI format choices."""

import datetime
import io
import re

import pytest
import vobject
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from clientela.cli import main
from clientela.contacts import services
from clientela.contacts.io import COMPANY_COLUMNS, CONTACT_COLUMNS, export_content
from clientela.contacts.models import Company, Contact
from clientela.contacts.vcard import fold
from clientela.core.exports import XLSX_CONTENT_TYPE as XLSX
from clientela.core.models import CustomField

HOSTILE = 'Línea 1\nlínea 2, "coma"; punto y coma \\ barra 😀 Ñandú'


def _xlsx(model, queryset):
    content = export_content(model, queryset, "xlsx")
    try:
        return load_workbook(io.BytesIO(content.read()))
    finally:
        content.close()


def _rows(workbook):
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _vcf(queryset):
    return "".join(export_content(Contact, queryset, "vcf"))


@pytest.fixture
def since_field(db):
    return CustomField.objects.create(
        content_type=ContentType.objects.get_for_model(Contact),
        key="since",
        label="Customer since",
        field_type="date",
    )


def test_xlsx_has_the_csv_columns_values_dates_and_custom_fields(admin_user, since_field):
    company = services.create_company(actor=admin_user, name="Vila SL")
    contact = services.create_contact(
        actor=admin_user,
        first_name="Ana",
        last_name="Vila",
        company=company,
        emails=["ana@vila.cat", "ana@gmail.com"],
        phones=["600123456"],
        tags=["VIP", "Newsletter"],
        owner=admin_user,
        custom_fields={"since": "2024-05-01"},
    )
    workbook = _xlsx(Contact, Contact.objects.all())
    header, row = _rows(workbook)
    values = dict(zip(header, row, strict=True))

    assert header == [*CONTACT_COLUMNS, "cf_since"]
    assert values["id"] == contact.pk
    assert values["emails"] == "ana@vila.cat; ana@gmail.com"
    assert values["phones"] == "+34600123456"
    assert values["tags"] == "Newsletter, VIP"
    assert (values["company"], values["owner"], values["team"]) == ("Vila SL", "admin", None)
    assert values["cf_since"] == datetime.datetime(2024, 5, 1)
    assert isinstance(values["created_at"], datetime.datetime)
    assert values["created_at"] == timezone.localtime(contact.created_at).replace(
        tzinfo=None, microsecond=values["created_at"].microsecond
    )


@pytest.mark.parametrize(
    "formula", ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "#N/A"]
)
def test_xlsx_writes_formula_like_text_as_text(admin_user, formula):
    services.create_contact(actor=admin_user, first_name=formula, last_name="Puig")
    sheet = _xlsx(Contact, Contact.objects.all()).worksheets[0]
    first_name = sheet.cell(row=2, column=CONTACT_COLUMNS.index("first_name") + 1)

    assert first_name.value == formula
    assert first_name.data_type == "s"


def test_xlsx_of_companies_and_of_an_empty_list(admin_user):
    services.create_company(actor=admin_user, name=HOSTILE)
    header, row = _rows(_xlsx(Company, Company.objects.all()))
    assert header == COMPANY_COLUMNS
    assert row[COMPANY_COLUMNS.index("name")] == HOSTILE

    assert _rows(_xlsx(Contact, Contact.objects.none())) == [CONTACT_COLUMNS]


def test_vcard_has_names_org_emails_phones_and_address(admin_user):
    company = services.create_company(actor=admin_user, name="Serra; Fills, SL")
    services.create_contact(
        actor=admin_user,
        first_name="Mercè",
        last_name="Sabaté",
        second_last_name="Puig",
        job_title="Directora",
        company=company,
        emails=["merce@sabate.cat"],
        phones=["600123456"],
        street="Carrer Major, 1",
        city="Lleida",
        postcode="25001",
        country="ES",
        notes=HOSTILE,
    )
    text = _vcf(Contact.objects.all())
    lines = text.split("\r\n")

    assert lines[:2] == ["BEGIN:VCARD", "VERSION:4.0"]
    assert "FN:Mercè Sabaté Puig" in lines
    assert "N:Sabaté,Puig;Mercè;;;" in lines
    assert "ORG:Serra\\; Fills\\, SL" in lines
    assert "TITLE:Directora" in lines
    assert any(
        line.startswith("EMAIL;TYPE=work") and line.endswith(":merce@sabate.cat") for line in lines
    )
    assert any(
        line.startswith("TEL;VALUE=uri;TYPE=cell") and line.endswith(":tel:+34600123456")
        for line in lines
    )
    assert "ADR:;;Carrer Major\\, 1;Lleida;;25001;ES" in lines
    assert all(len(line.encode()) <= 75 for line in lines)

    parsed = vobject.readOne(text)
    assert parsed.fn.value == "Mercè Sabaté Puig"
    assert parsed.note.value == HOSTILE
    assert parsed.email.value == "merce@sabate.cat"
    assert parsed.org.value == ["Serra; Fills, SL"]


def test_vcard_of_an_empty_list_is_empty(db):
    assert _vcf(Contact.objects.none()) == ""


def test_fold_never_splits_a_character():
    line = "NOTE:" + "😀" * 40
    folded = fold(line)
    parts = folded.split("\r\n ")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert "".join(parts).removesuffix("\r\n") == line


# --- hostile values ------------------------------------------------------------------------------


def test_hostile_values_round_trip_through_xlsx_and_vcard(admin_user):
    services.create_contact(
        actor=admin_user,
        first_name="Zoë; 😀",
        last_name="O'Brien, Jr.",
        second_last_name="Núñez\nSegunda",
        job_title="=cmd",
        notes=HOSTILE + "\x07 bell",
    )
    header, row = _rows(_xlsx(Contact, Contact.objects.all()))
    values = dict(zip(header, row, strict=True))
    assert values["first_name"] == "Zoë; 😀"
    assert values["second_last_name"] == "Núñez\nSegunda"
    assert values["job_title"] == "=cmd"
    assert values["notes"] == HOSTILE + "\ufffd bell"  # XML cannot hold control characters

    parsed = vobject.readOne(_vcf(Contact.objects.all()))
    assert parsed.n.value.family == ["O'Brien, Jr.", "Núñez\nSegunda"]
    assert parsed.n.value.given == "Zoë; 😀"
    assert parsed.title.value == "=cmd"


# --- pages, API, CLI ---------------------------------------------------------------------------

LIST = reverse("contacts:contact_list")
EXPORT = reverse("contacts:contact_export")
API = "/api/v1/contacts/export/"


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def _body(response):
    return b"".join(response.streaming_content)


def test_list_page_offers_each_format_with_the_current_filters(signed_in):
    html = signed_in.get(LIST, {"tag": "vip"}).content.decode()
    links = re.findall(r'href="([^"]+)" download>([^<]+)<', html)
    assert links == [
        (f"{EXPORT}?tag=vip", "Export CSV"),
        (f"{EXPORT}?tag=vip&amp;format=xlsx", "Export Excel"),
        (f"{EXPORT}?tag=vip&amp;format=vcf", "Export vCard"),
    ]

    html = signed_in.get(reverse("contacts:company_list")).content.decode()
    labels = re.findall(r"download>([^<]+)<", html)
    assert labels == ["Export CSV", "Export Excel"]


def test_page_exports_xlsx_and_vcard_of_the_visible_filtered_rows(client, make_user, admin_user):
    seller = make_user("sales", scope="own")
    services.create_contact(actor=admin_user, first_name="Ana", owner=seller, tags=["vip"])
    services.create_contact(actor=admin_user, first_name="Bea", owner=seller)
    services.create_contact(actor=admin_user, first_name="Carla", owner=admin_user, tags=["vip"])
    client.force_login(seller)

    response = client.get(EXPORT, {"tag": "vip", "format": "xlsx"})
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="contacts.xlsx"'
    rows = _rows(load_workbook(io.BytesIO(_body(response))))
    assert [r[1] for r in rows[1:]] == ["Ana"]

    response = client.get(EXPORT, {"tag": "vip", "format": "vcf"})
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="contacts.vcf"'
    assert [c.fn.value for c in vobject.readComponents(_body(response).decode())] == ["Ana"]


def test_page_refuses_a_format_the_list_does_not_offer(signed_in):
    assert signed_in.get(reverse("contacts:company_export"), {"format": "vcf"}).status_code == 400
    assert signed_in.get(EXPORT, {"format": "pdf"}).status_code == 400


def test_api_exports_each_format_of_what_the_caller_may_see(api, make_user, admin_user):
    rep = make_user("sales", scope="own")
    services.create_contact(actor=admin_user, first_name="Mine", owner=rep, emails=["m@x.es"])
    services.create_contact(actor=admin_user, first_name="Other", owner=admin_user)
    client = api(rep)

    csv_response = client.get(API)
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert _body(csv_response).decode().count("\r\n") == 2

    xlsx = client.get(API, {"format": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"] == XLSX
    assert [r[1] for r in _rows(load_workbook(io.BytesIO(_body(xlsx))))[1:]] == ["Mine"]

    vcf = client.get(API, {"format": "vcf"})
    cards = list(vobject.readComponents(_body(vcf).decode()))
    assert [(c.fn.value, c.email.value) for c in cards] == [("Mine", "m@x.es")]


def test_api_refuses_an_unknown_or_unoffered_format(admin_api):
    response = admin_api.get(API, {"format": "pdf"})
    assert response.status_code == 400
    assert "format" in str(response.json())
    assert admin_api.get("/api/v1/companies/export/", {"format": "vcf"}).status_code == 400
    assert admin_api.get("/api/v1/deals/export/", {"format": "xlsx"}).status_code == 400


def test_api_companies_export_xlsx_and_empty_list(admin_api):
    response = admin_api.get("/api/v1/companies/export/", {"format": "xlsx"})
    assert response["Content-Disposition"] == 'attachment; filename="companies.xlsx"'
    assert _rows(load_workbook(io.BytesIO(_body(response)))) == [COMPANY_COLUMNS]


def test_cli_exports_xlsx_and_vcard_as_a_user(make_user, tmp_path, capsys):
    rep = make_user("sales", username="rep", scope="own")
    services.create_contact(actor=rep, first_name="Mine", owner=rep)
    services.create_contact(actor=rep, first_name="Other")

    path = tmp_path / "out.xlsx"
    assert main(["export", "contacts", "--format", "xlsx", "--as", "rep", "-o", str(path)]) == 0
    assert [r[1] for r in _rows(load_workbook(path))[1:]] == ["Mine"]

    assert main(["export", "contacts", "--format", "vcf", "--as", "rep"]) == 0
    cards = list(vobject.readComponents(capsys.readouterr().out))
    assert [c.fn.value for c in cards] == ["Mine"]

    with pytest.raises(SystemExit, match="cannot be exported as vcf"):
        main(["export", "companies", "--format", "vcf"])


def test_export_queries_do_not_grow_with_the_records_of_a_batch(admin_user, since_field):
    def queries_for_export():
        with CaptureQueriesContext(connection) as captured:
            "".join(export_content(Contact, Contact.objects.all(), "csv"))
        return len(captured)

    services.create_contact(actor=admin_user, first_name="A", emails=["a@x.es"], tags=["t"])
    few = queries_for_export()
    for i in range(5):
        services.create_contact(
            actor=admin_user, first_name=f"N{i}", emails=[f"n{i}@x.es"], phones=["600123456"]
        )
    assert queries_for_export() == few


def test_children_of_records_left_out_by_the_filter_never_leak(admin_user):
    for name in ("Ana", "Bea", "Carla"):
        services.create_contact(
            actor=admin_user, first_name=name, emails=[f"{name.lower()}@x.es"], tags=[name]
        )
    chosen = Contact.objects.exclude(first_name="Bea")

    header, *rows = _rows(_xlsx(Contact, chosen))
    emails = [dict(zip(header, row, strict=True))["emails"] for row in rows]
    assert emails == ["ana@x.es", "carla@x.es"]
    cards = list(vobject.readComponents(_vcf(chosen)))
    assert [(c.email.value, c.categories.value) for c in cards] == [
        ("ana@x.es", ["Ana"]),
        ("carla@x.es", ["Carla"]),
    ]
