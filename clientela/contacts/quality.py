"""Data quality: how complete a contact or company is (0-100) and what it lacks.

The score is the sum of the weights of the key data a record has. The weights favour what lets
someone reach the person and act on it (an e-mail, a phone, an owner), then what places them
(company, job title, where they are), then the rest:

contact                                       company
  e-mail ................ 20                    phone .................. 15
  phone ................. 15                    tax id ................. 15
  first name + surname .. 10                    owner .................. 15
  company ............... 10                    website ................ 10
  job title ............. 10                    industry ............... 10
  owner ................. 10                    street ................. 10
  marketing consent ..... 10  (asked: any       city ................... 10
  city ..................  5   status but       country ................ 10
  country ...............  5   "not asked")     size ...................  5
  preferred language ....  5

The score and the ``has_email``/``has_phone`` flags are columns kept in step by ``core.records``
(this module registers ``refresh`` for both models), computed in SQL from the same rules as
``missing`` below, so the stored score and the one a page shows never disagree.
"""

from dataclasses import dataclass

from django.db.models import (
    Case,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _

from clientela.core.prefetch import related

from .choices import ConsentStatus

BATCH_SIZE = 5000


@dataclass(frozen=True)
class Criterion:
    key: str
    weight: int
    label: str
    field: str  # the id (without "id_") of the edit form's input that fixes it


CONTACT_CRITERIA = (
    Criterion("email", 20, _("E-mail"), "emails-0-email"),
    Criterion("phone", 15, _("Phone"), "phones-0-number"),
    Criterion("name", 10, _("First name and surname"), "first_name"),
    Criterion("company", 10, _("Company"), "company"),
    Criterion("job_title", 10, _("Job title"), "job_title"),
    Criterion("owner", 10, _("Owner"), "owner"),
    Criterion("consent", 10, _("Marketing consent"), "consent_status"),
    Criterion("city", 5, _("City"), "city"),
    Criterion("country", 5, _("Country"), "country"),
    Criterion("language", 5, _("Preferred language"), "language"),
)
COMPANY_CRITERIA = (
    Criterion("phone", 15, _("Phone"), "phones-0-number"),
    Criterion("tax_id", 15, _("Tax id"), "tax_id"),
    Criterion("owner", 15, _("Owner"), "owner"),
    Criterion("website", 10, _("Website"), "website"),
    Criterion("industry", 10, _("Industry"), "industry"),
    Criterion("street", 10, _("Street"), "street"),
    Criterion("city", 10, _("City"), "city"),
    Criterion("country", 10, _("Country"), "country"),
    Criterion("size", 5, _("Size"), "size"),
)


def criteria_for(model):
    return CONTACT_CRITERIA if model._meta.model_name == "contact" else COMPANY_CRITERIA


# --- in Python, for one record a page shows ------------------------------------------------------


def _has(record, key):
    if key == "email":
        return bool(related(record, "emails"))
    if key == "phone":
        return bool(related(record, "phones"))
    if key == "name":
        return bool(record.first_name and record.last_name)
    if key in ("company", "owner"):
        return getattr(record, f"{key}_id") is not None
    if key == "consent":
        return record.consent_status != ConsentStatus.UNKNOWN
    return bool(getattr(record, key))


def missing(record):
    """The criteria ``record`` fails, heaviest first (its e-mails and phones prefetched or
    read)."""
    return [c for c in criteria_for(type(record)) if not _has(record, c.key)]


def score(record):
    return 100 - sum(c.weight for c in missing(record))


def fill_new(records):
    """The derived columns of new records, from their prefetched e-mails and phones (bulk
    creation: the same rules as the SQL below, held to it by the bulk-import tests)."""
    for record in records:
        record.completeness = score(record)
        record.has_phone = bool(related(record, "phones"))
        if hasattr(record, "has_email"):
            record.has_email = bool(related(record, "emails"))


# --- in SQL, for the stored columns --------------------------------------------------------------


def _present(model, key, children):
    """A condition true when a row of ``model`` has ``key``."""
    if key in ("email", "phone"):
        return Exists(children[key].objects.filter(**{f"{_parent(model)}_id": OuterRef("pk")}))
    if key == "name":
        return ~Q(first_name="") & ~Q(last_name="")
    if key in ("company", "owner"):
        return Q(**{f"{key}__isnull": False})
    if key == "consent":
        return ~Q(consent_status=ConsentStatus.UNKNOWN)
    return ~Q(**{key: ""})


def _parent(model):
    return model._meta.model_name


def derived_values(model, children):
    """The UPDATE values of the derived columns of ``model``. ``children`` maps ``"email"``
    and ``"phone"`` to the child models (passed in so a migration can give its own)."""
    criteria = criteria_for(model)
    total = sum(
        (
            Case(When(_present(model, c.key, children), then=Value(c.weight)), default=Value(0))
            for c in criteria
        ),
        start=Value(0),
    )
    values = {
        "completeness": ExpressionWrapper(total, output_field=IntegerField()),
        "has_phone": _present(model, "phone", children),
    }
    if "email" in children:
        values["has_email"] = _present(model, "email", children)
    return values


def children_of(model):
    from .models import Company, CompanyPhone, ContactEmail, ContactPhone

    if model is Company:
        return {"phone": CompanyPhone}
    return {"email": ContactEmail, "phone": ContactPhone}


def refresh(model, pks):
    """Recompute the derived columns of the records ``pks`` of ``model`` (one UPDATE)."""
    pks = list(pks)
    if pks:
        model.all_objects.filter(pk__in=pks).update(**derived_values(model, children_of(model)))


def refresh_records(records, changes=None):
    """``refresh``, then the records' own attributes set from the database (``changes``: what
    ``core.records`` passes every refresher; not needed here)."""
    records = list(records)
    if not records:
        return
    model = type(records[0])
    refresh(model, [r.pk for r in records])
    names = list(derived_values(model, children_of(model)))
    stored = {
        pk: values
        for pk, *values in model.all_objects.filter(pk__in=[r.pk for r in records]).values_list(
            "pk", *names
        )
    }
    for record in records:
        for name, value in zip(names, stored.get(record.pk, ()), strict=False):
            setattr(record, name, value)


def refresh_range(model, first, last):
    """Recompute the rows of ``model`` with ids from ``first`` to ``last`` (bulk loaders)."""
    values = derived_values(model, children_of(model))
    model.all_objects.filter(pk__gte=first, pk__lte=last).update(**values)


def refresh_all(model, children=None, *, batch_size=BATCH_SIZE, manager=None):
    """Recompute every row of ``model`` in id ranges of ``batch_size`` (short statements on a
    million rows). ``children``/``manager`` let a data migration pass historical models."""
    children = children or children_of(model)
    manager = manager or model.all_objects
    values = derived_values(model, children)
    last = manager.order_by("-pk").values_list("pk", flat=True).first() or 0
    for start in range(0, last, batch_size):
        manager.filter(pk__gt=start, pk__lte=start + batch_size).update(**values)
