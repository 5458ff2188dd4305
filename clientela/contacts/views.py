"""Contact and company pages: thin subclasses of ``core.views.records`` naming the model,
filterset, templates and services."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clientela.core import permissions
from clientela.core.validators import format_phone
from clientela.core.views import records

from . import duplicates, io, services
from .choices import EmailKind, PhoneKind
from .filtersets import CompanyFilterSet, ContactFilterSet
from .forms import CompanyForm, ContactForm, email_formset, phone_formset, region_from
from .models import Company, Contact, Employment


def _with_kind(values, kinds, show):
    """History keeps e-mails and phones as ``"value (kind)"``; show them with translated kinds
    (older entries have no kind)."""
    texts = []
    for item in values or []:
        value, _sep, kind = str(item).partition(" (")
        kind = kind.removesuffix(")")
        label = kinds(kind).label if kind in kinds.values else kind
        texts.append(f"{show(value)} ({label})" if label else show(value))
    return ", ".join(texts)


def _format_phones(values):
    return _with_kind(values, PhoneKind, format_phone)


def _format_emails(values):
    return _with_kind(values, EmailKind, str)


HISTORY_FORMATTERS = {"phones": _format_phones, "emails": _format_emails}


class ContactMixin:
    model = Contact
    url_prefix = "contacts:contact"
    list_name = "contacts"


class CompanyMixin:
    model = Company
    url_prefix = "contacts:company"
    list_name = "companies"


# --- lists ---------------------------------------------------------------------------------------


# "Least complete" reads the completeness index (``*_completeness_idx``) in order.
SORTS = {
    **records.SORTS,
    "completeness": (_("Least complete"), ("completeness", "sort_name", "id")),
}


class ContactListView(ContactMixin, records.RecordListView):
    filterset_class = ContactFilterSet
    sorts = SORTS
    template_name = "contacts/contact_list.html"
    list_select_related = ("owner", "team", "company")
    list_prefetch_related = ("emails", "phones", "tags")
    hidden_filters = ("company",)

    export_formats = io.EXPORT_FORMATS[Contact]

    def export_url(self):
        return reverse("contacts:contact_export")

    def extra_context(self):
        company_id = self.request.GET.get("company", "")
        company = None
        if company_id.isdigit():
            company = self.visible(Company.objects.filter(pk=int(company_id))).first()
        return {
            "filter_company": company,
            "can_manage_quality": permissions.can_manage(self.request.user, "contacts"),
        }


class CompanyListView(CompanyMixin, records.RecordListView):
    filterset_class = CompanyFilterSet
    sorts = SORTS
    template_name = "contacts/company_list.html"
    list_prefetch_related = ("phones", "tags")

    export_formats = io.EXPORT_FORMATS[Company]

    def export_url(self):
        return reverse("contacts:company_export")


class ContactExportView(ContactMixin, records.RecordExportView):
    """``?format=csv|xlsx|vcf`` of the filtered contacts."""

    filterset_class = ContactFilterSet
    filename = "contacts.csv"
    export_formats = io.EXPORT_FORMATS[Contact]

    def export_content(self, queryset, code):
        return io.export_content(Contact, queryset, code)


class CompanyExportView(CompanyMixin, records.RecordExportView):
    """``?format=csv|xlsx`` of the filtered companies."""

    filterset_class = CompanyFilterSet
    filename = "companies.csv"
    export_formats = io.EXPORT_FORMATS[Company]

    def export_content(self, queryset, code):
        return io.export_content(Company, queryset, code)


class BulkServices:
    assign_service = staticmethod(services.assign_records)
    tag_service = staticmethod(services.tag_records)
    delete_service = staticmethod(services.delete_records)


class ContactBulkView(ContactMixin, BulkServices, records.RecordBulkView):
    pass


class CompanyBulkView(CompanyMixin, BulkServices, records.RecordBulkView):
    pass


class ContactSavedViewSave(ContactMixin, records.SavedViewSaveView):
    pass


class ContactSavedViewDelete(ContactMixin, records.SavedViewDeleteView):
    pass


class CompanySavedViewSave(CompanyMixin, records.SavedViewSaveView):
    pass


class CompanySavedViewDelete(CompanyMixin, records.SavedViewDeleteView):
    pass


# --- details -------------------------------------------------------------------------------------


class ContactDetailView(ContactMixin, records.RecordDetailView):
    template_name = "contacts/contact_detail.html"
    detail_select_related = ("owner", "team", "company")
    detail_prefetch_related = ("tags", "emails", "phones")
    history_formatters = HISTORY_FORMATTERS
    history_labels = {"company_links": _("Company links")}

    def extra_context(self, record):
        links = list(Employment.objects.filter(contact=record).select_related("company"))
        visible_ids = set(
            self.visible(
                Company.objects.filter(pk__in=[link.company_id for link in links])
            ).values_list("pk", flat=True)
        )
        for link in links:
            link.company_visible = link.company_id in visible_ids
        return {
            "current_links": [link for link in links if link.is_current],
            "past_links": [link for link in links if not link.is_current],
        }


class CompanyDetailView(CompanyMixin, records.RecordDetailView):
    template_name = "contacts/company_detail.html"
    detail_prefetch_related = ("tags", "phones")
    history_formatters = HISTORY_FORMATTERS
    contacts_shown = 50

    def extra_context(self, record):
        people = permissions.visible(self.request.user, Contact.objects.all())
        links = list(
            Employment.objects.filter(company=record, is_current=True, contact__in=people)
            .select_related("contact")
            .order_by("contact__sort_name", "contact_id")[: self.contacts_shown + 1]
        )
        return {
            "current_contacts": links[: self.contacts_shown],
            "more_contacts": len(links) > self.contacts_shown,
        }


# --- create and edit -----------------------------------------------------------------------------


class ContactFormView(ContactMixin, records.RecordFormView):
    form_class = ContactForm
    template_name = "contacts/contact_form.html"

    def load(self, pk):
        if pk is None:
            self.require_write()
            return None
        return self.get_changeable_record(
            pk, Contact.objects.prefetch_related("tags", "emails", "phones")
        )

    def new_instance(self):
        """A new contact for the current user; ``?company=<id>`` preselects the company."""
        contact = super().new_instance()
        company_id = self.request.GET.get("company", "")
        if company_id.isdigit():
            contact.company = self.visible(Company.objects.filter(pk=int(company_id))).first()
        return contact

    def get_formsets(self, data, record):
        return {
            "emails": email_formset(data, record),
            "phones": phone_formset(data, record, region_from(data, record)),
        }

    likely_duplicates = ()

    def create(self, *, actor, **kwargs):
        """Warn of a likely duplicate first (among the contacts the user can see); the form
        then carries ``save_anyway`` so pressing Save again creates the contact."""
        if self.request.POST.get("save_anyway") not in ("True", "true", "on", "1"):
            self.likely_duplicates = duplicates.similar_contacts(
                first_name=kwargs.get("first_name") or "",
                last_name=kwargs.get("last_name") or "",
                second_last_name=kwargs.get("second_last_name") or "",
                emails=[row["email"] for row in kwargs.get("emails") or ()],
                phones=[row["number"] for row in kwargs.get("phones") or ()],
                queryset=self.visible(Contact.objects.all()),
            )
            if self.likely_duplicates:
                raise ValidationError(
                    _(
                        "This looks like an existing contact. Check the matches above, or "
                        "press Save again to create it anyway."
                    )
                )
        return services.create_contact(actor=actor, **kwargs)

    def render_form(self, form, formsets, record, **kwargs):
        if self.likely_duplicates:
            form.data = form.data.copy()
            form.data["save_anyway"] = "True"
        return super().render_form(form, formsets, record, **kwargs)

    def common_context(self):
        return {**super().common_context(), "likely_duplicates": self.likely_duplicates}

    def update(self, record, *, actor, expected_version, **kwargs):
        return services.update_contact(
            record, actor=actor, expected_version=expected_version, **kwargs
        )


class CompanyFormView(CompanyMixin, records.RecordFormView):
    form_class = CompanyForm
    template_name = "contacts/company_form.html"

    def load(self, pk):
        if pk is None:
            self.require_write()
            return None
        return self.get_changeable_record(pk, Company.objects.prefetch_related("tags", "phones"))

    def get_formsets(self, data, record):
        return {"phones": phone_formset(data, record, region_from(data, record))}

    def create(self, *, actor, **kwargs):
        return services.create_company(actor=actor, **kwargs)

    def update(self, record, *, actor, expected_version, **kwargs):
        return services.update_company(
            record, actor=actor, expected_version=expected_version, **kwargs
        )


# --- trash ---------------------------------------------------------------------------------------


class ContactDeleteView(ContactMixin, records.RecordDeleteView):
    delete_service = staticmethod(services.delete_records)


class CompanyDeleteView(CompanyMixin, records.RecordDeleteView):
    delete_service = staticmethod(services.delete_records)


class ContactRestoreView(ContactMixin, records.RecordRestoreView):
    service = staticmethod(services.restore_records)


class CompanyRestoreView(CompanyMixin, records.RecordRestoreView):
    service = staticmethod(services.restore_records)


class ContactPurgeView(ContactMixin, records.RecordPurgeView):
    service = staticmethod(services.purge_records)
    trash_url_name = "contacts:trash"


class CompanyPurgeView(CompanyMixin, records.RecordPurgeView):
    service = staticmethod(services.purge_records)
    trash_url_name = "contacts:trash"


class TrashView(records.TrashView):
    sections = (
        records.TrashSection(Contact, _("Contacts"), "contacts:contact", "contacts_cursor"),
        records.TrashSection(Company, _("Companies"), "contacts:company", "companies_cursor"),
    )
