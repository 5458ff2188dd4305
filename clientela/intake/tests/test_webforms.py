"""Web forms from the public side: leads arrive once, assigned, logged, with proven consent;
bots, bursts, bad and oversized input are refused and leave nothing behind."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from clientela.activities.models import Activity
from clientela.contacts import services as contact_services
from clientela.contacts.models import Contact
from clientela.intake import services
from clientela.intake.models import FormSubmission

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def web_form(admin_user):
    return services.create_form(
        actor=admin_user,
        name="Pide información",
        fields=[
            {"name": "first_name", "label": "Nombre", "required": True},
            {"name": "email", "label": "Correo", "required": True},
            {"name": "company", "label": "Empresa"},
            {"name": "phone", "label": "Teléfono"},
            {"name": "notes", "label": "Mensaje"},
        ],
        consent_text={"es": "Quiero recibir novedades", "en": "Send me news"},
    )


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """Submit like a browser would; what waits for the commit (e-mails) runs."""

    def send(form, **data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("intake:form_page", args=[form.slug]), data)

    return send


def test_a_submission_makes_a_lead_assigned_logged_and_told(post, web_form, make_user):
    ana = make_user("sales", username="ana")
    services.create_rule(
        actor=None,
        name="All web",
        record_type="contact",
        sources=["web_form"],
        strategy="user",
        user=ana,
    )

    response = post(
        web_form,
        first_name="Laia",
        email="Laia@Vins.CAT",
        company="Vins Puig",
        phone="600 12 34 56",
        notes="Quiero un presupuesto",
        utm_source="google",
    )

    assert response.status_code == 200
    contact = Contact.objects.get()
    assert (contact.first_name, contact.primary_email, contact.lifecycle_stage) == (
        "Laia",
        "laia@vins.cat",
        "lead",
    )
    assert (contact.source, contact.owner, contact.company.name) == ("web_form", ana, "Vins Puig")
    assert contact.primary_phone == "+34600123456"
    note = Activity.objects.get(contact=contact)
    assert "Mensaje: Quiero un presupuesto" in note.body
    assert note.owner == ana
    assert FormSubmission.objects.get().context["utm_source"] == "google"
    assert [m.to for m in mail.outbox] == [[ana.email]]
    assert "came through the form “Pide información”" in mail.outbox[0].body


def test_a_known_address_is_the_same_contact_and_keeps_what_the_team_knows(
    post, web_form, admin_user
):
    known = contact_services.create_contact(
        actor=admin_user, first_name="Laia", last_name="Puig", emails=["laia@vins.cat"]
    )

    post(web_form, first_name="L.", email="laia@vins.cat", phone="600123456")

    assert Contact.objects.count() == 1
    known.refresh_from_db()
    assert (known.first_name, known.primary_phone) == ("Laia", "+34600123456")
    assert FormSubmission.objects.get().contact == known


def test_marketing_consent_is_recorded_only_through_the_emailed_link(client, post, web_form):
    post(web_form, first_name="Laia", email="laia@vins.cat", consent="1")

    contact = Contact.objects.get()
    assert contact.consent_status == "pending"
    link = re.search(r"/intake/confirm/\S+/", mail.outbox[0].body).group(0)

    assert client.get(link).status_code == 200
    contact.refresh_from_db()
    assert (contact.consent_status, contact.consent_method) == ("granted", "double_opt_in")
    assert "“Send me news”" in contact.consent_proof
    assert client.get(link[:-5] + "xxxx/").status_code == 400


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"first_name": "Laia"}, "email"),
        ({"first_name": "Laia", "email": "not-an-address"}, "email"),
        ({"email": "laia@vins.cat"}, "first_name"),
        ({"first_name": "x" * 101, "email": "laia@vins.cat"}, "first_name"),
        ({"first_name": "Laia", "email": "laia@vins.cat", "phone": "12"}, "phones"),
    ],
)
def test_bad_input_is_shown_again_and_nothing_is_kept(post, web_form, data, field):
    response = post(web_form, **data)

    assert response.status_code == 400
    assert not Contact.all_objects.exists()
    assert not FormSubmission.objects.exists()


def test_a_bot_filling_the_honeypot_is_thanked_and_ignored(post, web_form):
    response = post(web_form, first_name="Bot", email="bot@spam.example", website_url="x")

    assert response.status_code == 200
    assert not Contact.objects.exists()


def test_a_burst_from_one_sender_is_stopped(post, web_form):
    statuses = [
        post(web_form, first_name="Laia", email=f"laia{n}@vins.cat").status_code for n in range(12)
    ]

    assert statuses[:10] == [200] * 10
    assert statuses[10:] == [429, 429]
    assert Contact.objects.count() == 10


def test_an_oversized_submission_is_refused(post, web_form):
    response = post(web_form, first_name="Laia", email="laia@vins.cat", notes="x" * 3_000_000)

    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_the_hosted_page_shows_the_fields_and_consent_in_the_visitor_language(client, web_form):
    page = client.get(
        reverse("intake:form_page", args=[web_form.slug]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()

    assert 'name="first_name"' in page
    assert "Quiero recibir novedades" in page
    assert 'name="website_url"' in page  # the honeypot
    assert client.get(reverse("intake:form_page", args=["nope"])).status_code == 404


def test_a_form_needs_an_email_field(admin_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.create_form(actor=admin_user, name="X", fields=[{"name": "first_name"}])
    with pytest.raises(ValidationError):
        services.create_form(
            actor=admin_user, name="X", fields=[{"name": "email"}, {"name": "password"}]
        )


@pytest.fixture
def quote_form(admin_user):
    return services.create_form(
        actor=admin_user,
        name="Presupuesto",
        fields=[
            {"name": "email", "label": "Correo", "required": True},
            {"name": "company", "label": "Empresa"},
            {"name": "deal_name", "label": "¿Qué necesitas?"},
            {"name": "deal_amount", "label": "Presupuesto"},
        ],
    )


def test_a_form_asking_for_a_deal_opens_one_assigned_like_deals_are(
    post, quote_form, make_user, pipeline
):
    from clientela.sales.models import Deal

    marta = make_user("sales", username="marta")
    services.create_rule(
        actor=None, name="Web deals", record_type="deal", strategy="user", user=marta
    )

    response = post(
        quote_form,
        email="compras@fusteria.cat",
        company="Fusteria Vidal",
        deal_name="Armarios a medida",
        deal_amount="12.500,50 €",
    )

    assert response.status_code == 200
    deal = Deal.objects.get()
    assert (deal.name, deal.amount, deal.source, deal.owner) == (
        "Armarios a medida",
        Decimal("12500.50"),
        "web_form",
        marta,
    )
    assert deal.company.name == "Fusteria Vidal"
    contact = deal.contacts.get()
    assert (contact.primary_email, contact.first_name) == ("compras@fusteria.cat", "compras")


@pytest.mark.parametrize("amount", ["1e9", "-5", "mucho", "9" * 15, "=1+1"])
def test_an_amount_that_is_not_one_is_refused_and_nothing_is_kept(post, quote_form, amount):
    from clientela.sales.models import Deal

    response = post(quote_form, email="x@fusteria.cat", deal_amount=amount)

    assert response.status_code == 400
    assert "Write an amount" in response.content.decode()
    assert not Contact.objects.exists() and not Deal.objects.exists()


def test_without_a_pipeline_the_lead_still_arrives(post, quote_form):
    from clientela.sales.models import Deal, Pipeline

    Pipeline.objects.update(archived=True)

    response = post(quote_form, email="x@fusteria.cat", deal_name="Una mesa")

    assert response.status_code == 200
    assert Contact.objects.count() == 1 and not Deal.objects.exists()
    assert "Una mesa" in Activity.objects.get().body
