"""Template helpers of the case pages."""

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils import dateformat, formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from clientela.core.markup import esc, pk_url

register = template.Library()

_SLA_CLASSES = {"breached": " badge-danger", "warning": " badge-warning", "met": " badge-success"}


@register.simple_tag
def sla_badge(case):
    """A case's SLA state as a badge, with its next due moment. Built in Python: a queue
    shows fifty of them, and an included template per row cost a tenth of the page."""
    return mark_safe(_sla_badge(case))  # noqa: S308 (escaped piece by piece)


def _sla_badge(case):
    if case.sla_state == "none":
        return ""
    badge = (
        f'<span class="badge{_SLA_CLASSES.get(case.sla_state, "")}">'
        f"{esc(case.get_sla_state_display())}</span>"
    )
    if not case.next_due:
        return badge
    due = timezone.localtime(case.next_due)
    moment = formats.date_format(due, "SHORT_DATETIME_FORMAT")
    return (
        f'{badge} <time class="muted small" datetime="{dateformat.format(due, "c")}">'
        f"{esc(moment)}</time>"
    )


_PRIORITY_BADGE = ("urgent", "high")


@register.simple_tag
def case_rows(cases, selectable):
    """The rows of a case queue, with a selection box each when ``selectable``. Built in
    Python, with plain strings (``core.markup``), for the same reason as the badge: fifty
    rows of template, then of ``format_html``, were a large part of a queue page."""
    urls = pk_url("support:case_detail"), pk_url("contacts:contact_detail")
    rows = "".join(f"<tr>{_select(c, selectable)}{_cells(c, *urls)}</tr>" for c in cases)
    return mark_safe(rows)  # noqa: S308 (escaped piece by piece)


def _select(case, selectable):
    if not selectable:
        return ""
    label = esc(_("Select %(name)s") % {"name": case})
    return (
        f'<td class="check"><input type="checkbox" name="ids" value="{case.pk}" '
        f'aria-label="{label}"></td>'
    )


def _below(text):
    return f'<br><span class="muted small">{esc(text)}</span>'


def _cells(case, case_url, contact_url):
    """The cells of a case's queue row after the selection box."""
    title = f'<a href="{case_url(case.pk)}">{esc(case.reference)} {esc(case.subject)}</a>'
    if case.category_id:
        title += _below(case.category.name)
    customer = ""
    if case.contact_id:
        customer = f'<a href="{contact_url(case.contact_id)}">{esc(case.contact)}</a>'
    if case.company_id:
        customer += _below(case.company.name)
    priority = esc(case.get_priority_display())
    if case.priority in _PRIORITY_BADGE:
        priority = f'<span class="badge badge-danger">{priority}</span>'
    assigned = esc(case.owner or "")
    if case.team_id:
        assigned += _below(case.team)
    return (
        f'<td class="name">{title}</td><td>{customer}</td>'
        f"<td>{esc(case.get_status_display())}</td><td>{priority}</td>"
        f'<td class="nowrap">{_sla_badge(case)}</td><td>{assigned}</td>'
    )


@register.simple_tag(takes_context=True)
def thread_messages(context, messages):
    """The ``<li>`` of each message of a case's conversation. Built in Python: a case page
    shows up to a hundred of them."""
    return format_html_join(
        "",
        '<li class="thread__message thread__message--{}">{}</li>',
        (
            (message.kind, _thread_message(context, message, first=n == 0))
            for n, message in enumerate(messages)
        ),
    )


def _thread_message(context, message, *, first):
    """The inside of one message's ``<li>``."""
    who = message.author or message.contact or message.from_address or _("Clientela")
    when = timezone.localtime(message.created_at)
    meta = format_html(
        '<strong>{}</strong> · <span class="badge{}">{}</span> · <time datetime="{}">{}</time>',
        who,
        " badge-warning" if message.kind == "note" else "",
        message.get_kind_display(),
        dateformat.format(when, "c"),
        formats.date_format(when, "DATETIME_FORMAT"),
    )
    if message.kind in ("reply", "automatic"):
        if message.to_addresses:
            meta = format_html("{} · {} {}", meta, _("to"), ", ".join(message.to_addresses))
        if message.send_error:
            meta = format_html(
                '{} · <span class="badge badge-danger" title="{}">{}</span>',
                meta,
                message.send_error,
                _("Not sent"),
            )
    parts = [
        format_html('<p class="thread__meta">{}</p>', meta),
        format_html('<div class="thread__body">{}</div>', linebreaksbr(message.body, True)),
    ]
    if context.get("message_form") and message.kind == "customer" and not first:
        parts.append(
            format_html(
                '<form class="inline-form" method="post" action="{}">'
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                '<input type="hidden" name="message" value="{}">'
                '<button class="btn btn-small" type="submit">{}</button></form>',
                context["split_url"],
                context["csrf_token"],
                message.pk,
                _("Split into a new case from here"),
            )
        )
    files = message.attachments.all()
    if files:
        items = (_attachment_item(file) for file in files)
        parts.append(format_html('<ul class="small">{}</ul>', format_html_join("", "{}", items)))
    return format_html_join("", "{}", ((part,) for part in parts))


def _attachment_item(file):
    if file.file:
        return (format_html('<li><a href="{}">{}</a></li>', file.file.url, file.name),)
    return (
        format_html(
            '<li>{} <span class="muted">({})</span></li>', file.name, _("not kept: too large")
        ),
    )
