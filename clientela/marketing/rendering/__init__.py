"""E-mail templates made into messages: compile a variant once, render it for many recipients.

* ``compile_variant(variant)`` -> ``CompiledEmail`` (cached by the variant's content);
* ``render_email(template, contact, *, context_extra=None, language=None)`` ->
  ``RenderedEmail(subject, html, text, language)``: the contact's language variant (else the
  template's default language), the contact's values, the sender's links in
  ``context_extra`` (``unsubscribe_url``...; any other field given there wins too);
* ``merge_context(contact, company, owner, ...)``: the values from plain rows;
* ``build_message(rendered, *, from_email, to, headers=None, reply_to=None)``: a
  multipart/alternative message, text then HTML.

The merge-field language is in ``fields``, the HTML rules in ``sanitise``, the text part in
``text``, compiling and the escaping of values in ``compiler``.
"""

import threading
from collections import OrderedDict

from django.core.mail import EmailMultiAlternatives

from .compiler import CompiledEmail, RenderedEmail, compile_parts
from .context import merge_context
from .fields import contact_custom_keys

__all__ = [
    "CompiledEmail",
    "RenderedEmail",
    "build_message",
    "compile_variant",
    "merge_context",
    "render_email",
    "variant_for",
]

MAX_CACHED = 256


class _LRU:
    """A small thread-safe LRU cache: senders run in threads of one worker process."""

    def __init__(self, size):
        self.size = size
        self.items = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key, value):
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value

    def clear(self):
        with self.lock:
            self.items.clear()


_variants = _LRU(MAX_CACHED)  # content -> CompiledEmail
_templates = _LRU(MAX_CACHED)  # (template id, version) -> ({language: CompiledEmail}, default)


def clear_caches():
    _variants.clear()
    _templates.clear()


def compile_variant(variant, *, custom_keys=None):
    """``variant`` (saved or not) compiled. Raises ``ValidationError`` when its merge fields
    are wrong (services check this before saving). ``custom_keys``: the contacts' custom
    field keys (read from the database when ``None``; a cache hit needs none)."""
    key = (
        variant.language,
        variant.subject,
        variant.preheader,
        variant.body_format,
        variant.body,
    )
    compiled = _variants.get(key)
    if compiled is None:
        if custom_keys is None:
            custom_keys = contact_custom_keys()
        compiled = _variants.put(
            key,
            compile_parts(
                language=variant.language,
                subject=variant.subject,
                preheader=variant.preheader,
                body_format=variant.body_format,
                body=variant.body,
                custom_keys=custom_keys,
            ),
        )
    return compiled


def _compiled_template(template):
    key = (template.pk, template.version)
    found = _templates.get(key) if template.pk else None
    if found is None:
        variants = list(template.variants.all())
        custom_keys = contact_custom_keys()
        found = (
            {v.language: compile_variant(v, custom_keys=custom_keys) for v in variants},
            template.default_language,
        )
        if template.pk:
            _templates.put(key, found)
    return found


def variant_for(template, language):
    """The ``CompiledEmail`` for ``language``: its own variant, else the default language's,
    else any (``None`` when the template has no variant)."""
    by_language, default = _compiled_template(template)
    return (
        by_language.get(language)
        or by_language.get(default)
        or next(iter(by_language.values()), None)
    )


def render_email(template, contact, *, context_extra=None, language=None):
    """``template`` for ``contact`` (a ``Contact``, with ``company`` and ``owner`` selected
    to spare queries, or a mapping); ``language`` overrides the contact's."""
    if language is None:
        language = contact.get("language") if isinstance(contact, dict) else contact.language
    compiled = variant_for(template, language)
    if compiled is None:
        raise LookupError(f"e-mail template {template.pk} has no variant")
    values = merge_context(
        contact,
        _related(contact, "company", compiled.names),
        _related(contact, "owner", compiled.names),
        names=compiled.names.difference(context_extra or ()),
        language=compiled.language,
    )
    if context_extra:
        values.update(context_extra)
    return compiled.render(values)


def _related(contact, prefix, names):
    """The contact's company or owner, read only when the template uses one of its fields."""
    if isinstance(contact, dict):
        return contact.get(prefix)
    if not any(name.startswith(prefix + ".") for name in names):
        return None
    return getattr(contact, prefix)


def build_message(rendered, *, from_email, to, headers=None, reply_to=None, **kwargs):
    """A multipart/alternative message: the text part first, the HTML one preferred."""
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=from_email,
        to=to,
        headers=headers,
        reply_to=reply_to,
        **kwargs,
    )
    message.attach_alternative(rendered.html, "text/html")
    return message
