"""Finding likely duplicate contacts and companies, and the stored review queue.

Nobody compares all pairs. Candidates come from *blocks*: records sharing a key.

* contacts: a normalised e-mail, an E.164 phone, or a name key — the phonetic codes of both
  surnames and of the first word of the canonical first name, so accents, case, nicknames
  ("Pepe" = "José") and spelling variants ("Giménez" = "Jiménez", "Vázquez" = "Vásquez") fall
  together; a person without a second surname also meets everyone of the same first surname and
  first name ("García" = "García López");
* companies: a tax id, a web domain, an E.164 phone, or the phonetic key of the name without its
  legal form ("Acme, S.L." = "ACME SL").

Only pairs inside a block are scored, with rapidfuzz on normalised names, so the work grows with
the size of the blocks, not with the square of the table. A block larger than ``MAX_BLOCK``
says little (a switchboard, an "info@", a very common name): an exact-value block that large is
skipped, a name block compares each member with its ``WINDOW`` neighbours only.

``scan_duplicates`` (the nightly job and managers' "Scan now") stores the pairs scoring
``MIN_SCORE`` or more as ``DuplicateCandidate`` rows, in batches; ``refresh_pairs_of`` re-checks
one record when a service creates or changes it; the review queue reads the stored rows
(``stored_page``, keyset pagination). ``find_*_duplicates`` compute the same pairs in memory
for a queryset, without storing them.
"""

import contextlib
import time
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

from clientela.core import permissions
from clientela.core.exports import fetch_rows
from clientela.core.text import normalize, sort_key
from clientela.core.validators import normalize_email, normalize_phone

from .models import (
    Company,
    CompanyPhone,
    Contact,
    ContactEmail,
    ContactPhone,
    DuplicateCandidate,
    DuplicateDismissal,
)

# A pair scoring below this is not shown.
MIN_SCORE = 70
# A block larger than this is too common to compare whole (see the module's docstring).
MAX_BLOCK = 200
WINDOW = 20
# Pairs are scored and stored this many at a time (one transaction per batch).
SCAN_BATCH = 10_000
# Ids per query when reading facts (PostgreSQL takes at most 65,535 parameters).
ID_CHUNK = 10_000
PAGE_SIZE = 50

# Why a pair was found: the codes stored in ``DuplicateCandidate.reasons``, shown translated.
REASONS = {
    "email": _("same e-mail"),
    "phone": _("same phone"),
    "name": _("same name"),
    "similar_name": _("similar name"),
    "company": _("same company"),
    "tax_id": _("same tax id"),
    "domain": _("same domain"),
}


def reason_labels(codes):
    return [str(REASONS.get(code, code)) for code in codes]


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


def kind_of(model):
    return DuplicateDismissal.Kind.CONTACT if model is Contact else DuplicateDismissal.Kind.COMPANY


# --- names ---------------------------------------------------------------------------------------
# Names repeat a lot (a million people share a few thousand first names and surnames): the
# per-word work is cached.


@lru_cache(maxsize=100_000)
def _words(text):
    return tuple(normalize(text).replace("-", " ").split())


@lru_cache(maxsize=100_000)
def canonical_first_name(name):
    words = _words(name)
    joined = " ".join(words)
    if joined in NICKNAMES:
        return NICKNAMES[joined]
    return " ".join(NICKNAMES.get(w, w) for w in words)


def _surname_words(last_name, second_last_name=""):
    return list(_words(last_name) + _words(second_last_name))


def _first_word(text):
    words = sort_key(text).split()
    return words[0] if words else ""


def contact_block_key(first_name, last_name):
    """First surname's sort key + first letter of the canonical first name (kept for callers
    that group by it; the scan uses ``contact_name_keys``)."""
    surname = _first_word(last_name)
    first = canonical_first_name(first_name)[:1]
    return f"{surname}\t{first}" if surname or first else ""


