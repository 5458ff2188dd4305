"""The merge-field language of e-mail templates: ``{{ name }}`` and
``{{ name | default:"text" }}``, nothing else.

It is deliberately not Django's or Jinja's template language: a name is one of a fixed list
(``FIELDS``, plus ``contact.custom.<key>`` of the contacts' custom fields), never a path into a
Python object; the one filter gives a literal fallback; there are no tags, loops or calls.
Anything else between ``{{`` and ``}}`` is refused when the template is saved, with its line
and column.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CUSTOM_PREFIX = "contact.custom."
MAX_DEFAULT = 200
MAX_ERRORS = 10  # a body full of mistakes gets its first ten

# name -> label of the picker. The links are given by whoever sends (a campaign signs them per
# recipient; previews and test messages point at the site).
FIELDS = {
    "contact.first_name": gettext_lazy("First name"),
    "contact.last_name": gettext_lazy("Surname"),
    "contact.full_name": gettext_lazy("Full name"),
    "contact.email": gettext_lazy("E-mail address"),
    "contact.job_title": gettext_lazy("Job title"),
    "contact.city": gettext_lazy("City"),
    "company.name": gettext_lazy("Company name"),
    "owner.name": gettext_lazy("Account owner's name"),
    "owner.email": gettext_lazy("Account owner's e-mail"),
    "unsubscribe_url": gettext_lazy("Unsubscribe link"),
    "preferences_url": gettext_lazy("E-mail preferences link"),
    "view_online_url": gettext_lazy("View in the browser link"),
}
LINK_FIELDS = ("unsubscribe_url", "preferences_url", "view_online_url")

_OPEN = "{{"
_FIELD = re.compile(
    r"""\s*(?P<name>[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*){0,2})\s*
        (?:\|\s*default\s*:\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')\s*)?
        \}\}""",
    re.VERBOSE,
)
_SHOWN = 60  # characters of a refused field quoted in its error


@dataclass(frozen=True)
class Field:
    """One ``{{ ... }}`` of a template: its name, fallback and where it is (offsets)."""

    name: str
    default: str
    offset: int
    end: int


def position(source, offset):
    """(line, column) of ``offset``, both from 1."""
    line = source.count("\n", 0, offset) + 1
    return line, offset - (source.rfind("\n", 0, offset) + 1) + 1


def located(message, source, offset, **params):
    line, column = position(source, offset)
    return message % {**params, "line": line, "column": column}


def parse(source, custom_keys=frozenset()):
    """``source`` as a list of literal strings and ``Field``s. Raises ``ValidationError`` (a
    list of messages) for a field that is unknown, malformed or not closed."""
    parts, errors = [], []
    start = 0
    while len(errors) < MAX_ERRORS:
        opening = source.find(_OPEN, start)
        if opening < 0:
            break
        match = _FIELD.match(source, opening + 2)
        if match is None:
            errors.append(_malformed(source, opening))
            closing = source.find("}}", opening + 2)
            if closing < 0:
                break
            start = closing + 2
            continue
        name = match["name"]
        default = match["dq"] if match["dq"] is not None else (match["sq"] or "")
        if not is_known(name, custom_keys):
            errors.append(
                located(
                    _("Unknown merge field “%(name)s” at line %(line)d, column %(column)d."),
                    source,
                    opening,
                    name=name,
                )
            )
        elif len(default) > MAX_DEFAULT:
            errors.append(
                located(
                    _(
                        "The fallback at line %(line)d, column %(column)d is longer than "
                        "%(limit)d characters."
                    ),
                    source,
                    opening,
                    limit=MAX_DEFAULT,
                )
            )
        if opening > start:
            parts.append(source[start:opening])
        parts.append(Field(name, default, opening, match.end()))
        start = match.end()
    if errors:
        raise ValidationError(errors)
    if start < len(source):
        parts.append(source[start:])
    return parts


def is_known(name, custom_keys):
    if name.startswith(CUSTOM_PREFIX):
        return name[len(CUSTOM_PREFIX) :] in custom_keys
    return name in FIELDS


def _malformed(source, opening):
    closing = source.find("}}", opening + 2)
    if closing < 0:
        return located(
            _(
                "A merge field starts at line %(line)d, column %(column)d but is not closed "
                "with }}."
            ),
            source,
            opening,
        )
    shown = source[opening : closing + 2]
    if len(shown) > _SHOWN:
        shown = shown[: _SHOWN - 1] + "…"
    return located(
        _(
            "“%(text)s” at line %(line)d, column %(column)d is not a merge field: write "
            '{{ name }} or {{ name | default:"text" }}.'
        ),
        source,
        opening,
        text=shown,
    )


def contact_custom_keys():
    """The keys of the contacts' custom fields (one query)."""
    from clientela.contacts.models import Contact
    from clientela.core import customfields

    return frozenset(d.key for d in customfields.definitions_for(Contact))


def picker_fields():
    """``[(name, label)]`` for the editor's merge-field picker, custom fields included."""
    from clientela.contacts.models import Contact
    from clientela.core import customfields

    custom = [(f"{CUSTOM_PREFIX}{d.key}", d.label) for d in customfields.definitions_for(Contact)]
    return [*FIELDS.items(), *custom]
