"""Handoffs: a record handed to another owner or department (team) with a note — a won
customer from Sales to Service, a case from the first line to billing. The record's owner and
team change through ``core.records`` (history, event); the handoff itself stays on the record's
trail, in its feed, and is told to the new owner (or, given to a team alone, to its members
who may see it). Whoever handed it over keeps following it."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clientela.core import permissions, records
from clientela.core.models import Team, User

from ..choices import FeedVerb, FollowReason, NotificationKind
from ..models import MAX_BODY, Handoff
from . import changes, feed, follows, notifications


def handoffs_of(record):
    """The record's handoffs, oldest first."""
    content_type = ContentType.objects.get_for_model(type(record))
    return Handoff.objects.filter(content_type=content_type, object_id=record.pk).order_by("id")


def candidates():
    """``{"people": {id: user}, "teams": {id: team}}`` a record may be handed to (ids as
    strings, as a form sends them)."""
    people = User.objects.filter(is_active=True).only("username", "first_name", "last_name")
    return {
        "people": {str(u.pk): u for u in people},
        "teams": {str(t.pk): t for t in Team.objects.all()},
    }


@transaction.atomic
def hand_over(record, *, actor, note, to_owner=None, to_team=None):
    """Give ``record`` to ``to_owner`` and/or ``to_team`` with ``note``; returns the
    ``Handoff``. Raises ``PermissionDenied`` when ``actor`` may not change the record and
    ``ValidationError`` (per field) when the handoff makes no sense."""
    if not permissions.can_change_record(actor, record):
        raise PermissionDenied
    record = type(record).objects.select_for_update().get(pk=record.pk)
    _check(record, note, to_owner, to_team)
    handoff = Handoff.objects.create(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=record.pk,
        by=actor,
        from_owner_id=record.owner_id,
        to_owner=to_owner,
        from_team_id=record.team_id,
        to_team=to_team,
        note=note.strip(),
    )
    previous_owner = record.owner
    values = {"owner": to_owner} if to_owner else {}
    values |= {"team": to_team} if to_team else {}
    with changes.assignments_told_elsewhere():
        records.bulk_set([record], actor=actor, **values)
    follows.follow_all(
        record,
        [u for u in (actor, previous_owner) if u and u != to_owner],
        reason=FollowReason.HANDED_OVER,
    )
    feed.add(record, FeedVerb.HANDOFF, actor=actor, detail=handoff.note)
    told = [to_owner] if to_owner else list(to_team.members.filter(is_active=True))
    notifications.notify(
        [u.pk for u in permissions.who_can_view(told, record)],
        kind=NotificationKind.HANDOFF,
        actor=actor,
        record=record,
        text=handoff.note,
    )
    return handoff


def _check(record, note, to_owner, to_team):
    errors = {}
    if not note or not note.strip():
        errors["note"] = _("Say what the next person needs to know.")
    elif len(note) > MAX_BODY:
        errors["note"] = _("Keep the note under %(max)d characters.") % {"max": MAX_BODY}
    if to_owner is None and to_team is None:
        errors["to_owner"] = _("Choose the new owner, the new team or both.")
    elif to_owner is not None and not to_owner.is_active:
        errors["to_owner"] = _("This person can no longer sign in.")
    elif to_owner is not None and not permissions.can_read(
        to_owner, permissions.area_of(type(record))
    ):
        errors["to_owner"] = _("This person may not open this kind of record.")
    elif (
        to_owner is not None
        and to_owner.pk == record.owner_id
        and (to_team is None or to_team.pk == record.team_id)
    ):
        errors["to_owner"] = _("It is already theirs.")
    elif to_owner is None and to_team.pk == record.team_id:
        errors["to_team"] = _("It is already this team's.")
    if errors:
        raise ValidationError(errors)
