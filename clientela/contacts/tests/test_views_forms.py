"""Create and edit pages of contacts and companies: formsets, custom fields, validation errors,
permissions and concurrent edits."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clientela.contacts import services
from clientela.contacts.models import Company, Contact
from clientela.core.models import ChangeRecord, CustomField

CREATE = reverse("contacts:contact_create")
COMPANY_CREATE = reverse("contacts:company_create")
INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices."


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def rows(prefix, values, key, initial=0):
    """Formset data for ``values`` plus two empty rows, as the browser posts it."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(values) + 2),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }
    kind = "work" if prefix == "emails" else "mobile"
    for i, value in enumerate([*values, "", ""]):
        data[f"{prefix}-{i}-{key}"] = value
        data[f"{prefix}-{i}-kind"] = kind
    return data


def contact_data(**overrides):
    data = {
        "first_name": "Ana",
        "last_name": "García",
        "second_last_name": "",
        "job_title": "",
        "company": "",
        "language": "",
        "lifecycle_stage": "lead",
        "lead_status": "",
        "source": "manual",
        "source_detail": "",
        "consent_status": "unknown",
        "consent_at": "",
        "consent_method": "",
        "consent_proof": "",
        "notes": "",
        "street": "",
        "postcode": "",
        "city": "",
        "region": "",
        "country": "",
        "owner": "",
        "team": "",
        "tags": "",
        **rows("emails", overrides.pop("emails", []), "email"),
        **rows("phones", overrides.pop("phones", []), "number"),
    }
    data.update(overrides)
    return data


def edit_data(contact, **overrides):
    contact = Contact.objects.get(pk=contact.pk)
    data = contact_data(
        first_name=contact.first_name,
        last_name=contact.last_name,
        version=str(contact.version),
        emails=[e.email for e in contact.emails.all()],
        phones=[p.number for p in contact.phones.all()],
        tags=", ".join(t.name for t in contact.tags.all()),
    )
    data.update(overrides)
    return data


def company_data(**overrides):
    data = {
        "name": "Acme SL",
        "legal_name": "",
        "tax_id": "",
        "domain": "",
        "website": "",
        "industry": "",
        "size": "",
        "description": "",
        "street": "",
        "postcode": "",
        "city": "",
        "region": "",
        "country": "",
        "owner": "",
        "team": "",
        "tags": "",
        **rows("phones", overrides.pop("phones", []), "number"),
    }
    data.update(overrides)
    return data


# --- create --------------------------------------------------------------------------------------


def test_new_contact_form_shows_labelled_fields_and_two_empty_email_and_phone_rows(signed_in):
    html = signed_in.get(CREATE).content.decode()

    assert '<label for="id_first_name">First name:</label>' in html
    assert '<label for="id_tags">Tags:</label>' in html
    assert 'name="emails-TOTAL_FORMS" value="2"' in html
    assert 'name="phones-TOTAL_FORMS" value="2"' in html
    assert 'name="emails-1-email"' in html
    assert 'name="emails-2-email"' not in html


