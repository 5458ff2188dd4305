"""Exports byte for byte: the CSV, vCard and XLSX of a fixed dataset are exactly what the
exporters wrote before they were made faster (the expected text below was produced by the
previous implementation), formulas are defused, and only what the reader may see leaves."""

import datetime
import decimal
import io
import zoneinfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from openpyxl import load_workbook

from clientela.contacts import services
from clientela.contacts.io import export_content
from clientela.contacts.models import Company, Contact
from clientela.core.exports import RowCooker, datetime_as_text, fetch_rows
from clientela.core.models import CustomField

UTC = datetime.UTC
FORMULA = "=cmd|' /C calc'!A0"


def _text(model, queryset, code):
    return "".join(export_content(model, queryset, code))


def _pin(model, pk, when):
    """Fixed timestamps, so the expected text can be written out."""
    model.all_objects.filter(pk=pk).update(created_at=when, updated_at=when)


@pytest.fixture
def dataset(admin_user, make_team):
    ct = ContentType.objects.get_for_model(Contact)
    for key, kind in (("since", "date"), ("budget", "decimal"), ("vip", "boolean")):
        CustomField.objects.create(content_type=ct, key=key, label=key.title(), field_type=kind)
    company = services.create_company(
        actor=admin_user,
        name="Serra; Fills, SL",
        legal_name="Serra i Fills, SL",
        tax_id="B12345674",
        domain="serra.cat",
        phones=["931234567", "600000001"],
        city="Lleida",
        country="ES",
        tags=["Proveïdor"],
    )
    first = services.create_contact(
        actor=admin_user,
        first_name="Mercè",
        last_name="Sabaté",
        second_last_name="Puig",
        job_title='Directora, "gerent"',
        company=company,
        emails=["merce@serra.cat", "merce@gmail.com"],
        phones=["600123456", "+34 931 11 22 33"],
        language="ca",
        lifecycle_stage="customer",
        consent_status="granted",
        consent_at=datetime.datetime(2024, 5, 1, 8, 30, tzinfo=UTC),
        consent_method="web_form",
        street="Carrer Major, 1",
        city="Lleida",
        postcode="25001",
        region="Lleida",
        country="ES",
        owner=admin_user,
        team=make_team("Vendes"),
        tags=["VIP", "Newsletter"],
        notes='Línea 1\nlínea 2; "coma", \\ 😀 Ñandú ' + "x" * 60,
        custom_fields={"since": "2023-02-01", "budget": "1500.50", "vip": True},
    )
    second = services.create_contact(actor=admin_user, first_name=FORMULA, last_name="-Gil")
    _pin(Company, company.pk, datetime.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC))
    _pin(Contact, first.pk, datetime.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC))
    _pin(Contact, second.pk, datetime.datetime(2025, 6, 7, 8, 9, 10, tzinfo=UTC))
    return company, first, second


