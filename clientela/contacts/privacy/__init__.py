"""Consent and data protection (GDPR, LOPDGDD): the consent log (``consent``), withdrawal links
(``links``), data-access exports (``export``), erasure (``erasure``) and retention rules
(``retention``). Every write here is a service: ``verb_noun(..., *, actor)``, atomic."""
