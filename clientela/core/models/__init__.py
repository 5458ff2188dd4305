from .customfields import CustomField
from .history import ChangeRecord
from .records import AliveManager, AliveQuerySet, CrmRecord, Tag
from .search import SearchEntry, SearchWord
from .system import Flag, WorkerHeartbeat
from .tokens import ApiToken
from .users import Role, Team, User
from .views import SavedView

__all__ = [
    "AliveManager",
    "AliveQuerySet",
    "ApiToken",
    "ChangeRecord",
    "CrmRecord",
    "CustomField",
    "Flag",
    "Role",
    "SavedView",
    "SearchEntry",
    "SearchWord",
    "Tag",
    "Team",
    "User",
    "WorkerHeartbeat",
]
