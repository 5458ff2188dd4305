"""The Spanish IVA rates a new installation starts with (general 21 % as the default)."""

from django.db import migrations

RATES = [
    # code, stored name, rate
    ("iva_general", "IVA general", "21.00"),
    ("iva_reducido", "IVA reducido", "10.00"),
    ("iva_superreducido", "IVA superreducido", "4.00"),
    ("iva_exento", "Exento de IVA", "0.00"),
]


def forwards(apps, schema_editor):
    TaxRate = apps.get_model("sales", "TaxRate")
    if TaxRate.objects.exists():
        return
    for position, (code, name, rate) in enumerate(RATES):
        TaxRate.objects.create(
            code=code, name=name, rate=rate, position=position, is_default=position == 0
        )


class Migration(migrations.Migration):
    dependencies = [("sales", "0004_products_quotes_purchases")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
