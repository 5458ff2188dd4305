"""Writes to core's own objects: users, teams, custom field definitions and tags.

These are settings, not CRM records: no history, but every write still goes through here so that
views, the API and the CLI share the same checks.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clientela.core import customfields, records
from clientela.core.choices import CustomFieldType
from clientela.core.models import CustomField, Tag, Team, User

USER_FIELDS = {"username", "email", "first_name", "last_name", "role", "language", "is_active"}
TEAM_FIELDS = {"name", "handle", "description"}
CUSTOM_FIELD_FIELDS = {
    "content_type",
    "key",
    "label",
    "field_type",
    "required",
    "default",
    "choices",
    "min_value",
    "max_value",
    "max_length",
    "pattern",
    "help_text",
    "position",
}
CHOICE_TYPES = (CustomFieldType.CHOICE, CustomFieldType.MULTI_CHOICE)


def _check_fields(fields, allowed):
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    return fields


def _full_clean(instance, exclude=()):
    instance.full_clean(exclude=list(exclude), validate_constraints=False)


# --- users ---------------------------------------------------------------------------------------


@transaction.atomic
def create_user(*, actor, username, password=None, teams=(), **fields):
    """Create a user. Without ``password`` the user cannot sign in with one until it is set."""
    user = User(username=username, **_check_fields(fields, USER_FIELDS - {"username"}))
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    _full_clean(user, exclude=["password"])
    user.save()
    user.teams.set(teams)
    return user


@transaction.atomic
def update_user(user, *, actor, password=None, teams=None, **fields):
    """Change a user; ``teams=None`` leaves the teams as they are."""
    user = User.objects.select_for_update().get(pk=user.pk)
    for name, value in _check_fields(fields, USER_FIELDS).items():
        setattr(user, name, value)
    if user.pk == actor.pk and not user.is_active:
        raise ValidationError({"is_active": [_("You cannot deactivate yourself.")]})
    if password:
        user.set_password(password)
    _full_clean(user, exclude=["password"])
    user.save()
    if teams is not None:
        user.teams.set(teams)
    return user


@transaction.atomic
def deactivate_user(user, *, actor):
    """Users are never deleted (their history and records keep pointing at them)."""
    if user.pk == actor.pk:
        raise ValidationError({"non_field_errors": [_("You cannot deactivate yourself.")]})
    if user.is_active:
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.is_active = False
    return user


# --- teams ---------------------------------------------------------------------------------------


@transaction.atomic
def create_team(*, actor, **fields):
    team = Team(**_check_fields(fields, TEAM_FIELDS))
    _full_clean(team)
    team.save()
    return team


@transaction.atomic
def update_team(team, *, actor, **fields):
    team = Team.objects.select_for_update().get(pk=team.pk)
    for name, value in _check_fields(fields, TEAM_FIELDS).items():
        setattr(team, name, value)
    _full_clean(team)
    team.save()
    return team


@transaction.atomic
def delete_team(team, *, actor):
    """Records of the team keep their owner; their team becomes empty."""
    team.delete()


# --- custom fields -------------------------------------------------------------------------------


def _clean_custom_field(definition):
    errors = {}
    if definition.field_type in CHOICE_TYPES:
        if not definition.choices:
            errors["choices"] = [_("Give at least one option.")]
        elif len(set(definition.choices)) != len(definition.choices):
            errors["choices"] = [_("The options must be different.")]
    elif definition.choices:
        errors["choices"] = [_("Only choice fields have options.")]
    if definition.pattern:
        try:
            re.compile(definition.pattern)
        except re.error:
            errors["pattern"] = [_("This is not a valid regular expression.")]
    if (
        definition.min_value is not None
        and definition.max_value is not None
        and definition.min_value > definition.max_value
    ):
        errors["max_value"] = [_("The maximum is below the minimum.")]
    if not errors and definition.default is not None:
        try:
            definition.default = customfields.clean_value(definition, definition.default)
        except ValidationError as error:
            errors["default"] = error.messages
    try:
        _full_clean(definition, exclude=["default", "choices"])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_custom_field(*, actor, **fields):
    definition = CustomField(**_check_fields(fields, CUSTOM_FIELD_FIELDS))
    if CustomField.objects.filter(
        content_type=definition.content_type, key=definition.key
    ).exists():
        raise ValidationError({"key": [_("This record type already has a field with this key.")]})
    _clean_custom_field(definition)
    definition.save()
    return definition


@transaction.atomic
def update_custom_field(definition, *, actor, **fields):
    """Change a definition. Its record type, key and type stay: values are stored under them."""
    definition = CustomField.objects.select_for_update().get(pk=definition.pk)
    fixed = {
        "content_type": definition.content_type,
        "key": definition.key,
        "field_type": definition.field_type,
    }
    changed = [name for name, value in fields.items() if name in fixed and value != fixed[name]]
    if changed:
        message = _("This cannot be changed once the field exists.")
        raise ValidationError(
            {("record_type" if name == "content_type" else name): [message] for name in changed}
        )
    for name, value in _check_fields(fields, CUSTOM_FIELD_FIELDS).items():
        setattr(definition, name, value)
    _clean_custom_field(definition)
    definition.save()
    return definition


@transaction.atomic
def delete_custom_field(definition, *, actor):
    """Remove a definition; stored values stay in the records' JSON, no longer shown."""
    definition.delete()


# --- tags ----------------------------------------------------------------------------------------


@transaction.atomic
def create_tag(*, actor, name, color=None):
    tag = Tag(name=name.strip())
    if color:
        tag.color = color.lower()
    _full_clean(tag)
    tag.save()
    return tag


def resolve_tags(names, *, create=True):
    """Tag objects for the given names (or Tag instances), in order, without duplicates.

    Missing tags are created (or, with ``create=False``, skipped); a fixed number of queries
    whatever the number of names.
    """
    wanted = []
    for item in names:
        name = item.name if isinstance(item, Tag) else str(item).strip()[:50]
        if name and name not in wanted:
            wanted.append(name)
    if not wanted:
        return []
    found = {t.name: t for t in Tag.objects.filter(name__in=wanted)}
    missing = [n for n in wanted if n not in found]
    if missing and create:
        Tag.objects.bulk_create([Tag(name=n) for n in missing], ignore_conflicts=True)
        found.update({t.name: t for t in Tag.objects.filter(name__in=missing)})
    return [found[n] for n in wanted if n in found]


# --- what every CRM record shares: trash and bulk actions ----------------------------------------


@transaction.atomic
def delete_records(items, *, actor):
    """Move records (of any ``CrmRecord`` model) to the trash."""
    return records.soft_delete(items, actor=actor)


@transaction.atomic
def restore_records(items, *, actor):
    return records.restore(items, actor=actor)


@transaction.atomic
def purge_records(items, *, actor):
    """Delete trashed records for good (from the trash page or the retention job)."""
    return records.purge(items, actor=actor)


@transaction.atomic
def assign_records(items, *, actor, owner=None, team=None, set_owner=True, set_team=False):
    """Bulk-assign an owner and/or a team."""
    values = {}
    if set_owner:
        values["owner"] = owner
    if set_team:
        values["team"] = team
    return records.bulk_set(items, actor=actor, **values) if values else []


@transaction.atomic
def tag_records(items, *, actor, add=(), remove=()):
    """Add and remove tags on many records (removing a tag that does not exist is a no-op)."""
    return records.bulk_tag(
        items, actor=actor, add=resolve_tags(add), remove=resolve_tags(remove, create=False)
    )
