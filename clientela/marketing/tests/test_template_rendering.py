"""The renderer without a database: merge fields, escaping, sanitising, the text part."""

import re

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from clientela.marketing.rendering.compiler import compile_parts
from clientela.marketing.rendering.context import merge_context
from clientela.marketing.rendering.fields import parse
from clientela.marketing.rendering.text import html_to_text


def compiled(body, *, body_format="markdown", subject="Hola", preheader="", custom=()):
    return compile_parts(
        language="es",
        subject=subject,
        preheader=preheader,
        body_format=body_format,
        body=body,
        custom_keys=frozenset(custom),
    )


def body_of(html):
    """What is between <body> and </body>, without the hidden preheader."""
    inner = html.split("<body>\n", 1)[1].rsplit("\n</body>", 1)[0]
    return re.sub(r'^<div style="display:none[^>]*>.*?</div>\n', "", inner)


def errors_of(excinfo):
    return excinfo.value.message_dict


# --- the merge-field language ------------------------------------------------------------------


def test_fields_and_fallbacks_are_replaced():
    email = compiled(
        'Hola {{ contact.first_name | default:"amigo" }}, de {{company.name}} '
        "({{ owner.name|default:'el equipo' }})",
        subject="{{ contact.first_name | default:'Hola' }}: novedades",
    )
    rendered = email.render({"contact.first_name": "", "company.name": "Bodega Sol"})
    assert body_of(rendered.html) == "<p>Hola amigo, de Bodega Sol (el equipo)</p>"
    assert rendered.text == "Hola amigo, de Bodega Sol (el equipo)"
    assert rendered.subject == "Hola: novedades"
    assert email.names == {"contact.first_name", "company.name", "owner.name"}


def test_unknown_fields_are_refused_with_their_position():
    with pytest.raises(ValidationError) as excinfo:
        compiled("Hola\n  {{ contact.nickname }} y {{ contact.custom.vip }}", custom=["level"])
    assert errors_of(excinfo) == {
        "body": [
            "Unknown merge field “contact.nickname” at line 2, column 3.",
            "Unknown merge field “contact.custom.vip” at line 2, column 28.",
        ]
    }


def test_code_like_fields_are_refused():
    source = (
        "{{ contact.first_name|upper }} {{ contact.__class__ }} {% if x %}\n"
        "{{ contact.first_name() }} {{ contact.first_name"
    )
    with pytest.raises(ValidationError) as excinfo:
        parse(source)
    assert excinfo.value.messages == [
        "“{{ contact.first_name|upper }}” at line 1, column 1 is not a merge field: write "
        '{{ name }} or {{ name | default:"text" }}.',
        "Unknown merge field “contact.__class__” at line 1, column 32.",
        "“{{ contact.first_name() }}” at line 2, column 1 is not a merge field: write "
        '{{ name }} or {{ name | default:"text" }}.',
        "A merge field starts at line 2, column 28 but is not closed with }}.",
    ]


def test_custom_fields_of_contacts_are_known():
    email = compiled("Nivel: {{ contact.custom.level }}", custom=["level"])
    assert body_of(email.render({"contact.custom.level": "oro"}).html) == "<p>Nivel: oro</p>"


def test_a_subject_error_is_reported_on_the_subject():
    with pytest.raises(ValidationError) as excinfo:
        compiled("ok", subject="Hola {{ name }}", preheader="{{ x")
    assert errors_of(excinfo) == {
        "subject": ["Unknown merge field “name” at line 1, column 6."],
        "preheader": ["A merge field starts at line 1, column 1 but is not closed with }}."],
    }


# --- values are text, never markup or fields ---------------------------------------------------

