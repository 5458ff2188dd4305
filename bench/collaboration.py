"""Collaboration (issue 7): mentioning a 200-person team on a customer's record; the
notification bell and the feed pages over 10,000,000 feed entries.

Makes (once) a team of 200 people with the sales role in team scope and a contact owned by one
of them, then times ``add_comment`` with ``@<team>`` in-process, each in its own transaction:
the mention parsed, the members who may see the contact found, 200 notifications written and
200 follows. What the runs wrote is removed after each.

The pages are requested in-process (Django's test client) as the first member, who follows
200 records and has 2,000 notifications: the feed of their records, their team's feed, the
feed filtered to deal changes, and the notifications page; each carries the header bell
(``generate_feed`` writes the entries).
"""

import statistics
import time

PAGES = {
    "collaboration_feed_mine": "/notifications/feed/",
    "collaboration_feed_team": "/notifications/feed/?team={team}",
    "collaboration_feed_filtered": "/notifications/feed/?kind=sales.deal&verb=updated",
    "collaboration_bell_notifications": "/notifications/",
}
ANSWERS = 200
TARGETS = {
    "collaboration_mention_team_200": [("p50", 200, "ms")],
    "collaboration_survey_answer": [("p95", 50, "ms")],
    **{name: [("p50", 30, "ms")] for name in PAGES},
}
NEEDS_DATASET = False
MEMBERS = 200
RUNS = 20
HANDLE = "bench-fanout"


def _setup():
    from clientela.contacts.models import Contact
    from clientela.core.models import Role, Team, User

    team, _created = Team.objects.get_or_create(name="Bench fan-out", defaults={"handle": HANDLE})
    sales = Role.objects.get(code="sales")
    role, _created = Role.objects.get_or_create(  # sales people who see their team's records
        code="bench-sales-team",
        defaults={"name": "Sales (team)", "scope": "team", "access": sales.access},
    )
    have = User.objects.filter(teams=team).count()
    for n in range(have, MEMBERS):
        user = User.objects.create_user(
            username=f"bench-fanout-{n}", password=None, role=role, email=f"f{n}@example.com"
        )
        user.teams.add(team)
    owner = User.objects.filter(teams=team).order_by("pk").first()
    author = User.objects.filter(
        is_active=True, role__is_admin=True
    ).first() or User.objects.create_user(
        username="bench-fanout-author", password=None, role=Role.objects.get(code="admin")
    )
    contact = Contact.objects.filter(last_name="BenchFanout").first()
    if contact is None:
        contact = Contact.objects.create(
            first_name="Núria", last_name="BenchFanout", owner=owner, team=team
        )
    return author, contact, team


def _pages(args, team):
    from django.test import Client

    from bench import generate_feed
    from clientela.core.models import User

    members = list(User.objects.filter(teams=team).order_by("pk"))
    info = generate_feed.ensure(team, members)
    client = Client()
    client.force_login(members[0])
    runs = max(20, args.requests // 4)
    metrics = {}
    for name, path in PAGES.items():
        path = path.format(team=team.pk)
        for _n in range(5):
            client.get(path)
        times, failures = [], {}
        for _n in range(runs):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                failures[response.status_code] = failures.get(response.status_code, 0) + 1
        metrics[name] = {**_summary(times), "errors": failures, **info}
    return metrics


def _answers(contact):
    """A customer answering an NPS survey from its signed link: the public page's POST, as
    the customer's browser sends it (the answer saved, put on the timeline and in the feed;
    the routing job queued). Then the routing jobs, run as the worker would (not timed
    against the target: nobody waits for them)."""
    from django.test import Client

    from clientela.collaboration import jobs
    from clientela.collaboration.models import Survey
    from clientela.collaboration.services import feedback
    from clientela.core.models import Team

    service = Team.objects.get_or_create(name="Bench service", defaults={"handle": "bench-svc"})[0]
    survey = Survey.objects.create(name="Bench NPS", kind="nps", detractor_team=service)
    paths = [feedback.path(feedback.invite(survey, contact)) for _n in range(ANSWERS)]
    client = Client()
    times, failures = [], {}
    for n, path in enumerate(paths):
        started = time.perf_counter()
        response = client.post(path, {"score": str(n % 11), "comment": "Bench answer"})
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            failures[response.status_code] = failures.get(response.status_code, 0) + 1
    started = time.perf_counter()
    for answer in survey.answers.all():
        jobs.route_feedback.call(answer.pk)
    routing = (time.perf_counter() - started) * 1000 / ANSWERS
    return {
        "collaboration_survey_answer": {
            **_summary(times[5:]),
            "errors": failures,
            "routing_ms_each": round(routing, 1),
        }
    }


def _summary(times):
    times = sorted(times)
    return {
        "n": len(times),
        "p50": round(statistics.median(times), 1),
        "p95": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
        "max": round(times[-1], 1),
    }


def measure(args, db):
    from django.db import transaction

    from clientela.collaboration.models import Comment, Follow, FollowedEntry, Notification
    from clientela.collaboration.services import comments

    author, contact, team = _setup()
    times, told = [], 0
    for n in range(RUNS + 1):
        started = time.perf_counter()
        with transaction.atomic():
            comment = comments.add_comment(
                contact, actor=author, body=f"@{HANDLE} they want to upgrade ({n})"
            )
        elapsed = (time.perf_counter() - started) * 1000
        told = Notification.objects.filter(object_id=contact.pk).count()
        Notification.objects.filter(object_id=contact.pk).delete()
        Follow.objects.filter(object_id=contact.pk).delete()
        FollowedEntry.objects.filter(entry__object_id=contact.pk).delete()
        Comment.objects.filter(pk=comment.pk).delete()
        if n:  # the first run warms the caches
            times.append(elapsed)
    return {
        "collaboration_mention_team_200": {**_summary(times), "notified": told},
        **_pages(args, team),
        **_answers(contact),
    }
