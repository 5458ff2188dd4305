"""Choosing one record among very many (a contact's company among 100,000) without listing them.

A ``<select>`` renders every choice; a picker renders a text box, a hidden id and an empty
suggestion list that ``clientela.js`` fills from the global search (``core:search_suggest``
with ``entity=<name>``). Choosing a suggestion fills the hidden id. Without JavaScript, or when
the user types a name without choosing, the field resolves the typed text on submit:

* the hidden id is set and the text still names that record: that record;
* the text is empty: nothing (an optional field) or "required";
* otherwise the one record of the queryset whose name equals the text, ignoring case and
  accents (see ``RecordChoiceField``); none or several are field errors that keep what the
  user typed.

An id outside the field's queryset is never accepted ("Select a valid choice."). Neither
rendering nor resolving reads more than a few rows, whatever the size of the table.
"""

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from clientela.core import permissions, search
from clientela.core.text import normalize, sort_key

SEARCH_SUFFIX = "_search"  # the text box is posted as "<name>_search", the id as "<name>"
MAX_MATCHES = 20  # rows read to tell one match from several: two already make it ambiguous
SHOWN_CHARACTERS = 60  # of the typed text, quoted back in an error message
_LOOKUP_ERRORS = (ValueError, TypeError, OverflowError, ValidationError)


class RecordPickerWidget(forms.Widget):
    """A combobox text box (``<name>_search``), a hidden id (``<name>``), an empty listbox and a
    polite status region, as in the header search. ``RecordChoiceField`` sets ``queryset``,
    ``name_field`` and ``entity``; rendering reads at most the one record the value names."""

    template_name = "core/widgets/record_picker.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.queryset = None
        self.name_field = "name"
        self.entity = None

    # --- data in --------------------------------------------------------------------------------

    def value_from_datadict(self, data, files, name):
        # ``text`` is None when no text box was posted (a client sending the id alone).
        return {"id": data.get(name, ""), "text": data.get(name + SEARCH_SUFFIX)}

    def value_omitted_from_data(self, data, files, name):
        return name not in data and name + SEARCH_SUFFIX not in data

    def id_for_label(self, id_):
        # The label names the text box: that is what a person reads and types into.
        return f"{id_}{SEARCH_SUFFIX}" if id_ else id_

    # --- data out -------------------------------------------------------------------------------

    def record(self, record_id):
        """The record of the queryset with this id, or None (hostile or unknown ids too)."""
        if self.queryset is None or record_id in (None, ""):
            return None
        try:
            return self.queryset.filter(pk=record_id).first()
        except _LOOKUP_ERRORS:
            return None

    def label(self, record):
        return str(getattr(record, self.name_field))

    def current(self, value):
        """``(id, text)`` to show: what was posted, or the record an initial value names."""
        if isinstance(value, dict):
            record_id, text = value.get("id"), value.get("text")
            record = self.record(record_id) if record_id else None
            if text is None:
                text = self.label(record) if record else ""
            # Keep the id only while the text still names its record; the typed text decides.
            if record is None or normalize(self.label(record)) != normalize(text):
                return "", text
            return record.pk, text
        if hasattr(value, "_meta"):
            return value.pk, self.label(value)
        record = self.record(value)
        return (record.pk, self.label(record)) if record else ("", "")

    def entity_name(self):
        if self.entity or self.queryset is None:
            return self.entity or ""
        model = self.queryset.model
        return next((e.name for e in search.entities().values() if e.model is model), "")

    def max_length(self):
        try:
            return self.queryset.model._meta.get_field(self.name_field).max_length
        except (AttributeError, FieldDoesNotExist):
            return None

    def format_value(self, value):
        return None  # both inputs' values come from ``current``

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        record_id, text = self.current(value)
        base_id = widget["attrs"].get("id") or f"picker_{name}"
        listbox_id, status_id = f"{base_id}_listbox", f"{base_id}_status"
        entity = self.entity_name()
        # Without a search entity there is nothing to suggest (False drops the attribute):
        # typing a name still works.
        suggest_url = (
            f"{reverse('core:search_suggest')}?{urlencode({'entity': entity})}" if entity else False
        )
        search_attrs = {
            **widget["attrs"],
            "id": f"{base_id}{SEARCH_SUFFIX}",
            "role": "combobox",
            "autocomplete": "off",
            "aria-autocomplete": "list",
            "aria-expanded": "false",
            "aria-controls": listbox_id,
            "data-suggest-url": suggest_url,
            "data-picker-value": base_id,
            "data-status-id": status_id,
        }
        if self.max_length():
            search_attrs.setdefault("maxlength", self.max_length())
        widget.update(
            {
                "value": "" if record_id is None else str(record_id),
                "hidden_id": base_id,
                "search": {"name": name + SEARCH_SUFFIX, "value": text, "attrs": search_attrs},
                "listbox_id": listbox_id,
                "status_id": status_id,
            }
        )
        return context


