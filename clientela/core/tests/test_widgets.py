"""The Python-rendered widgets and fields of list sidebars give what Django's templates give."""

import re

import pytest
from django import forms
from django.template import Context, Template
from django.test.html import parse_html

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


class SidebarForm(forms.Form):
    required_css_class = "required"

    q = forms.CharField(label="Search <all>", help_text="Words & names", required=False)
    ready = forms.BooleanField(label="Ready?", required=False)
    status = forms.MultipleChoiceField(
        choices=CHOICES, widget=forms.CheckboxSelectMultiple, help_text="Any <of them>"
    )
    kind = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect, required=False)
    listed = forms.MultipleChoiceField(choices=CHOICES, widget=CheckboxList, required=False)
    since = forms.DateField(label="Since", required=True)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)


FIELD_TEMPLATE = (
    '{% for field in form.visible_fields %}{% include "core/records/_field.html" with '
    "collapsible=True %}{% endfor %}"
)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"q": "<script>", "ready": "on", "status": ["open"], "kind": "new", "since": "nope"},
        {"listed": ["new", "x"], "since": "2026-01-02"},
    ],
)
def test_filter_fields_match_the_field_template(data):
    form = SidebarForm(data or None)
    form.is_valid()
    context = Context({"form": form})

    ours = Template("{% load clientela_tags %}{% filter_fields form %}").render(context)
    theirs = Template(FIELD_TEMPLATE).render(context)

    assert parse_html(ours) == parse_html(theirs)
    assert "<script>" not in ours
