"""Finding likely duplicate contacts and companies.

A scan never compares all pairs. Candidates come from *blocks*: records sharing an exact key
(an e-mail, an E.164 phone, a tax id, a web domain) or a name block (contacts: the first
surname's sort key and the first letter of the canonical first name; companies: the first word
of the name). Only pairs inside a block are scored, with rapidfuzz on normalised names, so the
work grows with the size of the blocks, not with the square of the table.
"""

import contextlib
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

from clientela.core.text import normalize, sort_key
from clientela.core.validators import normalize_email, normalize_phone

from .models import Company, CompanyPhone, Contact, ContactEmail, ContactPhone

# A pair scoring below this is not shown.
MIN_SCORE = 70
# A name block larger than this is too common to compare whole ("garcía j..."): its members are
# compared with their neighbours in sort order only.
MAX_BLOCK = 200
WINDOW = 20

# Common Spanish and Catalan nicknames and spelling variants -> one canonical first name.
NICKNAMES = {
    "pepe": "jose",
    "pepa": "josefa",
    "pepita": "josefa",
    "paco": "francisco",
    "curro": "francisco",
    "fran": "francisco",
    "quico": "francesc",
    "cesc": "francesc",
    "nacho": "ignacio",
    "lola": "dolores",
    "loles": "dolores",
    "concha": "concepcion",
    "conchi": "concepcion",
    "quique": "enrique",
    "kike": "enrique",
    "manolo": "manuel",
    "manu": "manuel",
    "xavi": "xavier",
    "javi": "javier",
    "pere": "pedro",
    "jordi": "jorge",
    "nuria": "nuria",
    "chema": "jose maria",
    "josema": "jose maria",
    "txema": "jose maria",
    "charo": "rosario",
    "chus": "jesus",
    "chelo": "consuelo",
    "merche": "mercedes",
    "maite": "maria teresa",
    "mayte": "maria teresa",
    "pili": "pilar",
    "toni": "antonio",
    "tono": "antonio",
    "rafa": "rafael",
    "alex": "alejandro",
    "dani": "daniel",
    "santi": "santiago",
    "juanjo": "juan jose",
    "joan": "juan",
    "josep": "jose",
    "pau": "pablo",
    "jaume": "jaime",
    "guille": "guillermo",
    "lucho": "luis",
    "nando": "fernando",
    "isa": "isabel",
    "susi": "susana",
}

# Legal forms dropped before company names are compared ("Acme, S.L." == "ACME SL").
_LEGAL_FORMS = {"sl", "slu", "sa", "sau", "slp", "scp", "sll", "cb", "sc", "coop", "ltd", "inc"}


@dataclass
class DuplicatePair:
    """Two records that are probably the same, with a score (0-100) and the reasons."""

    first: object
    second: object
    score: int
    reasons: list = field(default_factory=list)

    @property
    def key(self):
        return pair_key(self.first.pk, self.second.pk)


def pair_key(a, b):
    return (a, b) if a < b else (b, a)


def canonical_first_name(name):
    words = normalize(name).replace("-", " ").split()
    joined = " ".join(words)
    if joined in NICKNAMES:
        return NICKNAMES[joined]
    return " ".join(NICKNAMES.get(w, w) for w in words)


def _surname_words(last_name, second_last_name=""):
    return normalize(f"{last_name} {second_last_name}").replace("-", " ").split()


def _first_word(text):
    words = sort_key(text).split()
    return words[0] if words else ""


def contact_block_key(first_name, last_name):
    """The name block: first surname's sort key + first letter of the canonical first name."""
    surname = _first_word(last_name)
    first = canonical_first_name(first_name)[:1]
    return f"{surname}\t{first}" if surname or first else ""


def name_similarity(a, b):
    """0-100: how alike two people's names are. Accents and case do not count; nicknames count
    as their full name; a missing second surname ("García" vs "García López") is no
    difference."""
    first_a, first_b = canonical_first_name(a[0]), canonical_first_name(b[0])
    sur_a, sur_b = _surname_words(a[1], a[2]), _surname_words(b[1], b[2])
    if sur_a and sur_b:
        shorter, longer = sorted((sur_a, sur_b), key=len)
        if longer[: len(shorter)] == shorter:
            surnames = 100.0
        else:
            surnames = fuzz.token_sort_ratio(" ".join(sur_a), " ".join(sur_b))
    else:
        surnames = 100.0 if not sur_a and not sur_b else 0.0
    if first_a and first_b:
        firsts = fuzz.ratio(first_a, first_b)
        if first_a.split()[0] == first_b.split()[0]:  # "José" vs "José María"
            firsts = max(firsts, 90.0)
    else:
        firsts = 100.0 if not first_a and not first_b else 50.0
    return round(0.6 * surnames + 0.4 * firsts)


