"""The demo dataset: a Spanish/Catalan SME's customers, deterministic (seeded).

Users and teams of a small company, ~300 customer companies with valid CIFs and ~3,000 contacts
with two surnames, work e-mails, Spanish mobiles, consent with proof, tags and two custom fields.

Records are written through the bulk path that services use for bulk work: ``bulk_create`` per
batch, then one history row per record (``core.history.record_changes``, with the same creation
diff a single create records) and the search index (``core.search.index_records``). Everything is
generated from valid values, and loading 3,000 contacts takes seconds instead of a minute.
"""

import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import phonenumbers
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from stdnum.es import cif

from clientela.core import customfields, search
from clientela.core.choices import ChangeAction
from clientela.core.history import creation_changes, record_changes
from clientela.core.models import CustomField, Flag, Role, Tag, Team, User
from clientela.core.text import normalize

from . import demo_data as data
from . import quality
from .models import Company, CompanyPhone, Contact, ContactEmail, ContactPhone, Employment

FLAG = "demo_loaded"
SEED = 2025
BATCH = 500

TEAMS = [("Ventas", "ventas"), ("Marketing", "marketing"), ("Atención al cliente", "servicio")]
# username, first name, surnames, role code, team handles, language
USERS = [
    ("marta.puig", "Marta", "Puig Serra", "manager", ("ventas", "marketing", "servicio"), "ca"),
    ("jordi.ferrer", "Jordi", "Ferrer Vidal", "sales", ("ventas",), "ca"),
    ("lucia.moreno", "Lucía", "Moreno Gil", "sales", ("ventas",), "es"),
    ("pablo.navarro", "Pablo", "Navarro Ruiz", "sales", ("ventas",), "es"),
    ("nuria.vidal", "Núria", "Vidal Roca", "marketing", ("marketing",), "ca"),
    ("david.soler", "David", "Soler Martín", "service", ("servicio",), "es"),
    ("elena.ruiz", "Elena", "Ruiz Castells", "service", ("servicio",), "es"),
    ("josep.roca", "Josep", "Roca Llobet", "read_only", (), "ca"),
]
CUSTOM_FIELDS = [
    ("customer_since", "Customer since", "date", []),
    ("preferred_channel", "Preferred channel", "choice", ["Email", "Teléfono", "WhatsApp"]),
]
CATALAN_AREAS = {"Catalunya"}
VALENCIAN_AREAS = {"Comunitat Valenciana", "Illes Balears"}
LEGAL_NAME_WORDS = {"i", "e", "y", "de", "del", "la", "el", "d", "l", "fills", "hijos", "can"}


def is_loaded():
    return Flag.objects.filter(name=FLAG).exists()


@transaction.atomic
def load_demo(*, companies=300, contacts=3000, seed=SEED):
    """Load the dataset (all or nothing) and mark it loaded; return the counts."""
    generator = _Generator(random.Random(seed), timezone.now())
    teams = _teams()
    users = _users(teams)
    definitions = _custom_fields()
    tags = {name: Tag.objects.get_or_create(name=name)[0] for name in data.TAGS}
    actor = users["marta.puig"]
    reps = [users[u] for u in ("jordi.ferrer", "lucia.moreno", "pablo.navarro")]

    saved_companies = []
    plans = [generator.company(reps, teams["ventas"]) for _ in range(companies)]
    for start in range(0, len(plans), BATCH):
        saved_companies += _save_companies(plans[start : start + BATCH], tags, actor)

    weights = [{"1-9": 1, "10-49": 3, "50-249": 8, "250+": 15}[c.size] for c in saved_companies]
    marketer = users["nuria.vidal"]
    for start in range(0, contacts, BATCH):
        count = min(BATCH, contacts - start)
        batch = [
            generator.contact(
                _pick_company(generator.rng, saved_companies, weights),
                marketer,
                teams["marketing"],
                definitions,
            )
            for _ in range(count)
        ]
        _save_contacts(batch, tags, actor)

    summary = {"users": len(users), "companies": companies, "contacts": contacts}
    Flag.objects.update_or_create(name=FLAG, defaults={"value": {**summary, "seed": seed}})
    return summary


def _pick_company(rng, companies, weights):
    if not companies or rng.random() < 0.1:
        return None  # freelancers and private customers
    return rng.choices(companies, weights)[0]


# --- people and settings ------------------------------------------------------------------------


def _teams():
    return {
        handle: Team.objects.get_or_create(handle=handle, defaults={"name": name})[0]
        for name, handle in TEAMS
    }


