from django.db import models
from django.utils.translation import gettext_lazy as _


class LifecycleStage(models.TextChoices):
    SUBSCRIBER = "subscriber", _("Subscriber")
    LEAD = "lead", _("Lead")
    MQL = "mql", _("Marketing-qualified lead")
    SQL = "sql", _("Sales-qualified lead")
    OPPORTUNITY = "opportunity", _("Opportunity")
    CUSTOMER = "customer", _("Customer")
    EVANGELIST = "evangelist", _("Evangelist")
    OTHER = "other", _("Other")


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    ATTEMPTING = "attempting", _("Attempting to contact")
    CONNECTED = "connected", _("Connected")
    QUALIFIED = "qualified", _("Qualified")
    UNQUALIFIED = "unqualified", _("Unqualified")
    BAD_TIMING = "bad_timing", _("Bad timing")


class SourceChannel(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    SOCIAL = "social", _("Social network")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    MANUAL = "manual", _("Manual entry")
    REFERRAL = "referral", _("Referral")
    EVENT = "event", _("Event")


class ConsentStatus(models.TextChoices):
    UNKNOWN = "unknown", _("Not asked")
    PENDING = "pending", _("Pending confirmation")
    GRANTED = "granted", _("Granted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DENIED = "denied", _("Denied")


class ConsentMethod(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    DOUBLE_OPT_IN = "double_opt_in", _("Double opt-in e-mail")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone call")
    IN_PERSON = "in_person", _("In person")
    PAPER = "paper", _("Signed paper form")
    IMPORT = "import", _("Import")
    API = "api", _("API")


class CompanySize(models.TextChoices):
    MICRO = "1-9", _("1-9 employees")
    SMALL = "10-49", _("10-49 employees")
    MEDIUM = "50-249", _("50-249 employees")
    LARGE = "250+", _("250 or more employees")


class Industry(models.TextChoices):
    RETAIL = "retail", _("Retail and e-commerce")
    HOSPITALITY = "hospitality", _("Hospitality and tourism")
    CONSULTING = "consulting", _("Consulting and professional services")
    TECHNOLOGY = "technology", _("Technology and software")
    TELECOM = "telecom", _("Telecommunications")
    FINANCE = "finance", _("Financial services and insurance")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    CONSTRUCTION = "construction", _("Construction and real estate")
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    FOOD = "food", _("Food and agriculture")
    LOGISTICS = "logistics", _("Transport and logistics")
    PUBLIC = "public", _("Public sector and non-profit")
    OTHER = "other", _("Other")


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    WORK = "work", _("Work")
    HOME = "home", _("Home")
    FAX = "fax", _("Fax")
    OTHER = "other", _("Other")


class EmailKind(models.TextChoices):
    WORK = "work", _("Work")
    PERSONAL = "personal", _("Personal")
    OTHER = "other", _("Other")


# --- consent and data protection -----------------------------------------------------------------


class ConsentPurpose(models.TextChoices):
    """What a person agrees to. ``marketing_email`` is the consent the contact's own consent
    fields show (the one marketing sends depend on)."""

    MARKETING_EMAIL = "marketing_email", _("Marketing e-mails")
    NEWSLETTER = "newsletter", _("Newsletter")
    MARKETING_PHONE = "marketing_phone", _("Marketing calls and SMS")
    PROFILING = "profiling", _("Profiling and personalised offers")
    THIRD_PARTY = "third_party", _("Sharing with third parties")
    SURVEYS = "surveys", _("Satisfaction surveys")
    DATA_PROCESSING = "data_processing", _("Processing of personal data")


class LawfulBasis(models.TextChoices):
    """The six lawful bases of GDPR Art. 6(1)."""

    CONSENT = "consent", _("Consent")
    CONTRACT = "contract", _("Contract")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")
    VITAL_INTERESTS = "vital_interests", _("Vital interests")
    PUBLIC_TASK = "public_task", _("Public task")
    LEGITIMATE_INTERESTS = "legitimate_interests", _("Legitimate interests")


class ConsentAction(models.TextChoices):
    GRANT = "grant", _("Granted")
    WITHDRAW = "withdraw", _("Withdrawn")


class ConsentSource(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    DOUBLE_OPT_IN = "double_opt_in", _("Double opt-in e-mail")
    WITHDRAWAL_LINK = "withdrawal_link", _("Withdrawal link")
    PREFERENCE_CENTRE = "preference_centre", _("E-mail preference centre")
    UI = "ui", _("Web interface")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone call")
    IN_PERSON = "in_person", _("In person")
    PAPER = "paper", _("Signed paper form")
    RETENTION = "retention", _("Retention rule")


class PrivacyRequestKind(models.TextChoices):
    ACCESS_EXPORT = "access_export", _("Data-access export")
    ANONYMISE = "anonymise", _("Anonymisation")
    PURGE = "purge", _("Purge")


class RetentionRuleKind(models.TextChoices):
    ANONYMISE_INACTIVE_LEADS = "anonymise_inactive_leads", _("Anonymise inactive leads")
    PURGE_TRASHED_CONTACTS = "purge_trashed_contacts", _("Purge contacts in the trash")
    DELETE_OLD_SUBMISSIONS = "delete_old_submissions", _("Delete old form submissions")