# Spanish and Catalan spellings that sound alike, rewritten to one form, in this order.
_SOUNDS = (
    ("ch", "1"),
    ("ll", "y"),
    ("ny", "n"),
    ("qu", "k"),
    ("gue", "ge"),
    ("gui", "gi"),
    ("ge", "je"),
    ("gi", "ji"),
    ("ce", "se"),
    ("ci", "si"),
    ("c", "k"),
    ("z", "s"),
    ("v", "b"),
    ("w", "b"),
    ("h", ""),
    ("x", "ks"),
    ("q", "k"),
)


@lru_cache(maxsize=100_000)
def phonetic(word):
    """A rough phonetic code of one normalised word: "jimenez" and "gimenez" give "jimenes",
    "vazquez" and "vasquez" "basques". Doubled letters count once; a final "y" is an "i"."""
    code = "".join(c for c in word if c.isalpha())
    for spelling, sound in _SOUNDS:
        code = code.replace(spelling, sound)
    if code.endswith("y"):
        code = code[:-1] + "i"
    collapsed = []
    for letter in code:
        if not collapsed or collapsed[-1] != letter:
            collapsed.append(letter)
    return "".join(collapsed)


def contact_name_keys(first_name, last_name, second_last_name):
    """``(full, short, has_second_surname)`` name block keys of a person, or ``None`` without
    any name: ``full`` = both surnames and the first name, ``short`` = first surname and first
    name (shared with people who have no second surname)."""
    surnames = _words(last_name) + _words(second_last_name)
    first = canonical_first_name(first_name).split()[:1]
    if not surnames and not first:
        return None
    s1 = phonetic(surnames[0]) if surnames else ""
    s2 = phonetic(surnames[1]) if len(surnames) > 1 else ""
    f = phonetic(first[0]) if first else ""
    return f"{s1} {s2} {f}", f"{s1} {f}", bool(s2)


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


@lru_cache(maxsize=100_000)
def company_name_key(name):
    words = [w for w in sort_key(name).split() if w not in _LEGAL_FORMS]
    return " ".join(words)


def company_similarity(a, b):
    return round(fuzz.token_sort_ratio(company_name_key(a), company_name_key(b)))


# --- facts and scores ----------------------------------------------------------------------------


@dataclass(slots=True)
class _ContactFacts:
    pk: int
    names: tuple
    emails: set
    phones: set
    company_id: int = None


@dataclass(slots=True)
class _CompanyFacts:
    pk: int
    name: str
    tax_id: str
    domain: str
    phones: set


def _rows_by_ids(model, columns, ids, *, by="id", untrashed=False):
    """Raw rows of ``columns`` of ``model``'s table whose ``by`` column is one of ``ids``.

    Plain SQL, because at scan scale Django's ``__in`` lookup prepares each of the thousands of
    ids one by one, which costs more than the query itself; the ids are integers the scan
    produced, passed as parameters. ``untrashed`` mirrors the default manager (records in the
    trash take no part)."""
    quote = connection.ops.quote_name
    opts = model._meta
    names = ", ".join(quote(opts.get_field(c).column) for c in columns)
    key = quote(opts.get_field(by).column)
    rows = []
    ids = list(ids)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start : start + ID_CHUNK]
            sql = (
                f"SELECT {names} FROM {quote(opts.db_table)} "  # noqa: S608 (quoted names)
                f"WHERE {key} IN ({', '.join(['%s'] * len(chunk))})"
            )
            if untrashed:
                sql += f" AND {quote('deleted_at')} IS NULL"
            cursor.execute(sql, chunk)
            rows.extend(cursor.fetchall())
    return rows


def _contact_facts(ids):
    """``{id: _ContactFacts}`` of the (untrashed) contacts ``ids``, in three queries."""
    columns = ("id", "first_name", "last_name", "second_last_name", "company")
    facts = {
        pk: _ContactFacts(pk, tuple(names), set(), set(), company)
        for pk, *names, company in _rows_by_ids(Contact, columns, ids, untrashed=True)
    }
    for child, value, found in (
        (ContactEmail, "email", "emails"),
        (ContactPhone, "number", "phones"),
    ):
        for contact_id, text in _rows_by_ids(child, ("contact", value), facts, by="contact"):
            getattr(facts[contact_id], found).add(text.lower() if found == "emails" else text)
    return facts


