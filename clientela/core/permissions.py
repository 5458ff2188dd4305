"""Permissions in one place.

Two questions, asked by every list, detail, search, export, API call and bulk action:

* may this user read / write this *area* at all? (the role's access level, e.g. "contacts")
* which *records* may they see? (the role's scope: own / team / all)

A model names its area in ``permission_area``; records carry ``owner`` and ``team``.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from clientela.core.choices import AccessLevel, RecordScope


def area_of(model):
    return model.permission_area


def _active(user):
    return bool(user and user.is_authenticated and user.is_active)


def can_read(user, area):
    return _active(user) and user.access_level(area) in (
        AccessLevel.READ,
        AccessLevel.WRITE,
    )


def can_write(user, area):
    return _active(user) and user.access_level(area) == AccessLevel.WRITE


def can_manage(user, area):
    """Configure an area for everyone (pipelines, quotas...): write access over all records,
    which the built-in administrator and manager roles have."""
    return can_write(user, area) and scope_of(user) == RecordScope.ALL


def scope_of(user):
    """own / team / all. Teams scope: records owned by a teammate (or the user) or given to one
    of the user's teams. Unassigned records (no owner, no team) are only in the "all" scope."""
    if user.is_admin:
        return RecordScope.ALL
    return user.role.scope if user.role else RecordScope.OWN


def teammate_ids(user):
    """Ids of the users who share a team with ``user`` (including the user)."""
    if not hasattr(user, "_teammate_ids"):
        from clientela.core.models import User

        user._teammate_ids = set(
            User.objects.filter(teams__in=user.team_ids()).values_list("id", flat=True)
        ) | {user.pk}
    return user._teammate_ids


def scope_q(user, owner_field="owner_id", team_field="team_id"):
    """A filter selecting the records in the user's scope, or ``None`` for all records."""
    if not _active(user):
        return Q(**{f"{owner_field}__in": []})
    scope = scope_of(user)
    if scope == RecordScope.ALL:
        return None
    if scope == RecordScope.TEAM:
        return Q(**{f"{owner_field}__in": teammate_ids(user)}) | Q(
            **{f"{team_field}__in": user.team_ids()}
        )
    return Q(**{owner_field: user.pk})


def visible(user, queryset, *, write=False):
    """``queryset`` restricted to what ``user`` may see (or change, with ``write=True``)."""
    area = area_of(queryset.model)
    allowed = can_write(user, area) if write else can_read(user, area)
    if not allowed:
        return queryset.none()
    condition = scope_q(user)
    return queryset if condition is None else queryset.filter(condition)


def in_scope(user, record):
    if not _active(user):
        return False
    scope = scope_of(user)
    if scope == RecordScope.ALL:
        return True
    if scope == RecordScope.TEAM:
        return (record.owner_id is not None and record.owner_id in teammate_ids(user)) or (
            record.team_id is not None and record.team_id in user.team_ids()
        )
    return record.owner_id is not None and record.owner_id == user.pk


def can_view_record(user, record):
    return can_read(user, area_of(type(record))) and in_scope(user, record)


def who_can_view(users, record):
    """Those of ``users`` who may see ``record``: ``can_view_record`` for many people at once
    (a team of two hundred mentioned), with one query for everyone's teams instead of one
    per person. "The owner is a teammate" is "the owner shares a team with them"."""
    from clientela.core.models import User

    users = [u for u in users if can_read(u, area_of(type(record)))]
    teams = {}
    for user_id, team_id in User.teams.through.objects.filter(
        user_id__in=[u.pk for u in users] + [record.owner_id]
    ).values_list("user_id", "team_id"):
        teams.setdefault(user_id, set()).add(team_id)
    owner_teams = teams.get(record.owner_id, set())

    def sees(user):
        scope = scope_of(user)
        if scope == RecordScope.ALL:
            return True
        if record.owner_id == user.pk:
            return True
        if scope == RecordScope.TEAM:
            mine = teams.get(user.pk, set())
            owner_is_mate = record.owner_id is not None and bool(owner_teams & mine)
            return owner_is_mate or record.team_id in mine
        return False

    return [u for u in users if sees(u)]


def can_change_record(user, record):
    return can_write(user, area_of(type(record))) and in_scope(user, record)


def require_change(user, record):
    if not can_change_record(user, record):
        raise PermissionDenied


def require_write(user, area):
    if not can_write(user, area):
        raise PermissionDenied


def can_handle_privacy_requests(user):
    """Export or erase everything about a person: a role with write access to "privacy" and
    every record in its scope (administrators; managers by default). An erasure reaches
    records of every owner, so a narrower scope could not answer a request completely."""
    return can_write(user, "privacy") and scope_of(user) == RecordScope.ALL


def require_privacy_requests(user):
    if not can_handle_privacy_requests(user):
        raise PermissionDenied


def require_settings(user):
    """Users, teams, roles, custom fields: administrators (or roles granted "settings")."""
    require_write(user, "settings")
