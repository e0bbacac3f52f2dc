"""Donations and subscriptions in the portal: lists with filters, and each one's history."""

from decimal import Decimal, InvalidOperation

from flask import Blueprint, flash, render_template, request, url_for
from flask_babel import gettext as _

from portal.extensions import db
from portal.htmx import redirect_after_post, render_page
from portal.models import (
    Donation,
    DonationKind,
    DonationStatus,
    RecurringSubscription,
    Role,
    SubscriptionStatus,
)
from portal.models.donation import FREQUENCIES
from portal.security import STAFF_ROLES, roles_required
from portal.services import payment_log, subscriptions
from portal.services.donations import rubles
from portal.services.subscriptions import ENDED, FREQUENCY_NAMES

bp = Blueprint("payments", __name__)


@bp.get("/donations/")
@roles_required(*STAFF_ROLES)
def donation_list():
    flt = payment_log.DonationFilter.from_args(request.args)
    page = payment_log.search(flt, request.args.get("page", 1, type=int))
    return render_page(
        "payments/donations.html",
        "payments/_donations_table.html",
        page=page,
        flt=flt,
        statuses=list(DonationStatus),
        kinds=list(DonationKind),
    )


@bp.get("/donations/<int:donation_id>")
@roles_required(*STAFF_ROLES)
def donation_detail(donation_id: int):
    donation = db.get_or_404(Donation, donation_id)
    return render_template(
        "payments/donation.html",
        donation=donation,
        notifications=payment_log.donation_notifications(donation),
        letters=payment_log.letters_about(f"donation:{donation.id}"),
        subscription=db.session.get(RecurringSubscription, donation.subscription_id)
        if donation.subscription_id
        else None,
    )


@bp.get("/subscriptions/")
@roles_required(*STAFF_ROLES)
def subscription_list():
    flt = payment_log.SubscriptionFilter.from_args(request.args)
    page = payment_log.search(flt, request.args.get("page", 1, type=int))
    return render_page(
        "payments/subscriptions.html",
        "payments/_subscriptions_table.html",
        page=page,
        flt=flt,
        statuses=list(SubscriptionStatus),
        frequencies=list(FREQUENCIES),
    )


@bp.get("/subscriptions/<int:subscription_id>")
@roles_required(*STAFF_ROLES)
def subscription_detail(subscription_id: int):
    sub = db.get_or_404(RecurringSubscription, subscription_id)
    charges = payment_log.subscription_charges(sub)
    return render_template(
        "payments/subscription.html",
        sub=sub,
        ended=sub.status in ENDED,
        charges=charges,
        notifications=payment_log.subscription_notifications(sub),
        letters=payment_log.subscription_letters(sub, charges),
    )


@bp.route("/subscriptions/<int:subscription_id>/cancel", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def subscription_cancel(subscription_id: int):
    """An administrator ends a subscription (say, the donor asked by phone), after confirming."""
    sub = db.get_or_404(RecurringSubscription, subscription_id)
    if request.method == "GET":
        return render_template("payments/subscription_cancel.html", sub=sub, ended=sub.status in ENDED)
    sub = subscriptions.find(sub.public_id, lock=True)
    reason = request.form.get("reason", "").strip()[:500] or "отменена администратором"
    outcome = subscriptions.cancel(sub, reason=reason, farewell=request.form.get("farewell") == "1")
    db.session.commit()
    if outcome == "already ended":
        flash(_("The subscription had already ended."), "info")
    else:
        flash(_("Subscription cancelled: CloudPayments will not charge the donor again."), "success")
    return redirect_after_post(url_for("payments.subscription_detail", subscription_id=sub.id))
