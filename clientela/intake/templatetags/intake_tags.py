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


@register.inclusion_tag("intake/_mail_attachments.html")
def mail_attachments(activity):
    """The files that came with a captured e-mail (the page already checked the reader may
    see the activity; each download checks again)."""
    if activity.kind != "email":
        return {"attachments": []}
    return {"attachments": list(activity.mail_attachments.all())}
