from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    EN = "en", _("English")
    ES = "es", _("Spanish")
    CA = "ca", _("Catalan")


class RecordScope(models.TextChoices):
    OWN = "own", _("Own records")
    TEAM = "team", _("Team records")
    ALL = "all", _("All records")


class AccessLevel(models.TextChoices):
    NONE = "none", _("No access")
    READ = "read", _("Read")
    WRITE = "write", _("Read and write")


class Area(models.TextChoices):
    """Parts of the product a role grants access to; later apps add theirs."""

    CONTACTS = "contacts", _("Contacts and companies")
    SALES = "sales", _("Sales (deals, pipelines, products, purchases, forecast)")
    ACTIVITIES = "activities", _("Activities (calls, meetings, e-mails, notes, tasks)")
    SUPPORT = "support", _("Customer service (cases, SLAs, knowledge base)")
    MARKETING = "marketing", _("Marketing (segments, templates, campaigns, sequences, loyalty)")
    AUTOMATION = "automation", _("Automation (workflow rules, outgoing webhooks)")
    SETTINGS = "settings", _("Settings (users, teams, roles, custom fields)")
    PRIVACY = "privacy", _("Privacy requests (data-access exports, erasure)")


class ChangeSource(models.TextChoices):
    UI = "ui", _("Web interface")
    API = "api", _("API")
    CLI = "cli", _("Command line")
    IMPORT = "import", _("Import")
    AUTOMATION = "automation", _("Automation")
    SYSTEM = "system", _("System")


class ChangeAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Moved to trash")
    RESTORE = "restore", _("Restored")
    PURGE = "purge", _("Deleted permanently")


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    INTEGER = "integer", _("Integer")
    DECIMAL = "decimal", _("Decimal")
    DATE = "date", _("Date")
    DATETIME = "datetime", _("Date and time")
    BOOLEAN = "boolean", _("Yes / no")
    CHOICE = "choice", _("Choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")
    URL = "url", _("URL")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")


class Sharing(models.TextChoices):
    """Who sees a saved list view besides the person who saved it."""

    PRIVATE = "private", _("Only me")
    TEAM = "team", _("My team")
    EVERYONE = "everyone", _("Everyone")