def test_create_contact_saves_through_the_service_and_redirects_to_detail(
    signed_in, admin_user, make_team
):
    team = make_team("Sales")
    company = services.create_company(actor=admin_user, name="Acme SL")

    response = signed_in.post(
        CREATE,
        contact_data(
            company=str(company.pk),
            owner=str(admin_user.pk),
            team=str(team.pk),
            tags="vip, Barcelona ,vip",
            emails=["Ana@Acme.ES"],
            phones=["600 12 34 56"],
            consent_status="granted",
            consent_at="2024-05-06T12:30",
            consent_method="paper",
        ),
    )

    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:contact_detail", args=[contact.pk])
    assert (contact.full_name, contact.company_id, contact.owner_id, contact.team_id) == (
        "Ana García",
        company.pk,
        admin_user.pk,
        team.pk,
    )
    assert sorted(t.name for t in contact.tags.all()) == ["Barcelona", "vip"]
    assert [e.email for e in contact.emails.all()] == ["ana@acme.es"]
    assert [p.number for p in contact.phones.all()] == ["+34600123456"]
    assert contact.consent_at.isoformat() == "2024-05-06T10:30:00+00:00"
    change = ChangeRecord.objects.get(
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=contact.pk,
        action="create",
    )
    assert (change.actor_id, change.source) == (admin_user.pk, "ui")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"emails": ["not-an-email"]}, "emails-0-email", "Enter a valid e-mail address."),
        ({"phones": ["12"]}, "phones-0-number", "Enter a valid phone number."),
        ({"first_name": "", "last_name": ""}, None, "Enter a first name or a surname."),
        ({"first_name": "A" * 101}, "first_name", "at most 100 characters"),
        ({"country": "ESP"}, "country", "at most 2 characters"),
        ({"tags": "x" * 51}, "tags", "Each tag can have at most 50 characters."),
        ({"lifecycle_stage": "boss"}, "lifecycle_stage", "Select a valid choice."),
        ({"consent_at": "yesterday"}, "consent_at", "Enter a valid date/time."),
    ],
)
def test_invalid_contact_input_shows_the_error_and_saves_nothing(
    signed_in, overrides, field, message
):
    response = signed_in.post(CREATE, contact_data(**overrides))

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    if field:
        assert f'id="id_{field}_error"' in html
    assert Contact.objects.count() == 0
    assert ChangeRecord.objects.count() == 0


def test_duplicate_emails_in_the_form_are_reported(signed_in):
    response = signed_in.post(CREATE, contact_data(emails=["a@x.es", "A@x.es"]))

    assert "The same value appears twice." in response.content.decode()
    assert Contact.objects.count() == 0


def test_xss_strings_are_shown_escaped(signed_in, admin_user):
    script = '<script>alert("x")</script>'
    signed_in.post(CREATE, contact_data(first_name=script, notes=script, tags=script[:40]))
    contact = Contact.objects.get()

    pages = [
        signed_in.get(reverse("contacts:contact_detail", args=[contact.pk])),
        signed_in.get(reverse("contacts:contact_list")),
        signed_in.get(reverse("contacts:contact_edit", args=[contact.pk])),
    ]

    for page in pages:
        html = page.content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_invalid_input_keeps_what_the_user_typed(signed_in):
    response = signed_in.post(
        CREATE, contact_data(first_name="Ana", city="Vic", emails=["bad@"], tags="a, b")
    )

    html = response.content.decode()
    assert 'name="city" value="Vic"' in html
    assert 'name="emails-0-email" value="bad@"' in html
    assert 'name="tags" value="a, b"' in html


# --- the company picker --------------------------------------------------------------------------


def picker_data(text, company_id="", **overrides):
    """What the browser posts for the company picker: the text box and the hidden id."""
    return contact_data(company=str(company_id), company_search=text, **overrides)


def contact_changes():
    return ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(Contact))


def test_new_contact_form_renders_a_picker_instead_of_listing_companies(signed_in, admin_user):
    for name in ("Acme SL", "Bosch Iberia", "Cafès Ferrer"):
        services.create_company(actor=admin_user, name=name)

    html = signed_in.get(CREATE).content.decode()

    assert '<select name="company"' not in html
    for name in ("Acme SL", "Bosch Iberia", "Cafès Ferrer"):
        assert name not in html
    assert '<label for="id_company_search">Company:</label>' in html
    assert (
        '<input type="text" name="company_search" value="" id="id_company_search" '
        'role="combobox" autocomplete="off" aria-autocomplete="list" aria-expanded="false" '
        'aria-controls="id_company_listbox" '
        f'data-suggest-url="{reverse("core:search_suggest")}?entity=company" '
        'data-picker-value="id_company" data-status-id="id_company_status" maxlength="200"'
    ) in html
    assert '<input type="hidden" name="company" id="id_company" value="">' in html
    assert (
        '<ul id="id_company_listbox" class="suggestions" role="listbox" '
        'aria-label="Suggestions" hidden></ul>'
    ) in html
    assert (
        '<div id="id_company_status" class="visually-hidden" role="status" aria-live="polite">'
        "</div>"
    ) in html


