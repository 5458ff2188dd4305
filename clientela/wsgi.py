import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
application = get_wsgi_application()

# A request allocates tens of thousands of short-lived objects; with the default thresholds the
# collector runs hundreds of times per request and, every few requests, walks every object the
# loaded application holds (tens of milliseconds: the p95 of a list page). Load the URLconf and
# views now, move what start-up built out of the collector's reach, and collect young objects
# less often. Reference cycles are still collected. See docs/decisions.md.
get_resolver().url_patterns  # noqa: B018 (imports every view module)
gc.collect()
gc.freeze()
gc.set_threshold(50_000, 20, 20)
