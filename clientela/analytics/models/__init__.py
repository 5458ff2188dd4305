from .predictions import (
    CohortCell,
    CustomerCluster,
    CustomerScore,
    DealScore,
    PredictionKind,
    PredictionRun,
    RunStatus,
)
from .rollups import ActivityDay, CaseDay, ContactDay, DealDay, DirtyDay, FunnelDay, PurchaseDay

__all__ = [
    "ActivityDay",
    "CaseDay",
    "CohortCell",
    "ContactDay",
    "CustomerCluster",
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
