"""Analytics (issue 8): training the models on the bench's deals.

Times ``analytics.services.leads.retrain`` in-process: the closed deals read (with their
companies), the lead-scoring model trained with its held-out check and refitted, and every open
deal scored and written. Run with ``--deals 100000`` (the target is for 100,000 deals); the
bench's won and lost deals are drawn at random, so the held-out AUC says nothing here.
"""

import time

TARGETS = {"analytics_train_lead_scoring": [("seconds", 60, "s")]}
NEEDS_DATASET = True


def measure(args, db):
    from clientela.analytics.services import leads

    started = time.perf_counter()
    run = leads.retrain()
    return {
        "analytics_train_lead_scoring": {
            "seconds": round(time.perf_counter() - started, 1),
            "closed_deals": run.trained_on,
            "status": run.status,
            "held_out_auc": run.accuracy.get("held_out_auc"),
        }
    }
