from django.urls import path

from .views import board, forecast, products, purchases, quotes, setup
from .views import deals as views

app_name = "sales"

urlpatterns = [
    path("", views.DealListView.as_view(), name="deal_list"),
    path("board/", board.DealBoardView.as_view(), name="deal_board"),
    path("qualify/<int:contact_pk>/", views.QualifyView.as_view(), name="qualify"),
    path("forecast/", forecast.ForecastView.as_view(), name="forecast"),
    path("quotas/", forecast.QuotaView.as_view(), name="quotas"),
    path("settings/pipelines/", setup.pipeline_list, name="pipeline_list"),
    path("settings/pipelines/new/", setup.pipeline_form, name="pipeline_create"),
    path("settings/pipelines/<int:pk>/", setup.pipeline_form, name="pipeline_edit"),
    path("settings/lost-reasons/", setup.lost_reasons, name="lost_reasons"),
    path(
        "settings/lost-reasons/<int:pk>/toggle/",
        setup.lost_reason_toggle,
        name="lost_reason_toggle",
    ),
    path("settings/exchange-rates/", setup.exchange_rates, name="exchange_rates"),
    path(
        "settings/exchange-rates/<int:pk>/delete/",
        setup.exchange_rate_delete,
        name="exchange_rate_delete",
    ),
    path("new/", views.DealFormView.as_view(), name="deal_create"),
    path("bulk/", views.DealBulkView.as_view(), name="deal_bulk"),
    path("views/", views.DealSavedViewSave.as_view(), name="deal_view_save"),
    path("views/<int:pk>/delete/", views.DealSavedViewDelete.as_view(), name="deal_view_delete"),
    path("<int:pk>/", views.DealDetailView.as_view(), name="deal_detail"),
    path("<int:pk>/edit/", views.DealFormView.as_view(), name="deal_edit"),
    path("<int:pk>/move/", board.DealMoveView.as_view(), name="deal_move"),
    path("<int:pk>/delete/", views.DealDeleteView.as_view(), name="deal_delete"),
    path("<int:pk>/restore/", views.DealRestoreView.as_view(), name="deal_restore"),
    path("<int:pk>/purge/", views.DealPurgeView.as_view(), name="deal_purge"),
    # products, line items and quotes
    path("products/", products.product_list, name="product_list"),
    path("products/new/", products.product_form, name="product_create"),
    path("products/<int:pk>/", products.product_form, name="product_edit"),
    path("products/<int:pk>/delete/", products.product_delete, name="product_delete"),
    path("settings/tax-rates/", products.tax_rates, name="tax_rates"),
    path("settings/tax-rates/<int:pk>/", products.tax_rates, name="tax_rate_edit"),
    path("settings/price-lists/", products.price_lists, name="price_lists"),
    path("settings/price-lists/<int:pk>/", products.price_lists, name="price_list_edit"),
    path("settings/quotes/", products.seller_profile, name="seller_profile"),
    path("<int:pk>/lines/", products.deal_lines, name="deal_lines"),
    path("<int:pk>/quotes/", quotes.quote_create, name="quote_create"),
    path("<int:pk>/quotes/<int:version>/", quotes.quote_download, name="quote_download"),
    # purchases
    path("purchases/", purchases.PurchaseListView.as_view(), name="purchase_list"),
    path("purchases/export/", purchases.PurchaseExportView.as_view(), name="purchase_export"),
    path("purchases/new/", purchases.PurchaseFormView.as_view(), name="purchase_create"),
    path("purchases/bulk/", purchases.PurchaseBulkView.as_view(), name="purchase_bulk"),
    path("purchases/views/", purchases.PurchaseSavedViewSave.as_view(), name="purchase_view_save"),
    path(
        "purchases/views/<int:pk>/delete/",
        purchases.PurchaseSavedViewDelete.as_view(),
        name="purchase_view_delete",
    ),
    path("purchases/<int:pk>/", purchases.PurchaseDetailView.as_view(), name="purchase_detail"),
    path("purchases/<int:pk>/edit/", purchases.PurchaseFormView.as_view(), name="purchase_edit"),
    path(
        "purchases/<int:pk>/delete/",
        purchases.PurchaseDeleteView.as_view(),
        name="purchase_delete",
    ),
    path(
        "purchases/<int:pk>/restore/",
        purchases.PurchaseRestoreView.as_view(),
        name="purchase_restore",
    ),
    path("purchases/<int:pk>/purge/", purchases.PurchasePurgeView.as_view(), name="purchase_purge"),
]
