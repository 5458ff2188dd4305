from .deals import Deal, DealContact, DealStageChange
from .forecast import Quota
from .money import ExchangeRate
from .pipelines import LostReason, Pipeline, Stage

__all__ = [
    "Deal",
    "DealContact",
    "DealStageChange",
    "ExchangeRate",
    "LostReason",
    "Pipeline",
    "Quota",
    "Stage",
]
