"""Settings writes that ``clientela.core.services`` does not cover: team membership, role scope
and access levels, and a user's own interface language.

Users, teams and custom field definitions themselves are written by ``core.services``; the
functions here wrap them where the settings pages need more in the same transaction.
"""

from django.db import transaction

from clientela.core import services
from clientela.core.choices import AccessLevel, Area
from clientela.core.models import User


@transaction.atomic
def create_team(*, actor, members=(), **fields):
    team = services.create_team(actor=actor, **fields)
    team.members.set(members)
    return team


@transaction.atomic
def update_team(team, *, actor, members=None, **fields):
    """``members=None`` leaves the membership as it is."""
    team = services.update_team(team, actor=actor, **fields)
    if members is not None:
        team.members.set(members)
    return team


@transaction.atomic
def update_role(role, *, actor, scope, access):
    """Change a role's record scope and its access level per area (unknown areas dropped)."""
    levels = set(AccessLevel.values)
    role.scope = scope
    role.access = {
        area: level for area, level in access.items() if area in Area.values and level in levels
    }
    role.full_clean()
    role.save(update_fields=["scope", "access"])
    return role


@transaction.atomic
def set_language(user, language):
    """The user's own interface language, stored on the profile."""
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
