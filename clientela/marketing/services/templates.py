"""E-mail templates: write them with their language variants, duplicate, trash, and send a
test message.

A template is saved with all its variants at once (``variants``: one mapping per language).
Each variant is checked as the renderer will read it — lengths, merge fields (unknown ones
refused with their line and column), HTML sanitised — and errors are keyed
``variants.<language>.<field>``. Any change of a variant is a change of the template: a new
version (the renderer's cache key) and a history entry.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clientela.core import records

from ..models import EmailTemplate, EmailTemplateVariant
from ..models.templates import MAX_BODY
from ..rendering import build_message, compile_variant
from ..rendering.fields import LINK_FIELDS, contact_custom_keys

TEMPLATE_FIELDS = ("name", "description", "purpose", "default_language", "owner", "team")
VARIANT_FIELDS = ("language", "subject", "preheader", "body_format", "body")
MAX_TEST_RECIPIENTS = 5


@transaction.atomic
def create_email_template(*, actor, variants, **fields):
    template = EmailTemplate(**_check_fields(fields, TEMPLATE_FIELDS))
    template.created_at = template.updated_at = timezone.now()
    checked = _checked_variants(template, variants)
    with records.track_create(template, actor=actor):
        template.save()
        _write_variants(template, checked)
    return template


@transaction.atomic
def update_email_template(template, *, actor, expected_version=None, variants=None, **fields):
    """Change the template; ``variants`` (when given) is its whole set of languages: those
    left out are removed."""
    template = EmailTemplate.all_objects.select_for_update().get(pk=template.pk)
    fields = _check_fields(fields, TEMPLATE_FIELDS)
    with records.track_update(template, actor=actor, expected_version=expected_version):
        for name, value in fields.items():
            setattr(template, name, value)
        if variants is None:
            variants = list(template.variants.values(*VARIANT_FIELDS))
        checked = _checked_variants(template, variants)
        template.save()
        _write_variants(template, checked)
    return template


@transaction.atomic
def duplicate_email_template(template, *, actor):
    """A copy named "Copy of …", with every variant, owned by ``actor``."""
    name = _("Copy of %(name)s") % {"name": template.name}
    return create_email_template(
        actor=actor,
        name=name[: EmailTemplate._meta.get_field("name").max_length],
        description=template.description,
        purpose=template.purpose,
        default_language=template.default_language,
        owner=actor if getattr(actor, "pk", None) else None,
        team=template.team,
        variants=list(template.variants.values(*VARIANT_FIELDS)),
    )


@transaction.atomic
def delete_email_templates(templates, *, actor):
    return records.soft_delete(templates, actor=actor)


@transaction.atomic
def restore_email_templates(templates, *, actor):
    return records.restore(templates, actor=actor)


@transaction.atomic
def purge_email_templates(templates, *, actor):
    return records.purge(templates, actor=actor)


def preview_links():
    """What the sender's links point at in previews and test messages: the site itself (a
    real campaign signs one per recipient)."""
    base = settings.BASE_URL.rstrip("/") + "/"
    return {name: base for name in LINK_FIELDS}


def send_test_email(rendered, *, actor, to):
    """Send ``rendered`` (a preview) to ``to`` (at most five addresses) through the
    configured mail server, its subject marked as a test. Returns the message."""
    if not to or len(to) > MAX_TEST_RECIPIENTS:
        raise ValidationError(
            {"to": [_("Give one to %(n)d addresses.") % {"n": MAX_TEST_RECIPIENTS}]}
        )
    with translation.override(rendered.language):
        rendered.subject = f"{_('[Test]')} {rendered.subject}"
    message = build_message(
        rendered,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        reply_to=[actor.email] if getattr(actor, "email", "") else None,
    )
    with get_connection() as connection:
        message.connection = connection
        message.send()
    return message


# --- checks -------------------------------------------------------------------------------------


def _check_fields(fields, allowed):
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    return fields


def _checked_variants(template, variants):
    """Unsaved ``EmailTemplateVariant``s, checked; the template's own fields too."""
    errors = {}
    try:
        template.full_clean(exclude=["owner", "team", "tags"], validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    languages = dict(settings.LANGUAGES)
    checked, seen = [], set()
    custom_keys = contact_custom_keys()
    for data in variants:
        unknown = sorted(set(data) - set(VARIANT_FIELDS))
        language = data.get("language")
        if unknown or language not in languages or language in seen:
            errors.setdefault("variants", []).append(
                _("Each variant needs a language of its own (%(list)s) and only its fields.")
                % {"list": ", ".join(languages)}
            )
            continue
        seen.add(language)
        variant = EmailTemplateVariant(
            **{name: data.get(name, "") for name in VARIANT_FIELDS if name in data}
        )
        variant_errors = {}
        try:
            variant.full_clean(exclude=["template"], validate_constraints=False)
        except ValidationError as error:
            variant_errors = error.message_dict
        if len(variant.body or "") > MAX_BODY:  # a TextField's max_length is only for forms
            variant_errors["body"] = [
                _("The text is too long: at most %(limit)s characters (it has %(count)s).")
                % {"limit": f"{MAX_BODY:,}", "count": f"{len(variant.body):,}"}
            ]
        if not variant_errors:
            try:
                variant.body = compile_variant(variant, custom_keys=custom_keys).body
            except ValidationError as error:
                variant_errors = error.message_dict
        for name, messages in variant_errors.items():
            errors[f"variants.{language}.{name}"] = messages
        checked.append(variant)
    if not seen and "variants" not in errors:
        errors["variants"] = [_("Write the e-mail in at least one language.")]
    elif seen and template.default_language not in seen:
        errors.setdefault("default_language", []).append(
            _("Write the e-mail in its default language too.")
        )
    if errors:
        raise ValidationError(errors)
    return checked


def _write_variants(template, checked):
    current = {v.language: v for v in template.variants.all()}
    for variant in checked:
        stored = current.pop(variant.language, None)
        if stored is None:
            variant.template = template
            variant.save()
            continue
        values = {name: getattr(variant, name) for name in VARIANT_FIELDS}
        if any(getattr(stored, name) != value for name, value in values.items()):
            EmailTemplateVariant.objects.filter(pk=stored.pk).update(**values)
    if current:
        EmailTemplateVariant.objects.filter(pk__in=[v.pk for v in current.values()]).delete()
