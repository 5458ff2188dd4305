from .cases import Case, CaseAttachment, CaseCategory, CaseMessage
from .sla import BusinessCalendar, Holiday, SlaPolicy

__all__ = [
    "BusinessCalendar",
    "Case",
    "CaseAttachment",
    "CaseCategory",
    "CaseMessage",
    "Holiday",
    "SlaPolicy",
]
