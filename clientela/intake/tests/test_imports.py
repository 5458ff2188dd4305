"""Imports end to end through the services: what lands in the database, duplicates, dry runs,
the error report, undo, and that bulk-written records look exactly like service-written ones."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from clientela.activities.models import Activity
from clientela.contacts import quality
from clientela.contacts import services as contact_services
from clientela.contacts.io import iter_csv
from clientela.contacts.models import Company, Contact
from clientela.core import search
from clientela.core.history import creation_changes, history_for
from clientela.core.models import ChangeRecord, CustomField, SearchEntry
from clientela.intake.choices import ImportStatus
from clientela.intake.models import ImportBatch, ImportMapping
from clientela.intake.services import imports
from clientela.sales.models import Deal, Purchase


class Upload(io.BytesIO):
    def __init__(self, text, name="file.csv", encoding="utf-8"):
        super().__init__(text.encode(encoding))
        self.name = name


def run(actor, text, kind="contacts", mapping=None, **options):
    job = imports.start_import(Upload(text), "file.csv", kind=kind, actor=actor)
    job = imports.configure_import(
        job, actor=actor, mapping=mapping or job.mapping, enqueue=False, **options
    )
    return imports.run_import_job(job.pk)


CONTACTS = (
    "First Name,Last Name,Email,Phone Number,Company Name,Country/Region,Tags\n"
    'Núria,Puig,nuria@puig.cat,600 12 34 56,Puig SL,Spain,"vip, fira"\n'
    "Pere,Ferrer,pere@ferrer,612 345 678,,ES,\n"
    "Mercè,Sabaté,MERCE@sabate.cat,,puig sl,Espanya,\n"
)


def test_contacts_land_with_emails_phones_company_tags_and_an_import_source(admin_user):
    job = run(admin_user, CONTACTS)

    assert (job.status, job.rows, job.created, job.failed) == (ImportStatus.DONE, 3, 2, 1)
    assert job.errors == [[3, {"email": ["Not an e-mail address: pere@ferrer"]}]]
    nuria = Contact.objects.get(first_name="Núria")
    assert [e.email for e in nuria.emails.all()] == ["nuria@puig.cat"]
    assert [p.number for p in nuria.phones.all()] == ["+34600123456"]
    assert (nuria.country, nuria.source, nuria.company.name) == ("ES", "import", "Puig SL")
    assert sorted(t.name for t in nuria.tags.all()) == ["fira", "vip"]
    merce = Contact.objects.get(first_name="Mercè")
    assert merce.company_id == nuria.company_id  # "puig sl" is the same company
    assert Company.objects.count() == 1
    assert nuria.employments.get().company_id == nuria.company_id


def test_a_bulk_written_contact_has_the_history_and_search_entry_a_service_writes(admin_user):
    run(admin_user, CONTACTS)
    imported = Contact.objects.get(first_name="Núria")
    twin = contact_services.create_contact(
        actor=admin_user,
        first_name="Núria",
        last_name="Puig",
        emails=["nuria2@puig.cat"],
        phones=["600 12 34 57"],
        company=imported.company,
        country="ES",
        source="import",
        tags=["vip", "fira"],
    )

    def comparable(changes):
        changes = dict(changes)
        for key in ("emails", "phones"):
            changes.pop(key)
        return changes

    imported_change = history_for(imported).get()
    assert imported_change.action == "create"
    assert (imported_change.source, imported_change.actor) == ("import", admin_user)
    assert comparable(imported_change.changes) == comparable(creation_changes(twin))
    assert imported_change.changes["emails"] == [None, ["nuria@puig.cat (work)"]]
    entry = SearchEntry.objects.get(entity="contact", object_id=imported.pk)
    assert (entry.title, entry.subtitle) == ("Núria Puig", "Puig SL · nuria@puig.cat")

    def found(query):
        return set(Contact.objects.filter(pk__in=search.matching_ids(Contact, query)))

    assert found("600123456") == {imported}
    assert found("nuria") == {imported, twin}
    assert found("puig sl") == set(Contact.objects.filter(company=imported.company))


@pytest.mark.parametrize(
    ("policy", "created", "updated", "skipped"),
    [("skip", 1, 0, 2), ("update", 1, 2, 0), ("create", 3, 0, 0)],
)
def test_duplicate_policy_on_email_and_phone(admin_user, policy, created, updated, skipped):
    existing = contact_services.create_contact(
        actor=admin_user, first_name="Ana", emails=["ana@x.es"], city="Vic"
    )
    text = (
        "first_name,email,phone,job_title\n"
        "Ana,ANA@x.es,,Directora\n"  # the stored contact, by e-mail
        "Bea,bea@x.es,600111222,\n"
        "Beatriz,,600 111 222,CEO\n"  # the row above, by phone
    )

    job = run(admin_user, text, on_duplicate=policy)

    assert (job.created, job.updated, job.skipped) == (created, updated, skipped)
    existing.refresh_from_db()
    if policy == "update":
        assert (existing.job_title, existing.city) == ("Directora", "Vic")
        bea = Contact.objects.get(phones__number="+34600111222")
        assert (bea.first_name, bea.job_title) == ("Beatriz", "CEO")
    else:
        assert existing.job_title == ""


def test_matching_only_on_the_chosen_keys(admin_user):
    contact_services.create_contact(actor=admin_user, first_name="Ana", phones=["600111222"])

    job = run(admin_user, "first_name,phone\nAna,600111222\n", match_on=["email"])

    assert (job.created, job.skipped) == (1, 0)


def test_companies_match_on_tax_id_and_update(admin_user):
    puig = contact_services.create_company(actor=admin_user, name="Puig", tax_id="B08123457")
    text = "Name,NIF,Sector,Website\nPuig SL,b-08123457,,https://puig.example\nNou SL,,,\n"

    job = run(admin_user, text, kind="companies", on_duplicate="update")

    assert (job.created, job.updated, job.failed) == (1, 1, 0)
    puig.refresh_from_db()
    assert (puig.name, puig.website) == ("Puig SL", "https://puig.example")


def test_dry_run_reports_everything_and_writes_nothing(admin_user):
    job = run(admin_user, CONTACTS, dry_run=True)

    assert (job.created, job.failed) == (2, 1)
    assert not Contact.objects.exists()
    assert not Company.objects.exists()
    assert not ImportBatch.objects.exists()
    assert not job.can_undo


def test_error_report_holds_the_rows_to_fix_with_formulas_defused(admin_user):
    text = "first_name,email\n=cmd|' /C calc'!A0,not-an-email\nAna,ana@x.es\nAna,ana@x.es\n"

    job = run(admin_user, text)

    report = job.report.open("rb").read().decode("utf-8-sig").splitlines()
    assert report == [
        "line,problem,first_name,email",
        "2,email: Not an e-mail address: not-an-email,'=cmd|' /C calc'!A0,not-an-email",
        "4,Already there (line 3).,Ana,ana@x.es",
    ]


def test_a_formula_defused_by_our_export_comes_back_as_typed(admin_user):
    run(admin_user, "first_name,last_name\n'=SUM(A1),Puig\n")

    assert Contact.objects.get().first_name == "=SUM(A1)"


def test_hostile_values_are_row_errors(admin_user):
    text = (
        "first_name,last_name,country,lifecycle_stage,owner,consent_at\n"
        f"{'A' * 101},Puig,,,,\n"
        "Ana,Puig,Atlantis,,,\n"
        "Ana,Puig,,wizard,,\n"
        "Ana,Puig,,,nobody,\n"
        "Ana,Puig,,,,yesterday\n"
        "<script>alert(1)</script>,Puig,,Cliente,,31/05/2024\n"
    )

    job = run(admin_user, text)

    assert job.errors == [
        [2, {"first_name": ["At most 100 characters (this has 101)."]}],
        [3, {"country": ["Unknown country “Atlantis”."]}],
        [4, {"lifecycle_stage": ["“wizard” is not one of the choices."]}],
        [5, {"owner": ["No active user nobody."]}],
        [6, {"consent_at": ["Enter a date (2024-05-31 or 31/05/2024)."]}],
    ]
    stored = Contact.objects.get()
    assert (stored.first_name, stored.lifecycle_stage) == ("<script>alert(1)</script>", "customer")


def test_saved_mapping_applies_to_the_next_file_by_column_name(admin_user):
    saved = imports.save_mapping(
        actor=admin_user,
        kind="contacts",
        name="Our shop",
        header=["Cliente", "Mail"],
        mapping=["full_name", "email"],
    )

    assert saved.apply(["Mail", "Other", "Cliente"]) == ["email", "", "full_name"]
    assert ImportMapping.objects.get().columns == {"Cliente": "full_name", "Mail": "email"}
    with pytest.raises(ValidationError):
        imports.save_mapping(actor=admin_user, kind="contacts", name=" ", header=[], mapping=[])


def test_configure_refuses_a_bad_mapping_and_a_second_run(admin_user):
    job = imports.start_import(Upload("a,b\n1,2\n"), "f.csv", kind="contacts", actor=admin_user)

    with pytest.raises(ValidationError) as error:
        imports.configure_import(job, actor=admin_user, mapping=["city", "nope"], enqueue=False)
    assert "nope is not a field of this import." in error.value.message_dict["mapping"]
    imports.configure_import(job, actor=admin_user, mapping=["first_name", ""], enqueue=False)
    with pytest.raises(ValidationError):
        imports.configure_import(job, actor=admin_user, mapping=["first_name", ""], enqueue=False)


def test_an_unreadable_upload_is_refused_and_not_kept(admin_user):
    with pytest.raises(ValidationError) as error:
        imports.start_import(Upload(""), "empty.csv", kind="contacts", actor=admin_user)
    assert error.value.message_dict == {"file": ["The file is empty."]}


def test_read_only_users_cannot_import(make_user):
    with pytest.raises(PermissionDenied):
        imports.start_import(
            Upload("first_name\nAna\n"), "f.csv", kind="contacts", actor=make_user("read_only")
        )


def test_undo_removes_what_was_created_and_restores_what_was_updated(admin_user):
    existing = contact_services.create_contact(
        actor=admin_user, first_name="Ana", emails=["ana@x.es"], tags=["old"]
    )
    text = (
        "first_name,email,phone,Company Name,tags\n"
        "Ana María,ana@x.es,600111222,,new\n"
        "Bea,bea@x.es,,Puig SL,\n"
        "Carla,carla@x.es,,Ferrer SA,\n"
    )
    job = run(admin_user, text, on_duplicate="update")
    carla = Contact.objects.get(first_name="Carla")
    contact_services.update_contact(carla, actor=admin_user, city="Vic")  # changed since

    summary = imports.undo_import(job, actor=admin_user)

    assert summary == {"removed": 2, "restored": 1, "kept": 2}  # Carla and her company
    existing.refresh_from_db()
    assert existing.first_name == "Ana"
    assert [p.number for p in existing.phones.all()] == []
    assert [t.name for t in existing.tags.all()] == ["old"]
    assert set(Contact.all_objects.values_list("first_name", flat=True)) == {"Ana", "Carla"}
    assert set(Company.all_objects.values_list("name", flat=True)) == {"Ferrer SA"}
    job.refresh_from_db()
    assert (job.status, job.can_undo) == (ImportStatus.UNDONE, False)
    with pytest.raises(ValidationError):
        imports.undo_import(job, actor=admin_user)
    purged = ChangeRecord.objects.filter(action="purge", request_id=f"undo-import-{job.pk}")
    assert purged.count() == 2


def test_undo_keeps_a_contact_with_an_activity_logged_since(admin_user):
    job = run(admin_user, "first_name,email\nAna,ana@x.es\n")
    from clientela.activities import services as activity_services

    activity_services.log_activity(
        actor=admin_user, kind="note", subject="Called", contact=Contact.objects.get()
    )

    assert imports.undo_import(job, actor=admin_user) == {"removed": 0, "restored": 0, "kept": 1}
    assert Contact.objects.count() == 1


def test_deals_link_to_contacts_by_email_and_to_pipeline_stages_by_name(admin_user, pipeline):
    contact_services.create_contact(actor=admin_user, first_name="Ana", emails=["ana@x.es"])
    text = (
        "Deal name,Amount,Close date,Stage,Contact,Company\n"
        'Renting,"1.234,50",31/12/2026,Nuevo,ana@x.es,Puig SL\n'
        "Lost,abc,2026-01-01,Nowhere,nobody@x.es,\n"
    )

    job = run(admin_user, text, kind="deals")

    assert (job.created, job.failed) == (1, 1)
    assert job.errors[0][1] == {
        "amount": ["Enter an amount (1234.50 or 1.234,50)."],
        "stage": ["No stage Nowhere in this pipeline."],
        "contact": ["No contact with the e-mail nobody@x.es."],
    }
    deal = Deal.objects.get()
    assert (deal.amount, str(deal.expected_close_date)) == (Decimal("1234.50"), "2026-12-31")
    assert (deal.stage.name, deal.company.name) == ("Nuevo", "Puig SL")
    assert [c.first_name for c in deal.contacts.all()] == ["Ana"]


def test_activities_and_purchases_import(admin_user):
    contact_services.create_contact(actor=admin_user, first_name="Ana", emails=["ana@x.es"])
    calls = "Type,Subject,Date,Contact,Duration\nCall,First call,2026-03-02 10:00,ana@x.es,2:05\n"
    orders = (
        "Order number,Date,Customer email,Total,Tax\n"
        "A-1,2026-03-01,ana@x.es,121.00,21\n"
        "A-1,2026-03-01,ana@x.es,121.00,21\n"
    )

    assert run(admin_user, calls, kind="activities").created == 1
    job = run(admin_user, orders, kind="purchases")

    call = Activity.objects.get()
    assert (call.kind, call.duration_seconds, call.contact.first_name) == ("call", 125, "Ana")
    assert (job.created, job.skipped) == (1, 1)
    purchase = Purchase.objects.get()
    assert (purchase.external_id, purchase.total_amount) == ("A-1", Decimal("121.00"))


def test_the_background_job_runs_a_queued_import_once(admin_user):
    from clientela.intake.jobs import run_import

    job = imports.start_import(
        Upload("first_name\nAna\n"), "f.csv", kind="contacts", actor=admin_user
    )
    imports.configure_import(job, actor=admin_user, mapping=job.mapping, enqueue=False)

    assert run_import.call(job.pk) == "done"
    assert run_import.call(job.pk) is None
    assert Contact.objects.count() == 1


def test_our_own_export_imports_back_to_the_same_rows(admin_user, make_team):
    CustomField.objects.create(
        content_type=ContentType.objects.get_for_model(Contact),
        key="channel",
        label="Channel",
        field_type="choice",
        choices=["Email", "Phone"],
    )
    company = contact_services.create_company(actor=admin_user, name="Puig SL")
    contact_services.create_contact(
        actor=admin_user,
        first_name="Núria",
        last_name="Puig",
        second_last_name="Vidal",
        company=company,
        emails=["a@x.es", "b@x.es"],
        phones=["+34 600 123 456"],
        tags=["vip", "fira"],
        owner=admin_user,
        team=make_team("Ventas"),
        lifecycle_stage="customer",
        consent_status="granted",
        consent_method="web_form",
        consent_proof="Form",
        custom_fields={"channel": "Phone"},
        country="ES",
        city="Vic",
    )
    contact_services.create_contact(actor=admin_user, first_name="Ona", notes='Says "hola";\nbye')
    first = "".join(iter_csv(Contact, Contact.objects.all()))
    originals = set(Contact.objects.values_list("pk", flat=True))

    job = run(admin_user, first, on_duplicate="create")

    assert (job.created, job.errors) == (2, [])

    def comparable(text):
        rows = csv.DictReader(io.StringIO(text))
        return [
            {k: v for k, v in r.items() if k not in ("id", "created_at", "updated_at")}
            for r in rows
        ]

    copies = Contact.objects.exclude(pk__in=originals)
    assert comparable("".join(iter_csv(Contact, copies))) == comparable(first)
    assert Company.objects.count() == 1


def test_an_imported_consent_is_in_the_consent_log(admin_user):
    from clientela.contacts.models_privacy import ConsentRecord

    run(admin_user, "first_name,consent_status,consent_at\nAna,Granted,2024-05-31 10:00\nBea,,\n")

    record = ConsentRecord.objects.get()
    assert (record.contact.first_name, record.action, record.source) == ("Ana", "grant", "import")
    assert record.recorded_at.isoformat() == "2024-05-31T08:00:00+00:00"


def test_a_file_unreadable_half_way_keeps_what_came_before_and_can_be_undone(admin_user):
    good = "".join(f"Persona {n},persona{n}@example.es\n" for n in range(2500))  # > 64 kB
    data = ("first_name,email\n" + good).encode() + b"Caf\xe9,cafe@x.es\n"
    job = imports.start_import(io.BytesIO(data), "f.csv", kind="contacts", actor=admin_user)
    imports.configure_import(job, actor=admin_user, mapping=job.mapping, enqueue=False)

    job = imports.run_import_job(job.pk)

    assert job.status == ImportStatus.FAILED
    assert job.message == "Line 2502 is not valid utf-8 text."
    assert (job.rows, job.created) == (2500, 2500)
    assert Contact.objects.count() == 2500
    assert imports.undo_import(job, actor=admin_user)["removed"] == 2500


def test_imported_contacts_get_their_completeness_score(admin_user):
    text = "first_name,last_name,emails,phones,city\nAna,Puig,ana@x.es,600123456,Vic\nEva,,,,\n"

    run(admin_user, text)

    assert dict(Contact.objects.values_list("first_name", "completeness")) == {"Ana": 50, "Eva": 0}
    assert Contact.objects.get(first_name="Ana").has_email


def test_derived_columns_set_before_insert_agree_with_the_sql_rules(admin_user):
    """The bulk path computes completeness in Python; recomputing it in SQL changes nothing."""
    jobs = (
        run(
            admin_user,
            "first_name,last_name,email,phone,company,job_title,owner,consent,city,country,language\n"
            f"Ana,Puig,ana@x.es,600123456,Puig SL,CEO,{admin_user.username},granted,Vic,ES,ca\n"
            "Eva,,,,,,,,,,\n"
            "Pau,Vidal,,+34 612 345 678,,,,denied,,FR,\n",
        ),
        run(
            admin_user,
            "name,tax_id,phone,owner,website,industry,street,city,country,size\n"
            f"Serveis SL,B12345674,931234567,{admin_user.username},"
            "x.cat,retail,Major 1,Vic,ES,1-9\n"
            "Buit SL,,,,,,,,,\n",
            kind="companies",
        ),
    )
    assert [(job.created, job.errors) for job in jobs] == [(3, []), (2, [])]
    for model in (Contact, Company):
        columns = ["completeness", "has_phone"] + (["has_email"] if model is Contact else [])
        stored = list(model.objects.order_by("pk").values_list("pk", *columns))
        assert len({row[1] for row in stored}) > 1  # the rows differ: the test can fail
        quality.refresh(model, [row[0] for row in stored])
        assert list(model.objects.order_by("pk").values_list("pk", *columns)) == stored


def test_social_profiles_come_in_as_canonical_addresses(admin_user):
    job = run(
        admin_user,
        "first_name,LinkedIn,Twitter,Website\n"
        "Ana,linkedin.com/in/ana-puig,@anapuig,puig.example\n"
        "Bea,javascript:alert(1),,\n",
    )

    ana = Contact.objects.get()
    assert (ana.linkedin, ana.x) == (
        "https://www.linkedin.com/in/ana-puig",
        "https://x.com/anapuig",
    )
    assert ana.website == "https://puig.example"
    assert list(job.errors[0][1]) == ["linkedin"]


FORMULAS = ['=HYPERLINK("http://evil.example","clic")', "@SUM(A1:A9)", "+cmd|' /C calc'!A0", "-2+3"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_export_defuses_formulas_and_import_restores_them(admin_user, formula):
    contact_services.create_contact(
        actor=admin_user, first_name="Eva", job_title=formula, phones=["+34 600 123 456"]
    )

    exported = "".join(iter_csv(Contact, Contact.objects.all()))
    row = next(csv.DictReader(io.StringIO(exported)))
    assert row["job_title"] == "'" + formula
    assert row["phones"] == "+34600123456"  # a plain number cannot run: written as it is

    Contact.objects.all().delete()
    job = run(admin_user, exported)
    assert (job.created, job.errors) == (1, [])
    assert Contact.objects.get().job_title == formula


def test_a_dry_run_counts_repeats_across_batches_as_the_real_run_does(admin_user):
    rows = "".join(f"P{n},p{n}@x.es\n" for n in range(1200)) + "Again,p3@x.es\n"
    text = "first_name,email\n" + rows

    dry = run(admin_user, text, dry_run=True)
    real = run(admin_user, text)

    assert (dry.created, dry.skipped) == (real.created, real.skipped) == (1200, 1)