def _company_facts(ids):
    columns = ("id", "name", "tax_id", "domain")
    facts = {
        row[0]: _CompanyFacts(*row, set())
        for row in _rows_by_ids(Company, columns, ids, untrashed=True)
    }
    for company_id, number in _rows_by_ids(
        CompanyPhone, ("company", "number"), facts, by="company"
    ):
        facts[company_id].phones.add(number)
    return facts


def score_contacts(a, b):
    """Score two ``_ContactFacts``: ``(score, reason codes)``."""
    reasons, score = [], 0
    names = name_similarity(a.names, b.names)
    same_company = a.company_id is not None and a.company_id == b.company_id
    if a.emails & b.emails:
        score = 95
        reasons.append("email")
    if a.phones & b.phones:
        score = max(score, 85)
        reasons.append("phone")
    if names >= 85:
        if reasons:
            score = min(100, score + (names - 80))
        else:
            score = round(names * 0.8) + (15 if same_company else 0)
        reasons.append("name" if names == 100 else "similar_name")
        if same_company:
            reasons.append("company")
    elif reasons and names < 50:
        score -= 15  # a shared switchboard or family e-mail, different people
    return min(score, 100), reasons


def score_companies(a, b):
    """Score two ``_CompanyFacts``: ``(score, reason codes)``."""
    reasons, score = [], 0
    names = company_similarity(a.name, b.name)
    if a.tax_id and a.tax_id == b.tax_id:
        score = 100
        reasons.append("tax_id")
    if a.domain and a.domain == b.domain:
        score = max(score, 90)
        reasons.append("domain")
    if a.phones & b.phones:
        score = max(score, 75)
        reasons.append("phone")
    if names >= 88:
        score = min(100, score + 5) if reasons else round(names * 0.85)
        reasons.append("name" if names == 100 else "similar_name")
    if a.tax_id and b.tax_id and a.tax_id != b.tax_id:
        score -= 30  # two legal entities, whatever their names say
    return max(0, min(score, 100)), reasons


# --- candidate pairs -----------------------------------------------------------------------------
# A pair is one int, ``low << SHIFT | high``, and a block member ``key hash << SHIFT | id``: a
# million of them fit in a few tens of megabytes and sort fast, where tuples and dicts of lists
# would take hundreds.

SHIFT = 40
ID_MASK = (1 << SHIFT) - 1
HASH_MASK = (1 << 48) - 1


def _pair(a, b):
    return (a << SHIFT) | b if a < b else (b << SHIFT) | a


def _unpair(value):
    return value >> SHIFT, value & ID_MASK


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
    for value, parent_id in fetch_rows(rows):
        groups[value].add(parent_id)
    return [sorted(g) for g in groups.values() if len(g) > 1]


def _field_groups(queryset, name):
    """Lists of record ids sharing one non-empty value of the column ``name``."""
    shared = (
        queryset.exclude(**{name: ""})
        .values(name)
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list(name, flat=True)
    )
    groups = defaultdict(list)
    for value, pk in fetch_rows(queryset.filter(**{f"{name}__in": shared}).values_list(name, "pk")):
        groups[value].append(pk)
    return [sorted(g) for g in groups.values() if len(g) > 1]


def _add_exact(pairs, groups):
    for group in groups:
        if len(group) <= MAX_BLOCK:  # a shared switchboard or "info@" says nothing
            pairs.update(_pair(a, b) for a, b in combinations(group, 2))


def _add_blocks(pairs, members):
    """Pairs within each block of ``members`` (``hash << SHIFT + 1 | id << 1 | flag``): every
    pair when no flag is used; with flags, only pairs with at least one flagged member."""
    members.sort()
    start, total = 0, len(members)
    while start < total:
        block = members[start] >> (SHIFT + 1)
        end = start + 1
        while end < total and members[end] >> (SHIFT + 1) == block:
            end += 1
        if end - start > 1:
            _block(pairs, members[start:end])
        start = end


