"""Reading files made by other tools: encodings, delimiters, Excel, vCard, damaged input; and
the column names those tools write landing on the right fields."""

import codecs
import io

import pytest
from openpyxl import Workbook

from clientela.contacts.models import Contact
from clientela.intake.imports.fields import check_mapping, suggest_mapping
from clientela.intake.imports.readers import RowError, UnreadableFile, open_table


def rows(table):
    return list(table.rows)


def test_excel_csv_in_windows_1252_with_semicolons_and_quoted_newlines():
    data = 'Nombre;Cargo;Ciudad\r\nNúria;"Cap\r\nde vendes";Girona\r\nMercè;CEO;Vic\r\n'
    table = open_table(io.BytesIO(data.encode("cp1252")), "contactes.csv")

    assert (table.format, table.encoding, table.delimiter) == ("csv", "cp1252", ";")
    assert table.header == ["Nombre", "Cargo", "Ciudad"]
    assert rows(table) == [
        (2, ["Núria", "Cap\r\nde vendes", "Girona"]),
        (4, ["Mercè", "CEO", "Vic"]),
    ]


@pytest.mark.parametrize(
    ("bom", "encoding", "delimiter"),
    [
        (codecs.BOM_UTF8, "utf-8", ","),
        (b"", "utf-8", "\t"),
        (b"", "utf-8", "|"),
    ],
)
def test_utf8_with_or_without_a_byte_order_mark_and_any_delimiter(bom, encoding, delimiter):
    data = delimiter.join(["name", "city"]) + "\n" + delimiter.join(["Àngels", "Lleida"]) + "\n"
    table = open_table(io.BytesIO(bom + data.encode(encoding)), "x.csv")

    assert table.header == ["name", "city"]
    assert rows(table) == [(2, ["Àngels", "Lleida"])]


def test_excel_unicode_text_is_utf16_with_tabs():
    data = "First Name\tCity\r\nJosé\tMálaga\r\n".encode("utf-16")
    table = open_table(io.BytesIO(data), "export.txt")

    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert rows(table) == [(2, ["José", "Málaga"])]


def test_blank_rows_are_skipped_and_line_numbers_stay_true():
    table = open_table(io.BytesIO(b"name\n\nAna\n ,\nBea\n"), "x.csv")

    assert rows(table) == [(3, ["Ana"]), (5, ["Bea"])]


def test_undecodable_text_after_valid_lines_stops_with_the_line():
    data = b"name\n" + b"Ana\n" * 20000 + b"caf\xe9\n"  # UTF-8 for 64 kB, then Latin-1
    table = open_table(io.BytesIO(data), "x.csv")
    seen = []
    with pytest.raises(UnreadableFile, match="Line 20002 is not valid utf-8 text."):
        for line, _cells in table.rows:
            seen.append(line)
    assert len(seen) == 20000


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"   \n\n", "The file is empty."),
        (b"\n\nname\nAna\n", "The first line (the column names) is empty."),
        (b"PK\x03\x04garbage", "This is not an Excel workbook (.xlsx) that can be read."),
    ],
)
def test_unreadable_files_say_why(content, message):
    with pytest.raises(UnreadableFile, match=message.replace("(", r"\(").replace(")", r"\)")):
        open_table(io.BytesIO(content), "x.csv")


def test_an_unknown_encoding_is_refused():
    with pytest.raises(UnreadableFile, match="Unknown encoding klingon"):
        open_table(io.BytesIO(b"a\n1\n"), "x.csv", encoding="klingon")


def test_a_giant_cell_is_one_row_error_and_the_rest_goes_on():
    giant = "x" * (1024 * 1024 + 10)
    data = f'name,notes\nAna,"{giant}"\nBea,ok\n'.encode()
    result = rows(open_table(io.BytesIO(data), "x.csv"))

    assert isinstance(result[0][1], RowError)
    assert "field larger than field limit" in result[0][1].message
    assert result[-1] == (result[-1][0], ["Bea", "ok"])


