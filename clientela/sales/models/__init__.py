from .deals import Deal, DealContact, DealStageChange
from .forecast import Quota
from .money import ExchangeRate
from .pipelines import LostReason, Pipeline, Stage
from .products import DealLineItem, PriceList, PriceListItem, Product, TaxRate
from .purchases import Purchase, PurchaseItem
from .quotes import NumberSequence, Quote, SellerProfile

__all__ = [
    "Deal",
    "DealContact",
    "DealLineItem",
    "DealStageChange",
    "ExchangeRate",
    "LostReason",
    "NumberSequence",
    "Pipeline",
    "PriceList",
    "PriceListItem",
    "Product",
    "Purchase",
    "PurchaseItem",
    "Quota",
    "Quote",
    "SellerProfile",
    "Stage",
    "TaxRate",
]