def _block(pairs, group):
    ids = [(m >> 1) & ID_MASK for m in group]
    flagged = [m & 1 for m in group]
    whole = len(ids) <= MAX_BLOCK
    unflagged = not any(flagged)
    for i, a in enumerate(ids):
        others = ids[i + 1 :] if whole else ids[i + 1 : i + 1 + WINDOW]
        for j, b in enumerate(others, start=i + 1):
            if unflagged or flagged[i] or flagged[j]:
                pairs.add(_pair(a, b))


def _member(key, pk, flag=0):
    return ((hash(key) & HASH_MASK) << (SHIFT + 1)) | (pk << 1) | flag


def _contact_candidates(queryset):
    """Candidate pair ints among the contacts of ``queryset``."""
    pairs = set()
    ids = queryset.values("pk")
    _add_exact(pairs, _exact_groups(ContactEmail, "contact", "email", ids))
    _add_exact(pairs, _exact_groups(ContactPhone, "contact", "number", ids))
    full, short = [], []
    rows = queryset.order_by().values_list("pk", "first_name", "last_name", "second_last_name")
    last_id = 0
    while True:  # in id ranges: bounded memory, one short query at a time
        batch = fetch_rows(rows.filter(pk__gt=last_id).order_by("pk")[:20_000])
        if not batch:
            break
        last_id = batch[-1][0]
        for pk, first, last, second in batch:
            keys = contact_name_keys(first, last, second)
            if keys is None:
                continue
            full_key, short_key, has_second = keys
            full.append(_member(full_key, pk))
            # Flagged: people without a second surname meet the whole short block.
            short.append(_member(short_key, pk, 0 if has_second else 1))
    _add_blocks(pairs, full)
    del full
    short_blocks = [m for m in short if m & 1]
    if short_blocks:
        wanted = {m >> (SHIFT + 1) for m in short_blocks}
        _add_blocks(pairs, [m for m in short if m >> (SHIFT + 1) in wanted])
    return pairs


def _company_candidates(queryset):
    pairs = set()
    for name in ("tax_id", "domain"):
        _add_exact(pairs, _field_groups(queryset, name))
    _add_exact(pairs, _exact_groups(CompanyPhone, "company", "number", queryset.values("pk")))
    members = []
    for pk, name in fetch_rows(queryset.order_by().values_list("pk", "name")):
        key = " ".join(phonetic(w) for w in company_name_key(name).split())
        if key:
            members.append(_member(key, pk))
    _add_blocks(pairs, members)
    return pairs


KINDS = {
    DuplicateDismissal.Kind.CONTACT: (Contact, _contact_candidates, _contact_facts, score_contacts),
    DuplicateDismissal.Kind.COMPANY: (
        Company,
        _company_candidates,
        _company_facts,
        score_companies,
    ),
}


def _dismissed(kind):
    return {_pair(a, b) for a, b in DuplicateDismissal.dismissed_keys(kind)}


def _scored(kind, pairs, min_score):
    """Yield lists of ``(low, high, score, reasons)`` for the candidate pair ints ``pairs``
    (sorted), ``SCAN_BATCH`` pairs at a time."""
    _model, _candidates, facts_of, scorer = KINDS[kind]
    for start in range(0, len(pairs), SCAN_BATCH):
        chunk = [_unpair(p) for p in pairs[start : start + SCAN_BATCH]]
        facts = facts_of({i for pair in chunk for i in pair})
        found = []
        for a, b in chunk:
            if a in facts and b in facts:
                score, reasons = scorer(facts[a], facts[b])
                if score >= min_score:
                    found.append((a, b, score, reasons))
        yield found


