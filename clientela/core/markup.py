"""Markup for the rows of long lists, built in Python.

Fifty rows of ``format_html`` (a lazy-argument check and a ``SafeString`` per piece) and two
``reverse`` each were a measurable share of a list page; these helpers do the same escaping
with plain strings and reverse a URL once per list.
"""

import html

from django.urls import reverse

_MARKER = 918_273_645  # a primary key no URL pattern contains by chance


def esc(value):
    """``value`` as ``conditional_escape`` writes it: what is already markup as it is, the rest
    escaped (``&``, ``<``, ``>`` and both quotes)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def pk_url(name):
    """``pk -> reverse(name, args=[pk])`` for a URL whose only argument is a primary key,
    reversed once."""
    head, _marker, tail = reverse(name, args=[_MARKER]).partition(str(_MARKER))
    return lambda pk: f"{head}{int(pk)}{tail}"
