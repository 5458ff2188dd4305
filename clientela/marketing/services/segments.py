"""Segments: write them, count them, freeze them into lists, keep a list's members.

``segment_contacts(segment)`` is what campaigns, reports and workflow rules read: the live
contacts of a dynamic segment (its rules evaluated now, one query) or the members of a static
list. It is not restricted to anyone's scope: pages and the API narrow it with
``core.permissions.visible`` for the person looking.
"""

import json

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.contacts.models import Contact
from clientela.core import records
from clientela.core import services as core_services

from .. import rules
from ..choices import SegmentEntity, SegmentKind
from ..models import Segment, SegmentMember

SEGMENT_FIELDS = ("name", "description", "kind", "entity", "rules", "owner", "team")
MAX_RULES_JSON = 64 * 1024  # characters of a stored rule tree
MAX_MEMBERS_AT_ONCE = 10_000


def segment_contacts(segment):
    """The contacts of ``segment`` now: a ``QuerySet`` of live contacts, one SQL query."""
    if segment.is_static:
        members = SegmentMember.objects.filter(segment=segment).values("contact_id")
        return Contact.objects.filter(pk__in=members)
    return rules.queryset(segment.entity, segment.rules or rules.empty_tree())


def rule_contacts(tree):
    """The contacts matching a rule tree that is not saved (the builder's live count)."""
    return rules.queryset(SegmentEntity.CONTACT, tree)


def count_segment(segment):
    """How many contacts ``segment`` holds now; kept on the segment for lists (bookkeeping,
    not history)."""
    return remember_count(segment, segment_contacts(segment).count())


def remember_count(segment, count):
    """Keep ``count`` (of every contact ``segment`` holds, counted just now) for lists."""
    now = timezone.now()
    Segment.all_objects.filter(pk=segment.pk).update(cached_count=count, counted_at=now)
    segment.cached_count, segment.counted_at = count, now
    return count


@transaction.atomic
def create_segment(*, actor, tags=(), **fields):
    """A new segment; a dynamic one's rules are checked against the catalogue first."""
    fields = _check_fields(fields)
    segment = Segment(**fields)
    segment.created_at = segment.updated_at = timezone.now()
    _clean(segment)
    tag_objects = core_services.resolve_tags(tags)
    with records.track_create(segment, actor=actor):
        segment.save()
        if tag_objects:
            segment.tags.add(*tag_objects)
    return segment


@transaction.atomic
def update_segment(segment, *, actor, expected_version=None, tags=None, **fields):
    """Change a segment's name, description, rules, owner or team. Its type cannot change:
    a dynamic segment becomes a list by ``freeze_segment``."""
    segment = Segment.all_objects.select_for_update().get(pk=segment.pk)
    fields = _check_fields(fields)
    for name in ("kind", "entity"):
        if name in fields and fields[name] != getattr(segment, name):
            raise ValidationError({name: [_("This cannot be changed once the segment exists.")]})
    with records.track_update(segment, actor=actor, expected_version=expected_version):
        for name, value in fields.items():
            setattr(segment, name, value)
        _clean(segment)
        segment.save()
        if tags is not None:
            segment.tags.set(core_services.resolve_tags(tags))
    return segment


def delete_segments(items, *, actor):
    """Move segments to the trash (a list's members stay with it, for a restore)."""
    return core_services.delete_records(items, actor=actor)


@transaction.atomic
def freeze_segment(segment, *, actor, name=None):
    """A new static list holding whoever matches ``segment`` now (the dynamic segment stays
    as it is). The members are copied by one ``INSERT ... SELECT``."""
    if segment.is_static:
        raise ValidationError(_("This segment is a list already."))
    now = timezone.now()
    default = _("%(name)s (%(date)s)") % {
        "name": segment.name,
        "date": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"),
    }
    frozen = create_segment(
        actor=actor,
        name=(name or default)[:200],
        description=segment.description,
        kind=SegmentKind.STATIC,
        entity=segment.entity,
        owner=actor if getattr(actor, "pk", None) else segment.owner,
        team=segment.team,
    )
    contacts = segment_contacts(segment).order_by().values(member_id=F("pk"))
    sql, params = contacts.query.sql_with_params()
    table = SegmentMember._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (segment_id, contact_id, added_at) "  # noqa: S608
            f"SELECT %s, matching.member_id, %s FROM ({sql}) matching",
            [frozen.pk, now, *params],
        )
    count_segment(frozen)
    return frozen


@transaction.atomic
def add_members(segment, contacts, *, actor):
    """Put ``contacts`` (instances or ids) on a static list; those already on it are left
    alone. Returns how many were added."""
    ids = _contact_ids(segment, contacts)
    existing = set(
        SegmentMember.objects.filter(segment=segment, contact_id__in=ids).values_list(
            "contact_id", flat=True
        )
    )
    live = set(Contact.objects.filter(pk__in=ids).values_list("pk", flat=True))
    new = [pk for pk in ids if pk in live and pk not in existing]
    if new:
        with records.track_update(segment, actor=actor) as tracked:
            SegmentMember.objects.bulk_create(
                [SegmentMember(segment=segment, contact_id=pk) for pk in new],
                batch_size=1000,
                ignore_conflicts=True,
            )
            tracked.add("members_added", None, len(new))
    return len(new)


@transaction.atomic
def remove_members(segment, contacts, *, actor):
    """Take ``contacts`` off a static list. Returns how many were removed."""
    ids = _contact_ids(segment, contacts)
    members = SegmentMember.objects.filter(segment=segment, contact_id__in=ids)
    removed = 0
    if members.exists():
        with records.track_update(segment, actor=actor) as tracked:
            removed, _detail = members.delete()
            tracked.add("members_removed", None, removed)
    return removed


def _contact_ids(segment, contacts):
    if not segment.is_static:
        raise ValidationError(_("Only a static list has members to add or remove."))
    ids = list(dict.fromkeys(getattr(c, "pk", c) for c in contacts))
    if len(ids) > MAX_MEMBERS_AT_ONCE:
        raise ValidationError(_("At most %(n)d contacts at once.") % {"n": MAX_MEMBERS_AT_ONCE})
    if any(not isinstance(pk, int) or isinstance(pk, bool) for pk in ids):
        raise ValidationError(_("Contacts are given by their ids."))
    return ids


def _check_fields(fields):
    unknown = set(fields) - set(SEGMENT_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    return fields


def _clean(segment):
    segment.name = " ".join((segment.name or "").split())
    errors = {}
    if not segment.name:
        errors["name"] = [_("Give the segment a name.")]
    if segment.kind == SegmentKind.STATIC:
        segment.rules = {}
    else:
        try:
            segment.rules = rules.validate(segment.entity, segment.rules or rules.empty_tree())
        except rules.RuleError as error:
            errors.update(error.message_dict)
        else:
            if len(json.dumps(segment.rules)) > MAX_RULES_JSON:
                errors["rules"] = [_("The rules are too long.")]
    if errors:
        raise ValidationError(errors)
    segment.full_clean(exclude=["rules", "owner", "team"], validate_constraints=False)