def _find(model, queryset, min_score):
    kind = kind_of(model)
    _model, candidates, _facts, _scorer = KINDS[kind]
    queryset = model.objects.all() if queryset is None else queryset
    pairs = sorted(candidates(queryset) - _dismissed(kind))
    found = [row for rows in _scored(kind, pairs, min_score) for row in rows]
    records = queryset.in_bulk({i for a, b, *_rest in found for i in (a, b)})
    result = [
        DuplicatePair(records[a], records[b], score, reason_labels(reasons))
        for a, b, score, reasons in found
        if a in records and b in records
    ]
    result.sort(key=lambda p: (-p.score, p.first.pk, p.second.pk))
    return result


def find_contact_duplicates(queryset=None, *, min_score=MIN_SCORE):
    """Likely duplicate pairs among ``queryset`` (default: every contact), best first;
    dismissed pairs left out. Computed, not stored (the queue reads ``DuplicateCandidate``)."""
    return _find(Contact, queryset, min_score)


def find_company_duplicates(queryset=None, *, min_score=MIN_SCORE):
    """Likely duplicate companies among ``queryset``, best first; dismissed pairs left out."""
    return _find(Company, queryset, min_score)


# --- the stored pairs ----------------------------------------------------------------------------


def _upsert(rows):
    DuplicateCandidate.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["kind", "low_id", "high_id"],
        update_fields=["score", "reasons", "found_at"],
    )


def _store(kind, found, when):
    """Insert the pairs ``found`` (``(low, high, score, reasons)``), or update those stored
    with another score or other reasons, in one ``executemany``: portable ``INSERT ... ON
    CONFLICT DO UPDATE ... WHERE`` (SQLite 3.24+, PostgreSQL), which keeps the state of a pair
    already there and leaves an unchanged pair unwritten (a nightly scan changes few pairs).
    Building model instances for ``bulk_create`` cost more than the writes themselves at a
    million pairs."""
    opts = DuplicateCandidate._meta
    quote = connection.ops.quote_name
    prepared_at = opts.get_field("found_at").get_db_prep_save(when, connection)
    reasons_field = opts.get_field("reasons")
    prepared_reasons = {}
    rows = []
    for low, high, score, reasons in found:
        key = tuple(reasons)
        if key not in prepared_reasons:
            prepared_reasons[key] = reasons_field.get_db_prep_save(list(reasons), connection)
        rows.append((kind, low, high, score, prepared_reasons[key], "open", prepared_at))
    columns = ("kind", "low_id", "high_id", "score", "reasons", "state", "found_at")
    names = ", ".join(quote(c) for c in columns)
    table = quote(opts.db_table)
    refreshed = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in columns[3:] if c != "state")
    changed = " OR ".join(f"{table}.{quote(c)} <> excluded.{quote(c)}" for c in columns[3:5])
    sql = (
        f"INSERT INTO {table} ({names}) "  # noqa: S608 (quoted names)
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({quote('kind')}, {quote('low_id')}, {quote('high_id')}) "
        f"DO UPDATE SET {refreshed} WHERE {changed}"
    )
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def scan_duplicates(kind, *, now=None):
    """Find every likely duplicate pair of ``kind`` ("contact"/"company") and store them:
    pairs found are written (or refreshed) ``SCAN_BATCH`` at a time, each batch in its own
    transaction, then the open pairs this scan did not find again are removed (but not those
    a save stored while it ran). Dismissed and merged pairs keep their state. Running it twice
    stores the same rows. Returns figures."""
    started = now or timezone.now()
    clock = time.monotonic()
    model, candidates, _facts, _scorer = KINDS[kind]
    pairs = sorted(candidates(model.objects.all()) - _dismissed(kind))
    candidate_count = len(pairs)
    stored, seen = 0, set()
    for found in _scored(kind, pairs, MIN_SCORE):
        with transaction.atomic():
            _store(kind, found, started)
        stored += len(found)
        seen.update(_pair(low, high) for low, high, *_rest in found)
    del pairs
    older = (
        DuplicateCandidate.objects.filter(
            kind=kind, state=DuplicateCandidate.State.OPEN, found_at__lt=started
        )
        .order_by("pk")
        .values_list("pk", "low_id", "high_id")
    )
    removed, last_id = 0, 0
    while rows := fetch_rows(older.filter(pk__gt=last_id)[:SCAN_BATCH]):
        last_id = rows[-1][0]
        gone = [pk for pk, low, high in rows if _pair(low, high) not in seen]
        if gone:
            with transaction.atomic():
                removed += DuplicateCandidate.objects.filter(pk__in=gone).delete()[0]
    return {
        "kind": str(kind),
        "candidates": candidate_count,
        "pairs": stored,
        "removed": removed,
        "seconds": round(time.monotonic() - clock, 1),
    }