def company_name_key(name):
    words = [w for w in sort_key(name).split() if w not in _LEGAL_FORMS]
    return " ".join(words)


def company_similarity(a, b):
    return round(fuzz.token_sort_ratio(company_name_key(a), company_name_key(b)))


# --- contacts -----------------------------------------------------------------------------------


@dataclass
class _ContactFacts:
    record: object
    names: tuple
    emails: set
    phones: set


def _contact_facts(contacts):
    contacts = list(contacts)
    ids = [c.pk for c in contacts]
    emails, phones = defaultdict(set), defaultdict(set)
    for contact_id, email in ContactEmail.objects.filter(contact_id__in=ids).values_list(
        "contact_id", "email"
    ):
        emails[contact_id].add(email.lower())
    for contact_id, number in ContactPhone.objects.filter(contact_id__in=ids).values_list(
        "contact_id", "number"
    ):
        phones[contact_id].add(number)
    return {
        c.pk: _ContactFacts(
            c, (c.first_name, c.last_name, c.second_last_name), emails[c.pk], phones[c.pk]
        )
        for c in contacts
    }


def score_contacts(a, b):
    """Score two ``_ContactFacts``: ``(score, reasons)``."""
    reasons, score = [], 0
    names = name_similarity(a.names, b.names)
    same_company = a.record.company_id is not None and a.record.company_id == b.record.company_id
    if a.emails & b.emails:
        score = 95
        reasons.append(_("same e-mail"))
    if a.phones & b.phones:
        score = max(score, 85)
        reasons.append(_("same phone"))
    if names >= 85:
        if reasons:
            score = min(100, score + (names - 80))
        else:
            score = round(names * 0.8) + (15 if same_company else 0)
        if names == 100:
            reasons.append(_("same name"))
        else:
            reasons.append(_("similar name"))
        if same_company:
            reasons.append(_("same company"))
    elif reasons and names < 50:
        score -= 15  # a shared switchboard or family e-mail, different people
    return min(score, 100), [str(r) for r in reasons]


def _exact_groups(model, parent, value_field, ids_subquery):
    """Lists of parent ids sharing one value of ``value_field`` (an e-mail, a phone...)."""
    shared = (
        model.objects.filter(**{f"{parent}_id__in": ids_subquery})
        .values(value_field)
        .annotate(n=Count(f"{parent}_id", distinct=True))
        .filter(n__gt=1)
        .values_list(value_field, flat=True)
    )
    groups = defaultdict(set)
    rows = model.objects.filter(
        **{f"{value_field}__in": shared, f"{parent}_id__in": ids_subquery}
    ).values_list(value_field, f"{parent}_id")
    for value, parent_id in rows.iterator(chunk_size=2000):
        groups[value].add(parent_id)
    return [sorted(g) for g in groups.values() if len(g) > 1]


def _name_block_pairs(rows, key_of):
    """Pairs of ids in the same name block. ``rows`` come in sort order."""
    blocks = defaultdict(list)
    for row in rows:
        key = key_of(row)
        if key:
            blocks[key].append(row[0])
    for ids in blocks.values():
        if len(ids) <= MAX_BLOCK:
            yield from combinations(ids, 2)
        else:
            for i, a in enumerate(ids):
                for b in ids[i + 1 : i + 1 + WINDOW]:
                    yield a, b


def _candidate_pairs(queryset, exact_groups, name_rows, key_of):
    pairs = set()
    for group in exact_groups:
        if len(group) > MAX_BLOCK:
            continue  # a shared switchboard or an "info@" of a whole company says nothing
        pairs.update(combinations(group, 2))
    for a, b in _name_block_pairs(name_rows, key_of):
        pairs.add(pair_key(a, b))
    return pairs


def _score_pairs(model, pairs, facts_of, scorer, min_score, dismissed):
    pairs = sorted(pair_key(a, b) for a, b in pairs if pair_key(a, b) not in dismissed)
    found = []
    batch = 1000
    for start in range(0, len(pairs), batch):
        chunk = pairs[start : start + batch]
        ids = {i for pair in chunk for i in pair}
        facts = facts_of(model.objects.filter(pk__in=ids).select_related())
        for a, b in chunk:
            if a in facts and b in facts:
                score, reasons = scorer(facts[a], facts[b])
                if score >= min_score:
                    found.append(DuplicatePair(facts[a].record, facts[b].record, score, reasons))
    found.sort(key=lambda p: (-p.score, p.first.pk, p.second.pk))
    return found


