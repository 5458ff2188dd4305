"""Campaign messages built as bytes read back as what was meant, whatever the values hold."""

from email import message_from_bytes, policy

from hypothesis import given
from hypothesis import strategies as st

from clientela.marketing.sending.mime import CampaignMessage


def _parsed(**values):
    message = CampaignMessage(
        from_email="=?utf-8?q?Botiga_Pla=C3=A7a?= <news@botiga.cat>",
        envelope_from="news@botiga.cat",
        to="anna@example.com",
        subject=values.get("subject", "Hola"),
        text=values.get("text", "Hola"),
        html=values.get("html", "<p>Hola</p>"),
        headers={"Message-ID": "<c1.r2@botiga.cat>"},
    )
    return message_from_bytes(message.as_bytes(), policy=policy.default)


def test_headers_and_parts():
    parsed = _parsed(subject="Novetats de tardor", text="Línia 1\n.\nLínia 3")
    assert parsed["From"] == "Botiga Plaça <news@botiga.cat>"
    assert (parsed["To"], parsed["Message-ID"]) == ("anna@example.com", "<c1.r2@botiga.cat>")
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed.get_body(("plain",)).get_content() == "Línia 1\r\n.\r\nLínia 3"
    assert parsed.get_body(("html",)).get_content() == "<p>Hola</p>"


def test_a_line_break_in_a_value_cannot_add_a_header():
    parsed = _parsed(subject="Hola\r\nBcc: victim@example.com")
    assert parsed["Bcc"] is None
    assert parsed["Subject"] == "Hola  Bcc: victim@example.com"


PRINTABLE = st.characters(categories=["L", "M", "N", "P", "S", "Zs"])


@given(
    subject=st.text(PRINTABLE, max_size=200).map(str.strip),
    text=st.text(st.one_of(PRINTABLE, st.sampled_from("\n\t")), max_size=2000),
)
def test_any_subject_and_text_survive(subject, text):
    parsed = _parsed(subject=subject, text=text)
    assert " ".join(parsed["Subject"].split()) == " ".join(subject.split())
    body = parsed.get_body(("plain",)).get_content()
    assert body.replace("\r\n", "\n") == text.replace("\r\n", "\n").replace("\r", "\n")
