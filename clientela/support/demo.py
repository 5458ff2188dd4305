"""Customer service in the demo: categories, an office calendar with this year's Catalan
holidays, two SLA policies, canned replies, knowledge-base articles in three languages and a
few dozen cases at every stage, written through the services. Deterministic (seeded)."""

import random

from django.db import transaction
from django.utils import timezone

from clientela.contacts.models import Contact
from clientela.core.models import Flag, Team, User

from .choices import CaseChannel, CasePriority, CaseStatus
from .services import cases, knowledge, setup
from .services.canned import save_canned_reply

FLAG = "demo_support_loaded"
SEED = 2028
AGENTS = ("david.soler", "elena.ruiz")
OFFICE = {str(day): [["09:00", "14:00"], ["15:00", "18:00"]] for day in range(5)}
REQUESTS = [
    ("Facturación", "La factura de mayo no cuadra", "La factura indica 12 unidades y pedí 2."),
    (
        "Facturación",
        "Cambio de datos fiscales",
        "Necesito que las facturas salgan con el NIF nuevo.",
    ),
    (
        "Devoluciones",
        "Quiero devolver un pedido",
        "El pedido llegó bien pero no es lo que esperaba.",
    ),
    ("Devoluciones", "Producto llegado roto", "La lámpara ha llegado con el cristal roto."),
    (
        "Incidencias técnicas",
        "No puedo entrar en mi cuenta",
        "La web dice que mi contraseña no vale.",
    ),
    ("Incidencias técnicas", "El pedido no aparece", "Hice un pedido ayer y no sale en mi área."),
]
ARTICLES = [
    (
        "Devoluciones",
        {
            "es": (
                "Cómo devolver un pedido",
                "Tienes **30 días** para devolverlo. Escríbenos con el número de pedido.",
            ),
            "ca": (
                "Com retornar una comanda",
                "Tens **30 dies** per retornar-la. Escriu-nos amb el número de comanda.",
            ),
            "en": (
                "How to return an order",
                "You have **30 days** to return it. Write to us with the order number.",
            ),
        },
    ),
    (
        "Facturación",
        {
            "es": (
                "Cambiar los datos de facturación",
                "Desde tu área de cliente, en *Datos fiscales*.",
            ),
            "ca": (
                "Canviar les dades de facturació",
                "Des de la teva àrea de client, a *Dades fiscals*.",
            ),
        },
    ),
]


def is_loaded():
    return Flag.objects.filter(name=FLAG).exists()


@transaction.atomic
def load_demo(*, seed=SEED, cases_count=40):
    """Returns how many cases were opened (0 when the demo is already there or the demo
    people are missing)."""
    agents = list(User.objects.filter(username__in=AGENTS).order_by("username"))
    manager = User.objects.filter(username="marta.puig").first()
    contacts = list(Contact.objects.order_by("id")[:200])
    if is_loaded() or not agents or manager is None or not contacts:
        return 0
    rng = random.Random(seed)
    team = Team.objects.filter(handle="servicio").first()
    categories = {
        name: setup.create_category(actor=manager, name=name, team=team)
        for name in ("Facturación", "Devoluciones", "Incidencias técnicas")
    }
    office = setup.create_calendar(actor=manager, name="Oficina de Barcelona", hours=OFFICE)
    year = timezone.localdate().year
    for each in (year, year + 1):
        setup.load_holidays(office, each, "ES-CT", actor=manager)
    setup.create_policy(
        actor=manager,
        name="Urgente",
        priority=CasePriority.URGENT,
        calendar=office,
        first_response_minutes=60,
        resolution_minutes=480,
    )
    setup.create_policy(
        actor=manager,
        name="Estándar",
        calendar=office,
        first_response_minutes=240,
        resolution_minutes=2400,
    )
    save_canned_reply(
        actor=manager,
        title="Lo estamos revisando",
        language="es",
        body="Hola {first_name}:\n\nGracias por escribirnos. Estamos revisando tu caso {case} "
        "y te decimos algo muy pronto.\n\n{agent}",
    )
    save_canned_reply(
        actor=manager,
        title="Resuelto",
        language="es",
        set_status=CaseStatus.RESOLVED,
        body="Hola {first_name}:\n\nYa está solucionado. Si necesitas algo más, responde a "
        "este correo.\n\n{agent}",
    )
    for category, versions in ARTICLES:
        topic = knowledge.create_article_category(actor=manager, name=category)
        first = None
        for language, (title, body) in versions.items():
            article = knowledge.create_article(
                actor=manager,
                translation_of=first,
                language=language,
                title=title,
                body=body,
                status="published",
                category=topic,
            )
            first = first or article
    for n in range(cases_count):
        category, subject, text = rng.choice(REQUESTS)
        contact = rng.choice(contacts)
        agent = rng.choice(agents)
        case = cases.create_case(
            actor=agent,
            subject=subject,
            description=text,
            contact=contact,
            category=categories[category],
            channel=rng.choice(list(CaseChannel.values)),
            priority=rng.choice(
                [CasePriority.NORMAL] * 4 + [CasePriority.HIGH, CasePriority.URGENT]
            ),
            owner=None if n % 5 == 0 else agent,
            language=contact.language,
        )
        stage = n % 4
        if stage >= 1:
            cases.reply_to_case(case, "Gracias, lo estamos mirando.", actor=agent)
        if stage >= 2:
            cases.add_customer_message(case, "Gracias. ¿Hay novedades?", contact=contact)
            cases.add_note(case, "Consultado con almacén.", actor=agent)
        if stage == 3:
            cases.change_status(case, CaseStatus.RESOLVED, actor=agent)
    Flag.objects.create(name=FLAG)
    return cases_count
