from .predictions import CustomerScore, DealScore, PredictionKind, PredictionRun, RunStatus
from .rollups import ActivityDay, CaseDay, ContactDay, DealDay, DirtyDay, FunnelDay, PurchaseDay

__all__ = [
    "ActivityDay",
    "CaseDay",
    "ContactDay",
    "CustomerScore",
    "DealDay",
    "DealScore",
    "DirtyDay",
    "FunnelDay",
    "PredictionKind",
    "PredictionRun",
    "PurchaseDay",
    "RunStatus",
]
