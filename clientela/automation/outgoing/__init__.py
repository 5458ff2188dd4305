"""Outgoing webhooks on the wire: where they may point (``guard``), what they send
(``payloads``), how it is signed (``signing``) and how it is posted (``sender``)."""
