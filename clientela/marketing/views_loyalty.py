"""Loyalty pages under ``/marketing/loyalty/``: members, one member's points (redeem, adjust),
customers at risk (and their CSV), rewards, tiers and the programme's settings.

Reading needs marketing read access and shows the contacts in the user's scope; settings,
tiers and rewards need to manage marketing; redeeming and adjusting need marketing write
access to a contact in scope."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, Sum
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientela.contacts.models import Contact
from clientela.core import exports, permissions, spreadsheet
from clientela.core.forms import add_service_errors
from clientela.core.records import StaleRecord
from clientela.core.views.records import page_links, page_or_first
from clientela.sales.models import Purchase

from .filtersets import LoyaltyAccountFilterSet
from .forms_loyalty import AdjustForm, AtRiskForm, ProgramForm, RedeemForm, RewardForm, TierForm
from .models import LoyaltyAccount, LoyaltyProgram, LoyaltyTier, PointsEntry, Reward
from .services import loyalty as services
from .services import segments as segment_services
from .services.points import earning_q

PAGE_SIZE = 50
EXPORT_BATCH = 1000


def _require_read(user):
    if not permissions.can_read(user, "marketing"):
        raise PermissionDenied


def _require_manage(user):
    if not permissions.can_manage(user, "marketing"):
        raise PermissionDenied


def _context(request, section, **extra):
    return {
        "section": section,
        "can_manage": permissions.can_manage(request.user, "marketing"),
        "can_write": permissions.can_write(request.user, "marketing"),
        "program": LoyaltyProgram.current(),
        **extra,
    }


# --- members -------------------------------------------------------------------------------------


@login_required
def member_list(request):
    _require_read(request.user)
    accounts = services.visible_accounts(request.user).select_related("contact", "tier")
    filterset = LoyaltyAccountFilterSet(request.GET, queryset=accounts)
    status = 200
    if filterset.is_valid():
        page = page_or_first(
            filterset.qs, ["-lifetime_points", "-id"], request.GET.get("cursor"), PAGE_SIZE
        )
    else:
        page, status = page_or_first(accounts.none(), ["-id"], None, PAGE_SIZE), 400
    context = _context(
        request,
        "members",
        filter_form=filterset.form,
        page=page,
        page_links=page_links(request, page),
    )
    return render(request, "marketing/loyalty/member_list.html", context, status=status)


def _visible_contact(user, contact_id):
    _require_read(user)
    contact = get_object_or_404(Contact, pk=contact_id)
    if not permissions.in_scope(user, contact):
        raise Http404
    return contact


@login_required
def member_detail(request, contact_id):
    contact = _visible_contact(request.user, contact_id)
    return _render_member(request, contact, RedeemForm(), AdjustForm())


def _render_member(request, contact, redeem_form, adjust_form, status=200):
    account = LoyaltyAccount.objects.select_related("tier").filter(contact=contact).first()
    entries = (
        PointsEntry.objects.filter(account=account).select_related("purchase", "reward", "actor")
        if account
        else PointsEntry.objects.none()
    )
    page = page_or_first(entries, ["-id"], request.GET.get("cursor"), PAGE_SIZE)
    next_tier = (
        LoyaltyTier.objects.filter(min_points__gt=account.lifetime_points).first()
        if account
        else LoyaltyTier.objects.first()
    )
    context = _context(
        request,
        "members",
        contact=contact,
        account=account,
        next_tier=next_tier,
        page=page,
        page_links=page_links(request, page),
        can_change=services.can_change_points(request.user, contact),
        redeem_form=redeem_form,
        adjust_form=adjust_form,
    )
    return render(request, "marketing/loyalty/member_detail.html", context, status=status)


@login_required
@require_POST
def member_redeem(request, contact_id):
    return _change_points(request, contact_id, "redeem")


@login_required
@require_POST
def member_adjust(request, contact_id):
    return _change_points(request, contact_id, "adjust")


def _change_points(request, contact_id, what):
    contact = _visible_contact(request.user, contact_id)
    if not services.can_change_points(request.user, contact):
        raise PermissionDenied
    redeem_form = RedeemForm(request.POST if what == "redeem" else None)
    adjust_form = AdjustForm(request.POST if what == "adjust" else None)
    form = redeem_form if what == "redeem" else adjust_form
    if form.is_valid():
        data = form.cleaned_data
        try:
            if what == "redeem":
                services.redeem_reward(
                    contact, data["reward"], actor=request.user, note=data["note"]
                )
                messages.success(request, _("Reward redeemed."))
            else:
                services.adjust_points(
                    contact, data["points"], actor=request.user, note=data["note"]
                )
                messages.success(request, _("Points adjusted."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("marketing:loyalty_member", contact.pk)
    return _render_member(request, contact, redeem_form, adjust_form, status=400)


# --- at risk -------------------------------------------------------------------------------------


def _at_risk(request):
    """The at-risk contacts in the user's scope, the form and the period in days."""
    _require_read(request.user)
    form = AtRiskForm(request.GET)
    days = form.cleaned_data["days"] if form.is_valid() else None
    days = days or LoyaltyProgram.current().at_risk_days
    contacts = services.at_risk_contacts(days)
    scope = permissions.scope_q(request.user)
    return form, days, contacts if scope is None else contacts.filter(scope)


