"""Generic pages for ``CrmRecord`` models: list, detail, create/edit, delete/restore/purge, trash.

A domain app subclasses these views and names its model, filterset, templates, URL prefix and
services; the views keep the rules every record page shares:

* every queryset goes through ``core.permissions`` (out-of-scope records are 404, writes by
  users without write access are 403);
* lists are keyset-paginated (``core.pagination.paginate``), never counted, and cost a constant
  number of queries;
* every write goes through the app's services, with the form's ``version`` as the expected
  version, so a concurrent edit is reported instead of overwritten.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseBadRequest, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from clientela.core import customfields, exports, permissions
from clientela.core.choices import ChangeAction, ChangeSource, Sharing
from clientela.core.choices import CustomFieldType as T
from clientela.core.filtersets import owner_choices
from clientela.core.history import history_for
from clientela.core.models import SavedView, Team, User
from clientela.core.pagination import InvalidCursor, paginate
from clientela.core.prefetch import prefetched
from clientela.core.records import StaleRecord
from clientela.core.widgets import CheckboxList, Dropdown, DropdownMultiple

# Keyset-friendly orderings only: non-null, indexed columns ending with the id.
SORTS = {
    "name": (gettext_lazy("Name"), ("sort_name", "id")),
    "newest": (gettext_lazy("Newest"), ("-created_at", "-id")),
    "updated": (gettext_lazy("Recently updated"), ("-updated_at", "-id")),
}
MAX_BULK_IDS = 500
CUSTOM_PREFIX = "cf_"
# Query-string keys that position a page rather than select rows (not part of a saved view).
POSITION_KEYS = ("cursor",)


# --- small helpers ------------------------------------------------------------------------------


def safe_next(request, default):
    """The ``next`` URL of a POST if it points back into this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def filter_query(query_string):
    """A list's query string without position keys, normalised (saved views, export links)."""
    data = QueryDict(query_string.lstrip("?"), mutable=True)
    for key in POSITION_KEYS:
        data.pop(key, None)
    pairs = [(k, v) for k in sorted(data) for v in data.getlist(k) if v != ""]
    return urlencode(pairs)


def parse_ids(values, limit=MAX_BULK_IDS):
    ids = []
    for value in values[:limit]:
        if str(value).isdigit():
            ids.append(int(value))
    return ids


def page_links(request, page, param="cursor"):
    """Query strings of the next/previous pages, keeping every other parameter."""

    def link(cursor):
        if not cursor:
            return None
        data = request.GET.copy()
        data[param] = cursor
        return f"?{data.urlencode()}"

    return {"next": link(page.next_cursor), "previous": link(page.previous_cursor)}


def page_or_first(queryset, ordering, cursor, page_size):
    """A keyset page; a broken or stale cursor falls back to the first page."""
    try:
        return paginate(queryset, ordering, cursor, page_size)
    except InvalidCursor:
        return paginate(queryset, ordering, None, page_size)


# --- base mixin ----------------------------------------------------------------------------------


class RecordViewMixin(LoginRequiredMixin):
    """What every record view knows: the model, its permission area and its URL names.

    ``url_prefix`` is e.g. ``"contacts:contact"``; actions are ``<prefix>_list``, ``_detail``...
    """

    model = None
    url_prefix = ""

    @property
    def area(self):
        return permissions.area_of(self.model)

    def url_name(self, action):
        return f"{self.url_prefix}_{action}"

    def url(self, action, *args):
        return reverse(self.url_name(action), args=args)

    def require_read(self):
        if not permissions.can_read(self.request.user, self.area):
            raise PermissionDenied

    def require_write(self):
        permissions.require_write(self.request.user, self.area)

    def visible(self, queryset=None, *, write=False):
        queryset = self.model.objects.all() if queryset is None else queryset
        return permissions.visible(self.request.user, queryset, write=write)

    def get_visible_record(self, pk, queryset=None):
        """The record if the user may see it (trashed ones only from a trashed queryset)."""
        self.require_read()
        return get_object_or_404(self.visible(queryset), pk=pk)

    def get_changeable_record(self, pk, queryset=None):
        """404 when out of scope, 403 when visible but not changeable (e.g. read-only role)."""
        record = self.get_visible_record(pk, queryset)
        permissions.require_change(self.request.user, record)
        return record

    def common_context(self):
        return {
            "model_meta": self.model._meta,
            "url_prefix": self.url_prefix,
            "can_write": permissions.can_write(self.request.user, self.area),
            "list_url": self.url("list"),
            "create_url": self.url("create"),
        }


