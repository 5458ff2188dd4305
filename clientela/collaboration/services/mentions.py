"""``@name`` in a comment: a person by username, or a team by its handle."""

import re

from django.db.models import Q

from clientela.core.models import Team, User

# After a space, a bracket or the start (an e-mail address is not a mention); a name ends on
# a letter or digit, so a full stop after it is the sentence's.
_MENTION = re.compile(r"(?<![\w@.])@(\w(?:[\w.-]*\w)?)")
MAX_MENTIONS = 50


def names_in(text):
    """The names mentioned in ``text``, lower-cased, in order, once each."""
    seen = {}
    for match in _MENTION.finditer(text or ""):
        seen.setdefault(match.group(1).lower(), None)
    return list(seen)[:MAX_MENTIONS]


def resolve(names):
    """``(users, teams)`` named: active users by username, teams by handle."""
    if not names:
        return [], []
    users = list(
        User.objects.filter(is_active=True, username__iregex=_any_of(names)).select_related("role")
    )
    teams = list(Team.objects.filter(handle__iregex=_any_of(names)))
    return users, teams


def _any_of(names):
    return "^(" + "|".join(re.escape(name) for name in names) + ")$"


def members(teams):
    """The active members of ``teams``."""
    if not teams:
        return []
    return list(
        User.objects.filter(is_active=True, teams__in=teams).select_related("role").distinct()
    )


SUGGESTIONS = 8


def suggest(prefix):
    """Up to eight people and teams whose handle or name starts with ``prefix`` (what follows
    the ``@`` being typed): ``[{"handle", "name", "kind"}]``, teams first."""
    prefix = (prefix or "").strip().lstrip("@")[:40]
    if not prefix or not re.fullmatch(r"[\w.-]+", prefix):
        return []
    teams = Team.objects.filter(
        Q(handle__istartswith=prefix) | Q(name__istartswith=prefix)
    ).order_by("handle")[:SUGGESTIONS]
    people = (
        User.objects.filter(is_active=True)
        .filter(
            Q(username__istartswith=prefix)
            | Q(first_name__istartswith=prefix)
            | Q(last_name__istartswith=prefix)
        )
        .only("username", "first_name", "last_name")
        .order_by("username")[:SUGGESTIONS]
    )
    found = [{"handle": t.handle, "name": t.name, "kind": "team"} for t in teams]
    found += [{"handle": u.username, "name": str(u), "kind": "user"} for u in people]
    return found[:SUGGESTIONS]