def _contact_neighbours(contact):
    """Ids of contacts that may duplicate ``contact``, in two to four queries: same e-mail or
    phone; same surnames, or (with or without a second surname on either side) same first
    surname and first name. Each lookup reads an index; spelling variants are left to the
    nightly scan."""
    same_email = ContactEmail.objects.filter(
        email__in=ContactEmail.objects.filter(contact_id=contact.pk).values("email")
    ).exclude(contact_id=contact.pk)
    same_phone = ContactPhone.objects.filter(
        number__in=ContactPhone.objects.filter(contact_id=contact.pk).values("number")
    ).exclude(contact_id=contact.pk)
    shared = (
        same_email.order_by()
        .values_list("contact_id", flat=True)
        .union(same_phone.order_by().values_list("contact_id", flat=True))
    )
    ids = set(shared[: 2 * MAX_BLOCK])
    first, second = sort_key(contact.last_name), sort_key(contact.second_last_name)
    given = _first_word(contact.first_name)
    if first:
        prefixes = [f"{first}\t\t{given}"] + ([f"{first}\t{second}\t"] if second else [])
        blocks = [Q(sort_name__gte=p, sort_name__lt=p + "\uffff") for p in prefixes]
        if not second and given:
            blocks.append(
                Q(sort_name__gte=f"{first}\t", sort_name__lt=f"{first}\t\uffff")
                & (Q(sort_name__endswith=f"\t{given}") | Q(sort_name__contains=f"\t{given} "))
            )
        # One query per block: SQLite reads an OR of these ranges (one with LIKEs) by scanning
        # the whole table, each range alone through the sort index.
        others = Contact.objects.exclude(pk=contact.pk)
        for block in blocks:
            ids |= set(others.filter(block).values_list("pk", flat=True)[:MAX_BLOCK])
    return ids


def _company_neighbours(company):
    """Ids of companies that may duplicate ``company``: same tax id, domain or phone, or a name
    starting with the same word (two queries)."""
    same_phone = CompanyPhone.objects.filter(
        number__in=CompanyPhone.objects.filter(company_id=company.pk).values("number")
    ).exclude(company_id=company.pk)
    ids = set(same_phone.values_list("company_id", flat=True)[:MAX_BLOCK])
    others = Q()
    for name in ("tax_id", "domain"):
        value = getattr(company, name)
        if value:
            others |= Q(**{name: value})
    word = _first_word(company_name_key(company.name))
    if word:
        others |= Q(sort_name__gte=word, sort_name__lt=word + "\uffff")
    if others:
        rows = Company.objects.exclude(pk=company.pk).filter(others)
        ids |= set(rows.values_list("pk", flat=True)[: 3 * MAX_BLOCK])
    return ids