# --- lists ---------------------------------------------------------------------------------------


def custom_filter_field(definition):
    """A form field for ``?cf_<key>=`` on a list (one value; yes/no as a choice)."""
    common = {"label": definition.label, "required": False}
    if definition.field_type in (T.CHOICE, T.MULTI_CHOICE):
        return forms.ChoiceField(
            choices=[("", _("Any"))] + [(c, c) for c in definition.choices], **common
        )
    if definition.field_type == T.BOOLEAN:
        return forms.ChoiceField(
            choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))], **common
        )
    if definition.field_type == T.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    return forms.CharField(max_length=200, **common)


def listed_choices(field):
    """A choice field's choices as a list. A model choice field reads its queryset with
    ``iterator()``, which on PostgreSQL opens a server-side cursor: three round trips
    (declare, fetch, close) for a list of a few rows instead of one query."""
    if not isinstance(field, forms.ModelChoiceField):
        return list(field.choices)
    iterator = field.iterator(field)
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    return [*empty, *(iterator.choice(obj) for obj in field.queryset.all())]


def filter_form_for_display(filterset, definitions, *, people, teams):
    """The filterset's form, made friendly for a sidebar: choice lists as checkboxes, the owner
    and team as selects of ``people`` and ``teams`` (already loaded for the bulk actions), and
    the custom fields appended. The filterset itself (shared with the API) is left untouched;
    only this form instance's widgets change."""
    form = filterset.form
    for name, field in form.fields.items():
        if name == "owner":
            field.widget = Dropdown(choices=[("", _("Anyone")), *owner_choices(people)])
        elif name == "team":
            field.widget = Dropdown(choices=[("", _("Any")), *((str(t.pk), str(t)) for t in teams)])
        elif isinstance(field, forms.ModelMultipleChoiceField):
            field.widget = DropdownMultiple(attrs={"size": 4}, choices=listed_choices(field))
        elif isinstance(field, forms.MultipleChoiceField):
            field.widget = CheckboxList(choices=field.choices)
        elif isinstance(field, forms.DateField):
            field.widget = forms.DateInput(attrs={"type": "date"})
        elif getattr(field, "empty_label", None) is not None:
            # Only the rendering changes; the field still validates against its own choices.
            options = [c for c in listed_choices(field) if c[0] != ""]
            field.widget = Dropdown(choices=[("", _("Any")), *options])
    for definition in definitions:
        form.fields[f"{CUSTOM_PREFIX}{definition.key}"] = custom_filter_field(definition)
    return form


def attach_people_and_teams(records, relations, *, people, teams):
    """Set ``record.owner`` and/or ``record.team`` (``relations``) from the loaded ``people``
    and ``teams``; an owner among neither (a deactivated user) is read in one more query."""
    if not records:
        return
    loaded = {"owner": people, "team": teams}
    for relation in relations:
        field = records[0]._meta.get_field(relation)
        known = {obj.pk: obj for obj in loaded[relation]}
        missing = {getattr(r, field.attname) for r in records} - known.keys() - {None}
        if missing:
            others = field.related_model.objects.filter(pk__in=missing)
            known.update((obj.pk, obj) for obj in others)
        for record in records:
            field.set_cached_value(record, known.get(getattr(record, field.attname)))


