"""Pipelines and their stages."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..choices import StageKind
from ..models import Pipeline, Stage

# Won and lost stages are certain either way, whatever probability was given.
CLOSED_PROBABILITY = {StageKind.WON: 100, StageKind.LOST: 0}


@transaction.atomic
def create_pipeline(*, actor, name, stages, is_default=False):
    """A pipeline with ``stages``: ``(name, probability, kind)`` in order. It needs at least
    one open stage, and at most one won and one lost stage."""
    pipeline = Pipeline(name=(name or "").strip(), is_default=is_default)
    pipeline.position = Pipeline.objects.count()
    pipeline.full_clean(validate_constraints=False)
    kinds = [kind for _name, _probability, kind in stages]
    if StageKind.OPEN not in kinds:
        raise ValidationError({"stages": [_("A pipeline needs at least one open stage.")]})
    if kinds.count(StageKind.WON) > 1 or kinds.count(StageKind.LOST) > 1:
        raise ValidationError({"stages": [_("A pipeline has at most one won and one lost stage.")]})
    if is_default:
        Pipeline.objects.update(is_default=False)
    pipeline.save()
    for position, (stage_name, probability, kind) in enumerate(stages):
        stage = Stage(
            pipeline=pipeline,
            name=stage_name,
            position=position,
            probability=CLOSED_PROBABILITY.get(kind, probability),
            kind=kind,
        )
        stage.full_clean(validate_constraints=False)
        stage.save()
    return pipeline