CONTACT_CSV = (
    "id,first_name,last_name,second_last_name,job_title,company,emails,phon"
    "es,language,lifecycle_stage,lead_status,source,source_detail,consent_s"
    "tatus,consent_at,consent_method,consent_proof,street,city,postcode,reg"
    "ion,country,website,linkedin,x,instagram,facebook,tiktok,owner,team,ta"
    "gs,notes,completeness,created_at,updated_at,cf_since,cf_budget,cf_vip\r"
    '\n{a},Mercè,Sabaté,Puig,"Directora, ""gerent""","Serra; Fills, SL",merc'
    "e@serra.cat; merce@gmail.com,'+34600123456; +34931112233,ca,customer,,"
    'manual,,granted,2024-05-01T08:30:00+00:00,web_form,,"Carrer Major, 1",'
    'Lleida,25001,Lleida,ES,,,,,,,admin,Vendes,"Newsletter, VIP","Línea 1\nl'
    'ínea 2; ""coma"", \\ 😀 Ñandú xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
    'xxxxxxxxxxxxxxxxxx",100,2024-01-02T03:04:05.123456+00:00,2024-01-02T03'
    ":04:05.123456+00:00,2023-02-01,1500.5,true\r\n{b},'=cmd|' /C calc'!A0,'-"
    "Gil,,,,,,,lead,,manual,,unknown,,,,,,,,,,,,,,,,,,,10,2025-06-07T08:09:"
    "10+00:00,2025-06-07T08:09:10+00:00,,,\r\n"
)
COMPANY_CSV = (
    "id,name,legal_name,tax_id,domain,website,industry,size,phones,street,c"
    "ity,postcode,region,country,linkedin,x,instagram,facebook,tiktok,owner"
    ',team,tags,description,completeness,created_at,updated_at\r\n{c},"Serra;'
    ' Fills, SL","Serra i Fills, SL",B12345674,serra.cat,,,,\'+34931234567; '
    "+34600000001,,Lleida,,,ES,,,,,,,,Proveïdor,,50,2024-01-02T03:04:05.123"
    "456+00:00,2024-01-02T03:04:05.123456+00:00\r\n"
)
VCARDS = (
    "BEGIN:VCARD\r\n"
    "VERSION:4.0\r\n"
    "UID;VALUE=text:clientela-contact-{a}\r\n"
    "FN:Mercè Sabaté Puig\r\n"
    "N:Sabaté,Puig;Mercè;;;\r\n"
    "ORG:Serra\\; Fills\\, SL\r\n"
    'TITLE:Directora\\, "gerent"\r\n'
    "EMAIL;TYPE=work;PREF=1:merce@serra.cat\r\n"
    "EMAIL;TYPE=work:merce@gmail.com\r\n"
    "TEL;VALUE=uri;TYPE=cell;PREF=1:tel:+34600123456\r\n"
    "TEL;VALUE=uri;TYPE=cell:tel:+34931112233\r\n"
    "ADR:;;Carrer Major\\, 1;Lleida;Lleida;25001;ES\r\n"
    "CATEGORIES:Newsletter,VIP\r\n"
    'NOTE:Línea 1\\nlínea 2\\; "coma"\\, \\\\ 😀 Ñandú xxxxxxxxxxxxxxxxxxxxxxxx\r\n'
    " xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n"
    "REV:20240102T030405Z\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\n"
    "VERSION:4.0\r\n"
    "UID;VALUE=text:clientela-contact-{b}\r\n"
    "FN:=cmd|' /C calc'!A0 -Gil\r\n"
    "N:-Gil;=cmd|' /C calc'!A0;;;\r\n"
    "REV:20250607T080910Z\r\n"
    "END:VCARD\r\n"
)


def test_contact_csv_is_exactly_the_previous_output(dataset):
    _company, first, second = dataset
    expected = CONTACT_CSV.format(a=first.pk, b=second.pk)
    assert _text(Contact, Contact.objects.all(), "csv") == expected


def test_company_csv_is_exactly_the_previous_output(dataset):
    company, _first, _second = dataset
    assert _text(Company, Company.objects.all(), "csv") == COMPANY_CSV.format(c=company.pk)


def test_vcards_are_exactly_the_previous_output(dataset):
    _company, first, second = dataset
    assert _text(Contact, Contact.objects.all(), "vcf") == VCARDS.format(a=first.pk, b=second.pk)


def test_xlsx_holds_the_same_values_with_their_types(dataset):
    _company, first, second = dataset
    content = export_content(Contact, Contact.objects.all(), "xlsx")
    sheet = load_workbook(io.BytesIO(content.read())).worksheets[0]
    content.close()
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    values = [dict(zip(header, row, strict=True)) for row in rows]

    assert [v["id"] for v in values] == [first.pk, second.pk]
    assert values[0]["notes"].startswith("Línea 1\nlínea 2;")
    assert values[0]["consent_at"] == datetime.datetime(2024, 5, 1, 10, 30)  # Madrid time
    assert values[0]["cf_since"] == datetime.datetime(2023, 2, 1)
    assert values[0]["cf_budget"] == 1500.5
    assert values[0]["cf_vip"] is True
    assert values[1]["first_name"] == FORMULA  # as text: shown, never run
    assert sheet.cell(row=3, column=2).data_type == "s"
    assert values[1]["last_name"] == "-Gil"
    assert values[1]["created_at"] == datetime.datetime(2025, 6, 7, 10, 9, 10)


