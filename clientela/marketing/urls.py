"""The marketing pages, under ``/marketing/`` in the ``marketing`` namespace."""

from django.urls import path

from . import views, views_loyalty
from . import views_segments as segments
from . import views_sequences as sequences
from . import views_suppressions as suppressions
from . import views_templates as templates

app_name = "marketing"

urlpatterns = [
    path("suppressions/", suppressions.SuppressionListView.as_view(), name="suppression_list"),
    path(
        "suppressions/<int:pk>/delete/",
        suppressions.SuppressionDeleteView.as_view(),
        name="suppression_delete",
    ),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", views.CampaignFormView.as_view(), name="campaign_create"),
    path("campaigns/results/", views.CampaignOverviewView.as_view(), name="campaign_overview"),
    path("campaigns/bulk/", views.CampaignBulkView.as_view(), name="campaign_bulk"),
    path("campaigns/views/", views.CampaignSavedViewSave.as_view(), name="campaign_view_save"),
    path(
        "campaigns/views/<int:pk>/delete/",
        views.CampaignSavedViewDelete.as_view(),
        name="campaign_view_delete",
    ),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.CampaignFormView.as_view(), name="campaign_edit"),
    path("campaigns/<int:pk>/action/", views.CampaignActionView.as_view(), name="campaign_action"),
    path("campaigns/<int:pk>/delete/", views.CampaignDeleteView.as_view(), name="campaign_delete"),
    path("templates/", templates.TemplateListView.as_view(), name="template_list"),
    path("templates/new/", templates.TemplateFormView.as_view(), name="template_create"),
    path("templates/preview/", templates.TemplatePreviewView.as_view(), name="template_preview"),
    path("templates/trash/", templates.TemplateTrashView.as_view(), name="template_trash"),
    path("templates/<int:pk>/", templates.TemplateFormView.as_view(), name="template_detail"),
    path(
        "templates/<int:pk>/test/",
        templates.TemplateTestSendView.as_view(),
        name="template_test",
    ),
    path(
        "templates/<int:pk>/duplicate/",
        templates.TemplateDuplicateView.as_view(),
        name="template_duplicate",
    ),
    path(
        "templates/<int:pk>/delete/", templates.TemplateDeleteView.as_view(), name="template_delete"
    ),
    path(
        "templates/<int:pk>/restore/",
        templates.TemplateRestoreView.as_view(),
        name="template_restore",
    ),
    path("templates/<int:pk>/purge/", templates.TemplatePurgeView.as_view(), name="template_purge"),
    # Loyalty and retention
    path("loyalty/", views_loyalty.member_list, name="loyalty_members"),
    path(
        "loyalty/contacts/<int:contact_id>/",
        views_loyalty.member_detail,
        name="loyalty_member",
    ),
    path(
        "loyalty/contacts/<int:contact_id>/redeem/",
        views_loyalty.member_redeem,
        name="loyalty_redeem",
    ),
    path(
        "loyalty/contacts/<int:contact_id>/adjust/",
        views_loyalty.member_adjust,
        name="loyalty_adjust",
    ),
    path("loyalty/at-risk/", views_loyalty.at_risk_list, name="loyalty_at_risk"),
    path("loyalty/at-risk/export/", views_loyalty.at_risk_export, name="loyalty_at_risk_export"),
    path("loyalty/at-risk/segment/", views_loyalty.at_risk_segment, name="loyalty_at_risk_segment"),
    path("loyalty/rewards/", views_loyalty.reward_list, name="loyalty_rewards"),
    path("loyalty/rewards/new/", views_loyalty.reward_form, name="loyalty_reward_create"),
    path("loyalty/rewards/<int:pk>/", views_loyalty.reward_form, name="loyalty_reward_edit"),
    path(
        "loyalty/rewards/<int:pk>/delete/",
        views_loyalty.reward_delete,
        name="loyalty_reward_delete",
    ),
    path("loyalty/tiers/", views_loyalty.tier_list, name="loyalty_tiers"),
    path("loyalty/tiers/new/", views_loyalty.tier_form, name="loyalty_tier_create"),
    path("loyalty/tiers/<int:pk>/", views_loyalty.tier_form, name="loyalty_tier_edit"),
    path("loyalty/tiers/<int:pk>/delete/", views_loyalty.tier_delete, name="loyalty_tier_delete"),
    path("loyalty/settings/", views_loyalty.program_settings, name="loyalty_settings"),
    path("segments/", segments.SegmentListView.as_view(), name="segment_list"),
    path("segments/new/", segments.SegmentFormView.as_view(), name="segment_create"),
    path("segments/count/", segments.SegmentCountView.as_view(), name="segment_count"),
    path("segments/bulk/", segments.SegmentBulkView.as_view(), name="segment_bulk"),
    path("segments/trash/", segments.SegmentTrashView.as_view(), name="segment_trash"),
    path("segments/views/", segments.SegmentSavedViewSave.as_view(), name="segment_view_save"),
    path(
        "segments/views/<int:pk>/delete/",
        segments.SegmentSavedViewDelete.as_view(),
        name="segment_view_delete",
    ),
    path("segments/<int:pk>/", segments.SegmentDetailView.as_view(), name="segment_detail"),
    path("segments/<int:pk>/edit/", segments.SegmentFormView.as_view(), name="segment_edit"),
    path("segments/<int:pk>/export/", segments.SegmentExportView.as_view(), name="segment_export"),
    path(
        "segments/<int:pk>/members/",
        segments.SegmentMembersView.as_view(),
        name="segment_members",
    ),
    path("segments/<int:pk>/freeze/", segments.SegmentFreezeView.as_view(), name="segment_freeze"),
    path("segments/<int:pk>/delete/", segments.SegmentDeleteView.as_view(), name="segment_delete"),
    path(
        "segments/<int:pk>/restore/",
        segments.SegmentRestoreView.as_view(),
        name="segment_restore",
    ),
    path("segments/<int:pk>/purge/", segments.SegmentPurgeView.as_view(), name="segment_purge"),
    path("sequences/", sequences.SequenceListView.as_view(), name="sequence_list"),
    path("sequences/new/", sequences.SequenceFormView.as_view(), name="sequence_create"),
    path("sequences/bulk/", sequences.SequenceBulkView.as_view(), name="sequence_bulk"),
    path("sequences/views/", sequences.SequenceSavedViewSave.as_view(), name="sequence_view_save"),
    path(
        "sequences/views/<int:pk>/delete/",
        sequences.SequenceSavedViewDelete.as_view(),
        name="sequence_view_delete",
    ),
    path("sequences/<int:pk>/", sequences.SequenceDetailView.as_view(), name="sequence_detail"),
    path("sequences/<int:pk>/edit/", sequences.SequenceFormView.as_view(), name="sequence_edit"),
    path(
        "sequences/<int:pk>/action/",
        sequences.SequenceActionView.as_view(),
        name="sequence_action",
    ),
    path(
        "sequences/<int:pk>/enroll/",
        sequences.SequenceEnrollView.as_view(),
        name="sequence_enroll",
    ),
    path(
        "sequences/<int:pk>/delete/",
        sequences.SequenceDeleteView.as_view(),
        name="sequence_delete",
    ),
    path(
        "sequences/<int:pk>/enrollments/<int:enrollment_id>/",
        sequences.EnrollmentDetailView.as_view(),
        name="enrollment_detail",
    ),
    path(
        "sequences/<int:pk>/enrollments/<int:enrollment_id>/cancel/",
        sequences.EnrollmentCancelView.as_view(),
        name="enrollment_cancel",
    ),
]
