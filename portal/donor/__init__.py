"""Pages for donors, reached from their letters: manage a subscription, cancel it, start again.

No account: the signed, expiring link in the letter is the key (services/donor_links.py).
"""

import logging
from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from portal.extensions import db
from portal.models import SubscriptionStatus
from portal.providers import ProviderError
from portal.services import subscriptions
from portal.services.donations import rubles
from portal.services.donor_links import LinkExpired, LinkInvalid, subscription_from
from portal.services.subscriptions import ENDED, FREQUENCY_NAMES, russian_date

bp = Blueprint("donor", __name__)
log = logging.getLogger("mayak.donor")


def signed_link(view):
    """Resolve the link's token to the subscription, or explain why the link does not work."""

    @wraps(view)
    def wrapped(token: str, **kwargs):
        try:
            public_id = subscription_from(token)
        except LinkExpired:
            return _link_problem(
                "Срок действия ссылки истёк. Откройте ссылку из последнего письма «Маяка».", 410
            )
        except LinkInvalid:
            return _link_problem("Ссылка повреждена или неполна. Скопируйте её из письма целиком.", 404)
        sub = subscriptions.find(public_id)
        if sub is None:
            abort(404)
        return view(token, sub, **kwargs)

    wrapped.guard = "signed link"
    return wrapped


def _link_problem(message: str, status: int):
    return render_template("donor/problem.html", message=message), status


def _facts(sub) -> dict:
    return {
        "amount": rubles(sub.amount, sub.currency),
        "frequency": FREQUENCY_NAMES[sub.frequency],
        "next_charge": russian_date(sub.next_charge_at),
        "total": rubles(sub.total_charged, sub.currency),
        "since": russian_date(sub.started_at),
        "ended": russian_date(sub.ended_at),
        "live": sub.status not in ENDED and sub.status != SubscriptionStatus.AWAITING_PAYMENT,
    }


def _page(sub, token: str, step: str):
    return render_template("donor/subscription.html", sub=sub, token=token, facts=_facts(sub), step=step)


@bp.get("/subscriptions/<token>")
@signed_link
def manage(token: str, sub):
    return _page(sub, token, "manage")


@bp.route("/subscriptions/<token>/cancel", methods=["GET", "POST"])
@signed_link
def cancel(token: str, sub):
    if request.method == "GET":
        return _page(sub, token, "confirm_cancel")
    sub = subscriptions.find(sub.public_id, lock=True)
    outcome = subscriptions.cancel(sub, reason="отменена благотворителем по ссылке из письма", farewell=True)
    db.session.commit()
    if outcome == "already ended":
        flash("Подписка уже была отменена.", "info")
    else:
        flash("Подписка отменена. Больше списаний не будет — спасибо, что были с нами!", "success")
    return redirect(url_for("donor.manage", token=token), code=303)


@bp.route("/subscriptions/<token>/reactivate", methods=["GET", "POST"])
@signed_link
def reactivate(token: str, sub):
    """Start a new subscription like the old one: its first payment's page, where the card is entered."""
    if request.method == "GET":
        return _page(sub, token, "reactivate")
    like = {
        "donor_email": sub.donor_email,
        "amount": sub.amount,
        "currency": sub.currency,
        "frequency": sub.frequency,
        "event_id": sub.event_id,
        "event_name": sub.event_name,
    }
    db.session.rollback()  # no transaction (no SQLite lock) held while CloudPayments answers
    try:
        new = subscriptions.create_subscription(**like, agree_newsletter=False, created_by_id=None)
    except ProviderError as exc:
        db.session.rollback()
        log.warning("reactivating %s: CloudPayments failed: %s", sub.public_id, exc)
        flash("Платёжная система сейчас недоступна. Попробуйте, пожалуйста, через несколько минут.", "error")
        return redirect(url_for("donor.reactivate", token=token), code=303)
    url = new.payment_url
    db.session.commit()
    return redirect(url, code=303)