class RecordListView(RecordViewMixin, View):
    """A keyset-paginated, filtered, sortable list with saved views and bulk actions."""

    filterset_class = None
    template_name = ""
    list_name = ""  # SavedView.list_name
    page_size = 50
    sorts = SORTS
    default_sort = "name"
    list_select_related = ("owner", "team")
    list_prefetch_related = ("tags",)
    # Of "owner" and "team": filled in from the people and teams the sidebar loads anyway
    # rather than joined. PostgreSQL's planning time grows quickly with each join: a queue of
    # cases joined to five tables spent 1.4 ms planning and 0.3 ms running.
    list_attached = ()
    # Filters kept out of the sidebar (set by links, e.g. "contacts of this company").
    hidden_filters = ()

    def get_queryset(self):
        return (
            self.visible()
            .select_related(*self.list_select_related)
            .prefetch_related(*(prefetched(name) for name in self.list_prefetch_related))
        )

    def current_sort(self):
        sort = self.request.GET.get("sort", "")
        return sort if sort in self.sorts else self.default_sort

    def filtered(self):
        """The filterset bound to the query string over the visible records."""
        return self.filterset_class(
            self.request.GET, queryset=self.get_queryset(), request=self.request
        )

    def get(self, request):
        self.require_read()
        filterset = self.filtered()
        definitions = customfields.definitions_for(self.model)
        sort = self.current_sort()
        page = page_or_first(
            filterset.qs, self.sorts[sort][1], request.GET.get("cursor"), self.page_size
        )
        people = list(User.objects.filter(is_active=True))
        teams = list(Team.objects.all())
        attach_people_and_teams(page.items, self.list_attached, people=people, teams=teams)
        form = filter_form_for_display(filterset, definitions, people=people, teams=teams)
        for name in self.hidden_filters:
            if name in form.fields:
                form.fields[name].widget = forms.HiddenInput()
        query = filter_query(request.META.get("QUERY_STRING", ""))
        can_bulk = permissions.can_write(request.user, self.area)
        context = {
            **self.common_context(),
            "filter_form": form,
            "filters_active": any(
                v for k, v in request.GET.items() if k not in ("sort", *POSITION_KEYS)
            ),
            "page": page,
            "page_links": page_links(request, page),
            "records": page.items,
            "sort": sort,
            "sorts": [(key, label) for key, (label, _ordering) in self.sorts.items()],
            "current_query": query,
            "saved_views": SavedView.objects.visible_to(request.user, self.list_name),
            "share_teams": [t for t in teams if t.pk in request.user.team_ids()],
            "save_view_url": self.url("view_save"),
            "can_bulk": can_bulk,
            "bulk_url": self.url("bulk"),
            "bulk_owners": people if can_bulk else [],
            "bulk_teams": teams if can_bulk else [],
            "export_url": self.export_url(),
            "export_links": self.export_links(query),
            "this_url": request.get_full_path(),
        }
        context.update(self.extra_context())
        return render(request, self.template_name, context)

    def export_url(self):
        """The CSV export of this list, or ``None`` when the app has no exporter."""
        return None

    export_formats = ("csv",)

    def export_links(self, query):
        """``(label, url)`` of each export format of this list, keeping its filters; CSV, the
        default, needs no ``format`` parameter."""
        url = self.export_url()
        if not url:
            return []
        links = []
        for code in self.export_formats:
            params = "&".join(p for p in (query, "" if code == "csv" else f"format={code}") if p)
            links.append((exports.LINK_LABELS[code], f"{url}?{params}" if params else url))
        return links

    def extra_context(self):
        return {}


class RecordExportView(RecordListView):
    """The current filtered list as a file: CSV by default, ``?format=`` one of
    ``export_formats`` (see ``core.exports``); streamed, no page size, bounded memory.

    Subclasses implement ``export_content(queryset, code)`` (text chunks or a binary file) or,
    for CSV only, ``iter_rows(queryset)``.
    """

    filename = "export.csv"

    def iter_rows(self, queryset):  # pragma: no cover - provided by the subclass
        raise NotImplementedError

    def export_content(self, queryset, code):
        return self.iter_rows(queryset)

    def get(self, request):
        self.require_read()
        code = request.GET.get("format") or "csv"
        if code not in self.export_formats:
            return HttpResponseBadRequest(_("This list cannot be exported in that format."))
        queryset = self.filtered().qs  # the exporter reads it in id order, in batches
        basename = self.filename.rpartition(".")[0] or self.filename
        return exports.export_response(code, basename, self.export_content(queryset, code))


