"""What marketing does when other parts of Clientela publish events (``core.events``)."""

from clientela.core import events


def register():
    """Called once, from ``MarketingConfig.ready``."""
    events.subscribe("form.submitted")(lead_from_form)


def lead_from_form(event_name, *, record, **payload):
    """A web form sent with a campaign's UTM tag brings that campaign a lead."""
    from .services.campaigns import lead_from_submission

    lead_from_submission(record)
