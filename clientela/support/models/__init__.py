from .canned import CannedReply
from .cases import Case, CaseAttachment, CaseCategory, CaseMessage
from .knowledge import Article, ArticleCategory, ArticleStatus, ArticleVersion, ArticleVote
from .mailboxes import ServiceMailbox
from .portal import PortalLink
from .satisfaction import SatisfactionSurvey
from .sla import BusinessCalendar, Holiday, SlaPolicy

__all__ = [
    "Article",
    "ArticleCategory",
    "ArticleStatus",
    "ArticleVersion",
    "ArticleVote",
    "BusinessCalendar",
    "CannedReply",
    "Case",
    "CaseAttachment",
    "CaseCategory",
    "CaseMessage",
    "Holiday",
    "PortalLink",
    "SatisfactionSurvey",
    "ServiceMailbox",
    "SlaPolicy",
]
