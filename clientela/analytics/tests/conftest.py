import pytest

from clientela.sales import services
from clientela.sales.models import Pipeline

STAGES = [("Lead", 10, "open"), ("Proposal", 50, "open"), ("Won", 100, "won"), ("Lost", 0, "lost")]


@pytest.fixture
def stages(db, admin_user):
    """A default pipeline of four stages, by name."""
    Pipeline.objects.all().delete()  # the first pipeline a migration creates
    pipeline = services.create_pipeline(
        actor=admin_user, name="New business", stages=STAGES, is_default=True
    )
    return {stage.name: stage for stage in pipeline.stages.all()}
