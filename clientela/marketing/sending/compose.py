"""A campaign's message for one recipient: the template in their language with their merge
fields, links signed and tagged (``tracking``), and the headers mail providers look for
(``List-Unsubscribe`` with one-click, RFC 8058; a Message-ID of our own per recipient)."""

from email.utils import formataddr

from django.conf import settings

from .. import tracking
from ..rendering import render_email
from .mime import CampaignMessage


class Composer:
    def __init__(self, campaign):
        self.campaign = campaign
        self.template = campaign.template
        address = campaign.from_email or settings.DEFAULT_FROM_EMAIL
        self.from_email = (
            formataddr((campaign.from_name, address)) if campaign.from_name else address
        )
        self.address = address
        self.domain = address.rpartition("@")[2] or "localhost"

    def render(self, recipient):
        """The message's subject, HTML (tracked) and text for ``recipient``."""
        links = {
            "unsubscribe_url": tracking.link(tracking.UNSUBSCRIBE, recipient.pk),
            "preferences_url": tracking.link(tracking.PREFERENCES, recipient.pk),
            "view_online_url": tracking.link(tracking.WEB_VERSION, recipient.pk),
        }
        rendered = render_email(
            self.template,
            recipient.contact,
            # The address is on the row already: no query per message for it.
            context_extra={**links, "contact.email": recipient.email},
            language=recipient.language or None,
        )
        return rendered, links

    def compose(self, recipient):
        rendered, links = self.render(recipient)
        return CampaignMessage(
            from_email=self.from_email,
            envelope_from=self.address,
            to=recipient.email,
            subject=rendered.subject,
            text=rendered.text,
            html=tracking.instrument(rendered.html, self.campaign, recipient.pk),
            headers={
                "Message-ID": tracking.message_id(self.campaign.pk, recipient.pk, self.domain),
                "List-Unsubscribe": f"<{links['unsubscribe_url']}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Feedback-ID": f"{self.campaign.pk}:campaign:clientela",
                "Precedence": "bulk",
            },
            reply_to=self.campaign.reply_to,
        )


def composer_for(campaign):
    return Composer(campaign)
