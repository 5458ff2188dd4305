"""Marketing: segments, e-mail templates, campaigns and their sending and tracking, follow-up
sequences, loyalty. One module per part; they are all imported here for Django."""

from .campaigns import Campaign, CampaignLead, CampaignRecipient, SendingAllowance
from .engagement import CampaignEvent, Suppression
from .loyalty import LoyaltyAccount, LoyaltyProgram, LoyaltyTier, PointsEntry, Reward
from .segments import Segment, SegmentMember
from .sequences import Enrollment, EnrollmentEvent, Sequence, SequenceStep
from .templates import EmailTemplate, EmailTemplateVariant

__all__ = [
    "Campaign",
    "CampaignLead",
    "CampaignEvent",
    "CampaignRecipient",
    "EmailTemplate",
    "EmailTemplateVariant",
    "Enrollment",
    "EnrollmentEvent",
    "SendingAllowance",
    "Suppression",
    "LoyaltyAccount",
    "LoyaltyProgram",
    "LoyaltyTier",
    "PointsEntry",
    "Reward",
    "Segment",
    "SegmentMember",
    "Sequence",
    "SequenceStep",
]
