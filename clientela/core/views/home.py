from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


@login_required
def home(request):
    """Contacts are where the work starts; the dashboard comes with the analytics app."""
    return redirect("contacts:contact_list")
