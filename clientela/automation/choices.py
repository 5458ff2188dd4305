from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DeliveryStatus(models.TextChoices):
    """Where a webhook delivery stands. ``failed`` is waiting for its next try; ``gave_up``
    failed every try (a manual redelivery may still send it)."""

    PENDING = "pending", pgettext_lazy("webhook delivery", "Pending")
    SUCCEEDED = "succeeded", pgettext_lazy("webhook delivery", "Delivered")
    FAILED = "failed", pgettext_lazy("webhook delivery", "Failed, will retry")
    GAVE_UP = "gave_up", pgettext_lazy("webhook delivery", "Gave up")


# Deliveries still to be sent (first try or a retry), once their moment has come.
TO_SEND = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


class WorkflowEntity(models.TextChoices):
    """The kind of record a workflow rule acts on (the record its trigger's events carry)."""

    CONTACT = "contact", pgettext_lazy("record kind", "Contact")
    COMPANY = "company", pgettext_lazy("record kind", "Company")
    DEAL = "deal", pgettext_lazy("record kind", "Deal")
    CASE = "case", pgettext_lazy("record kind", "Case")
    PURCHASE = "purchase", pgettext_lazy("record kind", "Purchase")
    FORM = "form", pgettext_lazy("record kind", "Web form submission")


class TriggerKind(models.TextChoices):
    """What makes a workflow rule run."""

    CREATED = "created", _("A record is created")
    UPDATED = "updated", _("A record is changed")
    FIELD_CHANGED = "field_changed", _("A field changes")
    STAGE_CHANGED = "stage_changed", _("A deal changes stage (or is won or lost)")
    FORM_SUBMITTED = "form_submitted", _("A web form is filled in")
    PURCHASE_MADE = "purchase_made", _("A purchase is made")
    CASE_STATUS_CHANGED = "case_status_changed", _("A case changes status")
    DATE_RELATIVE = "date_relative", _("Days before or after a date")
    SCHEDULE = "schedule", _("On a schedule")


class RunStatus(models.TextChoices):
    """How one run of a workflow rule went."""

    QUEUED = "queued", pgettext_lazy("workflow run", "Queued")
    SUCCEEDED = "succeeded", pgettext_lazy("workflow run", "Succeeded")
    FAILED = "failed", pgettext_lazy("workflow run", "Failed")
    SKIPPED = "skipped", pgettext_lazy("workflow run", "Skipped")
    LOOP_STOPPED = "loop_stopped", pgettext_lazy("workflow run", "Loop stopped")
    DRY_RUN = "dry_run", pgettext_lazy("workflow run", "Dry run")


class ActionKind(models.TextChoices):
    """What a workflow rule does to the record that matched."""

    SEND_EMAIL = "send_email", _("Send an e-mail")
    CREATE_TASK = "create_task", _("Create a task")
    ASSIGN = "assign", _("Assign owner or team")
    UPDATE_FIELD = "update_field", _("Update a field")
    TAG = "tag", _("Add or remove tags")
    ADD_TO_SEQUENCE = "add_to_sequence", _("Add to a sequence")
    NOTIFY = "notify", _("Notify a user")
    CALL_WEBHOOK = "call_webhook", _("Call a webhook")
    CREATE_CASE = "create_case", _("Create a case")
    CREATE_DEAL = "create_deal", _("Create a deal")
