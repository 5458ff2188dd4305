"""Pipelines and their stages, and the reasons deals are lost."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..choices import StageKind
from ..models import Deal, LostReason, Pipeline, Stage

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


@transaction.atomic
def update_pipeline(pipeline, *, actor, name=None, is_default=None, archived=None, stages=None):
    """Rename, make default, archive; ``stages`` is the whole new list of stages in order, as
    ``{"id": existing id or None, "name", "probability", "kind", "delete": bool}``.

    A stage that still holds deals cannot be deleted or change kind (its deals' status would
    no longer match it); the pipeline must keep an open stage and at most one won and one
    lost stage. The default pipeline cannot be archived.
    """
    pipeline = Pipeline.objects.select_for_update().get(pk=pipeline.pk)
    if name is not None:
        pipeline.name = name.strip()
    if is_default is not None:
        pipeline.is_default = is_default
    if archived is not None:
        pipeline.archived = archived
    if pipeline.is_default and pipeline.archived:
        raise ValidationError({"archived": [_("The default pipeline cannot be archived.")]})
    pipeline.full_clean(validate_constraints=False)
    if pipeline.is_default:
        Pipeline.objects.exclude(pk=pipeline.pk).update(is_default=False)
    pipeline.save()
    if stages is not None:
        _replace_stages(pipeline, stages)
    return pipeline


def _replace_stages(pipeline, rows):
    current = {stage.pk: stage for stage in pipeline.stages.all()}
    with_deals = set(
        Deal.all_objects.filter(stage__in=list(current)).values_list("stage_id", flat=True)
    )
    kept = [row for row in rows if not row.get("delete")]
    kinds = [row["kind"] for row in kept]
    errors = []
    if StageKind.OPEN not in kinds:
        errors.append(_("A pipeline needs at least one open stage."))
    if kinds.count(StageKind.WON) > 1 or kinds.count(StageKind.LOST) > 1:
        errors.append(_("A pipeline has at most one won and one lost stage."))
    for row in rows:
        stage = current.get(row.get("id"))
        if row.get("id") and stage is None:
            errors.append(_("A stage of another pipeline cannot be edited here."))
        elif stage is not None and stage.pk in with_deals:
            if row.get("delete"):
                errors.append(_("“%(stage)s” still has deals: move them first.") % {"stage": stage})
            elif row["kind"] != stage.kind:
                errors.append(
                    _("“%(stage)s” has deals: its kind cannot change.") % {"stage": stage}
                )
    if errors:
        raise ValidationError({"stages": errors})
    for row in rows:
        if row.get("delete") and row.get("id"):
            current[row["id"]].delete()
    for position, row in enumerate(kept):
        stage = current.get(row.get("id")) or Stage(pipeline=pipeline)
        stage.name = row["name"].strip()
        stage.kind = row["kind"]
        stage.probability = CLOSED_PROBABILITY.get(row["kind"], row["probability"])
        stage.position = position
        try:
            stage.full_clean(validate_constraints=False, validate_unique=False)
        except ValidationError as error:
            problems = [m for messages in error.message_dict.values() for m in messages]
            raise ValidationError({"stages": problems}) from error
        stage.save()


@transaction.atomic
def save_lost_reason(*, actor, name, reason=None, active=True):
    """Create a lost reason, or rename / (de)activate ``reason``."""
    reason = reason or LostReason(position=LostReason.objects.count())
    reason.name = (name or "").strip()
    reason.active = active
    reason.full_clean(validate_constraints=False)
    reason.save()
    return reason
