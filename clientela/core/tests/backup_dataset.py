"""A small account touching every kind of data a backup must carry (used by the backup tests)."""

import datetime

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django_otp.plugins.otp_totp.models import TOTPDevice

from clientela.activities import demo as activities_demo
from clientela.activities import services as activities
from clientela.contacts import demo as contacts_demo
from clientela.contacts import services as contacts
from clientela.contacts.models import Contact
from clientela.core import services as core
from clientela.core import tokens
from clientela.core.models import CustomField
from clientela.intake.services import webforms, webhooks
from clientela.sales import demo as sales_demo
from clientela.sales.choices import StageKind
from clientela.sales.models import TaxRate
from clientela.sales.services import deals, pipelines, products, purchases

PASSWORD = "s3cret-Pass!"


def build_rich_account(make_user, make_team):
    """Users, teams, custom fields, contacts with e-mails/phones/tags/custom values, companies,
    deals in two pipelines with stage history, products, purchases, activities with attendees,
    a web form with a submission, a webhook, API tokens, two-factor devices, history and
    trash."""
    contacts_demo.load_demo(companies=4, contacts=15)
    sales_demo.load_demo(deals=8)
    activities_demo.load_demo()

    team = make_team("Backoffice")
    admin = make_user("admin", username="boss", teams=[team], password=PASSWORD)
    seller = make_user("sales", teams=[team], scope="team", password=PASSWORD)
    TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    tokens.create_token(admin, "cli")

    CustomField.objects.create(
        content_type=ContentType.objects.get_for_model(Contact),
        key="score",
        label="Score",
        field_type="integer",
    )
    núria = contacts.create_contact(
        actor=admin,
        first_name="Núria",
        last_name="Ferrer",
        second_last_name="Pérez",
        emails=[{"email": "nuria@example.cat", "is_primary": True}],
        phones=[{"number": "+34 612 345 678"}],
        tags=["vip", "barcelona"],
        custom_fields={"score": 42},
        owner=seller,
        team=team,
    )
    gone = contacts.create_contact(actor=admin, first_name="Olvidada", last_name="Trash")
    core.delete_records([gone], actor=admin)

    pipeline = pipelines.create_pipeline(
        actor=admin,
        name="Partners",
        stages=[("Talk", 20, StageKind.OPEN), ("Signed", 100, StageKind.WON)],
    )
    first, signed = pipeline.stages.order_by("position")
    deal = deals.create_deal(
        actor=admin,
        name="Partner deal",
        pipeline=pipeline,
        stage=first,
        amount="1234.50",
        contacts=[núria],
        tags=["vip"],
    )
    deals.move_deal(deal, signed, actor=admin)

    products.create_product(
        actor=admin,
        sku="CAVA",
        name="Cava brut",
        unit_price="12.50",
        tax_rate=TaxRate.objects.first(),
    )
    purchases.record_purchase(
        actor=admin,
        contact=núria,
        purchased_at=datetime.datetime(2026, 2, 1, 12, tzinfo=datetime.UTC),
        total_amount="121",
        tax_amount="21",
        tags=["online"],
    )
    activities.log_activity(
        actor=admin,
        kind="meeting",
        subject="Kick-off",
        starts_at=datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2026, 3, 2, 10, 45, tzinfo=datetime.UTC),
        attendees=[seller],
        attendee_contacts=[núria],
        tags=["follow-up"],
    )
    activities.create_calendar_feed(seller)
    contacts.dismiss_duplicate(núria, gone, actor=admin)
    group = Group.objects.create(name="Auditors")
    group.permissions.add(Permission.objects.get(codename="view_contact"))
    seller.groups.add(group)
    form = webforms.create_form(
        actor=admin,
        name="Pide información",
        fields=[
            {"name": "first_name", "label": "Nombre", "required": True},
            {"name": "email", "label": "Correo", "required": True},
        ],
    )
    webforms.submit_form(form, {"first_name": "Jordi", "email": "jordi@example.cat"})
    webhooks.create_webhook(actor=admin, name="Centralita", kind="call")
    return {"admin": admin, "seller": seller, "contact": núria, "deal": deal}


def data_members(path):
    """{member: bytes} of the data files of an export, without the line a restore adds."""
    import zipfile

    from clientela.core.backup.restore import RESTORE_FLAG

    marker = f'"name": "{RESTORE_FLAG}"'.encode()
    with zipfile.ZipFile(path) as archive:
        return {
            name: b"".join(line for line in archive.open(name).readlines() if marker not in line)
            for name in archive.namelist()
            if name.startswith("data/")
        }


def wipe_account():
    """Delete every row a fresh installation would not have (and the search index) inside the
    test's transaction, leaving the empty database a restore expects; foreign keys are checked
    at commit (never, here)."""
    from django.db import connection

    from clientela.core.backup import format
    from clientela.core.models import SearchEntry

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in [*format.exported_models(), SearchEntry]:
            if format.label_of(model) in format.SEEDED_MODELS:
                continue
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")  # noqa: S608


def rewrite(source, target, *, members=None, manifest=None, refresh_checksums=True):
    """Copy an export changing some members (``{name: bytes or None to drop}``) and editing
    the manifest; checksums and sizes of changed members are recomputed unless told not to."""
    import hashlib
    import json
    import zipfile

    members = members or {}
    with zipfile.ZipFile(source) as archive:
        content = {name: archive.read(name) for name in archive.namelist()}
    data = json.loads(content.pop("manifest.json"))
    for name, value in members.items():
        if value is None:
            content.pop(name, None)
            continue
        content[name] = value
        if refresh_checksums:
            for section in ("models", "files", "lists"):
                for entry_name, entry in data[section].items():
                    if entry_name == name or entry.get("file") == name:
                        entry.update(bytes=len(value), sha256=hashlib.sha256(value).hexdigest())
    if manifest:
        manifest(data)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, value in content.items():
            archive.writestr(name, value)
        archive.writestr("manifest.json", json.dumps(data))
    return target
