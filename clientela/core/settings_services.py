"""Settings writes that ``clientela.core.services`` does not cover: team membership, role scope
and access levels, a user's own interface language, and unlocking a locked-out user.

Users, teams and custom field definitions themselves are written by ``core.services``; the
functions here wrap them where the settings pages need more in the same transaction.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clientela.core import services
from clientela.core.choices import AccessLevel, Area
from clientela.core.models import User

logger = logging.getLogger(__name__)


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


def is_locked_out(user):
    """Whether failed sign-ins have locked ``user`` out right now (django-axes' records)."""
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt

    attempts = AccessAttempt.objects.filter(
        username=user.username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    )
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.exists()


@transaction.atomic
def unlock_user(user, *, actor):
    """Forget the failed sign-ins of ``user`` (from any address), so they can sign in again at
    once instead of waiting for the lockout to pass. Returns how many records were cleared."""
    from axes.utils import reset

    cleared = reset(username=user.username)
    logger.info("sign-in unlocked", extra={"user_id": user.pk, "actor_id": actor.pk})
    return cleared
