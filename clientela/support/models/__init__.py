from .cases import Case, CaseAttachment, CaseCategory, CaseMessage
from .mailboxes import ServiceMailbox
from .sla import BusinessCalendar, Holiday, SlaPolicy

__all__ = [
    "BusinessCalendar",
    "Case",
    "CaseAttachment",
    "CaseCategory",
    "CaseMessage",
    "Holiday",
    "ServiceMailbox",
    "SlaPolicy",
]
