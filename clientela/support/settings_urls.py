"""The customer-service settings pages (categories, working calendars, SLA policies), under
``/cases/settings/`` in the ``support`` namespace."""

urlpatterns = []
