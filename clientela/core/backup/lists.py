"""The CSV lists in an account export, for people who read the data in a spreadsheet (or
leave Clientela): the same columns as each list's own CSV export, records in the trash left
out. Each app's list export is reused; this is the one place that names them."""


def _contacts():
    from clientela.contacts import io
    from clientela.contacts.models import Contact

    return io.iter_csv(Contact, Contact.objects.all())


def _companies():
    from clientela.contacts import io
    from clientela.contacts.models import Company

    return io.iter_csv(Company, Company.objects.all())


def _deals():
    from clientela.sales.io import iter_deals_csv
    from clientela.sales.models import Deal

    return iter_deals_csv(Deal.objects.all())


def _purchases():
    from clientela.sales.io import iter_purchases_csv
    from clientela.sales.models import Purchase

    return iter_purchases_csv(Purchase.objects.all())


def _activities():
    from clientela.activities.io import iter_activities_csv
    from clientela.activities.models import Activity

    return iter_activities_csv(Activity.objects.all())


# member name (under csv/) -> a function returning the CSV's text chunks
LISTS = {
    "contacts.csv": _contacts,
    "companies.csv": _companies,
    "deals.csv": _deals,
    "purchases.csv": _purchases,
    "activities.csv": _activities,
}