HOSTILE = [
    "{{ owner.email }}",
    "{% debug %}",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "&lt;b&gt;",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_value_is_shown_as_written(value):
    email = compiled("**Hola {{ contact.first_name }}**", body_format="markdown")
    rendered = email.render({"contact.first_name": value, "owner.email": "secret@x.es"})
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = escaped.replace('"', "&quot;").replace("'", "&#x27;")
    assert body_of(rendered.html) == f"<p><strong>Hola {escaped}</strong></p>"
    assert rendered.text == f"Hola {value}"


def test_a_link_value_must_be_a_web_or_mail_address():
    email = compiled(
        '<a href="{{ contact.custom.site }}">web</a> <img src="{{ contact.custom.logo }}" '
        'alt="{{ company.name }}"> <a href="https://shop.example/?ref={{ contact.custom.ref }}">'
        "shop</a>",
        body_format="html",
        custom=["site", "logo", "ref"],
    )
    rendered = email.render(
        {
            "contact.custom.site": " JavaScript:alert(1)",
            "contact.custom.logo": "data:image/png;base64,AAAA",
            "company.name": 'A "B" <C>',
            "contact.custom.ref": 'x" onclick="alert(1)&y=javascript:',
        }
    )
    assert body_of(rendered.html) == (
        '<a href="" rel="noopener noreferrer">web</a> <img src="" alt="A &quot;B&quot; &lt;C&gt;"> '
        '<a href="https://shop.example/?ref=x%22%20onclick%3D%22alert%281%29%26y%3Djavascript%3A"'
        ' rel="noopener noreferrer">shop</a>'
    )


def test_a_safe_link_value_is_kept():
    email = compiled("[Darse de baja]({{ unsubscribe_url }})")
    rendered = email.render({"unsubscribe_url": "https://crm.example/m/u/1.abc?a=1&b=2"})
    assert body_of(rendered.html) == (
        '<p><a href="https://crm.example/m/u/1.abc?a=1&amp;b=2" '
        'rel="noopener noreferrer nofollow">Darse de baja</a></p>'
    )
    assert rendered.text == "Darse de baja (https://crm.example/m/u/1.abc?a=1&b=2)"


def test_a_subject_value_stays_on_one_line():
    email = compiled("x", subject="Hola {{ contact.first_name }}")
    rendered = email.render({"contact.first_name": "Ana\r\nBcc: x@evil.example"})
    assert rendered.subject == "Hola Ana Bcc: x@evil.example"
    assert "<title>Hola Ana Bcc: x@evil.example</title>" in rendered.html


values = st.lists(
    st.sampled_from([*"{}%<>&\"'=/:; abjsvcript", "{{", "}}", "{%", "%}", "&amp;"]),
    max_size=30,
).map("".join) | st.sampled_from(HOSTILE)


@settings(max_examples=200, deadline=None)
@given(first=values, last=values, company=values, site=values)
def test_no_value_ever_makes_markup_or_a_field(first, last, company, site):
    email = INJECTION_TEMPLATE
    rendered = email.render(
        {
            "contact.first_name": first,
            "contact.last_name": last,
            "company.name": company,
            "contact.custom.site": site,
            "owner.email": "SECRET",
        }
    )
    # The only tags are the template's; the link's address, not a web one, is left empty.
    assert re.findall(r"<[a-z/][^>]*>", body_of(rendered.html)) == [
        "<p>",
        "<strong>",
        "</strong>",
        '<a href="" rel="noopener noreferrer nofollow">',
        "</a>",
        "</p>",
    ]
    assert "SECRET" not in rendered.html + rendered.text + rendered.subject
    assert "javascript:" not in _hrefs(rendered.html)
    assert rendered.text.startswith(f"Hola {first} {last} de {company}")


INJECTION_TEMPLATE = compile_parts(
    language="es",
    subject="{{ contact.first_name }}",
    preheader="{{ company.name }}",
    body_format="markdown",
    body="Hola **{{ contact.first_name }} {{ contact.last_name }}** de {{ company.name }} "
    "[web]({{ contact.custom.site }})",
    custom_keys=frozenset({"site"}),
)


def _hrefs(html):
    return " ".join(re.findall(r'href="([^"]*)"', html))


# --- sanitising --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "stored"),
    [
        ("<p onclick=\"steal()\">Hola</p><script>alert('x')</script>", "<p>Hola</p>"),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
        ('<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="x">', '<img alt="x">'),
        ('<form action="https://evil.example"><input name="pw"></form>ok', "ok"),
        ('<iframe src="https://evil.example"></iframe>ok', "ok"),
        ("<style>p{color:red}</style><p>ok</p>", "<p>ok</p>"),
        ("<!-- hidden --><p>ok</p>", "<p>ok</p>"),
        ('<object data="x.swf"></object><embed src="x.swf">ok', "ok"),
        (
            '<p style="color: red; position: fixed; background: url(javascript:x)">ok</p>',
            '<p style="color:red">ok</p>',
        ),
        (
            '<table width="600" cellpadding="0"><tr><td style="padding: 8px" bgcolor="#fff">'
            "x</td></tr></table>",
            '<table width="600" cellpadding="0"><tbody><tr><td style="padding:8px" '
            'bgcolor="#fff">x</td></tr></tbody></table>',
        ),
        (
            '<p>Hola {{ contact.first_name | default:"<amigo>" }}</p>',
            '<p>Hola {{ contact.first_name | default:"<amigo>" }}</p>',
        ),
    ],
)
def test_html_bodies_are_sanitised(source, stored):
    assert compiled(source, body_format="html").body == stored


def test_raw_html_in_markdown_is_text():
    email = compiled("Hola <script>alert(1)</script> <b>x</b>")
    assert body_of(email.render({}).html) == (
        "<p>Hola &lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;x&lt;/b&gt;</p>"
    )


