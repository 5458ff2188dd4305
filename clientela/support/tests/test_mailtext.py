"""HTML e-mail made plain text, and case references in subjects."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientela.intake.services.mail import parsing
from clientela.support.mailtext import html_to_text, references, tagged, without_references


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("<div>One</div><div>Two</div>", "One\nTwo"),  # what webmail makes of lines
        ("One<br>Two<br><br>Three", "One\nTwo\n\nThree"),
        ("<p>A long\n   line  wrapped</p>", "A long line wrapped"),
        ("<pre>x = 1\ny = 2</pre>", "x = 1\ny = 2"),
        ("<ol><li>a</li><li>b</li></ol>", "- a\n- b"),
        ("<table><tr><td>Qty</td><td>2</td></tr></table>", "Qty 2"),
        ('<a href="https://x.example">https://x.example</a>', "https://x.example"),
        ('<a href="mailto:a@b.example">write</a>', "write <a@b.example>"),
        ("5 &lt; 6 &amp;&amp; &quot;ok&quot; &#8364;", '5 < 6 && "ok" €'),
        ("", ""),
    ],
)
def test_html_to_text(html, text):
    assert html_to_text(html) == text


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>Hi",
        "<style>*{x:y}</style>Hi",
        '<img src=x onerror="alert(1)">Hi',
        '<a href="javascript:alert(1)">Hi</a>',
        "<svg onload=alert(1)><script>alert(1)</script></svg>Hi",
        "<iframe srcdoc='<script>alert(1)</script>'></iframe>Hi",
        "<!--<script>alert(1)</script>-->Hi",
        "<scr<script>ipt>alert(1)</scr</script>ipt>Hi",
        "<head><title>alert(1)</title></head>Hi",
        "<noscript><p>alert(1)</p></noscript>Hi",
        "<template><p>alert(1)</p></template>Hi",
        "<object data=x>alert(1)</object>Hi",
    ],
)
def test_hostile_html_leaves_no_code(hostile):
    text = html_to_text(hostile)

    assert text.endswith("Hi")
    assert "alert(1)" not in text.replace("ipt>alert(1)", "")  # the split tag is text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abcdiv&;#!-pscrt\n\x00")), max_size=200))
def test_any_html_gives_text_without_tags_nor_marks(html):
    text = html_to_text(html)

    assert "\x00" not in text and "\x01" not in text and "\x02" not in text
    assert "<script" not in text.lower() or "<script" in html.lower()


def test_subject_references():
    assert references("Re: [#12] Invoice [#7] [#12] [#x] #9") == [12, 7]
    assert without_references("Re: [#12]  Invoice [#7]") == "Re: Invoice"
    assert references("") == [] and without_references("") == ""


def test_tagged_subjects_carry_only_their_case():
    class Case:
        reference = "#5"

    assert tagged(Case(), "Re: [#3] Invoice") == "[#5] Re: Invoice"


def test_parsing_keeps_headers_and_the_html_source():
    raw = (
        b"From: a@b.example\r\nAuto-Submitted: auto-replied\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n<p onclick=x()>Hi</p>"
    )

    parsed = parsing.parse(raw, max_attachment_bytes=1000)

    assert parsed.headers["auto-submitted"] == "auto-replied"
    assert parsed.html_source == "<p onclick=x()>Hi</p>"
    assert parsed.body == "<p>Hi</p>"  # the timeline's body is sanitised, as before
    plain = parsing.parse(b"From: a@b.example\r\n\r\nHi", max_attachment_bytes=1000)
    assert plain.html_source == ""
