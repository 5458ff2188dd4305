"""A sales team with its member who owns a customer, and a service agent who sees everyone."""

import pytest

from clientela.contacts import services as contact_services


@pytest.fixture
def sales(make_team):
    return make_team("Ventas", handle="ventas")


@pytest.fixture
def owner(make_user, sales):
    return make_user("sales", username="jordi.ferrer", teams=[sales], scope="own")


@pytest.fixture
def agent(make_user):
    return make_user("service", username="elena", scope="all")


@pytest.fixture
def customer(admin_user, owner, sales):
    return contact_services.create_contact(
        actor=admin_user, first_name="Núria", last_name="Puig", owner=owner, team=sales
    )


def run_jobs(*tasks):
    """Run the queued jobs of ``tasks`` (as the worker would), each once, oldest first."""
    from django_tasks_db.models import DBTaskResult

    by_path = {task.module_path: task for task in tasks}
    rows = DBTaskResult.objects.filter(task_path__in=by_path).order_by("enqueued_at", "id")
    for row in rows:
        by_path[row.task_path].call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.delete()
