from .predictions import (
    CohortCell,
    CustomerCluster,
    CustomerScore,
    DealScore,
    PredictionKind,
    PredictionRun,
    RunStatus,
)
from .reports import Dashboard, DashboardTile, Frequency, ReportSubscription, SavedReport
from .rollups import ActivityDay, CaseDay, ContactDay, DealDay, DirtyDay, FunnelDay, PurchaseDay

__all__ = [
    "ActivityDay",
    "CaseDay",
    "CohortCell",
    "ContactDay",
    "CustomerCluster",
    "CustomerScore",
    "Dashboard",
    "DashboardTile",
    "DealDay",
    "DealScore",
    "DirtyDay",
    "Frequency",
    "FunnelDay",
    "PredictionKind",
    "PredictionRun",
    "PurchaseDay",
    "ReportSubscription",
    "RunStatus",
    "SavedReport",
]