def find_contact_duplicates(queryset=None, *, min_score=MIN_SCORE):
    """Likely duplicate pairs among ``queryset`` (default: every contact), best first;
    dismissed pairs left out."""
    from .models import DuplicateDismissal

    queryset = Contact.objects.all() if queryset is None else queryset
    ids = queryset.values("pk")
    exact = _exact_groups(ContactEmail, "contact", "email", ids) + _exact_groups(
        ContactPhone, "contact", "number", ids
    )
    rows = queryset.order_by("sort_name", "pk").values_list("pk", "first_name", "last_name")
    pairs = _candidate_pairs(
        queryset, exact, rows.iterator(chunk_size=5000), lambda r: contact_block_key(r[1], r[2])
    )
    dismissed = DuplicateDismissal.dismissed_keys(DuplicateDismissal.Kind.CONTACT)
    return _score_pairs(Contact, pairs, _contact_facts, score_contacts, min_score, dismissed)


def similar_contacts(
    *, first_name="", last_name="", second_last_name="", emails=(), phones=(), queryset=None
):
    """Existing contacts a new one with these values would probably duplicate, best first:
    ``[(contact, score, reasons)]``."""
    queryset = Contact.objects.all() if queryset is None else queryset
    clean_emails, clean_phones = set(), set()
    for value in emails:
        with contextlib.suppress(ValidationError):
            clean_emails.add(normalize_email(value).lower())
    for value in phones:
        with contextlib.suppress(ValidationError):
            clean_phones.add(normalize_phone(value))
    ids = set(
        ContactEmail.objects.filter(
            email__in=clean_emails, contact_id__in=queryset.values("pk")
        ).values_list("contact_id", flat=True)[:50]
    ) | set(
        ContactPhone.objects.filter(
            number__in=clean_phones, contact_id__in=queryset.values("pk")
        ).values_list("contact_id", flat=True)[:50]
    )
    surname = _first_word(last_name)
    if surname:
        ids |= set(
            queryset.filter(sort_name__startswith=surname).values_list("pk", flat=True)[:MAX_BLOCK]
        )
    if not ids:
        return []
    new = _ContactFacts(
        Contact(first_name=first_name, last_name=last_name, second_last_name=second_last_name),
        (first_name, last_name, second_last_name),
        clean_emails,
        clean_phones,
    )
    found = []
    for facts in _contact_facts(queryset.filter(pk__in=ids)).values():
        score, reasons = score_contacts(new, facts)
        if score >= MIN_SCORE:
            found.append((facts.record, score, reasons))
    found.sort(key=lambda f: (-f[1], f[0].pk))
    return found[:5]


# --- companies ----------------------------------------------------------------------------------


@dataclass
class _CompanyFacts:
    record: object
    phones: set


def _company_facts(companies):
    companies = list(companies)
    phones = defaultdict(set)
    for company_id, number in CompanyPhone.objects.filter(
        company_id__in=[c.pk for c in companies]
    ).values_list("company_id", "number"):
        phones[company_id].add(number)
    return {c.pk: _CompanyFacts(c, phones[c.pk]) for c in companies}


def score_companies(a, b):
    reasons, score = [], 0
    ra, rb = a.record, b.record
    names = company_similarity(ra.name, rb.name)
    if ra.tax_id and ra.tax_id == rb.tax_id:
        score = 100
        reasons.append(_("same tax id"))
    if ra.domain and ra.domain == rb.domain:
        score = max(score, 90)
        reasons.append(_("same domain"))
    if a.phones & b.phones:
        score = max(score, 75)
        reasons.append(_("same phone"))
    if names >= 88:
        score = min(100, score + 5) if reasons else round(names * 0.85)
        reasons.append(_("same name") if names == 100 else _("similar name"))
    if ra.tax_id and rb.tax_id and ra.tax_id != rb.tax_id:
        score -= 30  # two legal entities, whatever their names say
    return max(0, min(score, 100)), [str(r) for r in reasons]


def find_company_duplicates(queryset=None, *, min_score=MIN_SCORE):
    """Likely duplicate companies among ``queryset``, best first; dismissed pairs left out."""
    from .models import DuplicateDismissal

    queryset = Company.objects.all() if queryset is None else queryset
    exact = []
    for name in ("tax_id", "domain"):
        shared = (
            queryset.exclude(**{name: ""})
            .values(name)
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .values_list(name, flat=True)
        )
        groups = defaultdict(list)
        for value, pk in queryset.filter(**{f"{name}__in": shared}).values_list(name, "pk"):
            groups[value].append(pk)
        exact.extend(sorted(g) for g in groups.values())
    exact += _exact_groups(CompanyPhone, "company", "number", queryset.values("pk"))
    rows = queryset.order_by("sort_name", "pk").values_list("pk", "name")
    pairs = _candidate_pairs(
        queryset,
        exact,
        rows.iterator(chunk_size=5000),
        lambda r: company_name_key(r[1]).split(" ")[0],
    )
    dismissed = DuplicateDismissal.dismissed_keys(DuplicateDismissal.Kind.COMPANY)
    return _score_pairs(Company, pairs, _company_facts, score_companies, min_score, dismissed)
