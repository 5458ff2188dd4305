"""Background jobs of analytics: the models retrained every day."""

from django_tasks import task


@task()
def retrain_customers():
    """Every day (``core.worker.PERIODIC_JOBS``): customers' scores and predictions."""
    from .services import customers

    return customers.retrain().pk


@task()
def retrain_deals():
    """Every day: the open deals' scores, from the won and lost ones."""
    from .services import leads

    return leads.retrain().pk


@task()
def settle_rollups():
    """Every five minutes: the reports' daily rollups counted again where records changed."""
    from . import rollups

    rollups.settle_all()


@task()
def retrain_forecast():
    """Every day: the company's sales forecast for the next three months."""
    from .services import sales_forecast

    return sales_forecast.retrain().pk


@task()
def send_report_subscriptions():
    """Every hour: the reports due to be e-mailed (weekly on Mondays, monthly on the 1st)."""
    from .services import subscriptions

    return subscriptions.send_due()