def test_xlsx_first_sheet_with_numbers_and_dates_as_typed():
    import datetime

    workbook = Workbook()
    sheet = workbook.active
    sheet.append([None])
    sheet.append(["Name", "Employees", "Since", "Phone"])
    sheet.append(["Puig SL", 12, datetime.datetime(2024, 5, 31), 600123456])
    sheet.append(["Ferrer", 2.5, datetime.date(2023, 1, 2), "+34 600 123 457"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)

    table = open_table(buffer, "companies.xlsx")

    assert (table.format, table.header) == ("xlsx", ["Name", "Employees", "Since", "Phone"])
    assert rows(table) == [
        (3, ["Puig SL", "12", "2024-05-31", "600123456"]),
        (4, ["Ferrer", "2.5", "2023-01-02", "+34 600 123 457"]),
    ]


VCARDS = """BEGIN:VCARD
VERSION:3.0
N:García López;Ana;;;
FN:Ana García López
ORG:Puig SL;Ventas
TITLE:Directora
EMAIL;TYPE=WORK:ana@puig.es
EMAIL;TYPE=HOME:ana@gmail.com
TEL;TYPE=CELL:+34 600 123 456
ADR;TYPE=WORK:;;Carrer Major 1;Girona;Girona;17001;Spain
NOTE:Met at the fair\\, 2024
CATEGORIES:vip,fira
END:VCARD
BEGIN:VCARD
VERSION:4.0
N:Puig;Jordi;;;
this line is : not ; a vcard line at all
END:VCARD
BEGIN:VCARD
VERSION:4.0
FN:Marta Soler
EMAIL:marta@soler.cat
TEL;VALUE=uri:tel:+34-699-111-222
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Never ends
"""


def test_vcard_3_and_4_one_row_per_card_a_broken_card_is_a_row_error():
    table = open_table(io.BytesIO(VCARDS.encode()), "phone.vcf")
    result = rows(table)

    assert table.format == "vcf"
    first = dict(zip(table.header, result[0][1], strict=True))
    assert first["first_name"] == "Ana"
    assert first["last_name"] == "García López"
    assert first["company"] == "Puig SL"
    assert first["emails"] == "ana@puig.es; ana@gmail.com"
    assert first["phones"] == "+34 600 123 456"
    assert (first["street"], first["city"], first["postcode"]) == (
        "Carrer Major 1",
        "Girona",
        "17001",
    )
    assert first["country"] == "Spain"
    assert first["notes"] == "Met at the fair, 2024"
    assert first["tags"] == "vip, fira"
    assert isinstance(result[1][1], RowError) and result[1][0] == 14
    third = dict(zip(table.header, result[2][1], strict=True))
    assert (third["full_name"], third["emails"]) == ("Marta Soler", "marta@soler.cat")
    assert third["phones"] == "tel:+34-699-111-222"
    assert result[3][1].message == "This card has no END:VCARD line."


@pytest.mark.parametrize(
    ("tool", "header", "expected"),
    [
        (
            "HubSpot",
            [
                "Record ID",
                "First Name",
                "Last Name",
                "Email",
                "Phone Number",
                "Company Name",
                "Lifecycle Stage",
                "Contact owner",
                "State/Region",
                "Country/Region",
            ],
            [
                "",
                "first_name",
                "last_name",
                "email",
                "phone",
                "company",
                "lifecycle_stage",
                "owner",
                "region",
                "country",
            ],
        ),
        (
            "Salesforce",
            [
                "First Name",
                "Last Name",
                "Title",
                "Account Name",
                "Email",
                "Phone",
                "Mobile",
                "Mailing Street",
                "Mailing City",
                "Mailing Zip/Postal Code",
                "Lead Source",
            ],
            [
                "first_name",
                "last_name",
                "job_title",
                "company",
                "email",
                "phone",
                "phone",
                "street",
                "city",
                "postcode",
                "source",
            ],
        ),
        (
            "Google Contacts",
            [
                "First Name",
                "Middle Name",
                "Last Name",
                "Organization Name",
                "Organization Title",
                "E-mail 1 - Value",
                "E-mail 2 - Value",
                "Phone 1 - Value",
                "Labels",
                "Notes",
            ],
            [
                "first_name",
                "",
                "last_name",
                "company",
                "job_title",
                "email",
                "email",
                "phone",
                "tags",
                "notes",
            ],
        ),
        (
            "Outlook",
            [
                "First Name",
                "Last Name",
                "Company",
                "Job Title",
                "E-mail Address",
                "E-mail 2 Address",
                "Business Phone",
                "Mobile Phone",
                "Business City",
                "Business Postal Code",
                "Categories",
            ],
            [
                "first_name",
                "last_name",
                "company",
                "job_title",
                "email",
                "email",
                "phone",
                "phone",
                "city",
                "postcode",
                "tags",
            ],
        ),
        (
            "EspoCRM",
            [
                "firstName",
                "lastName",
                "emailAddress",
                "phoneNumber",
                "accountName",
                "title",
                "addressCity",
                "addressPostalCode",
                "assignedUserName",
                "description",
            ],
            [
                "first_name",
                "last_name",
                "email",
                "phone",
                "company",
                "job_title",
                "city",
                "postcode",
                "owner",
                "notes",
            ],
        ),
        (
            "a Spanish spreadsheet",
            [
                "Nombre",
                "Apellidos",
                "Correo electrónico",
                "Teléfono",
                "Móvil",
                "Empresa",
                "Población",
                "Código postal",
                "Provincia",
                "País",
            ],
            [
                "first_name",
                "surnames",
                "email",
                "phone",
                "phone",
                "company",
                "city",
                "postcode",
                "region",
                "country",
            ],
        ),
        (
            "a Catalan spreadsheet",
            ["Nom", "Cognoms", "Correu electrònic", "Telèfon", "Càrrec", "Adreça", "Codi postal"],
            ["first_name", "surnames", "email", "phone", "job_title", "street", "postcode"],
        ),
    ],
)
def test_suggested_mapping_recognises_other_tools_exports(db, tool, header, expected):
    assert suggest_mapping("contacts", header, Contact) == expected


def test_a_field_taking_one_column_is_suggested_once(db):
    assert suggest_mapping("contacts", ["Name", "Full name", "City", "Ciudad"], Contact) == [
        "full_name",
        "",
        "city",
        "",
    ]


def test_mapping_check_names_unknown_and_repeated_fields_and_a_missing_name(db):
    errors = check_mapping("contacts", ["city", "city", "shoe_size"], Contact)

    assert errors == [
        "City is given by two columns.",
        "shoe_size is not a field of this import.",
        "Map a column to one of: E-mail, First name, Full name (split), First surname, Phone, "
        "Surnames (both, split).",
    ]
