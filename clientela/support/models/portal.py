"""The customer portal's sign-in links: e-mailed, single use, short-lived. Only a hash of the
link's secret is stored, so the table alone cannot sign anyone in."""

from django.db import models


class PortalLink(models.Model):
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(max_length=320)
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.email} {self.created_at:%Y-%m-%d %H:%M}"
