"""Analytics (issue 8): the built-in dashboards, the report builder and the models' training,
at the issue's scale.

Run with ``--contacts 1000000 --deals 1000000 --activities 5000000`` (the marketing bench's
generator adds two purchases per contact: 2,000,000; the support bench's adds its cases). The
reports' daily rollups are counted once from the generated rows (``rebuild_rollups``, timed
but not a target: an upgrade or a restore pays it once; the services keep them current after).

Dashboards are requested in-process with Django's test client (page rendering included), as
the bench's administrator (everything) and as a salesperson (their team's records); builder
reports are run as the administrator; both p50 of ``REPEATS``. Training: lead scoring on the
most recent closed deals (at most 200,000; the issue's target is for 100,000; the bench's
outcomes are drawn at random, so its held-out AUC says nothing), and, timed without a target,
the customers' models on every purchase history (fitted on a sample, every customer scored
and written) and the sales forecast.
"""

import statistics
import time

TARGETS = {
    **{
        f"analytics_dashboard_{key}": [("p50", 1000, "ms")]
        for key in ("sales", "marketing", "service", "manager", "sales_as_salesperson")
    },
    **{
        f"analytics_builder_{key}": [("p50", 2000, "ms")]
        for key in ("deals_by_month", "deals_by_owner_and_stage", "contacts_by_source_and_region")
    },
    "analytics_train_lead_scoring": [("seconds", 60, "s")],
}
NEEDS_DATASET = True
REPEATS = 7
BUILDER_SPECS = {
    "deals_by_month": {
        "entity": "deal",
        "group_by": [{"dimension": "created", "bucket": "month"}],
        "operation": "sum",
        "measure": "amount",
    },
    "deals_by_owner_and_stage": {
        "entity": "deal",
        "rules": {"op": "and", "rules": [{"field": "amount", "operator": "gte", "value": 10000}]},
        "group_by": [{"dimension": "owner"}, {"dimension": "stage"}],
    },
    "contacts_by_source_and_region": {
        "entity": "contact",
        "group_by": [{"dimension": "source"}, {"dimension": "region"}],
    },
}


def _p50(run, repeats=REPEATS):
    times = []
    for _n in range(repeats):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return {"p50": round(statistics.median(times), 1), "max": round(max(times), 1)}


def _data(args):
    from bench import generate_support, marketing

    return {
        "purchases": marketing.ensure(args.contacts),
        "support": generate_support.ensure(),
    }


def measure(args, db):
    from django.test import Client

    from bench.generate import bench_user
    from clientela.analytics import rollups
    from clientela.analytics.builder import query
    from clientela.analytics.services import customers, leads, sales_forecast
    from clientela.core.models import User

    data = _data(args)
    metrics = {}
    started = time.perf_counter()
    rollups.rebuild_all()
    metrics["analytics_rollups_rebuild"] = {"seconds": round(time.perf_counter() - started, 1)}

    admin = bench_user()
    seller = User.objects.filter(username="rep0").first()
    client = Client()
    client.force_login(admin)
    for key in ("sales", "marketing", "service", "manager"):
        url = f"/reports/dashboards/{key}/"
        assert client.get(url).status_code == 200, url
        metrics[f"analytics_dashboard_{key}"] = _p50(lambda url=url: client.get(url))
    if seller is not None:
        as_seller = Client()
        as_seller.force_login(seller)
        metrics["analytics_dashboard_sales_as_salesperson"] = _p50(
            lambda: as_seller.get("/reports/dashboards/sales/")
        )

    for key, data_spec in BUILDER_SPECS.items():
        spec = query.Spec.from_data(data_spec)
        table = query.run(spec, admin)
        metrics[f"analytics_builder_{key}"] = {
            **_p50(lambda spec=spec: query.run(spec, admin), repeats=5),
            "rows": len(table.rows),
        }

    for key, retrain in (
        ("lead_scoring", leads.retrain),
        ("customers", customers.retrain),
        ("forecast", sales_forecast.retrain),
    ):
        started = time.perf_counter()
        run = retrain()
        metrics[f"analytics_train_{key}"] = {
            "seconds": round(time.perf_counter() - started, 1),
            "trained_on": run.trained_on,
            "status": run.status,
            "accuracy": run.accuracy,
        }
    metrics["analytics_data"] = {
        "purchases": data["purchases"].get("purchases"),
        "cases": data["support"].get("cases"),
    }
    return metrics
