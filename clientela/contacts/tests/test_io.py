import csv
import io

import pytest
from django.contrib.contenttypes.models import ContentType

from clientela.contacts import services
from clientela.contacts.io import CONTACT_COLUMNS, import_csv, iter_csv
from clientela.contacts.models import Company, Contact
from clientela.core.choices import ChangeSource
from clientela.core.context import change_context
from clientela.core.models import ChangeRecord, CustomField


def _export(model, queryset):
    return "".join(iter_csv(model, queryset))


@pytest.fixture
def channel_field(db):
    return CustomField.objects.create(
        content_type=ContentType.objects.get_for_model(Contact),
        key="channel",
        label="Channel",
        field_type="choice",
        choices=["Email", "Phone"],
    )


def test_windows_1252_semicolon_file_reports_bad_row_line_and_keeps_good_rows(admin_user):
    text = (
        "first_name;last_name;emails;company\r\n"
        "Núria;Puig;nuria@puig.cat;Construccions Puig\r\n"
        "Pere;Ferrer;not-an-email;\r\n"
        ";;;\r\n"
        "Iñaki;Muñoz;inaki@example.es;Construccions Puig\r\n"
    )
    result = import_csv(Contact, io.BytesIO(text.encode("cp1252")), actor=admin_user)

    assert result.created == 2
    assert [line for line, _errors in result.errors] == [3]
    assert list(result.errors[0][1]) == ["emails"]
    assert sorted(Contact.objects.values_list("first_name", flat=True)) == ["Iñaki", "Núria"]
    assert Company.objects.get().name == "Construccions Puig"
    assert Contact.objects.filter(company__name="Construccions Puig").count() == 2


def test_failed_row_leaves_nothing_behind_not_even_its_new_company(admin_user):
    text = "first_name,company,phones\nAna,Nova Empresa,12\n"
    result = import_csv(Contact, io.BytesIO(text.encode()), actor=admin_user)

    assert result.created == 0
    assert result.errors[0][0] == 2
    assert Company.all_objects.count() == 0
    assert Contact.all_objects.count() == 0


def test_utf8_bom_comma_file_with_labels_and_custom_field(admin_user, channel_field):
    text = "\ufeffFirst name,Last name,Lifecycle stage,cf_channel\nAna,García,Customer,Phone\n"
    result = import_csv(Contact, io.BytesIO(text.encode("utf-8")), actor=admin_user)

    assert (result.created, result.errors) == (1, [])
    contact = Contact.objects.get()
    assert (contact.first_name, contact.lifecycle_stage) == ("Ana", "customer")
    assert contact.custom_fields == {"channel": "Phone"}


def test_multi_line_quoted_field_reports_the_line_the_row_starts_on(admin_user):
    text = 'first_name,notes\nAna,"line one\nline two"\n,"x"\n'
    result = import_csv(Contact, io.BytesIO(text.encode()), actor=admin_user)

    assert result.created == 1
    assert [line for line, _ in result.errors] == [4]


def test_header_without_a_name_column_imports_nothing(admin_user):
    result = import_csv(Contact, io.BytesIO(b"email,city\na@b.es,Vic\n"), actor=admin_user)

    assert result.created == 0
    assert result.errors[0][0] == 1
    assert Contact.objects.count() == 0


def test_dry_run_validates_and_writes_nothing(admin_user):
    text = "name,tax_id\nPuig SL,B08123457\nBad SL,B0812345X\n"
    result = import_csv(Company, io.BytesIO(text.encode()), actor=admin_user, dry_run=True)

    assert result.created == 1
    assert [line for line, _ in result.errors] == [3]
    assert Company.all_objects.count() == 0


