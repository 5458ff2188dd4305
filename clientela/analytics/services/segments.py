"""Any analytics segment as a marketing segment: a dynamic segment whose one rule is the
analytics fact (an RFM segment, a behaviour group, a next best action), so its members follow
each day's training and campaigns can be sent to it."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from clientela.marketing.choices import SegmentKind
from clientela.marketing.services import segments as marketing_segments

from .. import rules

SOURCES = {
    "segment": "analytics.segment",
    "cluster": "analytics.cluster",
    "next_action": "analytics.next_action",
}


def to_marketing(source, value, *, actor):
    """A new dynamic contact segment of the customers with ``value`` for ``source``; a
    ``ValidationError`` for an unknown source or value."""
    field_name = SOURCES.get(source)
    if field_name is None:
        raise ValidationError({"source": [_("Unknown kind of segment.")]})
    field = {f.name: f for f in rules.contact_fields()}[field_name]
    labels = {str(key): label for key, label in field.choices()}
    if str(value) not in labels:
        raise ValidationError({"value": [_("Unknown segment.")]})
    return marketing_segments.create_segment(
        actor=actor,
        name=_("%(segment)s (%(kind)s)") % {"segment": labels[str(value)], "kind": field.label},
        kind=SegmentKind.DYNAMIC,
        entity="contact",
        rules={
            "op": "and",
            "rules": [{"field": field_name, "operator": "eq", "value": str(value)}],
        },
        owner=actor,
    )