def test_new_contact_form_costs_the_same_queries_whatever_the_number_of_companies(
    signed_in, admin_user
):
    services.create_company(actor=admin_user, name="Company 0")
    signed_in.get(CREATE)  # settings read once per process (custom fields) are then held
    with CaptureQueriesContext(connection) as few:
        assert signed_in.get(CREATE).status_code == 200
    for n in range(1, 41):
        services.create_company(actor=admin_user, name=f"Company {n}")

    with CaptureQueriesContext(connection) as many:
        assert signed_in.get(CREATE).status_code == 200

    assert len(many) == len(few)


def test_new_contact_can_preselect_a_company(signed_in, admin_user):
    company = services.create_company(actor=admin_user, name="Acme SL")

    html = signed_in.get(CREATE, {"company": company.pk}).content.decode()

    assert 'name="company_search" value="Acme SL"' in html
    assert f'<input type="hidden" name="company" id="id_company" value="{company.pk}">' in html


def test_edit_form_shows_the_current_company_even_when_the_user_cannot_see_it(
    client, make_user, admin_user
):
    seller = make_user("sales", scope="own")
    theirs = services.create_company(actor=admin_user, name="Theirs SA", owner=admin_user)
    contact = services.create_contact(
        actor=admin_user, first_name="Ana", owner=seller, company=theirs
    )
    client.force_login(seller)
    edit = reverse("contacts:contact_edit", args=[contact.pk])

    html = client.get(edit).content.decode()
    response = client.post(
        edit,
        edit_data(contact, company=str(theirs.pk), company_search="Theirs SA", job_title="CEO"),
    )

    assert 'name="company_search" value="Theirs SA"' in html
    assert f'<input type="hidden" name="company" id="id_company" value="{theirs.pk}">' in html
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.company_id, contact.job_title) == (theirs.pk, "CEO")


def test_posting_the_chosen_id_saves_that_company(signed_in, admin_user):
    services.create_company(actor=admin_user, name="Acme SL")
    chosen = services.create_company(actor=admin_user, name="Acme SL", city="Vic")

    response = signed_in.post(CREATE, picker_data("Acme SL", chosen.pk))

    assert response.status_code == 302
    assert Contact.objects.get().company_id == chosen.pk


def test_posting_only_the_id_saves_that_company(signed_in, admin_user):
    company = services.create_company(actor=admin_user, name="Acme SL")

    response = signed_in.post(CREATE, contact_data(company=str(company.pk)))

    assert response.status_code == 302
    assert Contact.objects.get().company_id == company.pk


@pytest.mark.parametrize("typed", ["Cafès Ferrer SL", "cafes ferrer sl", "  CAFÈS   Ferrer SL "])
def test_typed_name_without_an_id_finds_the_one_visible_company(signed_in, admin_user, typed):
    services.create_company(actor=admin_user, name="Cafès Ferrer")
    company = services.create_company(actor=admin_user, name="Cafès Ferrer SL")

    response = signed_in.post(CREATE, picker_data(typed))

    assert response.status_code == 302
    assert Contact.objects.get().company_id == company.pk


def test_typed_name_wins_over_an_id_it_no_longer_names(signed_in, admin_user):
    first = services.create_company(actor=admin_user, name="Acme SL")
    second = services.create_company(actor=admin_user, name="Bosch Iberia")

    response = signed_in.post(CREATE, picker_data("Bosch Iberia", first.pk))

    assert response.status_code == 302
    assert Contact.objects.get().company_id == second.pk


def test_typed_name_of_several_companies_asks_to_choose_and_saves_nothing(signed_in, admin_user):
    services.create_company(actor=admin_user, name="Acme SL", city="Vic")
    services.create_company(actor=admin_user, name="ACME SL", city="Reus")

    response = signed_in.post(CREATE, picker_data("acme sl"))

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors["company"] == [
        "Several companies are called “acme sl”; choose one from the suggestions."
    ]
    assert 'id="id_company_error"' in html
    assert 'name="company_search" value="acme sl"' in html
    assert Contact.objects.count() == 0
    assert contact_changes().count() == 0


