"""The campaign sending engine.

A campaign's audience is fixed when it starts: one ``CampaignRecipient`` row per contact
(``services.campaigns.start_campaign``). Senders — ``jobs.send_campaign`` runs, any number of
them in any number of workers — claim batches of rows for a while (``queue``), wait for their
share of the mail server's pace (``allowance``), build each message (``compose``) and hand it
to the mail server (``smtp``), recording it as sent just before the message's final dot
(``engine``). A sender that dies leaves claimed rows whose lease runs out; another sender
takes them back. So every recipient gets the message once: never twice (the row says *sent*
before the server can accept it), never not at all (what was not marked sent goes back to
the queue).
"""
