"""``/api/v1/contacts/`` and ``/api/v1/companies/``: thin views over ``contacts.services``."""

from django.db.models import F, Value
from django.db.models.functions import Coalesce
from drf_spectacular.utils import extend_schema, extend_schema_view

from clientela.core.api.base import RecordViewSet, export_schema
from clientela.core.prefetch import prefetched

from .. import io, services
from ..filtersets import CompanyFilterSet, ContactFilterSet
from ..models import Company, Contact, Employment
from .duplicates import DuplicatesActionsMixin, LikelyDuplicateHeaderMixin
from .privacy import PrivacyActionsMixin
from .serializers import CompanySerializer, ContactSerializer

LINKS = ("company", "owner", "team")


def _company_name():
    """The linked company's name read in the same query (a join, not a Company per row)."""
    return Coalesce(F("company__name"), Value(""))


class ContactsServicesMixin:
    """The write hooks of ``RecordViewSet``, answered by ``contacts.services``."""

    create_service = None
    update_service = None

    def create_record(self, data):
        data = dict(data)
        data.setdefault("owner", self.request.user)
        return self.create_service(actor=self.request.user, **data)

    def update_record(self, record, data, expected_version):
        # A client sends back what it read: a link it did not change (say, to a company now in
        # the trash) must not be re-checked as if it were new.
        data = {
            name: value
            for name, value in data.items()
            if not (name in LINKS and getattr(value, "pk", None) == getattr(record, f"{name}_id"))
        }
        return self.update_service(
            record, actor=self.request.user, expected_version=expected_version, **data
        )

    def delete_records(self, records):
        return services.delete_records(records, actor=self.request.user)

    def restore_records(self, records):
        return services.restore_records(records, actor=self.request.user)

    def export_chunks(self, queryset):
        return io.iter_csv(self.model, queryset)

    def export_content(self, queryset, code):
        return io.export_content(self.model, queryset, code)


@extend_schema_view(
    list=extend_schema(summary="List contacts"),
    create=extend_schema(summary="Create a contact (owner defaults to the caller)"),
    destroy=extend_schema(summary="Move a contact to the trash"),
    restore=extend_schema(summary="Restore a contact from the trash"),
    history=extend_schema(summary="A contact's changes, newest first"),
    export=export_schema(
        io.EXPORT_FORMATS[Contact], summary="Export the filtered contacts as CSV, XLSX or vCard"
    ),
)
class ContactViewSet(
    LikelyDuplicateHeaderMixin,
    DuplicatesActionsMixin,
    PrivacyActionsMixin,
    ContactsServicesMixin,
    RecordViewSet,
):
    """People. Lists show what the caller's role and scope allow; anything else is 404.

    Writes accept ``If-Match`` with the ETag read earlier: a stale one gets 412 and changes
    nothing; without it the write applies over whatever is stored (last write wins).
    """

    model = Contact
    serializer_class = ContactSerializer
    filterset_class = ContactFilterSet
    orderings = {
        "name": ["sort_name", "id"],
        "-created": ["-created_at", "-id"],
        "-updated": ["-updated_at", "-id"],
        "created": ["created_at", "id"],
    }
    default_ordering = "name"
    export_filename = "contacts.csv"
    export_formats = io.EXPORT_FORMATS[Contact]
    create_service = staticmethod(services.create_contact)
    update_service = staticmethod(services.update_contact)

    def optimize(self, queryset):
        return queryset.annotate(company_name=_company_name()).prefetch_related(
            prefetched("emails"),
            prefetched("phones"),
            prefetched("tags"),
            prefetched("employments", Employment.objects.annotate(company_name=_company_name())),
        )


@extend_schema_view(
    list=extend_schema(summary="List companies"),
    create=extend_schema(summary="Create a company (owner defaults to the caller)"),
    destroy=extend_schema(summary="Move a company to the trash"),
    restore=extend_schema(summary="Restore a company from the trash"),
    history=extend_schema(summary="A company's changes, newest first"),
    export=export_schema(
        io.EXPORT_FORMATS[Company], summary="Export the filtered companies as CSV or XLSX"
    ),
)
class CompanyViewSet(DuplicatesActionsMixin, ContactsServicesMixin, RecordViewSet):
    """Organisations. Same rules as contacts: scoped lists, 404 outside the scope, ``If-Match``
    on writes (optional; without it the last write wins), deletes move to the trash."""

    model = Company
    serializer_class = CompanySerializer
    filterset_class = CompanyFilterSet
    orderings = {
        "name": ["sort_name", "id"],
        "-created": ["-created_at", "-id"],
        "-updated": ["-updated_at", "-id"],
        "created": ["created_at", "id"],
    }
    default_ordering = "name"
    export_filename = "companies.csv"
    export_formats = io.EXPORT_FORMATS[Company]
    create_service = staticmethod(services.create_company)
    update_service = staticmethod(services.update_company)

    def optimize(self, queryset):
        return queryset.prefetch_related(prefetched("phones"), prefetched("tags"))
