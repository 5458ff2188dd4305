"""Turning a file's cell text into field values, the way the services would take them.

The parsers are shared by every kind of import; each raises ``ValidationError`` with a message
a person can act on. Choice fields accept the stored value or its label in English, Spanish or
Catalan ("customer", "Cliente", "Client").
"""

import re
from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from clientela.core.models import Team, User
from clientela.core.spreadsheet import uncell
from clientela.core.text import normalize
from clientela.intake.services.leads import parse_amount

LANGUAGES = ("en", "es", "ca")
_LIST_SEPARATORS = re.compile(r"\s*[;,]\s*")
_EMAIL_SEPARATORS = re.compile(r"[\s;,]+")
_DAY_FIRST = re.compile(
    r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)


def text(raw):
    """A cell as text: stripped, with a defused spreadsheet formula restored."""
    return uncell((raw or "").strip())


def split_list(raw):
    return [part for part in _LIST_SEPARATORS.split(raw) if part]


def split_emails(raw):
    return [part for part in _EMAIL_SEPARATORS.split(raw) if part]


def split_phones(raw):
    return [part.strip() for part in re.split(r"[;/]", raw) if part.strip()]


def check_length(model, name, value):
    limit = model._meta.get_field(name).max_length
    if limit and len(value) > limit:
        raise ValidationError(
            _("At most %(limit)d characters (this has %(count)d).")
            % {"limit": limit, "count": len(value)}
        )
    return value


class Choices:
    """Stored values and labels (in every language) of one choice field, normalised."""

    def __init__(self, model, name):
        self.values = {}
        choices = model._meta.get_field(name).choices or []
        for value, label in choices:
            self.values[normalize(value)] = value
            for language in LANGUAGES:
                with translation.override(language):
                    self.values.setdefault(normalize(str(label)), value)

    def parse(self, raw):
        value = self.values.get(normalize(raw))
        if value is None:
            raise ValidationError(_("“%(value)s” is not one of the choices.") % {"value": raw[:50]})
        return value


def parse_when(raw):
    """An aware datetime from ISO text ("2024-05-01T10:00:00+02:00", "2024-05-01 10:00",
    "2024-05-01") or the day-first form Spanish spreadsheets write ("01/05/2024 10:00");
    naive values are in the site's time zone, a date alone is noon."""
    when = None
    try:
        when = parse_datetime(raw)
        if when is None and (day := parse_date(raw)) is not None:
            when = datetime.combine(day, time(12))
        if when is None and (match := _DAY_FIRST.fullmatch(raw)):
            d, m, y, hh, mm, ss = match.groups()
            when = datetime(int(y), int(m), int(d), int(hh or 12), int(mm or 0), int(ss or 0))
    except ValueError:
        when = None
    if when is None:
        raise ValidationError(_("Enter a date (2024-05-31 or 31/05/2024)."))
    return timezone.make_aware(when) if timezone.is_naive(when) else when


def parse_day(raw):
    return timezone.localtime(parse_when(raw)).date()


def parse_decimal(raw):
    try:
        return parse_amount(raw)
    except ValueError as error:
        raise ValidationError(_("Enter an amount (1234.50 or 1.234,50).")) from error


_countries = {}


def country_code(raw):
    """An ISO 3166 code from a code ("ES", "ESP") or a name in English, Spanish or Catalan
    ("Spain", "España", "Espanya")."""
    if not _countries:
        _load_countries()
    code = _countries.get(normalize(raw))
    if code is None:
        raise ValidationError(_("Unknown country “%(value)s”.") % {"value": raw[:50]})
    return code


def _load_countries():
    import gettext

    import pycountry

    names = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language]).gettext
        for language in ("es", "ca")
    ]
    for country in pycountry.countries:
        english = [getattr(country, a, "") for a in ("name", "common_name", "official_name")]
        local = [translate(country.name) for translate in names]
        for name in [country.alpha_2, country.alpha_3, *english, *local]:
            if name:
                _countries.setdefault(normalize(name), country.alpha_2)
    _countries.update({"uk": "GB", "usa": "US", "eeuu": "US", "ee uu": "US"})


SURNAME_PARTICLES = {"de", "del", "la", "las", "los", "y", "i", "da", "das", "do", "dos", "van"}


def split_surnames(raw):
    """First and second surname: "García López" -> ("García", "López"); particles stay with
    the surname they introduce: "Pérez de la Fuente" -> ("Pérez", "de la Fuente")."""
    groups, current = [], []
    for word in raw.split():
        current.append(word)
        if word.lower() not in SURNAME_PARTICLES:
            groups.append(" ".join(current))
            current = []
    if current:
        if groups:
            groups[-1] += " " + " ".join(current)
        else:
            groups.append(" ".join(current))
    if not groups:
        return "", ""
    return groups[0], " ".join(groups[1:])


def split_full_name(raw):
    """First name and surnames from "Ana García López" (the first word is the first name)."""
    words = raw.split()
    if len(words) < 2:
        return raw.strip(), "", ""
    return (words[0], *split_surnames(" ".join(words[1:])))


class People:
    """Users and teams named in a file (by user name or e-mail; team name or handle), looked
    up once per import."""

    def __init__(self):
        self.users, self.teams = {}, {}

    def user(self, raw):
        key = raw.lower()
        if key not in self.users:
            field = "email__iexact" if "@" in raw else "username__iexact"
            self.users[key] = User.objects.filter(is_active=True, **{field: raw}).first()
        if self.users[key] is None:
            raise ValidationError(_("No active user %(name)s.") % {"name": raw[:100]})
        return self.users[key]

    def team(self, raw):
        key = raw.lower()
        if key not in self.teams:
            self.teams[key] = (
                Team.objects.filter(name__iexact=raw).first()
                or Team.objects.filter(handle__iexact=raw.lstrip("@")).first()
            )
        if self.teams[key] is None:
            raise ValidationError(_("No team %(name)s.") % {"name": raw[:100]})
        return self.teams[key]
