"""Every write of the sales app goes through these functions, one module per subject."""

from .deals import (
    DEAL_FIELDS,
    assign_deals,
    create_deal,
    delete_deals,
    move_deal,
    purge_deals,
    qualify_contact,
    restore_deals,
    tag_deals,
    update_deal,
)
from .pipelines import create_pipeline, save_lost_reason, update_pipeline
from .quotas import set_quota
from .rates import delete_exchange_rate, set_exchange_rate

__all__ = [
    "DEAL_FIELDS",
    "assign_deals",
    "create_deal",
    "create_pipeline",
    "delete_deals",
    "delete_exchange_rate",
    "move_deal",
    "purge_deals",
    "qualify_contact",
    "restore_deals",
    "save_lost_reason",
    "set_exchange_rate",
    "set_quota",
    "tag_deals",
    "update_deal",
    "update_pipeline",
]
