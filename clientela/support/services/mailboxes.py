"""Service mailboxes: making an intake mailbox a support address, changing what it does with
new mail, and finding the address a case's e-mail goes out from."""

from email.headerregistry import Address

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clientela.core import settings_cache
from clientela.intake.services import mail as intake_mail

from ..choices import CasePriority
from ..models import CaseMessage, ServiceMailbox

SERVICE_FIELDS = ("category", "team", "priority", "acknowledge", "is_default")


@transaction.atomic
def save_service_mailbox(mailbox, *, actor, **fields):
    """Make ``mailbox`` (an ``intake.Mailbox``) a support address, or change its settings;
    fields left out keep their value (their default for a new one). Its unknown senders are
    created as contacts from now on (the mailbox's own setting is switched on), so that
    every message to it can open a case. Marking one default unmarks the others."""
    unknown = set(fields) - set(SERVICE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    service = ServiceMailbox.objects.select_for_update().filter(
        mailbox=mailbox
    ).first() or ServiceMailbox(mailbox=mailbox)
    for name, value in fields.items():
        setattr(service, name, value)
    if service.priority not in CasePriority.values:
        raise ValidationError({"priority": [_("Choose a priority.")]})
    if service.category is not None and not service.category.active:
        raise ValidationError({"category": [_("This category is not active.")]})
    service.full_clean(exclude=["mailbox"])
    service.save()
    if service.is_default:
        ServiceMailbox.objects.filter(is_default=True).exclude(pk=service.pk).update(
            is_default=False
        )
    if not mailbox.create_contacts:
        service.mailbox = intake_mail.update_mailbox(mailbox, actor=actor, create_contacts=True)
        mailbox.create_contacts = True  # the caller's copy too
    return service


@transaction.atomic
def remove_service_mailbox(mailbox, *, actor):
    """The mailbox stays an ordinary intake mailbox: its mail goes on the timelines only; its
    cases stay as they are (their replies then go out from the site's address)."""
    ServiceMailbox.objects.filter(mailbox=mailbox).delete()


def service_for(mailbox):
    """The ``ServiceMailbox`` of an intake mailbox, or ``None``."""
    if mailbox is None:
        return None
    return ServiceMailbox.objects.filter(mailbox=mailbox).select_related("mailbox").first()


def default_service():
    """The default service mailbox (else the first one made) among the active ones, or
    ``None``."""
    return (
        ServiceMailbox.objects.filter(mailbox__active=True)
        .select_related("mailbox")
        .order_by("-is_default", "id")
        .first()
    )


def all_services():
    """Every service mailbox with its mailbox, category and team, active or not (read on each
    captured e-mail: from memory while fresh)."""
    return settings_cache.get(
        "service mailboxes",
        lambda: list(ServiceMailbox.objects.select_related("mailbox", "category", "team")),
    )


def service_addresses():
    """Every support address (lower-cased), active or not: mail from them opens nothing."""
    return {service.mailbox.email_address.lower() for service in all_services()}


def sender_for(case):
    """The service mailbox a case's e-mail goes out from: the one the customer last wrote to,
    else the default one; ``None`` when there is none (the site's address is used)."""
    last = (
        CaseMessage.objects.filter(
            case=case, mail__mailbox__service__isnull=False, mail__mailbox__active=True
        )
        .order_by("-created_at", "-id")
        .values_list("mail__mailbox_id", flat=True)
        .first()
    )
    if last is not None:
        return ServiceMailbox.objects.select_related("mailbox").get(mailbox_id=last)
    return default_service()


def from_header(service):
    """The From of a case's e-mail: the service mailbox's name and address, else the site's
    sender."""
    if service is None:
        return settings.DEFAULT_FROM_EMAIL
    address = Address(display_name=service.mailbox.name, addr_spec=service.mailbox.email_address)
    return str(address)  # not encoded: the mail backend encodes it, pages show it
