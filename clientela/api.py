"""The REST API under ``/api/v1/``: resources, OpenAPI schema and offline Swagger UI docs."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from clientela.activities.api.views import ActivityViewSet
from clientela.analytics.api import ReportListView, ReportView
from clientela.automation.api.views import OutgoingWebhookViewSet
from clientela.automation.api.workflow_views import WorkflowRuleViewSet
from clientela.collaboration.api import (
    CommentViewSet,
    FeedView,
    FollowViewSet,
    NotificationViewSet,
    SurveyAnswerViewSet,
    SurveyViewSet,
)
from clientela.contacts.api.views import CompanyViewSet, ContactViewSet
from clientela.core.api.errors import not_found
from clientela.core.api.views import (
    ApiTokenViewSet,
    CustomFieldViewSet,
    SearchView,
    TagViewSet,
    TeamViewSet,
    UserViewSet,
)
from clientela.core.middleware import CONTENT_SECURITY_POLICY, content_security_policy
from clientela.intake.api.imports import ImportViewSet
from clientela.intake.api.views import (
    AssignmentRuleViewSet,
    MailboxViewSet,
    WebFormViewSet,
    WebhookViewSet,
)
from clientela.marketing.api.campaigns import CampaignViewSet
from clientela.marketing.api.loyalty import (
    LoyaltyAccountViewSet,
    LoyaltyTierViewSet,
    RewardViewSet,
)
from clientela.marketing.api.segments import SegmentViewSet
from clientela.marketing.api.sequences import SequenceViewSet
from clientela.marketing.api.templates import EmailTemplateViewSet
from clientela.sales.api.catalog import PriceListViewSet, ProductViewSet, TaxRateViewSet
from clientela.sales.api.purchases import PurchaseViewSet
from clientela.sales.api.setup import (
    ExchangeRateViewSet,
    ForecastView,
    LostReasonViewSet,
    PipelineViewSet,
    QuotaViewSet,
)
from clientela.sales.api.views import DealViewSet
from clientela.support.api.knowledge import ArticleCategoryViewSet, ArticleViewSet
from clientela.support.api.views import CaseViewSet

app_name = "api"

router = SimpleRouter()
router.register("contacts", ContactViewSet, basename="contact")
router.register("companies", CompanyViewSet, basename="company")
router.register("deals", DealViewSet, basename="deal")
router.register("activities", ActivityViewSet, basename="activity")
router.register("cases", CaseViewSet, basename="case")
router.register("articles", ArticleViewSet, basename="article")
router.register("article-categories", ArticleCategoryViewSet, basename="articlecategory")
router.register("pipelines", PipelineViewSet, basename="pipeline")
router.register("lost-reasons", LostReasonViewSet, basename="lostreason")
router.register("exchange-rates", ExchangeRateViewSet, basename="exchangerate")
router.register("quotas", QuotaViewSet, basename="quota")
router.register("products", ProductViewSet, basename="product")
router.register("tax-rates", TaxRateViewSet, basename="taxrate")
router.register("price-lists", PriceListViewSet, basename="pricelist")
router.register("purchases", PurchaseViewSet, basename="purchase")
router.register("users", UserViewSet, basename="user")
router.register("teams", TeamViewSet, basename="team")
router.register("custom-fields", CustomFieldViewSet, basename="customfield")
router.register("tags", TagViewSet, basename="tag")
router.register("assignment-rules", AssignmentRuleViewSet, basename="assignmentrule")
router.register("imports", ImportViewSet, basename="import")
router.register("web-forms", WebFormViewSet, basename="webform")
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("outgoing-webhooks", OutgoingWebhookViewSet, basename="outgoingwebhook")
router.register("automations", WorkflowRuleViewSet, basename="automation")
router.register("mailboxes", MailboxViewSet, basename="mailbox")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("tokens", ApiTokenViewSet, basename="token")
router.register("email-templates", EmailTemplateViewSet, basename="emailtemplate")
router.register("loyalty-accounts", LoyaltyAccountViewSet, basename="loyaltyaccount")
router.register("rewards", RewardViewSet, basename="reward")
router.register("loyalty-tiers", LoyaltyTierViewSet, basename="loyaltytier")
router.register("segments", SegmentViewSet, basename="segment")
router.register("sequences", SequenceViewSet, basename="sequence")
router.register("comments", CommentViewSet, basename="comment")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("follows", FollowViewSet, basename="follow")
router.register("feed", FeedView, basename="feed")
router.register("surveys", SurveyViewSet, basename="survey")
router.register("survey-answers", SurveyAnswerViewSet, basename="surveyanswer")

urlpatterns = [
    path("search/", SearchView.as_view(), name="search"),
    path("forecast/", ForecastView.as_view(), name="forecast"),
    path("reports/", ReportListView.as_view(), name="reports"),
    path("reports/<slug:key>/", ReportView.as_view(), name="report"),
    # The schema and its docs describe the API, they hold no data: readable without a token.
    path(
        "schema/",
        SpectacularAPIView.as_view(permission_classes=[AllowAny], authentication_classes=[]),
        name="schema",
    ),
    path(
        "docs/",
        # Swagger UI (served from the sidecar package) has an inline script and inline styles.
        content_security_policy(
            CONTENT_SECURITY_POLICY + "; script-src 'self' 'unsafe-inline'; "
            "style-src 'self' 'unsafe-inline'"
        )(
            SpectacularSwaggerView.as_view(
                url_name="api:schema", permission_classes=[AllowAny], authentication_classes=[]
            )
        ),
        name="docs",
    ),
    *router.urls,
    re_path(r"^.*$", not_found),
]