def refresh_pairs_of(record, *, new=False, now=None):
    """Re-check one contact or company (after a create or an update): its open stored pairs
    become the pairs found now. Called by the services, inside their transaction; ``new``: the
    record was just created (it has no stored pair nor dismissal yet)."""
    model = type(record)
    kind = kind_of(model)
    _model, _candidates, facts_of, scorer = KINDS[kind]
    found = {}
    if record.deleted_at is None:
        neighbours = (_contact_neighbours if model is Contact else _company_neighbours)(record)
        facts = facts_of(neighbours | {record.pk}) if neighbours else {}
        dismissed = set()
        if facts and not new:
            dismissed = set(
                DuplicateDismissal.objects.filter(kind=kind)
                .filter(Q(low_id=record.pk) | Q(high_id=record.pk))
                .values_list("low_id", "high_id")
            )
        mine = facts.get(record.pk)
        for other in neighbours:
            key = pair_key(record.pk, other)
            if mine is None or other not in facts or key in dismissed:
                continue
            score, reasons = scorer(*(facts[key[0]], facts[key[1]]))
            if score >= MIN_SCORE:
                found[key] = (score, reasons)
    gone = []
    if not new:
        involving = DuplicateCandidate.objects.filter(
            Q(low_id=record.pk) | Q(high_id=record.pk), kind=kind
        )
        gone = [
            pk
            for pk, low, high in involving.filter(state=DuplicateCandidate.State.OPEN).values_list(
                "pk", "low_id", "high_id"
            )
            if (low, high) not in found
        ]
    if gone:
        DuplicateCandidate.objects.filter(pk__in=gone).delete()
    if found:
        when = now or timezone.now()
        _upsert(
            [
                DuplicateCandidate(
                    kind=kind, low_id=a, high_id=b, score=score, reasons=reasons, found_at=when
                )
                for (a, b), (score, reasons) in found.items()
            ]
        )


def close_pair(kind, first_id, second_id, state):
    """Mark the stored pair dismissed or merged (the queue no longer shows it)."""
    low, high = pair_key(first_id, second_id)
    DuplicateCandidate.objects.filter(kind=kind, low_id=low, high_id=high).update(state=state)


def forget_pairs_of(kind, record_id):
    """Remove the open pairs of a record that is gone (merged into another)."""
    DuplicateCandidate.objects.filter(kind=kind, state=DuplicateCandidate.State.OPEN).filter(
        Q(low_id=record_id) | Q(high_id=record_id)
    ).delete()


def encode_position(score, low, high):
    return f"{score}-{low}-{high}"


def decode_position(text):
    try:
        score, low, high = (int(p) for p in str(text).split("-"))
    except ValueError:
        return None
    return score, low, high


def stored_page(model, user, *, after=None, page_size=PAGE_SIZE):
    """One page of the open stored pairs of ``model`` whose two records ``user`` may change,
    best first, after the position ``after``: ``(pairs, next position or None)``. Two queries
    whatever the page (the pairs, then their records)."""
    changeable = permissions.visible(user, model.objects.all(), write=True)
    rows = (
        DuplicateCandidate.objects.filter(kind=kind_of(model), state=DuplicateCandidate.State.OPEN)
        .filter(
            Exists(changeable.filter(pk=OuterRef("low_id"))),
            Exists(changeable.filter(pk=OuterRef("high_id"))),
        )
        .order_by("-score", "low_id", "high_id")
    )
    position = decode_position(after) if after else None
    if position:
        score, low, high = position
        rows = rows.filter(
            Q(score__lt=score)
            | Q(score=score, low_id__gt=low)
            | Q(score=score, low_id=low, high_id__gt=high)
        )
    rows = list(rows.values_list("score", "low_id", "high_id", "reasons")[: page_size + 1])
    page = rows[:page_size]
    records = model.objects.in_bulk({i for _s, low, high, _r in page for i in (low, high)})
    pairs = [
        DuplicatePair(records[low], records[high], score, reason_labels(reasons))
        for score, low, high, reasons in page
        if low in records and high in records
    ]
    following = encode_position(*page[-1][:3]) if len(rows) > page_size else None
    return pairs, following


# --- one new record ------------------------------------------------------------------------------


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
        None, (first_name, last_name, second_last_name), clean_emails, clean_phones, None
    )
    records = queryset.in_bulk(ids)
    found = []
    for pk, facts in _contact_facts(records).items():
        score, reasons = score_contacts(new, facts)
        if score >= MIN_SCORE and pk in records:
            found.append((records[pk], score, reason_labels(reasons)))
    found.sort(key=lambda f: (-f[1], f[0].pk))
    return found[:5]
