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
from .products import (
    PRODUCT_FIELDS,
    create_product,
    delete_product,
    save_price_list,
    save_tax_rate,
    set_deal_lines,
    update_product,
)
from .purchases import (
    PURCHASE_FIELDS,
    assign_purchases,
    delete_purchases,
    find_purchase,
    purge_purchases,
    record_purchase,
    record_purchase_from_deal,
    restore_purchases,
    tag_purchases,
    update_purchase,
)
from .quotas import set_quota
from .quotes import create_quote, save_seller_profile
from .rates import delete_exchange_rate, set_exchange_rate

__all__ = [
    "DEAL_FIELDS",
    "PRODUCT_FIELDS",
    "PURCHASE_FIELDS",
    "assign_deals",
    "assign_purchases",
    "create_deal",
    "create_pipeline",
    "create_product",
    "create_quote",
    "delete_deals",
    "delete_exchange_rate",
    "delete_product",
    "delete_purchases",
    "find_purchase",
    "move_deal",
    "purge_deals",
    "purge_purchases",
    "qualify_contact",
    "record_purchase",
    "record_purchase_from_deal",
    "restore_deals",
    "restore_purchases",
    "save_lost_reason",
    "save_price_list",
    "save_seller_profile",
    "save_tax_rate",
    "set_deal_lines",
    "set_exchange_rate",
    "set_quota",
    "tag_deals",
    "tag_purchases",
    "update_deal",
    "update_pipeline",
    "update_product",
    "update_purchase",
]