@pytest.mark.parametrize(
    "source",
    [
        '<p style="color: {{ contact.custom.colour }}">x</p>',
        '<td class="{{ contact.first_name }}">x</td>',
        "<script>{{ contact.first_name }}</script>",
        '<a onclick="{{ contact.first_name }}">x</a>',
    ],
)
def test_a_field_where_no_value_may_go_is_refused(source):
    with pytest.raises(ValidationError) as excinfo:
        compiled(source, body_format="html", custom=["colour"])
    (message,) = errors_of(excinfo)["body"]
    assert message.startswith("The merge field at line 1, column ")
    assert message.endswith("cannot be used there: put merge fields in text, a link's address "
                            "or an image's address or description.")  # fmt: skip


def test_a_field_in_a_markdown_image_and_link():
    email = compiled(
        "![Logo de {{ company.name }}]({{ contact.custom.logo }}) "
        "[Tu pedido](https://shop.example/pedido/{{ contact.custom.order }})",
        custom=["logo", "order"],
    )
    rendered = email.render(
        {
            "company.name": "Sol & Mar",
            "contact.custom.logo": "https://cdn.example/l.png",
            "contact.custom.order": "A/1 2",
        }
    )
    assert body_of(rendered.html) == (
        '<p><img src="https://cdn.example/l.png" alt="Logo de Sol &amp; Mar"> '
        '<a href="https://shop.example/pedido/A%2F1%202" rel="noopener noreferrer nofollow">'
        "Tu pedido</a></p>"
    )
    assert rendered.text == "Tu pedido (https://shop.example/pedido/A%2F1%202)"


# --- the plain-text part -----------------------------------------------------------------------


def test_plain_text_of_a_newsletter():
    html = (
        "<h1>Ofertas de otoño</h1><p>Hola <strong>Ana</strong>,\n  esta semana:</p>"
        "<ul><li>Vino <a href='https://shop.example/vino'>tinto</a></li>"
        "<li>Aceite<ol><li>virgen</li><li>extra</li></ol></li></ul>"
        "<h2>Horario</h2><p>Lunes<br>Martes</p><hr>"
        "<table><tr><td>Tel.</td><td>93 000 00 00</td></tr><tr><td>Web</td>"
        "<td><a href='https://shop.example'>https://shop.example</a></td></tr></table>"
        "<p><a href='mailto:hola@shop.example'>hola@shop.example</a> · "
        "<a href='https://shop.example/baja'>Darse de baja</a><img src='x.png' alt='logo'></p>"
    )
    assert html_to_text(html) == (
        "# Ofertas de otoño\n"
        "\n"
        "Hola Ana, esta semana:\n"
        "\n"
        "- Vino tinto (https://shop.example/vino)\n"
        "- Aceite\n"
        "  1. virgen\n"
        "  2. extra\n"
        "\n"
        "## Horario\n"
        "\n"
        "Lunes\n"
        "Martes\n"
        "\n"
        "---\n"
        "\n"
        "Tel. 93 000 00 00\n"
        "Web https://shop.example\n"
        "\n"
        "hola@shop.example · Darse de baja (https://shop.example/baja)"
    )


def test_plain_text_numbers_from_the_list_start():
    assert html_to_text('<ol start="3"><li>c</li><li>d</li></ol>') == "3. c\n4. d"


def test_plain_text_of_a_rendered_template_has_the_values():
    email = compiled("## Hola {{ contact.first_name }}\n\n1. [Web]({{ view_online_url }})")
    rendered = email.render({"contact.first_name": "<Ana>", "view_online_url": "https://v/1"})
    assert rendered.text == "## Hola <Ana>\n\n1. Web (https://v/1)"


# --- the merge context ---------------------------------------------------------------------------


def test_merge_context_from_plain_rows():
    values = merge_context(
        {
            "first_name": "Núria",
            "last_name": "Puig",
            "email": "nuria@example.cat",
            "custom_fields": {"vip": True, "tags": ["a", "b"], "level": None},
        },
        {"name": "Fusteria Puig"},
        {"first_name": "Jordi", "last_name": "Vila", "email": "jordi@crm.example"},
        language="ca",
    )
    assert values == {
        "contact.first_name": "Núria",
        "contact.last_name": "Puig",
        "contact.full_name": "Núria Puig",
        "contact.email": "nuria@example.cat",
        "contact.job_title": "",
        "contact.city": "",
        "company.name": "Fusteria Puig",
        "owner.name": "Jordi Vila",
        "owner.email": "jordi@crm.example",
        "contact.custom.vip": "Sí",
        "contact.custom.tags": "a, b",
        "contact.custom.level": "",
    }


def test_merge_context_reads_only_the_names_asked_for():
    values = merge_context(
        {"first_name": "Ana"}, None, None, names={"contact.first_name", "company.name"}
    )
    assert values == {"contact.first_name": "Ana", "company.name": ""}
