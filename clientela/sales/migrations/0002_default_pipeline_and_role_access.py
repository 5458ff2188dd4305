"""A first pipeline to start with, and sales access for the built-in roles of an existing
database (a new database gets the roles, with sales access, from ``core.roles`` after migrate)."""

from django.db import migrations

from clientela.core.roles import BUILTIN_ROLES

STAGES = [
    # name, probability, kind
    ("Qualification", 10, "open"),
    ("Needs analysis", 25, "open"),
    ("Proposal", 50, "open"),
    ("Negotiation", 75, "open"),
    ("Won", 100, "won"),
    ("Lost", 0, "lost"),
]
LOST_REASONS = ["Price", "Chose a competitor", "No budget", "No decision", "Timing", "Other"]


def forwards(apps, schema_editor):
    Pipeline = apps.get_model("sales", "Pipeline")
    Stage = apps.get_model("sales", "Stage")
    LostReason = apps.get_model("sales", "LostReason")
    Role = apps.get_model("core", "Role")
    if not Pipeline.objects.exists():
        pipeline = Pipeline.objects.create(name="Sales", is_default=True)
        for position, (name, probability, kind) in enumerate(STAGES):
            Stage.objects.create(
                pipeline=pipeline, name=name, position=position, probability=probability, kind=kind
            )
    if not LostReason.objects.exists():
        for position, name in enumerate(LOST_REASONS):
            LostReason.objects.create(name=name, position=position)
    for role in Role.objects.filter(code__in=BUILTIN_ROLES):
        level = BUILTIN_ROLES[role.code][2].get("sales")
        if level and "sales" not in role.access:
            role.access = {**role.access, "sales": level}
            role.save(update_fields=["access"])


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial"), ("core", "0003_search_words_postgresql")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
