"""Workflow rules (issue 6): events evaluated per second against 100 active rules.

Makes 2,000 contacts and 200 deals on its own, then 100 active rules with varied triggers
(created, updated, a field changed, stage changed) and conditions (read in memory from the
record's columns, or through an ``EXISTS`` on its tags), and hands 10,000 events carrying
real model instances to the engine's subscriber, as ``core.events`` would after each commit:
matching of triggers, conditions, and the runs queued (a ``WorkflowRun`` each and a job per
event, in batches of 100 events per transaction); the actions are not executed. What it made is
removed afterwards. With ``CLIENTELA_REDIS_URL`` set the jobs are RQ pushes, not table rows.
"""

import random
import time

TARGETS = {"workflows_events": [("rate", 1000, "events/s")]}
NEEDS_DATASET = False
EVENTS = 10_000
CITIES = [f"City {n}" for n in range(40)]
TITLES = ["CEO", "CTO", "Buyer", "Owner", "Manager", "Clerk"]
BATCH = 100


def _setup(rng):
    from clientela.automation import services
    from clientela.contacts import services as contacts
    from clientela.contacts.models import Contact
    from clientela.sales.models import Deal, Pipeline
    from clientela.sales.services import deals, pipelines

    if not Contact.objects.filter(last_name="BenchWorkflow").exists():
        for n in range(2000):
            contacts.create_contact(
                actor=None,
                first_name=f"W{n}",
                last_name="BenchWorkflow",
                city=rng.choice(CITIES),
                job_title=rng.choice(TITLES),
                tags=["vip"] if n % 10 == 0 else [],
            )
        pipeline = Pipeline.objects.filter(name="Bench workflows").first()
        if pipeline is None:
            pipeline = pipelines.create_pipeline(
                actor=None, name="Bench workflows", stages=[("A", 10, "open"), ("B", 50, "open")]
            )
        for n in range(200):
            deals.create_deal(actor=None, name=f"WD{n}", amount=n * 10, pipeline=pipeline)
    people = list(Contact.objects.filter(last_name="BenchWorkflow"))
    deal_list = list(Deal.objects.filter(name__startswith="WD"))
    stages = list(deal_list[0].pipeline.stages.order_by("position"))
    task = [{"kind": "create_task", "subject": "Bench", "due_in_days": 1}]
    made = []

    def rule(**fields):
        made.append(services.create_rule(actor=None, name="bench", actions=task, **fields))

    def city_is(city):
        return {"op": "and", "rules": [{"field": "city", "operator": "eq", "value": city}]}

    for n in range(40):
        watched = "city" if n % 2 else "job_title"
        rule(
            entity="contact",
            trigger="field_changed",
            trigger_options={"field": watched},
            conditions=city_is(CITIES[n]),
        )
    for n in range(30):
        rule(
            entity="contact",
            trigger="updated",
            conditions={
                "op": "and",
                "rules": [
                    {"field": "city", "operator": "in", "value": [CITIES[n], CITIES[(n + 7) % 40]]},
                    {"field": "job_title", "operator": "eq", "value": TITLES[n % len(TITLES)]},
                ],
            },
        )
    for n in range(10):
        rule(
            entity="contact",
            trigger="created",
            conditions={
                "op": "and",
                "rules": [
                    {"field": "tags", "operator": "has_any", "value": ["vip"]},
                    {"field": "city", "operator": "eq", "value": CITIES[n * 4]},
                ],
            },
        )
    for n in range(20):
        if n % 2:
            rule(
                entity="deal",
                trigger="stage_changed",
                trigger_options={"stage": stages[1].pk},
                conditions={
                    "op": "and",
                    "rules": [{"field": "amount", "operator": "gt", "value": str(n * 100)}],
                },
            )
        else:
            rule(
                entity="deal",
                trigger="created",
                conditions={
                    "op": "and",
                    "rules": [{"field": "name", "operator": "starts_with", "value": f"WD{n}"}],
                },
            )
    return people, deal_list, made


def _events(rng, people, deal_list):
    events = []
    for n in range(EVENTS):
        roll = n % 10
        if roll < 7:
            field = "city" if n % 2 else "job_title"
            record = rng.choice(people)
            events.append(("contact.updated", record, {field: ["old", getattr(record, field)]}))
        elif roll < 9:
            events.append(("contact.created", rng.choice(people), None))
        else:
            deal = rng.choice(deal_list)
            name = "deal.stage_changed" if n % 2 else "deal.created"
            events.append((name, deal, {"stage": [deal.stage_id, deal.stage_id]}))
    return events


def measure(args, db):
    from django.db import transaction

    from clientela.automation.models import WorkflowRule, WorkflowRun
    from clientela.automation.workflows import cache, engine

    rng = random.Random(6)
    people, deal_list, made = _setup(rng)
    events = _events(rng, people, deal_list)
    try:
        cache._forget()
        cache.rules_for("contact.updated")  # the rules read once, as after the first event
        runs = 0
        started = time.perf_counter()
        for start in range(0, len(events), BATCH):
            with transaction.atomic():
                for name, record, changes in events[start : start + BATCH]:
                    runs += len(engine.on_event(name, record=record, changes=changes))
        seconds = time.perf_counter() - started
    finally:
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.filter(task_path__endswith="run_workflows").delete()
        WorkflowRun.objects.filter(rule__in=made).delete()
        WorkflowRule.objects.filter(pk__in=[r.pk for r in made]).delete()
        cache._forget()
    return {
        "workflows_events": {
            "rate": round(len(events) / seconds, 1),
            "seconds": round(seconds, 2),
            "events": len(events),
            "rules": len(made),
            "runs_queued": runs,
        }
    }
