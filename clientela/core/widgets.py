"""Widgets written in Python where Django renders a template per option: a list page's filter
sidebar shows dozens of checkboxes and options on every request, and rendering each through
the template engine cost more than the page's queries. The markup is that of Django's own
templates."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


def _groups(widget):
    """``(group name or None, [options])`` of a widget's context."""
    return [(group, options) for group, options, _index in widget["optgroups"]]


class CheckboxList(forms.CheckboxSelectMultiple):
    """A ``<div>`` per option, the input inside its label."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        outer = {k: widget["attrs"][k] for k in ("id", "class") if widget["attrs"].get(k)}
        options = [option for _group, group in _groups(widget) for option in group]
        items = format_html_join(
            "",
            '<div>\n    <label{}><input type="{}" name="{}" value="{}"{}> {}</label></div>',
            (
                (
                    flatatt({"for": o["attrs"]["id"]} if o["attrs"].get("id") else {}),
                    o["type"],
                    o["name"],
                    o["value"],
                    flatatt(o["attrs"]),
                    o["label"],
                )
                for o in options
            ),
        )
        return format_html("<div{}>{}\n</div>", flatatt(outer), items)


class _Options:
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group, options in _groups(widget):
            items = format_html_join(
                "",
                '\n  <option value="{}"{}>{}</option>',
                ((o["value"], flatatt(o["attrs"]), o["label"]) for o in options),
            )
            parts.append(
                format_html('<optgroup label="{}">{}</optgroup>', group, items) if group else items
            )
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            format_html_join("", "{}", ((p,) for p in parts)),
        )


class Dropdown(_Options, forms.Select):
    pass


class DropdownMultiple(_Options, forms.SelectMultiple):
    pass