def _with_figures(contacts, program):
    """Each contact's last purchase, lifetime value (base currency) and tier, in two queries
    for the page."""
    contacts = list(contacts)
    ids = [c.pk for c in contacts]
    figures = {
        row["contact_id"]: row
        for row in Purchase.objects.filter(earning_q(program), contact_id__in=ids)
        .values("contact_id")
        .order_by()
        .annotate(last=Max("purchased_at"), value=Sum("total_base"))
    }
    tiers = dict(
        LoyaltyAccount.objects.filter(contact_id__in=ids)
        .select_related("tier")
        .values_list("contact_id", "tier__name")
    )
    for contact in contacts:
        row = figures.get(contact.pk, {})
        contact.last_purchase = row.get("last")
        contact.lifetime_value = row.get("value")
        contact.tier_name = tiers.get(contact.pk) or ""
    return contacts


@login_required
def at_risk_list(request):
    form, days, contacts = _at_risk(request)
    page = page_or_first(contacts, ["sort_name", "id"], request.GET.get("cursor"), PAGE_SIZE)
    context = _context(
        request,
        "at_risk",
        form=form,
        days=days,
        contacts=_with_figures(page.items, LoyaltyProgram.current()),
        page=page,
        page_links=page_links(request, page),
        export_query=f"days={days}",
    )
    return render(
        request,
        "marketing/loyalty/at_risk.html",
        context,
        status=200 if form.is_valid() else 400,
    )


@login_required
@require_POST
def at_risk_segment(request):
    """The at-risk customers as a dynamic segment (to send them a retention campaign): bought
    before, not in the last ``days`` days — it keeps itself up to date."""
    permissions.require_write(request.user, "marketing")
    form = AtRiskForm(request.POST)
    days = form.cleaned_data["days"] if form.is_valid() else None
    days = days or LoyaltyProgram.current().at_risk_days
    segment = segment_services.create_segment(
        actor=request.user,
        name=_("Customers at risk (no purchase in %(days)d days)") % {"days": days},
        rules={
            "op": "and",
            "rules": [
                {"field": "purchases.count", "operator": "gt", "value": 0},
                {"field": "purchases.last_date", "operator": "more_than_days_ago", "value": days},
            ],
        },
    )
    return HttpResponseRedirect(reverse("marketing:segment_detail", args=[segment.pk]))


