"""Small helpers of the public form page."""

from django import template

register = template.Library()


@register.filter
def get_value(mapping, key):
    """``values|get_value:"email"``: a submitted value (or ``""``), for re-showing the form."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def split_words(text):
    return text.split()
