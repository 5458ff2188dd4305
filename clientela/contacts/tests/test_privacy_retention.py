"""Retention rules: the dry run counts exactly what the run then does; the daily job applies
the enabled rules only and says what it did; the settings page is for administrators."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clientela.activities import services as activity_services
from clientela.contacts import services
from clientela.contacts.models import Contact, PrivacyRequest, RetentionRule
from clientela.contacts.privacy import retention
from clientela.core import worker
from clientela.intake import services as intake_services
from clientela.intake.models import FormSubmission

pytestmark = pytest.mark.django_db

NOW = timezone.now()
LONG_AGO = NOW - datetime.timedelta(days=800)


def age(contact, when):
    Contact.all_objects.filter(pk=contact.pk).update(created_at=when, updated_at=when)


@pytest.fixture
def leads(admin_user):
    """Two old silent leads, an old lead with a recent call, an old customer, a new lead."""
    made = {}
    for name, stage in [
        ("silent1", "lead"),
        ("silent2", "subscriber"),
        ("called", "lead"),
        ("customer", "customer"),
        ("fresh", "lead"),
    ]:
        made[name] = services.create_contact(
            actor=admin_user, first_name=name, lifecycle_stage=stage, emails=[f"{name}@x.es"]
        )
    activity_services.log_activity(
        actor=admin_user, kind="call", subject="Hola", contact=made["called"]
    )
    for name in ("silent1", "silent2", "called", "customer"):
        age(made[name], LONG_AGO)
    return made


def rule(kind, period):
    found = next(r for r in retention.rules() if r.kind == kind)
    RetentionRule.objects.filter(pk=found.pk).update(period=period)
    found.refresh_from_db()
    return found


def test_the_dry_run_counts_what_anonymising_inactive_leads_then_does(admin_user, leads):
    inactive = rule("anonymise_inactive_leads", 24)

    counted = retention.dry_run(inactive.kind, inactive.period, NOW)
    done = retention.apply_rule(inactive, now=NOW)

    assert counted == done == 2
    anonymised = set(
        Contact.all_objects.filter(anonymised_at__isnull=False).values_list("pk", flat=True)
    )
    assert anonymised == {leads["silent1"].pk, leads["silent2"].pk}
    assert retention.dry_run(inactive.kind, inactive.period, NOW) == 0
    inactive.refresh_from_db()
    assert (inactive.last_run_at, inactive.last_count) == (NOW, 2)
    audits = PrivacyRequest.objects.order_by("contact_id")
    assert [(a.kind, a.requested_by, a.reason) for a in audits] == [
        ("anonymise", None, "Retention rule: Anonymise inactive leads")
    ] * 2


def test_the_dry_run_counts_what_purging_the_trash_then_does(admin_user, leads):
    services.delete_records([leads["silent1"], leads["fresh"]], actor=admin_user)
    Contact.all_objects.filter(pk=leads["silent1"].pk).update(deleted_at=LONG_AGO)
    trash = rule("purge_trashed_contacts", 30)

    assert retention.dry_run(trash.kind, trash.period, NOW) == 1
    assert retention.apply_rule(trash, now=NOW) == 1

    assert not Contact.all_objects.filter(pk=leads["silent1"].pk).exists()
    assert Contact.all_objects.filter(pk=leads["fresh"].pk).exists()
    assert PrivacyRequest.objects.get().kind == "purge"


def test_the_dry_run_counts_what_deleting_old_submissions_then_does(admin_user):
    form = intake_services.create_form(
        actor=admin_user, name="F", fields=[{"name": "email"}], double_opt_in=False
    )
    for n in range(3):
        intake_services.submit_form(form, {"email": f"p{n}@x.es"})
    FormSubmission.objects.filter(pk__in=FormSubmission.objects.order_by("pk")[:2]).update(
        created_at=LONG_AGO
    )
    old = rule("delete_old_submissions", 12)

    assert retention.dry_run(old.kind, old.period, NOW) == 2
    assert retention.apply_rule(old, now=NOW) == 2
    assert FormSubmission.objects.count() == 1


def test_the_daily_job_applies_only_enabled_rules(admin_user, leads):
    for item in retention.rules():
        retention.update_rule(item, actor=admin_user, enabled=False, period=1)
    retention.update_rule(
        RetentionRule.objects.get(kind="delete_old_submissions"),
        actor=admin_user,
        enabled=True,
        period=1,
    )

    assert retention.apply_enabled_rules(NOW) == {"delete_old_submissions": 0}
    assert not Contact.all_objects.filter(anonymised_at__isnull=False).exists()


def test_the_job_is_scheduled_daily():
    from datetime import timedelta

    assert (
        "job:apply_retention_rules",
        timedelta(days=1),
        "clientela.contacts.jobs.apply_retention_rules",
    ) in worker.PERIODIC_JOBS


def test_the_settings_page_previews_and_saves(client, admin_user, leads):
    client.force_login(admin_user)
    inactive = next(r for r in retention.rules() if r.kind == "anonymise_inactive_leads")

    page = client.get(reverse("contacts:privacy_settings")).content.decode()
    preview = client.post(
        reverse("contacts:privacy_settings"),
        {"rule": inactive.pk, "period": "24", "preview": "1"},
    ).content.decode()
    saved = client.post(
        reverse("contacts:privacy_settings"), {"rule": inactive.pk, "period": "36", "enabled": "on"}
    )

    assert "Anonymise inactive leads" in page
    assert "With this period it would touch 2 records now." in preview
    assert saved.status_code == 302
    inactive.refresh_from_db()
    assert (inactive.enabled, inactive.period) == (True, 36)
    assert Contact.all_objects.filter(anonymised_at__isnull=False).count() == 0


@pytest.mark.parametrize("period", ["0", "-3", "abc", "99999999999"])
def test_bad_periods_are_refused(client, admin_user, period):
    client.force_login(admin_user)
    first = retention.rules()[0]

    answer = client.post(reverse("contacts:privacy_settings"), {"rule": first.pk, "period": period})

    assert answer.status_code == 400
    first.refresh_from_db()
    assert first.period == retention.DEFAULT_PERIODS[first.kind]


@pytest.mark.parametrize("role", ["manager", "sales", "read_only"])
def test_only_administrators_open_the_settings_page(client, make_user, role):
    client.force_login(make_user(role))

    assert client.get(reverse("contacts:privacy_settings")).status_code == 403
