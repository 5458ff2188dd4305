"""The values of a message's merge fields, from plain values.

``merge_context`` reads a contact, its company and its owner as model instances or as plain
mappings (a sender that read rows with ``.values()`` passes dicts), and only the fields a
template uses (``names``), so building it costs no query: ``contact.email`` is read from the
contact's prefetched addresses, or given by the caller (``email=``), as a sender knows the
address it writes to.
"""

from collections.abc import Mapping
from functools import cache

from django.utils import translation
from django.utils.translation import gettext as _

from .fields import CUSTOM_PREFIX, FIELDS


def _read(record, name):
    if record is None:
        return None
    if isinstance(record, Mapping):
        return record.get(name)
    return getattr(record, name, None)


def _text(value):
    return "" if value is None else str(value)


def _contact_full_name(contact):
    if isinstance(contact, Mapping):
        if contact.get("full_name"):
            return contact["full_name"]
        parts = (contact.get(k) for k in ("first_name", "last_name", "second_last_name"))
        return " ".join(p for p in parts if p)
    return contact.full_name


def _contact_email(contact):
    if isinstance(contact, Mapping):
        return contact.get("email")
    return contact.primary_email


def _owner_name(owner):
    if isinstance(owner, Mapping):
        if owner.get("name"):
            return owner["name"]
        name = " ".join(p for p in (owner.get("first_name"), owner.get("last_name")) if p)
        return name or owner.get("username")
    return owner.get_full_name() or owner.get_username()


_READERS = {
    "contact.first_name": (0, lambda c: _read(c, "first_name")),
    "contact.last_name": (0, lambda c: _read(c, "last_name")),
    "contact.full_name": (0, _contact_full_name),
    "contact.email": (0, _contact_email),
    "contact.job_title": (0, lambda c: _read(c, "job_title")),
    "contact.city": (0, lambda c: _read(c, "city")),
    "company.name": (1, lambda c: _read(c, "name")),
    "owner.name": (2, _owner_name),
    "owner.email": (2, lambda o: _read(o, "email")),
}
assert set(_READERS) | {"unsubscribe_url", "preferences_url", "view_online_url"} == set(FIELDS)


@cache
def _yes_no(language):
    with translation.override(language):
        return {True: _("Yes"), False: _("No")}


def _custom_value(value, language):
    if isinstance(value, bool):
        return _yes_no(language or "en")[value]
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return _text(value)


def merge_context(contact, company=None, owner=None, *, names=None, email=None, language=None):
    """``{field name: text}`` for ``names`` (every field when ``None``); missing values are
    ``""``. ``language`` words yes/no custom fields."""
    records = (contact, company, owner)
    wanted = _READERS.keys() if names is None else names
    values = {}
    for name in wanted:
        reader = _READERS.get(name)
        if reader is not None:
            record = records[reader[0]]
            values[name] = "" if record is None else _text(reader[1](record))
    if email is not None:
        values["contact.email"] = email
    custom = _read(contact, "custom_fields") or {}
    if names is None:
        custom_names = [f"{CUSTOM_PREFIX}{key}" for key in custom]
    else:
        custom_names = [n for n in names if n.startswith(CUSTOM_PREFIX)]
    for name in custom_names:
        values[name] = _custom_value(custom.get(name[len(CUSTOM_PREFIX) :]), language)
    return values
