"""Count what every contact and company has bought so far (``sales.rollups``)."""

from django.db import migrations


def count_purchases(apps, schema_editor):
    from clientela.sales import rollups

    purchase = apps.get_model("sales", "Purchase")
    for name in ("Contact", "Company"):
        rollups.rebuild(apps.get_model("contacts", name), purchases=purchase)


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0008_forecast_indexes"),
        ("contacts", "0010_purchase_rollups"),
    ]

    operations = [migrations.RunPython(count_purchases, migrations.RunPython.noop)]