def test_typed_name_of_no_company_is_an_error_that_keeps_the_text(signed_in, admin_user):
    services.create_company(actor=admin_user, name="Acme SL")

    response = signed_in.post(CREATE, picker_data("Acme", first_name="Ana"))

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors["company"] == [
        "No company called “Acme” that you can see. Choose one from the suggestions or create "
        "it first."
    ]
    assert 'name="company_search" value="Acme" aria-invalid="true"' in html
    assert '<input type="hidden" name="company" id="id_company" value="">' in html
    assert 'name="first_name" value="Ana"' in html
    assert Contact.objects.count() == 0
    assert contact_changes().count() == 0


def test_a_company_outside_the_scope_cannot_be_chosen_by_id_or_by_name(
    client, make_user, admin_user
):
    seller = make_user("sales", scope="own")
    theirs = services.create_company(actor=admin_user, name="Theirs SA", owner=admin_user)
    client.force_login(seller)
    owner = str(seller.pk)

    by_id = client.post(CREATE, picker_data("Theirs SA", theirs.pk, owner=owner))
    by_id_alone = client.post(CREATE, contact_data(company=str(theirs.pk), owner=owner))
    by_name = client.post(CREATE, picker_data("Theirs SA", owner=owner))

    invalid = [INVALID_CHOICE]
    assert by_id.context["form"].errors["company"] == invalid
    assert by_id_alone.context["form"].errors["company"] == invalid
    assert by_name.context["form"].errors["company"] == [
        "No company called “Theirs SA” that you can see. Choose one from the suggestions or "
        "create it first."
    ]
    assert "Theirs SA" not in by_id_alone.content.decode()
    assert Contact.objects.count() == 0


def test_empty_text_means_no_company_even_with_an_id_left_behind(signed_in, admin_user):
    company = services.create_company(actor=admin_user, name="Acme SL")
    contact = services.create_contact(actor=admin_user, first_name="Ana", company=company)

    response = signed_in.post(
        reverse("contacts:contact_edit", args=[contact.pk]),
        edit_data(contact, company=str(company.pk), company_search="   "),
    )

    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.company_id is None


@pytest.mark.parametrize(
    ("hostile", "message"),
    [
        ("1 OR 1=1", INVALID_CHOICE),
        ("-5", INVALID_CHOICE),
        ("9" * 5000, INVALID_CHOICE),
        ("9" * 30, INVALID_CHOICE),
        ("1\x00", "Null characters are not allowed."),
    ],
)
@pytest.mark.parametrize("with_text", [True, False])
def test_hostile_hidden_id_is_a_clean_field_error(
    signed_in, admin_user, hostile, message, with_text
):
    services.create_company(actor=admin_user, name="Acme SL")
    data = picker_data("Acme SL", hostile) if with_text else contact_data(company=hostile)

    response = signed_in.post(CREATE, data)

    assert response.status_code == 200
    assert response.context["form"].errors["company"] == [message]
    assert '<input type="hidden" name="company" id="id_company" value="">' in (
        response.content.decode()
    )
    assert Contact.objects.count() == 0
    assert contact_changes().count() == 0


def test_null_character_in_the_typed_name_is_a_clean_field_error(signed_in):
    response = signed_in.post(CREATE, picker_data("Acme\x00SL"))

    assert response.context["form"].errors["company"] == ["Null characters are not allowed."]
    assert Contact.objects.count() == 0


def test_over_long_typed_name_is_a_short_field_error(signed_in):
    response = signed_in.post(CREATE, picker_data("x" * 5000))

    assert response.context["form"].errors["company"] == [
        f"No company called “{'x' * 59}…” that you can see. Choose one from the suggestions or "
        "create it first."
    ]
    assert Contact.objects.count() == 0


# --- custom fields -------------------------------------------------------------------------------


