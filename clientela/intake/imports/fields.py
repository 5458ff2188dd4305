"""What an import can fill, per kind of record, and which column of a file fills it.

Each kind lists its ``Target`` fields with the column names other tools write in their exports
(HubSpot, Salesforce, Google Contacts, Outlook, EspoCRM), Clientela's own export, and plain
Spanish, Catalan and English names. ``suggest_mapping`` matches a file's header against them
without case, accents or punctuation, so "Correo electrónico", "E-mail 1 - Value" and
"emailAddress" all land on the e-mail.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from clientela.core import customfields
from clientela.core.text import normalize

KINDS = ("contacts", "companies", "deals", "activities", "purchases")
KIND_LABELS = {
    "contacts": _("Contacts"),
    "companies": _("Companies"),
    "deals": _("Deals"),
    "activities": _("Activities"),
    "purchases": _("Purchases"),
}
CF_PREFIX = "cf_"
IGNORE = ""  # a column mapped to nothing


@dataclass(frozen=True)
class Target:
    name: str
    label: object
    aliases: tuple = ()
    # Several columns may fill it (e-mails, phones, tags, notes): their values are combined.
    multiple: bool = False


def _aliases(text):
    return tuple(header_key(a) for a in text.split("|") if a.strip())


def header_key(name):
    """A column name reduced to what identifies it: "E-mail 1 - Value" -> "e mail 1 value"."""
    return " ".join(re.sub(r"[\W_]+", " ", normalize(name)).split())


def _camel_words(name):
    # EspoCRM and other APIs write "emailAddress", "addressPostalCode".
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)


_ADDRESS = {
    "street": "street|street address|address|address 1 street|mailing street|business street"
    "|home street|address street|billing address street|shipping address street|direccion"
    "|domicilio|calle|adreca|carrer|address line 1",
    "city": "city|mailing city|business city|home city|address 1 city|address city|town"
    "|billing address city|ciudad|poblacion|localidad|municipio|ciutat|poblacio|municipi",
    "postcode": "postcode|postal code|zip|zip code|mailing zip postal code|business postal code"
    "|home postal code|address 1 postal code|address postal code|billing address postal code"
    "|codigo postal|cp|codi postal",
    "region": "region|state|state region|province|mailing state province|business state"
    "|home state|address 1 region|address state|billing address state|provincia|comunidad"
    "|comunidad autonoma|comunitat",
    "country": "country|country region|mailing country|business country region"
    "|home country region|address 1 country|address country|billing address country|pais",
}
_OWNER = "owner|contact owner|company owner|deal owner|account owner|lead owner|owner name"
_OWNER += "|assigned user|assigned user name|assigned to|responsable|propietario|propietari"
_TAGS = "tags|labels|categories|category|group membership|etiquetas|etiquetes|categorias"


def _address_targets():
    return [
        Target("street", _("Street"), _aliases(_ADDRESS["street"])),
        Target("city", _("City"), _aliases(_ADDRESS["city"])),
        Target("postcode", _("Postcode"), _aliases(_ADDRESS["postcode"])),
        Target("region", _("Region"), _aliases(_ADDRESS["region"])),
        Target("country", _("Country"), _aliases(_ADDRESS["country"])),
    ]


def _ownership_targets():
    return [
        Target("owner", _("Owner (user name or e-mail)"), _aliases(_OWNER)),
        Target("team", _("Team"), _aliases("team|equipo|equip|assigned team")),
        Target("tags", _("Tags"), _aliases(_TAGS), multiple=True),
    ]


TARGETS = {
    "contacts": [
        Target(
            "first_name",
            _("First name"),
            _aliases("first name|firstname|given name|nombre|nom|name first|first"),
        ),
        Target(
            "last_name",
            _("First surname"),
            _aliases("last name|lastname|family name|surname|primer apellido|primer cognom|last"),
        ),
        Target(
            "second_last_name",
            _("Second surname"),
            _aliases("second last name|second surname|segundo apellido|segon cognom"),
        ),
        Target(
            "surnames",
            _("Surnames (both, split)"),
            _aliases("surnames|apellidos|cognoms|apellido|cognom"),
        ),
        Target(
            "full_name",
            _("Full name (split)"),
            _aliases("full name|name|contact name|display name|nombre completo|nom complet|fn"),
        ),
        Target(
            "job_title",
            _("Job title"),
            _aliases(
                "job title|title|position|organization title|organization 1 title|cargo|puesto"
                "|carrec|job"
            ),
        ),
        Target(
            "company",
            _("Company (name)"),
            _aliases(
                "company|company name|account name|organization|organization name"
                "|organization 1 name|empresa|compania|companyia|associated company|account"
            ),
        ),
        Target(
            "email",
            _("E-mail"),
            _aliases(
                "email|e mail|emails|email address|e mail address|e mail 2 address"
                "|e mail 3 address|e mail 1 value|e mail 2 value|e mail 3 value"
                "|email 1 value|email 2 value|correo|correo electronico|correu"
                "|correu electronic|mail|work email|personal email|secondary email"
            ),
            multiple=True,
        ),
        Target(
            "phone",
            _("Phone"),
            _aliases(
                "phone|phones|phone number|telephone|mobile|mobile phone|mobile phone number"
                "|business phone|business phone 2|home phone|home phone 2|other phone"
                "|company main phone|phone 1 value|phone 2 value|phone 3 value|telefono"
                "|movil|telefon|mobil|work phone|cell|cell phone|phone mobile|phone office"
            ),
            multiple=True,
        ),
        Target("language", _("Language"), _aliases("language|preferred language|idioma|locale")),
        Target(
            "lifecycle_stage",
            _("Lifecycle stage"),
            _aliases("lifecycle stage|lifecycle|etapa|etapa del ciclo de vida|cicle de vida"),
        ),
        Target("lead_status", _("Lead status"), _aliases("lead status|estado del lead|status")),
        Target(
            "source",
            _("Source"),
            _aliases("source|lead source|original source|origen|fuente|font"),
        ),
        Target(
            "source_detail",
            _("Source detail"),
            _aliases("source detail|original source drill down 1|campaign|campana|campanya"),
        ),
        Target(
            "consent_status",
            _("Marketing consent"),
            _aliases("consent status|marketing consent|consent|consentimiento|consentiment"),
        ),
        Target(
            "consent_at",
            _("Consent recorded"),
            _aliases("consent at|consent date|fecha de consentimiento|data del consentiment"),
        ),
        Target("consent_method", _("Consent method"), _aliases("consent method")),
        Target("consent_proof", _("Consent proof"), _aliases("consent proof|consent text")),
        *_address_targets(),
        Target(
            "notes",
            _("Notes"),
            _aliases("notes|note|description|comments|notas|observaciones|comentaris"),
            multiple=True,
        ),
        *_ownership_targets(),
    ],
    "companies": [
        Target(
            "name",
            _("Name"),
            _aliases(
                "name|company|company name|account name|organization|organization name"
                "|empresa|nombre|nom|razon comercial|nombre comercial"
            ),
        ),
        Target(
            "legal_name",
            _("Legal name"),
            _aliases("legal name|razon social|denominacion social|rao social"),
        ),
        Target(
            "tax_id",
            _("Tax id"),
            _aliases("tax id|vat|vat number|vat id|nif|cif|nie|nif cif|tax number|sic code"),
        ),
        Target("domain", _("Domain"), _aliases("domain|company domain name|email domain|dominio")),
        Target(
            "website",
            _("Website"),
            _aliases("website|website url|web|url|sitio web|pagina web|lloc web"),
        ),
        Target("industry", _("Industry"), _aliases("industry|sector|industria")),
        Target(
            "size",
            _("Size"),
            _aliases("size|number of employees|employees|empleados|plantilla|treballadors"),
        ),
        Target(
            "phone",
            _("Phone"),
            _aliases(
                "phone|phones|phone number|telephone|company main phone|business phone"
                "|phone office|telefono|telefon"
            ),
            multiple=True,
        ),
        *_address_targets(),
        Target(
            "description",
            _("Description"),
            _aliases("description|notes|about|about us|descripcion|descripcio|notas"),
            multiple=True,
        ),
        *_ownership_targets(),
    ],
    "deals": [
        Target(
            "name",
            _("Name"),
            _aliases("name|deal name|opportunity name|opportunity|deal|nombre|oportunidad|nom"),
        ),
        Target("pipeline", _("Pipeline"), _aliases("pipeline|embudo|embut")),
        Target("stage", _("Stage"), _aliases("stage|deal stage|sales stage|etapa|fase")),
        Target("amount", _("Amount"), _aliases("amount|deal amount|value|importe|valor|import")),
        Target("currency", _("Currency"), _aliases("currency|deal currency code|moneda")),
        Target(
            "expected_close_date",
            _("Expected close date"),
            _aliases(
                "expected close date|close date|closing date|close|fecha de cierre"
                "|data de tancament"
            ),
        ),
        Target(
            "company",
            _("Company (name)"),
            _aliases("company|company name|account name|associated company|account|empresa"),
        ),
        Target(
            "contact",
            _("Contact (e-mail)"),
            _aliases("contact|contacts|contact email|associated contact|email|contacto|contacte"),
            multiple=True,
        ),
        Target("source", _("Source"), _aliases("source|lead source|origen|font")),
        Target("source_detail", _("Source detail"), _aliases("source detail|campaign|campana")),
        Target("next_step", _("Next step"), _aliases("next step|siguiente paso|seguent pas")),
        *_ownership_targets(),
    ],
    "activities": [
        Target("kind", _("Kind"), _aliases("kind|type|activity type|tipo|tipus")),
        Target("subject", _("Subject"), _aliases("subject|title|name|asunto|assumpte")),
        Target(
            "body",
            _("Description"),
            _aliases("body|description|notes|note|details|descripcion|descripcio|notas"),
            multiple=True,
        ),
        Target(
            "timeline_at",
            _("When"),
            _aliases("when|date|activity date|date start|created at|fecha|data|timestamp"),
        ),
        Target(
            "contact",
            _("Contact (e-mail)"),
            _aliases("contact|contact email|email|contacto|contacte|associated contact"),
        ),
        Target("company", _("Company (name)"), _aliases("company|account name|account|empresa")),
        Target("deal", _("Deal (name)"), _aliases("deal|deal name|opportunity|oportunidad")),
        Target("direction", _("Direction"), _aliases("direction|direccion|direccio")),
        Target(
            "duration",
            _("Duration (seconds or mm:ss)"),
            _aliases("duration|call duration|duration seconds|duracion|durada"),
        ),
        Target("outcome", _("Outcome"), _aliases("outcome|call outcome|status|resultado|resultat")),
        Target("due_at", _("Due"), _aliases("due|due date|vencimiento|venciment")),
        Target("done_at", _("Done"), _aliases("done|completed|completed at|hecha|feta")),
        *_ownership_targets(),
    ],
    "purchases": [
        Target(
            "external_id",
            _("Order number"),
            _aliases("external id|order|order id|order number|invoice|invoice number|pedido"),
        ),
        Target(
            "purchased_at",
            _("Purchased"),
            _aliases("purchased at|purchase date|date|order date|fecha|data|fecha de compra"),
        ),
        Target(
            "contact",
            _("Contact (e-mail)"),
            _aliases("contact|email|customer email|contact email|cliente|client"),
        ),
        Target("company", _("Company (name)"), _aliases("company|account name|empresa")),
        Target(
            "total_amount",
            _("Total"),
            _aliases("total|total amount|amount|importe|import|importe total"),
        ),
        Target("tax_amount", _("Tax"), _aliases("tax|tax amount|vat|iva|impuestos|impostos")),
        Target("currency", _("Currency"), _aliases("currency|moneda")),
        Target("channel", _("Channel"), _aliases("channel|canal|sales channel")),
        Target("status", _("Status"), _aliases("status|estado|estat")),
        Target("source", _("Source system"), _aliases("source|shop|tienda|botiga")),
        Target("note", _("Note"), _aliases("note|notes|nota|notas"), multiple=True),
        *_ownership_targets(),
    ],
}


def targets_for(kind, model=None):
    """The kind's targets plus one per custom field of its model (``cf_<key>``)."""
    targets = list(TARGETS[kind])
    if model is not None:
        for definition in customfields.definitions_for(model):
            aliases = _aliases(f"{CF_PREFIX}{definition.key}|{definition.key}|{definition.label}")
            targets.append(Target(f"{CF_PREFIX}{definition.key}", definition.label, aliases))
    return targets


