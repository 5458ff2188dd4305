"""Retention rules: personal data kept no longer than needed (GDPR Art. 5(1)(e)).

Three rules, one row each, off until an administrator turns them on:

* inactive leads (subscribers and leads nobody has touched and who have had no activity or
  purchase for N months) are anonymised;
* contacts in the trash for N days are purged, with their personal data everywhere;
* form submissions older than N months are deleted.

``matching`` is the dry run; ``apply_rule`` does exactly what it counted (the same query),
records each erasure in ``PrivacyRequest`` and the run on the rule.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import ConsentSource, LifecycleStage, RetentionRuleKind
from ..models import Contact, RetentionRule
from . import erasure

logger = logging.getLogger(__name__)

DEFAULT_PERIODS = {
    RetentionRuleKind.ANONYMISE_INACTIVE_LEADS: 24,
    RetentionRuleKind.PURGE_TRASHED_CONTACTS: 30,
    RetentionRuleKind.DELETE_OLD_SUBMISSIONS: 24,
}
IN_DAYS = {RetentionRuleKind.PURGE_TRASHED_CONTACTS}
MAX_PERIOD = 1200
BATCH = 200
INACTIVE_STAGES = (LifecycleStage.SUBSCRIBER, LifecycleStage.LEAD)


def rules():
    """Every rule, created (disabled, with its default period) the first time it is asked."""
    for kind, period in DEFAULT_PERIODS.items():
        RetentionRule.objects.get_or_create(kind=kind, defaults={"period": period})
    return list(RetentionRule.objects.order_by("id"))


def cutoff(kind, period, now=None):
    now = now or timezone.now()
    days = period if kind in IN_DAYS else period * 30
    return now - timedelta(days=days)


def matching(kind, period, now=None):
    """What the rule would touch now: a queryset (ordered by id)."""
    before = cutoff(kind, period, now)
    if kind == RetentionRuleKind.ANONYMISE_INACTIVE_LEADS:
        return _inactive_leads(before)
    if kind == RetentionRuleKind.PURGE_TRASHED_CONTACTS:
        return Contact.all_objects.filter(deleted_at__lt=before).order_by("pk")
    from clientela.intake.models import FormSubmission

    return FormSubmission.objects.filter(created_at__lt=before).order_by("pk")


def _inactive_leads(before):
    from clientela.activities.models import Activity
    from clientela.sales.models import Purchase

    recent_activity = Activity.all_objects.filter(contact=OuterRef("pk"), timeline_at__gte=before)
    recent_purchase = Purchase.all_objects.filter(contact=OuterRef("pk"), purchased_at__gte=before)
    return (
        Contact.all_objects.filter(
            lifecycle_stage__in=INACTIVE_STAGES,
            anonymised_at__isnull=True,
            created_at__lt=before,
            updated_at__lt=before,
        )
        .exclude(Exists(recent_activity))
        .exclude(Exists(recent_purchase))
        .order_by("pk")
    )


def dry_run(kind, period, now=None):
    return matching(kind, period, now).count()


@transaction.atomic
def update_rule(rule, *, actor, enabled, period):
    rule = RetentionRule.objects.select_for_update().get(pk=rule.pk)
    rule.enabled = bool(enabled)
    rule.period = max(1, min(int(period), MAX_PERIOD))
    rule.save(update_fields=["enabled", "period", "updated_at"])
    return rule


def apply_rule(rule, *, actor=None, now=None):
    """Apply one rule (whether enabled or not: the job chooses); returns how many records it
    touched. Works in batches, each its own transaction, so a long first run never holds the
    database; the set is fixed by the cutoff at the start."""
    now = now or timezone.now()
    ids = list(matching(rule.kind, rule.period, now).values_list("pk", flat=True))
    reason = _("Retention rule: %(rule)s") % {"rule": rule.get_kind_display()}
    done = 0
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            done += _apply_batch(rule.kind, ids[start : start + BATCH], actor, reason)
    RetentionRule.objects.filter(pk=rule.pk).update(last_run_at=now, last_count=done)
    rule.last_run_at, rule.last_count = now, done
    return done


def _apply_batch(kind, ids, actor, reason):
    if kind == RetentionRuleKind.DELETE_OLD_SUBMISSIONS:
        from clientela.intake.models import FormSubmission

        return FormSubmission.objects.filter(pk__in=ids).delete()[0]
    count = 0
    for contact in Contact.all_objects.filter(pk__in=ids).order_by("pk"):
        if kind == RetentionRuleKind.ANONYMISE_INACTIVE_LEADS:
            if contact.anonymised_at is None:
                erasure.anonymise_contact(
                    contact, actor=actor, reason=reason, source=ConsentSource.RETENTION
                )
                count += 1
        else:
            erasure.purge_contact(contact, actor=actor, reason=reason)
            count += 1
    return count


def apply_enabled_rules(now=None):
    """The daily job: every enabled rule; returns ``{kind: count}`` (also logged)."""
    done = {rule.kind: apply_rule(rule, now=now) for rule in rules() if rule.enabled}
    logger.info("retention rules applied", extra={"touched": done})
    return done