@login_required
def at_risk_export(request):
    form, days, contacts = _at_risk(request)
    if not form.is_valid():
        raise Http404  # only links made by the page come here
    program = LoyaltyProgram.current()
    header = [_("Id"), _("Name"), _("Last purchase"), _("Lifetime value"), _("Tier")]

    def chunks():
        yield _csv_line(header)
        last = 0
        while True:
            batch = list(contacts.filter(pk__gt=last).order_by("pk")[:EXPORT_BATCH])
            if not batch:
                return
            for contact in _with_figures(batch, program):
                yield _csv_line(
                    [
                        contact.pk,
                        contact.full_name,
                        contact.last_purchase,
                        contact.lifetime_value,
                        contact.tier_name,
                    ]
                )
            last = batch[-1].pk

    return exports.export_response("csv", f"at-risk-{days}-days", chunks())


def _csv_line(values):
    buffer = io.StringIO()
    csv.writer(buffer).writerow(spreadsheet.cells(values))
    return buffer.getvalue()


# --- rewards and tiers ---------------------------------------------------------------------------


@login_required
def reward_list(request):
    _require_read(request.user)
    context = _context(request, "rewards", rewards=Reward.objects.all())
    return render(request, "marketing/loyalty/reward_list.html", context)


@login_required
def tier_list(request):
    _require_read(request.user)
    context = _context(request, "tiers", tiers=LoyaltyTier.objects.all())
    return render(request, "marketing/loyalty/tier_list.html", context)


def _edit(request, pk, *, model, form_class, save, section, list_url):
    _require_manage(request.user)
    instance = get_object_or_404(model, pk=pk) if pk else None
    form = form_class(request.POST or None, instance=instance)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = save(
                    instance,
                    actor=request.user,
                    expected_version=form.cleaned_data["version"] if instance else None,
                    **form.service_kwargs(),
                )
            except StaleRecord:
                form.add_error(None, _("Someone else changed it meanwhile; reload the page."))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("“%(name)s” saved.") % {"name": saved})
                return redirect(list_url)
    context = _context(request, section, form=form, instance=instance, list_url=list_url)
    return render(request, "marketing/loyalty/edit.html", context, status=status)


@login_required
def reward_form(request, pk=None):
    return _edit(
        request,
        pk,
        model=Reward,
        form_class=RewardForm,
        save=services.save_reward,
        section="rewards",
        list_url="marketing:loyalty_rewards",
    )


@login_required
def tier_form(request, pk=None):
    return _edit(
        request,
        pk,
        model=LoyaltyTier,
        form_class=TierForm,
        save=services.save_tier,
        section="tiers",
        list_url="marketing:loyalty_tiers",
    )


def _delete(request, pk, *, model, delete, section, list_url):
    _require_manage(request.user)
    instance = get_object_or_404(model, pk=pk)
    if request.method == "POST":
        delete(instance, actor=request.user)
        messages.success(request, _("“%(name)s” deleted.") % {"name": instance})
        return redirect(list_url)
    context = _context(request, section, instance=instance, list_url=list_url)
    return render(request, "marketing/loyalty/delete.html", context)


@login_required
def reward_delete(request, pk):
    return _delete(
        request,
        pk,
        model=Reward,
        delete=services.delete_reward,
        section="rewards",
        list_url="marketing:loyalty_rewards",
    )


@login_required
def tier_delete(request, pk):
    return _delete(
        request,
        pk,
        model=LoyaltyTier,
        delete=services.delete_tier,
        section="tiers",
        list_url="marketing:loyalty_tiers",
    )


# --- the programme -------------------------------------------------------------------------------


@login_required
def program_settings(request):
    _require_read(request.user)
    program = LoyaltyProgram.current()
    can_manage = permissions.can_manage(request.user, "marketing")
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    form = ProgramForm(request.POST or None, instance=program)
    if not can_manage:
        for field in form.fields.values():
            field.disabled = True
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.update_program(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Loyalty programme saved."))
                return redirect("marketing:loyalty_settings")
    context = _context(request, "settings", form=form)
    return render(request, "marketing/loyalty/settings.html", context, status=status)