def _users(teams):
    roles = {role.code: role for role in Role.objects.all()}
    users = {}
    for username, first, last, role, handles, language in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.clientela.example",
                "role": roles[role],
                "language": language,
            },
        )
        if created:
            # Demo people cannot sign in until an administrator gives them a password.
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.teams.set([teams[h] for h in handles])
        users[username] = user
    return users


def _custom_fields():
    content_type = ContentType.objects.get_for_model(Contact)
    for position, (key, label, kind, choices) in enumerate(CUSTOM_FIELDS):
        CustomField.objects.get_or_create(
            content_type=content_type,
            key=key,
            defaults={"label": label, "field_type": kind, "choices": choices, "position": position},
        )
    return customfields.definitions_for(Contact)


# --- generation ---------------------------------------------------------------------------------


@dataclass
class _Planned:
    record: object
    phones: list = field(default_factory=list)
    emails: list = field(default_factory=list)
    tags: list = field(default_factory=list)


def ascii_slug(text):
    """ "Núria Sabaté" -> "nuriasabate"; "Metal·lúrgica" -> "metallurgica"."""
    return re.sub(r"[^a-z0-9]+", "", normalize(text).replace("ç", "c"))


def valid_cif(rng, letter, province_codes):
    body = f"{letter}{rng.choice(province_codes)}{rng.randrange(100000):05d}"
    return body + cif.calc_check_digits(body)[0]