def test_the_formula_is_defused_in_csv_and_a_string_cell_in_xlsx(admin_user):
    services.create_contact(actor=admin_user, first_name=FORMULA, last_name=FORMULA)
    csv_text = _text(Contact, Contact.objects.all(), "csv")
    assert f",'{FORMULA},'{FORMULA}," in csv_text

    content = export_content(Contact, Contact.objects.all(), "xlsx")
    data = content.read()
    content.close()
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [sheet.cell(row=2, column=c).value for c in (2, 3)] == [FORMULA, FORMULA]
    assert [sheet.cell(row=2, column=c).data_type for c in (2, 3)] == ["s", "s"]
    assert b"<f>" not in data  # no formula anywhere in the file


@pytest.mark.parametrize("code", ["csv", "vcf", "xlsx"])
def test_an_export_holds_only_the_records_the_reader_may_see(client, make_user, admin_user, code):
    seller = make_user("sales", scope="own")
    services.create_contact(actor=admin_user, first_name="Visible", last_name="Mine", owner=seller)
    services.create_contact(actor=admin_user, first_name="Hidden", last_name="Theirs")
    client.force_login(seller)

    response = client.get(reverse("contacts:contact_export"), {"format": code})
    body = b"".join(response.streaming_content)
    if code == "xlsx":
        sheet = load_workbook(io.BytesIO(body)).worksheets[0]
        body = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row).encode()

    assert response.status_code == 200
    assert b"Visible" in body
    assert b"Hidden" not in body


@pytest.mark.parametrize(
    "when",
    [
        datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        datetime.datetime(2024, 1, 2, 3, 4, 5, 600, tzinfo=UTC),
        datetime.datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ],
)
def test_datetime_shortcuts_give_what_the_orm_gives(admin_user, when):
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    _pin(Contact, contact.pk, when)
    orm_value = Contact.objects.values_list("updated_at", flat=True).get()
    queryset = Contact.objects.all()
    for column in ("updated_at", datetime_as_text("updated_at", queryset)):
        values = queryset.values_list("pk", column)
        cooker = RowCooker(values)
        [(_pk, raw)] = fetch_rows(values)

        assert cooker.iso(1)(raw) == orm_value.isoformat()
        assert cooker.utc_stamp(1)(raw) == orm_value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        madrid = zoneinfo.ZoneInfo("Europe/Madrid")
        assert cooker.local(1, madrid)(raw) == orm_value.astimezone(madrid).replace(tzinfo=None)


def test_xlsx_cells_round_trip_through_openpyxl():
    from clientela.core.spreadsheet import XlsxSheet

    values = [
        "  a < b & c > d  ",
        "line\nbreak",
        "bell\x07",
        0.1,
        decimal.Decimal("12.50"),
        -7,
        False,
        datetime.date(1900, 2, 28),
        datetime.date(2024, 2, 29),
        datetime.datetime(2024, 3, 31, 23, 59, 59, 500000),
        datetime.datetime(2024, 7, 1, 12, tzinfo=UTC),
        ["a", "b"],
        None,
        "",
        "#N/A",
    ]
    out = io.BytesIO()
    with XlsxSheet(out, "Contacts: [2024]/*?") as sheet:
        sheet.append(values)
    workbook = load_workbook(io.BytesIO(out.getvalue()))
    read = [cell.value for cell in workbook.worksheets[0][1]]

    assert workbook.sheetnames == ["Contacts   2024    "]
    assert read == [
        "  a < b & c > d  ",
        "line\nbreak",
        "bell\ufffd",
        0.1,
        12.5,
        -7,
        False,
        datetime.datetime(1900, 2, 28),
        datetime.datetime(2024, 2, 29),
        datetime.datetime(2024, 3, 31, 23, 59, 59, 500000),
        datetime.datetime(2024, 7, 1, 14),  # Madrid summer time
        "a, b",
        None,
        None,
        "#N/A",
    ]
    assert workbook.worksheets[0].cell(row=1, column=15).data_type == "s"
