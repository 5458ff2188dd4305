"""E-mail capture pages: mailboxes for managers of contacts (list, edit with a connection
test, sync now, status and failed messages with replay), attachment downloads and the
"Send e-mail" form for whoever may log activities on the record."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from clientela.activities.models import Activity
from clientela.contacts.models import Contact
from clientela.core import permissions
from clientela.core.forms import add_service_errors
from clientela.sales.models import Deal

from . import jobs
from .choices import MailStatus
from .forms_mail import MailboxForm, SendEmailForm
from .models import MailAttachment, Mailbox, MailMessage
from .services import mail
from .views import manager_view

RECENT = 50


@manager_view
def mailbox_list(request):
    return render(request, "intake/mailbox_list.html", {"mailboxes": Mailbox.objects.all()})


@manager_view
def mailbox_edit(request, pk=None):
    mailbox = get_object_or_404(Mailbox, pk=pk) if pk else None
    initial = MailboxForm.initial_for(mailbox) if mailbox else {}
    data = request.POST if request.method == "POST" else None
    form = MailboxForm(data, initial=initial, editing=mailbox is not None)
    if data is not None and form.is_valid():
        if data.get("action") == "test":
            _test(request, form, mailbox)
        else:
            saved = _save(request, form, mailbox)
            if saved is not None:
                messages.success(request, _("Mailbox “%(name)s” saved.") % {"name": saved.name})
                return redirect("intake:mailbox_edit", pk=saved.pk)
    context = {"form": form, "mailbox": mailbox}
    if mailbox:
        context.update(
            folders=mailbox.folder_states.all(),
            failed=mailbox.messages.filter(status=MailStatus.FAILED)[:RECENT],
            recent=mailbox.messages.exclude(status=MailStatus.FAILED)[:RECENT],
        )
    status = 400 if data is not None and form.errors else 200
    return render(request, "intake/mailbox_edit.html", context, status=status)


def _save(request, form, mailbox):
    fields = dict(form.cleaned_data)
    password = fields.pop("password")
    try:
        if mailbox is None:
            return mail.create_mailbox(actor=request.user, password=password, **fields)
        return mail.update_mailbox(mailbox, actor=request.user, password=password, **fields)
    except ValidationError as error:
        add_service_errors(form, error)
    return None


def _test(request, form, mailbox):
    fields = dict(form.cleaned_data)
    try:
        probe = mail.mailboxes.unsaved_mailbox(based_on=mailbox, **fields)
        folders = mail.test_connection(probe)
    except ValidationError as error:
        add_service_errors(form, error)
    except mail.MailSyncError as error:
        form.add_error(None, str(error))
    else:
        found = ", ".join(
            ngettext("%(folder)s: %(count)d message", "%(folder)s: %(count)d messages", count)
            % {"folder": name, "count": count}
            for name, count in folders
        )
        messages.success(request, _("Connected. %(folders)s") % {"folders": found})


@manager_view
@require_POST
def mailbox_sync(request, pk):
    mailbox = get_object_or_404(Mailbox, pk=pk)
    jobs.sync_one_mailbox.enqueue(mailbox.pk)
    messages.success(request, _("Synchronisation queued: it starts within a minute."))
    return redirect("intake:mailbox_edit", pk=mailbox.pk)


@manager_view
@require_POST
def mailbox_delete(request, pk):
    mailbox = get_object_or_404(Mailbox, pk=pk)
    mail.delete_mailbox(mailbox, actor=request.user)
    messages.success(request, _("Mailbox “%(name)s” removed.") % {"name": mailbox.name})
    return redirect("intake:mailbox_list")


@manager_view
@require_POST
def message_replay(request, pk):
    message = get_object_or_404(MailMessage, pk=pk, status=MailStatus.FAILED)
    mailbox_id = message.mailbox_id
    result = mail.replay(message, actor=request.user)
    if result is not None and result.status == MailStatus.FAILED:
        messages.error(request, _("It failed again: %(error)s") % {"error": result.error})
    else:
        messages.success(
            request, _("Replayed: %(status)s.") % {"status": result.get_status_display()}
        )
    if mailbox_id:
        return redirect("intake:mailbox_edit", pk=mailbox_id)
    return redirect("intake:mailbox_list")


@login_required
def attachment_download(request, pk):
    """An attachment, for whoever may see its e-mail; always as a download (never rendered
    in the page: its type comes from the sender)."""
    attachment = get_object_or_404(MailAttachment.objects.select_related("activity"), pk=pk)
    activity = attachment.activity
    if activity.deleted_at is not None or not attachment.file:
        raise Http404  # in the trash: restore the e-mail first
    if not permissions.can_view_record(request.user, activity):
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def send_email(request):
    contact, deal = _record_of(request)
    record = deal or contact
    back = reverse("sales:deal_detail" if deal else "contacts:contact_detail", args=[record.pk])
    if request.method == "POST":
        form = SendEmailForm(request.POST)
    else:
        address = contact.primary_email if contact else ""
        form = SendEmailForm(initial={"to": address or "", "message_id": mail.new_message_id()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            mail.send_email(actor=request.user, contact=contact, deal=deal, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        except OSError as error:
            form.add_error(None, _("The e-mail could not be sent: %(reason)s") % {"reason": error})
        else:
            messages.success(request, _("E-mail sent and logged."))
            return redirect(back + "#timeline")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "record": record, "back": back}
    return render(request, "intake/send_email.html", context, status=status)


def _record_of(request):
    """The contact or deal the e-mail is about, which the user may see and log activities
    on; 404 for what they cannot see."""
    user = request.user
    if not permissions.can_write(user, Activity.permission_area):
        raise PermissionDenied
    params = request.POST if request.method == "POST" else request.GET
    contact_id, deal_id = params.get("contact", ""), params.get("deal", "")
    if deal_id.isdigit():
        deal = get_object_or_404(permissions.visible(user, Deal.objects.all()), pk=deal_id)
        return None, deal
    if contact_id.isdigit():
        contact = get_object_or_404(
            permissions.visible(user, Contact.objects.all()).prefetch_related("emails"),
            pk=contact_id,
        )
        return contact, None
    raise Http404