def spanish_number(rng, prefix):
    """A valid Spanish number starting with ``prefix`` (e.g. "6", "93"), in E.164."""
    while True:
        digits = prefix + "".join(str(rng.randrange(10)) for _ in range(9 - len(prefix)))
        number = phonenumbers.parse(digits, "ES")
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class _Generator:
    def __init__(self, rng, now):
        self.rng = rng
        self.now = now
        self.names, self.domains, self.cifs, self.emails = set(), set(), set(), set()

    def weighted(self, options):
        values, weights = zip(*options, strict=True)
        return self.rng.choices(values, weights)[0]

    def past(self, days_min, days_max):
        return self.now - timedelta(
            days=self.rng.randint(days_min, days_max), minutes=self.rng.randrange(24 * 60)
        )

    # companies

    def company(self, reps, team):
        rng = self.rng
        city, province, region, pc_first, pc_span, landline, cif_codes = rng.choice(data.CITIES)
        catalan = region in CATALAN_AREAS or (region in VALENCIAN_AREAS and rng.random() < 0.4)
        industry, pattern_ca, pattern_es = rng.choice(data.BUSINESSES)
        surname, other = rng.sample(data.SURNAMES, 2)
        base = (pattern_ca if catalan else pattern_es).format(
            s=surname, s2=other, t=city, w=rng.choice(data.BRAND_WORDS)
        )
        forms = [f for f in data.LEGAL_FORMS if f[0] != "SCCL" or region in CATALAN_AREAS]
        form, letter, _weight = self.weighted([(f, f[2]) for f in forms])
        name = base
        while normalize(name) in self.names:
            name = f"{base} {rng.choice(data.BRAND_WORDS)}"
        self.names.add(normalize(name))
        tax_id = valid_cif(rng, letter, cif_codes)
        while tax_id in self.cifs:
            tax_id = valid_cif(rng, letter, cif_codes)
        self.cifs.add(tax_id)
        domain = self._domain(base, catalan)
        street = rng.choice(data.STREETS_CA if catalan else data.STREETS_ES)
        size = self.weighted([("1-9", 45), ("10-49", 35), ("50-249", 15), ("250+", 5)])
        created = self.past(30, 3 * 365)
        owner = rng.choice(reps)
        company = Company(
            name=name,
            legal_name=f"{base}, {form}",
            tax_id=tax_id,
            domain=domain,
            website=f"https://www.{domain}",
            industry=industry,
            size=size,
            street=f"{street}, {rng.randint(1, 180)}",
            city=city,
            postcode=f"{pc_first + rng.randrange(pc_span):05d}",
            region=province,
            country="ES",
            owner=owner,
            team=team,
            created_at=created,
            updated_at=min(self.now, created + timedelta(days=rng.randint(0, 20))),
        )
        company.refresh_sort_name()
        company._catalan = catalan
        company._region = region
        phones = [{"number": spanish_number(rng, landline), "kind": "work", "is_primary": True}]
        tags = rng.sample(data.TAGS[:5], k=self.weighted([(0, 6), (1, 3), (2, 1)]))
        return _Planned(company, phones=phones, tags=tags)

    def _domain(self, name, catalan):
        words = [w for w in re.split(r"[\s'&·]+", normalize(name)) if w not in LEGAL_NAME_WORDS]
        # The last words are the distinctive ones: "Clínica Dental Costa" -> dentalcosta
        stem = ascii_slug("".join(words[-2:])) or "empresa"
        tld = self.weighted(
            [("cat", 5), ("es", 4), ("com", 3)] if catalan else [("es", 6), ("com", 5)]
        )
        domain, n = f"{stem}.{tld}", 1
        while domain in self.domains:
            n += 1
            domain = f"{stem}{n}.{tld}"
        self.domains.add(domain)
        return domain

    # contacts

    def contact(self, planned_company, marketer, marketing_team, definitions):
        rng = self.rng
        company = planned_company
        first, gender = rng.choice(data.FIRST_NAMES)
        last, second = rng.choice(data.SURNAMES), rng.choice(data.SURNAMES)
        region = company._region if company else rng.choice(data.CITIES)[2]
        catalan = company._catalan if company else region in CATALAN_AREAS
        if region in CATALAN_AREAS:
            language = self.weighted([("ca", 60), ("es", 35), ("en", 5)])
        elif region in VALENCIAN_AREAS:
            language = self.weighted([("ca", 30), ("es", 65), ("en", 5)])
        else:
            language = self.weighted([("es", 92), ("en", 8)])
        stage = self.weighted(
            [
                ("subscriber", 10),
                ("lead", 30),
                ("mql", 10),
                ("sql", 8),
                ("opportunity", 8),
                ("customer", 28),
                ("evangelist", 3),
                ("other", 3),
            ]
        )
        source = self.weighted(
            [
                ("web_form", 25),
                ("email", 8),
                ("phone", 10),
                ("social", 8),
                ("import", 15),
                ("manual", 15),
                ("referral", 10),
                ("event", 9),
            ]
        )
        created = self.past(1, 3 * 365)
        if company and created < company.created_at:
            created = company.created_at + timedelta(hours=rng.randint(1, 500))
        from_marketing = stage in ("subscriber", "lead") and rng.random() < 0.5
        masculine, feminine, _w = self.weighted([(t, t[2]) for t in data.JOB_TITLES])
        email = self._email(first, last, company.domain if company else None)
        emails = [{"email": email, "kind": "work" if company else "personal", "is_primary": True}]
        if company and rng.random() < 0.15:
            personal = self._email(first, f"{last}{second}", None)
            emails.append({"email": personal, "kind": "personal", "is_primary": False})
        phones = [{"number": spanish_number(rng, "6"), "kind": "mobile", "is_primary": True}]
        contact = Contact(
            first_name=first,
            last_name=last,
            second_last_name=second,
            job_title=(feminine if gender == "f" else masculine) if company else "",
            company=company,
            language=language,
            lifecycle_stage=stage,
            lead_status=self._lead_status(stage),
            source=source,
            source_detail=rng.choice(data.SOURCE_DETAILS.get(source, [""])),
            owner=marketer if from_marketing else (company.owner if company else marketer),
            team=marketing_team if from_marketing or not company else company.team,
            notes=rng.choice(NOTES) if rng.random() < 0.2 else "",
            created_at=created,
            updated_at=min(self.now, created + timedelta(days=rng.randint(0, 60))),
            country="ES",
        )
        if not company:
            city = rng.choice([c for c in data.CITIES if c[2] == region])
            contact.city, contact.region = city[0], city[1]
            contact.postcode = f"{city[3] + rng.randrange(city[4]):05d}"
        self._consent(contact, email, company)
        contact.custom_fields = customfields.clean_values(
            Contact, self._custom_values(stage, created), definitions=definitions
        )
        contact.refresh_sort_name()
        tags = rng.sample(data.TAGS, k=self.weighted([(0, 5), (1, 3), (2, 2)]))
        if catalan and rng.random() < 0.1:
            tags = [*tags[:1], "Fira Alimentaria"] if "Fira Alimentaria" not in tags else tags
        return _Planned(contact, phones=phones, emails=emails, tags=tags)

    def _email(self, first, last, domain):
        local = f"{ascii_slug(first.split()[0])}.{ascii_slug(last)}"
        domain = domain or self.rng.choice(data.PERSONAL_EMAIL_DOMAINS)
        address, n = f"{local}@{domain}", 1
        while address in self.emails:
            n += 1
            address = f"{local}{n}@{domain}"
        self.emails.add(address)
        return address

    def _lead_status(self, stage):
        if stage not in ("lead", "mql", "sql"):
            return ""
        return self.weighted(
            [
                ("new", 4),
                ("attempting", 3),
                ("connected", 3),
                ("qualified", 2),
                ("unqualified", 1),
                ("bad_timing", 1),
            ]
        )

    def _consent(self, contact, email, company):
        rng = self.rng
        status = self.weighted(
            [("granted", 45), ("unknown", 30), ("pending", 8), ("withdrawn", 10), ("denied", 7)]
        )
        contact.consent_status = status
        if status in ("unknown", "pending"):
            return
        when = contact.created_at + timedelta(minutes=rng.randint(0, 60 * 24 * 30))
        contact.consent_at = when = min(when, self.now)
        url = f"https://www.{company.domain}" if company else "https://www.clientela.example"
        if status == "granted":
            method = self.weighted(
                [
                    ("web_form", 40),
                    ("double_opt_in", 30),
                    ("in_person", 12),
                    ("paper", 8),
                    ("phone", 10),
                ]
            )
        else:
            method = "email" if status == "withdrawn" else "web_form"
        contact.consent_method = method
        proof = data.CONSENT_PROOFS[status if status != "granted" else method]
        contact.consent_proof = proof.format(url=url, email=email, date=when.date().isoformat())

    def _custom_values(self, stage, created):
        rng = self.rng
        values = {}
        if stage in ("customer", "evangelist"):
            since = created.date() - timedelta(days=rng.randint(0, 8 * 365))
            values["customer_since"] = min(since, date.today()).isoformat()
        if rng.random() < 0.6:
            values["preferred_channel"] = rng.choice(["Email", "Teléfono", "WhatsApp"])
        return values


