"""E-mail template rendering (issue 6): a realistic newsletter rendered for 10,000 contacts.

A campaign renders its template for every recipient (100,000 at >= 500 messages/s overall),
so one core must render many times faster than that. Measured in-process:

* ``marketing_template_compile``: compiling the newsletter (parse, Markdown, nh3, text part);
* ``marketing_template_render``: ``render_email`` for 10,000 in-memory contacts in es/ca/en,
  each with a company and an owner as the sending queue selects them (subject, HTML and text
  made per contact, no query);
* ``marketing_template_render_rows``: the same from plain rows (``merge_context`` of dicts).

The template is created once in the bench database (and removed afterwards).
"""

import random
import time

TARGETS = {
    "marketing_template_compile": [("ms", 100, "ms")],
    "marketing_template_render": [("rate", 5000, "renders/s")],
    "marketing_template_render_rows": [("rate", 5000, "renders/s")],
}
NEEDS_DATASET = False
CONTACTS = 10_000

NEWSLETTER = """# Novedades de otoño en {{ company.name | default:"tu empresa" }}

Hola {{ contact.first_name | default:"amigo" }},

Este mes en **Bodega Sol** tenemos tres propuestas para ti:

1. [Vinos de la Ribera](https://shop.example/ribera) con un 15 % de descuento.
2. [Aceite de oliva virgen extra](https://shop.example/aceite), cosecha temprana.
3. Catas en la bodega los sábados: [reserva tu plaza](https://shop.example/catas).

![Nuestra bodega](https://cdn.example/bodega.jpg)

| Producto | Precio |
|---|---|
| Crianza 2020 | 12,50 € |
| Reserva 2018 | 19,90 € |

Tu gestor, {{ owner.name }}, está en {{ owner.email }} para cualquier pregunta.

---

Recibes este correo porque eres cliente de Bodega Sol.
[Ver en el navegador]({{ view_online_url }}) · [Preferencias]({{ preferences_url }}) ·
[Darse de baja]({{ unsubscribe_url }})
"""


def _variants():
    return [
        {
            "language": language,
            "subject": "{{ contact.first_name | default:'Hola' }}, novedades de otoño",
            "preheader": "Descuentos para {{ company.name | default:'ti' }}",
            "body": NEWSLETTER,
        }
        for language in ("es", "ca", "en")
    ]


def _contacts():
    from clientela.contacts.models import Company, Contact
    from clientela.core.models import User

    rng = random.Random(6)
    owners = [
        User(username=f"rep{n}", first_name=f"Rep{n}", last_name="Ventas", email=f"r{n}@x.es")
        for n in range(20)
    ]
    companies = [Company(name=f"Empresa {n} S.L.") for n in range(500)]
    names = ["Ana", "Jordi", "Núria", "Pablo", "", "Marta", "<Lucía>", "{{ owner.email }}"]
    contacts = []
    for n in range(CONTACTS):
        contact = Contact(
            first_name=rng.choice(names),
            last_name=f"García {n}",
            language=rng.choice(["es", "ca", "en", ""]),
        )
        contact.company = rng.choice(companies) if n % 4 else None
        contact.owner = rng.choice(owners)
        contacts.append(contact)
    return contacts


def _links(n):
    base = f"https://crm.example.com/m/{n}."
    return {
        "unsubscribe_url": base + "u",
        "preferences_url": base + "p",
        "view_online_url": base + "v",
    }


def measure(args, db):
    from bench import generate
    from clientela.marketing import rendering
    from clientela.marketing.models import EmailTemplate
    from clientela.marketing.rendering.compiler import compile_parts
    from clientela.marketing.services import templates

    user = generate.bench_user()
    template = templates.create_email_template(
        actor=user, name="Bench newsletter", variants=_variants()
    )
    try:
        started = time.perf_counter()
        runs = 20
        for _ in range(runs):
            compile_parts(
                language="es",
                subject="x",
                preheader="",
                body_format="markdown",
                body=NEWSLETTER,
                custom_keys=frozenset(),
            )
        compile_ms = (time.perf_counter() - started) * 1000 / runs

        contacts = _contacts()
        links = [_links(n) for n in range(CONTACTS)]
        rendering.render_email(template, contacts[0], context_extra=links[0])  # compiles
        started = time.perf_counter()
        size = 0
        for contact, extra in zip(contacts, links, strict=True):
            size += len(rendering.render_email(template, contact, context_extra=extra).html)
        render_seconds = time.perf_counter() - started

        rows = [
            (
                {"first_name": c.first_name, "last_name": c.last_name, "language": c.language},
                {"name": c.company.name} if c.company else None,
                {"first_name": c.owner.first_name, "email": c.owner.email},
            )
            for c in contacts
        ]
        started = time.perf_counter()
        for (contact, company, owner), extra in zip(rows, links, strict=True):
            compiled = rendering.variant_for(template, contact["language"])
            values = rendering.merge_context(contact, company, owner, names=compiled.names)
            values.update(extra)
            compiled.render(values)
        rows_seconds = time.perf_counter() - started
    finally:
        EmailTemplate.all_objects.filter(pk=template.pk).delete()
    return {
        "marketing_template_compile": {"ms": round(compile_ms, 1), "runs": runs},
        "marketing_template_render": {
            "rate": round(CONTACTS / render_seconds),
            "n": CONTACTS,
            "mean_html_bytes": size // CONTACTS,
        },
        "marketing_template_render_rows": {"rate": round(CONTACTS / rows_seconds), "n": CONTACTS},
    }
