"""Service mailboxes: the intake mailboxes that are support addresses (support@, help@...).

Mail captured by one of them opens a case, or joins the case it answers; the case's
acknowledgement and replies are sent from its address."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import CasePriority


class ServiceMailbox(models.Model):
    """What a support address does with new mail: the category, team and priority of the
    cases it opens and whether the customer gets an acknowledgement. The default one sends
    the acknowledgements of cases opened by web form or portal."""

    mailbox = models.OneToOneField(
        "intake.Mailbox",
        on_delete=models.CASCADE,
        related_name="service",
        verbose_name=_("mailbox"),
    )
    category = models.ForeignKey(
        "support.CaseCategory",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    team = models.ForeignKey(
        "core.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=CasePriority.choices, default=CasePriority.NORMAL
    )
    acknowledge = models.BooleanField(_("acknowledge new cases"), default=True)
    is_default = models.BooleanField(_("default service mailbox"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["mailbox__name", "id"]
        verbose_name = _("service mailbox")
        verbose_name_plural = _("service mailboxes")

    def __str__(self):
        return str(self.mailbox.email_address)

    @property
    def address(self):
        return self.mailbox.email_address