NOTES = [
    "Prefiere que le llamen por la mañana.",
    "Interesada en ampliar a 20 licencias el próximo trimestre.",
    "Vol rebre les factures en català.",
    "Contactar de nuevo después del verano.",
    "Va venir a l'estand de la fira; demana pressupost.",
    "Pide descuento por volumen; consultar con dirección.",
]


# --- bulk writes --------------------------------------------------------------------------------


def _save_companies(plans, tags, actor):
    companies = Company.objects.bulk_create([p.record for p in plans])
    CompanyPhone.objects.bulk_create(
        [
            CompanyPhone(company=c, **phone)
            for c, p in zip(companies, plans, strict=True)
            for phone in p.phones
        ]
    )
    _set_tags(Company, companies, plans, tags)
    _finish(Company, companies, actor, related=("phones",))
    return companies  # the generated objects: they carry the hints contacts are made from


def _save_contacts(plans, tags, actor):
    contacts = Contact.objects.bulk_create([p.record for p in plans])
    pairs = list(zip(contacts, plans, strict=True))
    ContactEmail.objects.bulk_create(
        [ContactEmail(contact=c, **e) for c, p in pairs for e in p.emails]
    )
    ContactPhone.objects.bulk_create(
        [ContactPhone(contact=c, **phone) for c, p in pairs for phone in p.phones]
    )
    Employment.objects.bulk_create(
        [
            Employment(
                contact=c,
                company_id=c.company_id,
                role=c.job_title,
                started_on=c.created_at.date(),
            )
            for c in contacts
            if c.company_id
        ]
    )
    _set_tags(Contact, contacts, plans, tags)
    _finish(Contact, contacts, actor, related=("emails", "phones", "company"))


def _set_tags(model, records, plans, tags):
    through = model.tags.through
    column = f"{model._meta.model_name}_id"
    through.objects.bulk_create(
        [
            through(**{column: record.pk, "tag_id": tags[name].pk})
            for record, plan in zip(records, plans, strict=True)
            for name in plan.tags
        ]
    )


def _finish(model, records, actor, related):
    """Completeness, history (one creation row per record) and search entries for a saved
    batch."""
    quality.refresh(model, [r.pk for r in records])
    prefetch = ["tags", *[r for r in related if r != "company"]]
    saved = list(
        model.objects.filter(pk__in=[r.pk for r in records])
        .select_related(*[r for r in related if r == "company"])
        .prefetch_related(*prefetch)
        .order_by("pk")
    )
    record_changes(
        saved, ChangeAction.CREATE, {r.pk: creation_changes(r) for r in saved}, actor=actor
    )
    search.index_records(saved)