@pytest.fixture
def custom_fields(db):
    content_type = ContentType.objects.get_for_model(Contact)
    return [
        CustomField.objects.create(
            content_type=content_type,
            key="size",
            label="Shoe size",
            field_type="integer",
            min_value=20,
            max_value=50,
        ),
        CustomField.objects.create(
            content_type=content_type,
            key="plan",
            label="Plan",
            field_type="choice",
            choices=["basic", "pro"],
        ),
        CustomField.objects.create(
            content_type=content_type, key="since", label="Customer since", field_type="date"
        ),
    ]


def test_custom_fields_appear_in_the_form_and_are_saved(signed_in, custom_fields):
    html = signed_in.get(CREATE).content.decode()
    assert '<label for="id_cf_size">Shoe size:</label>' in html

    signed_in.post(CREATE, contact_data(cf_size="42", cf_plan="pro", cf_since="2020-01-31"))

    assert Contact.objects.get().custom_fields == {
        "size": 42,
        "plan": "pro",
        "since": "2020-01-31",
    }


def test_custom_field_errors_show_on_the_field(signed_in, custom_fields):
    response = signed_in.post(CREATE, contact_data(cf_size="99"))

    html = response.content.decode()
    assert 'id="id_cf_size_error"' in html
    assert "Must be at most 50" in html
    assert Contact.objects.count() == 0


def test_edit_shows_and_clears_custom_field_values(signed_in, admin_user, custom_fields):
    contact = services.create_contact(
        actor=admin_user, first_name="Ana", custom_fields={"size": 38, "since": "2020-01-31"}
    )
    url = reverse("contacts:contact_edit", args=[contact.pk])

    html = signed_in.get(url).content.decode()
    assert 'name="cf_size" value="38"' in html
    assert 'name="cf_since" value="2020-01-31"' in html

    signed_in.post(url, edit_data(contact, cf_size="", cf_since="2020-01-31"))

    contact.refresh_from_db()
    assert contact.custom_fields == {"since": "2020-01-31"}


# --- edit ----------------------------------------------------------------------------------------


def test_edit_form_shows_current_values_and_version(signed_in, admin_user):
    contact = services.create_contact(
        actor=admin_user,
        first_name="Ana",
        emails=["ana@x.es"],
        phones=["+34600123456"],
        tags=["vip"],
    )

    html = signed_in.get(reverse("contacts:contact_edit", args=[contact.pk])).content.decode()

    assert 'name="first_name" value="Ana"' in html
    assert 'name="emails-0-email" value="ana@x.es"' in html
    assert 'name="phones-0-number" value="+34600123456"' in html
    assert 'name="tags" value="vip"' in html
    assert f'name="version" value="{contact.version}"' in html
    assert 'name="emails-TOTAL_FORMS" value="3"' in html


def test_edit_saves_changes_and_removes_emptied_rows(signed_in, admin_user):
    contact = services.create_contact(
        actor=admin_user, first_name="Ana", emails=["a@x.es", "b@x.es"], tags=["old"]
    )
    data = edit_data(contact, job_title="CEO", tags="new")
    data["emails-0-email"] = ""
    data["emails-INITIAL_FORMS"] = "2"

    response = signed_in.post(reverse("contacts:contact_edit", args=[contact.pk]), data)

    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.job_title == "CEO"
    assert [e.email for e in contact.emails.all()] == ["b@x.es"]
    assert [t.name for t in contact.tags.all()] == ["new"]
    assert contact.version == 2


