"""A person with personal data in every place Clientela keeps it, for the privacy tests."""

import datetime
import json
import re
from io import StringIO

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

from clientela.activities import services as activity_services
from clientela.contacts import services
from clientela.contacts.models import Contact
from clientela.contacts.privacy import consent
from clientela.core.models import CustomField
from clientela.core.text import normalize
from clientela.intake import services as intake_services
from clientela.sales import services as sales_services

# Every one of these, in any case and with or without accents, must be gone after an erasure.
SECRETS = [
    "Zacarías",
    "Villalonga",
    "Quintanilla",
    "zvq.private@example.org",
    "600111222",
    "203.0.113.7",
    "Carrer del Secret 12",
    "Alergia al marisco",
    "X1234567L",
    "Jefa de compras furtiva",
    "Mozilla/5.0 (Zacarias)",
]


def make_person(actor, *, pipeline=None):
    """A contact with e-mail, phone, address, notes, a custom field, a company link, a note
    activity, a deal named after them, a purchase, a web form submission and consent."""
    CustomField.objects.get_or_create(
        content_type=ContentType.objects.get_for_model(Contact),
        key="dni",
        defaults={"label": "DNI", "field_type": "text"},
    )
    company = services.create_company(actor=actor, name="Ferretería Ordinaria SL")
    contact = services.create_contact(
        actor=actor,
        first_name="Zacarías",
        last_name="Villalonga",
        second_last_name="Quintanilla",
        job_title="Jefa de compras furtiva",
        company=company,
        street="Carrer del Secret 12",
        city="Girona",
        postcode="17001",
        notes="Alergia al marisco",
        emails=["zvq.private@example.org"],
        phones=["+34600111222"],
        custom_fields={"dni": "X1234567L"},
        owner=actor,
    )
    services.update_contact(contact, actor=actor, lead_status="connected")
    activity_services.log_activity(
        actor=actor,
        kind="note",
        subject="Llamada con Zacarías Villalonga",
        body="<p>Villalonga Quintanilla pide presupuesto</p>",
        contact=contact,
    )
    form = intake_services.create_form(
        actor=actor,
        name="Contacto",
        fields=[{"name": "email"}, {"name": "first_name"}, {"name": "notes"}],
        consent_text={"es": "Acepto recibir ofertas", "en": "I accept offers"},
        double_opt_in=False,
    )
    intake_services.submit_form(
        form,
        {
            "email": "zvq.private@example.org",
            "first_name": "Zacarías",
            "notes": "Alergia al marisco, llamar al 600111222",
            "consent": "on",
        },
        context={"referrer": "https://example.org/?q=Villalonga"},
        language="es",
        evidence={"ip_address": "203.0.113.7", "user_agent": "Mozilla/5.0 (Zacarias)"},
    )
    consent.record_consent(
        contact,
        actor=actor,
        purpose="newsletter",
        source="phone",
        note="Lo dijo Zacarías por teléfono",
    )
    deal = None
    if pipeline is not None:
        deal = sales_services.create_deal(
            actor=actor,
            name="Presupuesto Zacarías Villalonga Quintanilla",
            amount=1200,
            contacts=[contact],
            pipeline=pipeline,
        )
    purchase, _created = sales_services.record_purchase(
        actor=actor,
        contact=contact,
        purchased_at=datetime.date(2026, 1, 5),
        total_amount=50,
    )
    return Contact.all_objects.get(pk=contact.pk), deal, purchase


def database_text():
    """Every row of every model, plus SQLite's full-text table, as one normalised text."""
    out = StringIO()
    exclude = ["contenttypes", "auth.permission"]
    if connection.vendor == "sqlite":
        exclude.append("core.SearchWord")  # PostgreSQL's word table; SQLite has FTS5 instead
    call_command("dumpdata", stdout=out, exclude=exclude)
    return normalize(json.dumps(json.loads(out.getvalue()), ensure_ascii=False))


def in_sqlite_index(secret):
    """Whether SQLite's FTS5 index itself (not its content table) still has the words."""
    words = [w for w in re.split(r"[\W_]+", normalize(secret)) if w]
    query = " ".join(f'"{w}"' for w in words)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM core_searchentry_fts WHERE core_searchentry_fts MATCH %s",
            [query],
        )
        return cursor.fetchone()[0] > 0


def secrets_found():
    """The ``SECRETS`` still somewhere: any table (PostgreSQL's search words included) or
    SQLite's full-text index."""
    text = database_text()
    sqlite = connection.vendor == "sqlite"
    return [s for s in SECRETS if normalize(s) in text or (sqlite and in_sqlite_index(s))]
