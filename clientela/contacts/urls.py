from django.urls import path

from . import views, views_duplicates, views_privacy

app_name = "contacts"


def record_urls(prefix, v, base=""):
    """The same set of pages for contacts and companies, under ``base``."""
    return [
        path(f"{base}", v["list"].as_view(), name=f"{prefix}_list"),
        path(f"{base}new/", v["form"].as_view(), name=f"{prefix}_create"),
        path(f"{base}export/", v["export"].as_view(), name=f"{prefix}_export"),
        path(f"{base}bulk/", v["bulk"].as_view(), name=f"{prefix}_bulk"),
        path(f"{base}views/", v["view_save"].as_view(), name=f"{prefix}_view_save"),
        path(
            f"{base}views/<int:pk>/delete/",
            v["view_delete"].as_view(),
            name=f"{prefix}_view_delete",
        ),
        path(f"{base}duplicates/", v["duplicates"].as_view(), name=f"{prefix}_duplicates"),
        path(
            f"{base}duplicates/dismiss/",
            v["dismiss"].as_view(),
            name=f"{prefix}_duplicates_dismiss",
        ),
        path(f"{base}<int:pk>/merge/", v["merge"].as_view(), name=f"{prefix}_merge"),
        path(f"{base}<int:pk>/", v["detail"].as_view(), name=f"{prefix}_detail"),
        path(f"{base}<int:pk>/edit/", v["form"].as_view(), name=f"{prefix}_edit"),
        path(f"{base}<int:pk>/delete/", v["delete"].as_view(), name=f"{prefix}_delete"),
        path(f"{base}<int:pk>/restore/", v["restore"].as_view(), name=f"{prefix}_restore"),
        path(f"{base}<int:pk>/purge/", v["purge"].as_view(), name=f"{prefix}_purge"),
    ]


CONTACT_VIEWS = {
    "list": views.ContactListView,
    "form": views.ContactFormView,
    "export": views.ContactExportView,
    "bulk": views.ContactBulkView,
    "view_save": views.ContactSavedViewSave,
    "view_delete": views.ContactSavedViewDelete,
    "detail": views.ContactDetailView,
    "delete": views.ContactDeleteView,
    "restore": views.ContactRestoreView,
    "purge": views.ContactPurgeView,
    "duplicates": views_duplicates.DuplicateListView,
    "dismiss": views_duplicates.DismissDuplicateView,
    "merge": views_duplicates.MergeView,
}
COMPANY_VIEWS = {
    "list": views.CompanyListView,
    "form": views.CompanyFormView,
    "export": views.CompanyExportView,
    "bulk": views.CompanyBulkView,
    "view_save": views.CompanySavedViewSave,
    "view_delete": views.CompanySavedViewDelete,
    "detail": views.CompanyDetailView,
    "delete": views.CompanyDeleteView,
    "restore": views.CompanyRestoreView,
    "purge": views.CompanyPurgeView,
    "duplicates": views_duplicates.CompanyDuplicateListView,
    "dismiss": views_duplicates.CompanyDismissDuplicateView,
    "merge": views_duplicates.CompanyMergeView,
}

PRIVACY_URLS = [
    path("privacy/", views_privacy.PrivacySettingsView.as_view(), name="privacy_settings"),
    path(
        "withdraw/<str:token>/",
        views_privacy.PublicWithdrawView.as_view(),
        name="withdraw_consent",
    ),
    path("<int:pk>/consents/", views_privacy.ContactConsentView.as_view(), name="contact_consent"),
    path(
        "<int:pk>/consents/withdraw/",
        views_privacy.ContactWithdrawView.as_view(),
        name="contact_withdraw",
    ),
    path(
        "<int:pk>/data-export/",
        views_privacy.ContactDataExportView.as_view(),
        name="contact_data_export",
    ),
    path("<int:pk>/erase/", views_privacy.ContactEraseView.as_view(), name="contact_erase"),
]

urlpatterns = [
    *PRIVACY_URLS,
    path("trash/", views.TrashView.as_view(), name="trash"),
    *record_urls("company", COMPANY_VIEWS, base="companies/"),
    *record_urls("contact", CONTACT_VIEWS),
]