def test_stale_version_shows_the_conflict_and_keeps_the_other_write(signed_in, admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    stale = edit_data(contact, job_title="Mine")
    services.update_contact(contact, actor=admin_user, job_title="Theirs")

    response = signed_in.post(reverse("contacts:contact_edit", args=[contact.pk]), stale)

    assert response.status_code == 409
    html = response.content.decode()
    assert "This record was changed by someone else since you opened it" in html
    assert 'name="job_title" value="Mine"' in html
    contact.refresh_from_db()
    assert (contact.job_title, contact.version) == ("Theirs", 2)


def test_edit_without_a_version_is_refused(signed_in, admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    data = edit_data(contact, job_title="X")
    del data["version"]

    response = signed_in.post(reverse("contacts:contact_edit", args=[contact.pk]), data)

    assert "Reload the page and try again." in response.content.decode()
    assert Contact.objects.get().job_title == ""


def test_edit_of_out_of_scope_contact_is_404(client, make_user, admin_user):
    seller = make_user("sales", scope="own")
    contact = services.create_contact(actor=admin_user, first_name="Ana", owner=admin_user)
    client.force_login(seller)
    url = reverse("contacts:contact_edit", args=[contact.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, edit_data(contact, first_name="X")).status_code == 404
    assert Contact.objects.get().first_name == "Ana"


def test_read_only_user_may_not_create_or_edit(client, make_user, admin_user):
    contact = services.create_contact(actor=admin_user, first_name="Ana")
    company = services.create_company(actor=admin_user, name="Acme")
    client.force_login(make_user("read_only"))
    edit = reverse("contacts:contact_edit", args=[contact.pk])
    company_edit = reverse("contacts:company_edit", args=[company.pk])

    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, contact_data()).status_code == 403
    assert client.get(edit).status_code == 403
    assert client.post(edit, edit_data(contact, first_name="X")).status_code == 403
    assert client.post(COMPANY_CREATE, company_data()).status_code == 403
    assert client.post(company_edit, company_data(version="1")).status_code == 403
    assert Contact.objects.get().first_name == "Ana"
    assert Company.objects.count() == 1


def test_creating_a_contact_for_someone_else_out_of_scope_goes_back_to_the_list(
    client, make_user, admin_user
):
    seller = make_user("sales", scope="own")
    client.force_login(seller)

    response = client.post(CREATE, contact_data(owner=str(admin_user.pk)))

    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:contact_list")
    assert Contact.objects.get().owner_id == admin_user.pk


# --- companies -----------------------------------------------------------------------------------


def test_create_company_with_phones_and_tags(signed_in, admin_user):
    response = signed_in.post(
        COMPANY_CREATE,
        company_data(
            tax_id="b-12345674",
            website="acme.es",
            industry="retail",
            phones=["910 00 11 22"],
            tags="clients",
        ),
    )

    company = Company.objects.get()
    assert response["Location"] == reverse("contacts:company_detail", args=[company.pk])
    assert (company.tax_id, company.website, company.industry) == (
        "B12345674",
        "https://acme.es",
        "retail",
    )
    assert [p.number for p in company.phones.all()] == ["+34910001122"]
    assert [t.name for t in company.tags.all()] == ["clients"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"tax_id": "B12345678"},
            "tax_id",
            "Enter a valid Spanish NIF, NIE or CIF, or an EU VAT number.",
        ),
        ({"name": "   "}, "name", "This field is required."),
        ({"name": "n" * 201}, "name", "at most 200 characters"),
        ({"website": "javascript:alert(1)"}, "website", "Enter a valid URL."),
        ({"phones": ["+1"]}, "phones-0-number", "Enter a valid phone number."),
    ],
)
def test_invalid_company_input_shows_the_error_and_saves_nothing(
    signed_in, overrides, field, message
):
    response = signed_in.post(COMPANY_CREATE, company_data(**overrides))

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert f'id="id_{field}_error"' in html
    assert Company.objects.count() == 0


def test_company_stale_edit_keeps_the_other_write(signed_in, admin_user):
    company = services.create_company(actor=admin_user, name="Acme")
    services.update_company(company, actor=admin_user, city="Vic")

    response = signed_in.post(
        reverse("contacts:company_edit", args=[company.pk]),
        company_data(name="Acme SL", version="1"),
    )

    assert response.status_code == 409
    company.refresh_from_db()
    assert (company.name, company.city) == ("Acme", "Vic")


def test_company_edit_saves(signed_in, admin_user):
    company = services.create_company(actor=admin_user, name="Acme")

    signed_in.post(
        reverse("contacts:company_edit", args=[company.pk]),
        company_data(name="Acme SL", city="Vic", version=str(company.version)),
    )

    company.refresh_from_db()
    assert (company.name, company.city, company.version) == ("Acme SL", "Vic", 2)