class RecordChoiceField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` rendered as a ``RecordPickerWidget``, resolving typed names.

    ``name_field`` is the column shown and typed (``"name"``). ``sort_key_field`` optionally
    names an indexed column holding ``text.sort_key(name)`` (``"sort_name"``): typed names are
    then looked up through it, ignoring case and accents; otherwise through
    ``<name_field>__iexact`` (fine for small tables; accents then count). ``entity`` is the
    search entity suggested (default: the one registered for the queryset's model; none, no
    suggestions). Override the ``not_found`` and ``ambiguous`` messages to name the kind of
    record.
    """

    widget = RecordPickerWidget
    default_error_messages = {
        "not_found": _(
            "Nothing called “%(text)s” that you can see. Choose one from the suggestions."
        ),
        "ambiguous": _("Several records are called “%(text)s”; choose one from the suggestions."),
    }

    def __init__(self, queryset, *, name_field="name", sort_key_field=None, entity=None, **kw):
        self.name_field = name_field
        self.sort_key_field = sort_key_field
        super().__init__(queryset, **kw)
        self.widget.name_field = name_field
        self.widget.entity = entity

    def _set_queryset(self, queryset):
        # Never ``widget.choices``: a picker must not be able to list its records.
        self._queryset = None if queryset is None else queryset.all()
        self.widget.queryset = self._queryset

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def label_from_instance(self, obj):
        return str(getattr(obj, self.name_field))

    def to_python(self, value):
        if not isinstance(value, dict):  # a bare id: initial data, or code calling clean()
            return super().to_python(value)
        record_id, text = value.get("id"), value.get("text")
        if text is None:  # only the id was posted: it alone decides
            return super().to_python(record_id)
        text = " ".join(str(text).split())
        if not text:
            return None
        self.validate_no_null_characters(text)  # PostgreSQL refuses them in a query
        if record_id not in self.empty_values:
            record = super().to_python(record_id)  # refuses any id outside the queryset
            if normalize(self.label_from_instance(record)) == normalize(text):
                return record
        return self.resolve(text)

    def resolve(self, text):
        """The one record of the queryset named ``text`` (case and accents aside)."""
        wanted = normalize(text)
        matches = [
            record
            for record in self.candidates(text)[:MAX_MATCHES]
            if normalize(self.label_from_instance(record)) == wanted
        ]
        if len(matches) == 1:
            return matches[0]
        code = "ambiguous" if matches else "not_found"
        raise ValidationError(
            self.error_messages[code],
            code=code,
            params={"text": Truncator(text).chars(SHOWN_CHARACTERS)},
        )

    def candidates(self, text):
        """A small superset of the records named ``text``, read through an index."""
        if not self.sort_key_field:
            return self.queryset.filter(**{f"{self.name_field}__iexact": text})
        length = self.queryset.model._meta.get_field(self.sort_key_field).max_length
        key = sort_key(text, length)
        # The sort key keeps "ñ" apart from "n" ("n\x7f"); typed "Muñoz" also finds "Munoz",
        # which ``normalize`` (what decides) treats as the same name.
        keys = {key, key.replace("\x7f", "")}
        return self.queryset.filter(**{f"{self.sort_key_field}__in": keys})

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        try:
            value = self.to_python(data)
        except ValidationError:
            return True
        initial = self.prepare_value(initial)
        return str("" if initial is None else initial) != str(value.pk if value else "")


class SearchedChoiceField(RecordChoiceField):
    """A picker whose typed names (without JavaScript) are looked up through the search index:
    contacts have no single name column, deals no index on theirs."""

    def __init__(self, model, entity, name_field, **kwargs):
        self.model = model
        kwargs.setdefault("required", False)
        super().__init__(model.objects.none(), name_field=name_field, entity=entity, **kwargs)

    def candidates(self, text):
        return self.queryset.filter(pk__in=search.matching_ids(self.model, text))[:MAX_MATCHES]


def visible_or_current(user, model, current_id):
    """The records of ``model`` ``user`` may link to; the current one stays acceptable even when
    it is out of their scope."""
    return model.all_objects.filter(
        Q(pk__in=permissions.visible(user, model.objects.all()).values("pk"))
        | Q(pk=current_id or 0)
    )
