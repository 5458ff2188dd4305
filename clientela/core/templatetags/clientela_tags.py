"""Small template helpers shared by Clientela's pages."""

import math

from django import template
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from clientela.core.markup import esc
from clientela.core.prefetch import related

register = template.Library()


@register.filter
def minutes(duration):
    """A ``timedelta`` as whole minutes, rounded up (for "try again in N minutes")."""
    if duration is None:
        return ""
    return max(1, math.ceil(duration.total_seconds() / 60))


@register.filter(name="related")
def related_rows(record, relation):
    """``record|related:"tags"``: the rows of a to-many relation, prefetched or not."""
    return related(record, relation)


_GROUP_WIDGETS = ("checkboxselectmultiple", "radioselect")


@register.simple_tag
def filter_fields(form):
    """A list's filter fields, written as ``core/records/_field.html`` with ``collapsible``
    writes them, in Python (``core.markup``): an include, a label template and a widget per
    field were a tenth of a list page."""
    return mark_safe("".join(_filter_field(field) for field in form.visible_fields()))  # noqa: S308


def _filter_field(field):
    errors = field.errors
    error_items = "".join(f"<li>{esc(error)}</li>" for error in errors)
    label = esc(field.label)
    if field.widget_type in _GROUP_WIDGETS:
        opened = " open" if field.value() or errors else ""
        help_text = f'<span class="help">{esc(field.help_text)}</span>' if field.help_text else ""
        error_list = f'<ul class="field-errors">{error_items}</ul>' if errors else ""
        return (
            f'<details class="field field-group{" has-error" if errors else ""}"{opened}>'
            f"<summary>{label}</summary><fieldset>"
            f'<legend class="visually-hidden">{label}</legend>{field}</fieldset>'
            f"{help_text}{error_list}</details>"
        )
    checkbox = field.widget_type == "checkbox"
    inputs = f"{field} {_label_tag(field)}" if checkbox else f"{_label_tag(field)} {field}"
    help_text = error_list = ""
    if field.help_text:
        help_text = (
            f'<span class="help" id="{field.auto_id}_helptext">{esc(field.help_text)}</span>'
        )
    if errors:
        error_list = f'<ul class="field-errors" id="{field.auto_id}_error">{error_items}</ul>'
    classes = f"field{' field-check' if checkbox else ''}{' has-error' if errors else ''}"
    return f'<div class="{classes}">{inputs}{help_text}{error_list}</div>'


def _label_tag(field):
    """``field.label_tag()`` without its template."""
    text = field.label
    suffix = field.field.label_suffix
    suffix = field.form.label_suffix if suffix is None else suffix
    if suffix and text and text[-1] not in _(":?.!"):
        text = f"{text}{suffix}"
    widget = field.field.widget
    id_ = widget.attrs.get("id") or field.auto_id
    if not id_:
        return esc(text)
    attrs = {}
    id_for_label = widget.id_for_label(id_)
    if id_for_label:
        attrs["for"] = id_for_label
    if field.field.required and hasattr(field.form, "required_css_class"):
        attrs["class"] = field.form.required_css_class
    return f"<label{flatatt(attrs)}>{esc(text)}</label>"