def test_read_only_user_may_not_import(make_user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_csv(Contact, io.BytesIO(b"first_name\nAna\n"), actor=make_user("read_only"))


def test_imported_rows_are_recorded_in_history_with_the_current_source(admin_user):
    with change_context(source=ChangeSource.CLI):
        import_csv(Contact, io.BytesIO(b"first_name\nAna\n"), actor=admin_user)

    change = ChangeRecord.objects.get(object_id=Contact.objects.get().pk)
    assert (change.action, change.source, change.actor) == ("create", "cli", admin_user)


def test_export_has_columns_children_and_custom_fields(admin_user, make_team, channel_field):
    company = services.create_company(actor=admin_user, name="Vila SL", country="ES")
    services.create_contact(
        actor=admin_user,
        first_name="Ana",
        last_name="Vila",
        company=company,
        emails=["ana@vila.cat", "ana@gmail.com"],
        phones=["600123456"],
        tags=["VIP", "Newsletter"],
        owner=admin_user,
        team=make_team("Vendes"),
        custom_fields={"channel": "Email"},
    )
    rows = list(csv.DictReader(io.StringIO(_export(Contact, Contact.objects.all()))))

    assert list(rows[0]) == [*CONTACT_COLUMNS, "cf_channel"]
    row = rows[0]
    assert row["emails"] == "ana@vila.cat; ana@gmail.com"
    assert row["phones"] == "+34600123456"
    assert row["tags"] == "Newsletter, VIP"
    assert (row["company"], row["owner"], row["team"]) == ("Vila SL", "admin", "Vendes")
    assert row["cf_channel"] == "Email"


def test_export_streams_in_batches(admin_user):
    from clientela.contacts import io as contacts_io

    for i in range(3):
        services.create_contact(actor=admin_user, first_name=f"N{i}", emails=[f"n{i}@x.es"])
    contacts_io.BATCH_SIZE, saved = 2, contacts_io.BATCH_SIZE
    try:
        chunks = list(iter_csv(Contact, Contact.objects.all()))
    finally:
        contacts_io.BATCH_SIZE = saved

    assert len(chunks) == 3  # header, 2 rows, 1 row
    assert [len(c.splitlines()) for c in chunks] == [1, 2, 1]


def test_export_then_import_round_trips(admin_user, make_team, channel_field):
    team = make_team("Vendes")
    company = services.create_company(actor=admin_user, name="Serra i Fills SL")
    services.create_contact(
        actor=admin_user,
        first_name="Jordi",
        last_name="Serra",
        second_last_name="Puig",
        company=company,
        emails=["jordi@serra.cat"],
        phones=["+34 612 345 678"],
        tags=["VIP"],
        owner=admin_user,
        team=team,
        lifecycle_stage="customer",
        consent_status="granted",
        consent_method="web_form",
        consent_proof="Form",
        custom_fields={"channel": "Phone"},
    )
    services.create_contact(actor=admin_user, first_name="Ona", notes='Says "hola";\nbye')
    first = _export(Contact, Contact.objects.all())
    originals = set(Contact.objects.values_list("pk", flat=True))

    result = import_csv(Contact, io.StringIO(first), actor=admin_user)

    assert (result.created, result.errors) == (2, [])
    copies = Contact.objects.exclude(pk__in=originals)
    skip = {"id", "created_at", "updated_at"}

    def comparable(text):
        return [
            {k: v for k, v in r.items() if k not in skip} for r in csv.DictReader(io.StringIO(text))
        ]

    assert comparable(_export(Contact, copies)) == comparable(first)
    assert Company.objects.count() == 1  # the contact was linked to the existing company


FORMULAS = ['=HYPERLINK("http://evil.example","clic")', "@SUM(A1:A9)", "+cmd|' /C calc'!A0", "-2+3"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_export_defuses_formulas_and_import_restores_them(admin_user, formula):
    services.create_contact(
        actor=admin_user, first_name="Eva", job_title=formula, phones=["+34 600 123 456"]
    )

    exported = _export(Contact, Contact.objects.all())
    row = next(csv.DictReader(io.StringIO(exported)))
    assert row["job_title"] == "'" + formula
    assert row["phones"] == "+34600123456"  # a plain number cannot run: written as it is

    Contact.objects.all().delete()
    result = import_csv(Contact, io.StringIO(exported), actor=admin_user)
    assert (result.created, result.errors) == (1, [])
    assert Contact.objects.get().job_title == formula
