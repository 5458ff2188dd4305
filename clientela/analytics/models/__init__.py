from .predictions import CustomerScore, DealScore, PredictionKind, PredictionRun, RunStatus
from .rollups import ActivityDay, CaseDay, ContactDay, DealDay, DirtyDay, PurchaseDay, StageDay

__all__ = [
    "ActivityDay",
    "CaseDay",
    "ContactDay",
    "CustomerScore",
    "DealDay",
    "DealScore",
    "DirtyDay",
    "PredictionKind",
    "PredictionRun",
    "PurchaseDay",
    "RunStatus",
    "StageDay",
]
