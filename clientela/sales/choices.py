from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class StageKind(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class ForecastCategory(models.TextChoices):
    """How sure the owner is of an open deal, beside the stage's probability."""

    # Its own context: "pipeline" is also the sales process, which translates differently.
    PIPELINE = "pipeline", pgettext_lazy("forecast category", "Pipeline")
    BEST_CASE = "best_case", _("Best case")
    COMMIT = "commit", _("Commit")
    OMITTED = "omitted", _("Omitted")


class DealContactRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    INFLUENCER = "influencer", _("Influencer")
    CHAMPION = "champion", _("Champion")
    USER = "user", _("User")
    TECHNICAL = "technical", _("Technical contact")
    BILLING = "billing", _("Billing contact")
    OTHER = "other", _("Other")


class PurchaseChannel(models.TextChoices):
    """Where a customer bought."""

    ONLINE_SHOP = "online_shop", _("Online shop")
    STORE = "store", _("Store")
    PHONE = "phone", _("Phone")
    SALES_TEAM = "sales_team", _("Sales team")
    MARKETPLACE = "marketplace", _("Marketplace")
    IMPORT = "import", _("Import")
    API = "api", _("API")


class PurchaseStatus(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    REFUNDED = "refunded", _("Refunded")
    CANCELLED = "cancelled", _("Cancelled")


# The tax rates a new installation starts with (Spanish IVA), by code: (stored name, name in the
# reader's language, rate). A built-in rate shows the translated name until someone renames it.
BUILTIN_TAX_RATES = {
    "iva_general": ("IVA general", _("VAT standard"), "21.00"),
    "iva_reducido": ("IVA reducido", _("VAT reduced"), "10.00"),
    "iva_superreducido": ("IVA superreducido", _("VAT super-reduced"), "4.00"),
    "iva_exento": ("Exento de IVA", _("VAT exempt"), "0.00"),
}
