"""The Python-rendered widgets of list sidebars give what Django's templates give."""

import re

from django import forms

from clientela.core.widgets import CheckboxList, Dropdown, DropdownMultiple

CHOICES = [("new", "New"), ("open", 'Open <b>"&'), ("x", "")]


def tags_of(html):
    """The tags with their attributes, whitespace aside: what a browser reads."""
    return re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html)).replace("> ", ">")


def test_checkbox_list_matches_django():
    ours = CheckboxList(choices=CHOICES).render("status", ["open"], {"id": "id_status"})
    django = forms.CheckboxSelectMultiple(choices=CHOICES).render(
        "status", ["open"], {"id": "id_status"}
    )
    assert tags_of(ours) == tags_of(django)
    assert "&lt;b&gt;&quot;&amp;" in ours  # labels escaped


def test_dropdowns_match_django():
    grouped = [("Group <1>", [("a", "A"), ("b", "B")]), ("c", "C")]
    for ours, theirs, value in [
        (Dropdown, forms.Select, "open"),
        (DropdownMultiple, forms.SelectMultiple, ["new", "x"]),
        (Dropdown, forms.Select, "b"),
    ]:
        for choices in (CHOICES, grouped):
            attrs = {"id": "id_f", "size": 4}
            assert tags_of(ours(choices=choices).render("f", value, attrs)) == tags_of(
                theirs(choices=choices).render("f", value, attrs)
            )