class RecordBulkView(RecordViewMixin, View):
    """Bulk actions on the rows ticked in a list; records the user may not change are skipped.

    Each action calls the app's services: ``assign_service(items, actor, owner=, team=,
    set_owner=, set_team=)``, ``tag_service(items, actor, add=, remove=)`` and
    ``delete_service(items, actor)``.
    """

    http_method_names = ["post"]
    assign_service = None
    tag_service = None
    delete_service = None

    def post(self, request):
        self.require_write()
        back = safe_next(request, self.url("list"))
        ids = parse_ids(request.POST.getlist("ids"))
        action = request.POST.get("action", "")
        if not ids:
            messages.warning(request, _("Select at least one row first."))
            return HttpResponseRedirect(back)
        items = list(
            self.visible(self.model.objects.filter(pk__in=ids), write=True).prefetch_related("tags")
        )
        try:
            changed = self.apply(action, items, request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(back)
        count = len(changed)
        messages.success(
            request,
            ngettext("%(count)d record changed.", "%(count)d records changed.", count)
            % {"count": count},
        )
        return HttpResponseRedirect(back)

    def _choice(self, request, name, queryset):
        """``""`` -> not chosen (error), ``"none"`` -> ``None``, an id -> the object."""
        value = request.POST.get(name, "")
        if value == "none":
            return None
        if value.isdigit():
            obj = queryset.filter(pk=int(value)).first()
            if obj is not None:
                return obj
        raise ValidationError(_("Choose a value for this action."))

    def apply(self, action, items, request):
        actor = request.user
        if action == "assign_owner":
            owner = self._choice(request, "owner", User.objects.filter(is_active=True))
            return self.assign_service(items, actor=actor, owner=owner, set_owner=True)
        if action == "assign_team":
            team = self._choice(request, "team", Team.objects.all())
            return self.assign_service(
                items, actor=actor, team=team, set_owner=False, set_team=True
            )
        if action in ("add_tag", "remove_tag"):
            names = [n.strip() for n in request.POST.get("tag", "").split(",") if n.strip()]
            if not names or any(len(n) > 50 for n in names):
                raise ValidationError(_("Enter a tag (at most 50 characters)."))
            if action == "add_tag":
                return self.tag_service(items, actor=actor, add=names)
            return self.tag_service(items, actor=actor, remove=names)
        if action == "delete":
            return self.delete_service(items, actor=actor)
        raise ValidationError(_("Unknown action."))


class SavedViewSaveView(RecordViewMixin, View):
    """Save the list's current filters under a name (same name: replace)."""

    http_method_names = ["post"]
    list_name = ""

    def post(self, request):
        self.require_read()
        name = request.POST.get("name", "").strip()
        query = filter_query(request.POST.get("query", ""))
        sharing, team = _sharing(request.user, request.POST.get("share", ""))
        if not name or len(name) > 80 or len(query) > 2000:
            messages.error(request, _("Give the view a name of at most 80 characters."))
            return HttpResponseRedirect(self.url("list") + (f"?{query}" if query else ""))
        SavedView.objects.update_or_create(
            user=request.user,
            list_name=self.list_name,
            name=name,
            defaults={"query": query, "sharing": sharing, "team": team},
        )
        messages.success(request, _("View “%(name)s” saved.") % {"name": name})
        return HttpResponseRedirect(self.url("list") + (f"?{query}" if query else ""))


def _sharing(user, value):
    """``(sharing, team)`` from the form's ``share`` ("", "everyone" or "team:<id>" of one of
    the user's teams); anything else keeps the view private."""
    if value == Sharing.EVERYONE:
        return Sharing.EVERYONE, None
    kind, _sep, team_id = value.partition(":")
    if kind == Sharing.TEAM and team_id.isdigit() and int(team_id) in user.team_ids():
        return Sharing.TEAM, Team.objects.get(pk=int(team_id))
    return Sharing.PRIVATE, None


class SavedViewDeleteView(RecordViewMixin, View):
    http_method_names = ["post"]
    list_name = ""

    def post(self, request, pk):
        self.require_read()
        view = get_object_or_404(SavedView, pk=pk, user=request.user, list_name=self.list_name)
        view.delete()
        messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
        return HttpResponseRedirect(self.url("list"))


# --- detail and history --------------------------------------------------------------------------

SPECIAL_LABELS = {
    "tags": gettext_lazy("Tags"),
    "emails": gettext_lazy("E-mails"),
    "phones": gettext_lazy("Phones"),
    "custom_fields": gettext_lazy("Custom fields"),
}


def _model_field(model, name):
    try:
        return model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - history may name fields that no longer exist
        return None


def field_label(model, name, labels=None):
    if labels and name in labels:
        return str(labels[name])
    if name in SPECIAL_LABELS:
        return str(SPECIAL_LABELS[name])
    field = _model_field(model, name)
    if field is not None and getattr(field, "verbose_name", None):
        return capfirst(str(field.verbose_name))
    return name


def _display(value, field=None, names=None, formatter=None):
    """A stored history value as text: names for ids, labels for choices, local times."""
    if value in (None, "", [], {}):
        return ""
    if formatter is not None:
        return formatter(value)
    if names is not None:
        return names.get(value, f"#{value}")
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if (
        isinstance(value, str)
        and field is not None
        and field.get_internal_type() in ("DateTimeField",)
    ):
        parsed = parse_datetime(value)
        if parsed is not None:
            return formats.localize(timezone.localtime(parsed))
    return str(value)


@dataclass
class HistoryEntry:
    change: object
    action_label: str
    source_label: str
    rows: list


def describe_history(model, entries, formatters=None, labels=None, definitions=None):
    """Readable history rows: field labels, before -> after, foreign-key ids as names.

    ``formatters`` turn a stored value of a named key into text; ``labels`` name keys that are
    not model fields (e.g. ``company_links``). Costs one query per referenced model (owner,
    team, company...) for the whole page.
    """
    formatters = formatters or {}
    fk_ids = {}
    for entry in entries:
        for key, pair in entry.changes.items():
            field = _model_field(model, key)
            if field is not None and field.many_to_one:
                fk_ids.setdefault(key, set()).update(v for v in pair if v is not None)
    names = {}
    for key, ids in fk_ids.items():
        related = model._meta.get_field(key).related_model
        names[key] = {obj.pk: str(obj) for obj in related._base_manager.filter(pk__in=ids)}
    if definitions is None:
        definitions = customfields.definitions_for(model)
    definitions = {d.key: d for d in definitions}
    actions = dict(ChangeAction.choices)
    sources = dict(ChangeSource.choices)
    described = []
    for entry in entries:
        rows = []
        for key, pair in sorted(entry.changes.items()):
            before, after = (list(pair) + [None, None])[:2]
            if key == "custom_fields":  # older entries kept the whole dict
                rows.extend(_custom_field_rows(definitions, before or {}, after or {}))
                continue
            if key.startswith("custom_fields."):
                name = key.split(".", 1)[1]
                rows.extend(_custom_field_rows(definitions, {name: before}, {name: after}))
                continue
            field = _model_field(model, key)
            kwargs = {"field": field, "names": names.get(key), "formatter": formatters.get(key)}
            rows.append(
                {
                    "label": field_label(model, key, labels),
                    "before": _display(before, **kwargs),
                    "after": _display(after, **kwargs),
                }
            )
        described.append(
            HistoryEntry(
                change=entry,
                action_label=str(actions.get(entry.action, entry.action)),
                source_label=str(sources.get(entry.source, entry.source)),
                rows=rows,
            )
        )
    return described


def _custom_field_rows(definitions, before, after):
    rows = []
    for key in sorted(set(before) | set(after)):
        if before.get(key) == after.get(key):
            continue
        definition = definitions.get(key)
        show = (
            (lambda v, d=definition: customfields.display_value(d, v))
            if definition
            else (lambda v: "" if v is None else str(v))
        )
        rows.append(
            {
                "label": definition.label if definition else key,
                "before": show(before.get(key)),
                "after": show(after.get(key)),
            }
        )
    return rows


def custom_field_rows(record, definitions=None):
    definitions = customfields.definitions_for(type(record)) if definitions is None else definitions
    values = record.custom_fields or {}
    return [
        {"label": d.label, "value": customfields.display_value(d, values.get(d.key))}
        for d in definitions
    ]


class RecordDetailView(RecordViewMixin, View):
    """One record, its custom fields and its full history (keyset-paginated, newest first)."""

    template_name = ""
    detail_select_related = ("owner", "team")
    detail_prefetch_related = ("tags",)
    history_page_size = 50
    history_formatters = {}
    history_labels = {}

    def get_queryset(self):
        return self.model.objects.select_related(*self.detail_select_related).prefetch_related(
            *self.detail_prefetch_related
        )

    def get(self, request, pk):
        record = self.get_visible_record(pk, self.get_queryset())
        history = page_or_first(
            history_for(record), ["-id"], request.GET.get("history"), self.history_page_size
        )
        definitions = customfields.definitions_for(self.model)
        context = {
            **self.common_context(),
            "record": record,
            "can_change": permissions.can_change_record(request.user, record),
            "custom_fields": custom_field_rows(record, definitions),
            "history_page": history,
            "history_links": page_links(request, history, "history"),
            "history": describe_history(
                self.model,
                history.items,
                self.history_formatters,
                self.history_labels,
                definitions=definitions,
            ),
            "edit_url": self.url("edit", record.pk),
            "delete_url": self.url("delete", record.pk),
        }
        context.update(self.extra_context(record))
        return render(request, self.template_name, context)

    def extra_context(self, record):
        return {}


# --- create and edit ----------------------------------------------------------------------------


def split_tags(text):
    names = []
    for part in (text or "").split(","):
        name = part.strip()
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return names


class RecordForm(forms.ModelForm):
    """A ``ModelForm`` for a ``CrmRecord`` that never saves: it validates input and hands the
    service its arguments (``service_kwargs``). Adds owner/team choices, tags as text, the
    custom fields (``cf_<key>``) and the ``version`` the user started editing from."""

    tags = forms.CharField(
        label=gettext_lazy("Tags"),
        required=False,
        max_length=1000,
        help_text=gettext_lazy("Separate tags with commas."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    max_tags = 30
    groups = []  # [(legend, [field names])], the form's fieldsets in order
    wide_fields = []  # names of full-width fields (long texts)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        record = self.instance
        if "owner" in self.fields:
            self.fields["owner"].queryset = User.objects.filter(
                Q(is_active=True) | Q(pk=record.owner_id or 0)
            )
        if record.pk:
            self.fields["tags"].initial = ", ".join(t.name for t in record.tags.all())
            self.fields["version"].initial = record.version
        self.custom_definitions = customfields.definitions_for(type(record))
        for definition in self.custom_definitions:
            field = customfields.form_field(definition)
            if isinstance(field.widget, forms.DateTimeInput):
                field.widget.format = "%Y-%m-%dT%H:%M"
            name = f"{CUSTOM_PREFIX}{definition.key}"
            self.fields[name] = field
            if record.pk:
                value = (record.custom_fields or {}).get(definition.key)
                if definition.field_type == T.DATETIME and isinstance(value, str):
                    value = parse_datetime(value)
                self.initial[name] = value

    def sections(self):
        """``[(legend, [(bound field, is wide)])]`` for the template."""
        wide = set(self.wide_fields)
        return [
            (legend, [(self[n], n in wide) for n in names if n in self.fields])
            for legend, names in self.groups
        ]

    @property
    def custom_field_names(self):
        return [f"{CUSTOM_PREFIX}{d.key}" for d in self.custom_definitions]

    def custom_bound_fields(self):
        return [self[name] for name in self.custom_field_names]

    def clean_tags(self):
        names = split_tags(self.cleaned_data.get("tags"))
        if any(len(name) > 50 for name in names):
            raise ValidationError(_("Each tag can have at most 50 characters."))
        if len(names) > self.max_tags:
            raise ValidationError(_("At most %(n)d tags.") % {"n": self.max_tags})
        return names

    def clean_version(self):
        version = self.cleaned_data.get("version")
        if self.instance.pk and version is None:
            raise ValidationError(_("Reload the page and try again."))
        return version

    def custom_values(self):
        values = {}
        for definition in self.custom_definitions:
            value = self.cleaned_data.get(f"{CUSTOM_PREFIX}{definition.key}")
            if isinstance(value, datetime.datetime | datetime.date):
                value = value.isoformat()
            values[definition.key] = value
        return values

    def service_kwargs(self):
        kwargs = {name: self.cleaned_data[name] for name in self._meta.fields}
        kwargs["tags"] = self.cleaned_data["tags"]
        kwargs["custom_fields"] = self.custom_values()
        return kwargs


def apply_service_errors(error, form, formsets):
    """Put a service's ``ValidationError`` on the form field (or formset) it concerns."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages_ in error.message_dict.items():
        if key in formsets:
            formsets[key].non_form_errors().extend(messages_)
        elif key in form.fields:
            form.add_error(key, messages_)
        elif f"{CUSTOM_PREFIX}{key}" in form.fields:
            form.add_error(f"{CUSTOM_PREFIX}{key}", messages_)
        elif key == NON_FIELD_ERRORS:
            form.add_error(None, messages_)
        else:
            label = field_label(form._meta.model, key)
            form.add_error(None, [f"{label}: {m}" for m in messages_])


class RecordFormView(RecordViewMixin, View):
    """Create (no ``pk``) or edit a record. Subclasses provide the form, any formsets
    (``get_formsets``) and the service calls (``create``/``update``)."""

    form_class = None
    template_name = ""

    def get_formsets(self, data, record):
        """``{service_argument: formset}``; each formset has ``service_rows()``."""
        return {}

    def create(self, *, actor, **kwargs):  # pragma: no cover - provided by the subclass
        raise NotImplementedError

    def update(self, record, *, actor, expected_version, **kwargs):  # pragma: no cover
        raise NotImplementedError

    def load(self, pk):
        if pk is None:
            self.require_write()
            return None
        return self.get_changeable_record(pk, self.model.objects.prefetch_related("tags"))

    def new_instance(self):
        return self.model(owner=self.request.user)

    def get(self, request, pk=None):
        record = self.load(pk)
        form = self.form_class(instance=record or self.new_instance(), user=request.user)
        return self.render_form(form, self.get_formsets(None, record), record)

    def post(self, request, pk=None):
        record = self.load(pk)
        title = str(record) if record else ""
        form = self.form_class(
            request.POST, instance=record or self.new_instance(), user=request.user
        )
        formsets = self.get_formsets(request.POST, record)
        status = 200
        if form.is_valid() and all(fs.is_valid() for fs in formsets.values()):
            kwargs = form.service_kwargs()
            kwargs.update({name: fs.service_rows() for name, fs in formsets.items()})
            version = form.cleaned_data.get("version")
            try:
                if record is None:
                    saved = self.create(actor=request.user, **kwargs)
                else:
                    saved = self.update(
                        record, actor=request.user, expected_version=version, **kwargs
                    )
            except StaleRecord:
                form.add_error(
                    None,
                    _(
                        "This record was changed by someone else since you opened it, so your "
                        "changes were not saved. Reload the page to see the latest version."
                    ),
                )
                status = 409
            except ValidationError as error:
                apply_service_errors(error, form, formsets)
            else:
                return self.saved(saved, created=record is None)
        return self.render_form(form, formsets, record, title=title, status=status)

    def saved(self, record, *, created):
        message = _("“%(name)s” created.") if created else _("“%(name)s” saved.")
        messages.success(self.request, message % {"name": record})
        if permissions.can_view_record(self.request.user, record):
            return HttpResponseRedirect(self.url("detail", record.pk))
        return HttpResponseRedirect(self.url("list"))

    def render_form(self, form, formsets, record, *, title="", status=200):
        context = {
            **self.common_context(),
            "form": form,
            "formsets": formsets,
            "record": record,
            "record_title": title or (str(record) if record else ""),
            "cancel_url": self.url("detail", record.pk) if record else self.url("list"),
        }
        return render(self.request, self.template_name, context, status=status)


# --- trash: delete, restore, purge -------------------------------------------------------------


class RecordDeleteView(RecordViewMixin, View):
    """GET asks for confirmation (works without JavaScript); POST moves the record to the trash."""

    template_name = "core/records/confirm_delete.html"
    delete_service = None

    def get(self, request, pk):
        record = self.get_changeable_record(pk)
        context = {
            **self.common_context(),
            "record": record,
            "cancel_url": self.url("detail", pk),
            "retention_days": settings.TRASH_RETENTION_DAYS,
        }
        return render(request, self.template_name, context)

    def post(self, request, pk):
        record = self.get_changeable_record(pk)
        self.delete_service([record], actor=request.user)
        messages.success(
            request,
            _("“%(name)s” moved to the trash. You can restore it from there for %(days)d days.")
            % {"name": record, "days": settings.TRASH_RETENTION_DAYS},
        )
        return HttpResponseRedirect(self.url("list"))


class TrashedRecordView(RecordViewMixin, View):
    """POST-only action on a record in the trash (restore or purge)."""

    http_method_names = ["post"]
    service = None
    message = ""

    def trashed(self):
        return self.model.all_objects.trashed()

    def post(self, request, pk):
        record = self.get_changeable_record(pk, self.trashed())
        self.service([record], actor=request.user)
        messages.success(request, self.message % {"name": record})
        return HttpResponseRedirect(safe_next(request, self.success_url(record)))

    def success_url(self, record):  # pragma: no cover - provided by the subclass
        raise NotImplementedError


class RecordRestoreView(TrashedRecordView):
    message = gettext_lazy("“%(name)s” restored.")

    def success_url(self, record):
        return self.url("detail", record.pk)


class RecordPurgeView(TrashedRecordView):
    message = gettext_lazy("“%(name)s” deleted permanently.")
    trash_url_name = ""

    def success_url(self, record):
        return reverse(self.trash_url_name)


@dataclass
class TrashSection:
    """One kind of record on the trash page; ``param`` carries its cursor in the query string."""

    model: type
    title: str
    url_prefix: str
    param: str
    select_related: tuple = ("owner",)


class TrashView(LoginRequiredMixin, View):
    """Trashed records of several models, each keyset-paginated, newest deletion first, with the
    days left before the automatic purge."""

    template_name = "core/records/trash.html"
    sections = ()
    page_size = 50

    def get(self, request):
        user = request.user
        readable = [s for s in self.sections if permissions.can_read(user, s.model.permission_area)]
        if not readable:
            raise PermissionDenied
        retention = settings.TRASH_RETENTION_DAYS
        now = timezone.now()
        blocks = []
        for section in readable:
            queryset = permissions.visible(
                user, section.model.all_objects.trashed().select_related(*section.select_related)
            )
            page = page_or_first(
                queryset, ["-deleted_at", "-id"], request.GET.get(section.param), self.page_size
            )
            rows = [
                {
                    "record": record,
                    "days_left": max(0, retention - (now - record.deleted_at).days),
                    "can_change": permissions.can_change_record(user, record),
                    "restore_url": reverse(f"{section.url_prefix}_restore", args=[record.pk]),
                    "purge_url": reverse(f"{section.url_prefix}_purge", args=[record.pk]),
                }
                for record in page.items
            ]
            blocks.append(
                {
                    "section": section,
                    "rows": rows,
                    "page_links": page_links(request, page, section.param),
                }
            )
        context = {
            "blocks": blocks,
            "retention_days": retention,
            "this_url": request.get_full_path(),
        }
        return render(request, self.template_name, context)