def suggest_mapping(kind, header, model=None):
    """The target each column most likely fills (``IGNORE`` when none), in column order.

    A target's own name and its aliases match; a target that takes one column is given to
    the first column that matches it only.
    """
    by_key = {}
    for target in targets_for(kind, model):
        for key in (header_key(target.name), *target.aliases):
            by_key.setdefault(key, target)
    taken, mapping = set(), []
    for name in header:
        key = header_key(name)
        target = by_key.get(key) or by_key.get(header_key(_camel_words(name)))
        if target is None or (target.name in taken and not target.multiple):
            mapping.append(IGNORE)
            continue
        taken.add(target.name)
        mapping.append(target.name)
    return mapping


def check_mapping(kind, mapping, model=None):
    """Errors of a mapping given by a person or a saved mapping: unknown targets, a
    single-column target given twice, nothing that names the record."""
    known = {t.name: t for t in targets_for(kind, model)}
    errors, seen = [], set()
    for name in mapping:
        if name == IGNORE:
            continue
        target = known.get(name)
        if target is None:
            errors.append(_("%(name)s is not a field of this import.") % {"name": name})
        elif name in seen and not target.multiple:
            errors.append(_("%(name)s is given by two columns.") % {"name": target.label})
        seen.add(name)
    needed = NAMING_TARGETS[kind]
    if not needed & seen:
        labels = ", ".join(str(known[n].label) for n in sorted(needed) if n in known)
        errors.append(_("Map a column to one of: %(fields)s.") % {"fields": labels})
    return errors


# At least one of these must be mapped: what a record is known by.
NAMING_TARGETS = {
    "contacts": {"first_name", "last_name", "surnames", "full_name", "email", "phone"},
    "companies": {"name"},
    "deals": {"name"},
    "activities": {"kind", "subject"},
    "purchases": {"total_amount"},
}
