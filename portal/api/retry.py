"""ФТ-019 as JSON: failed letters by filter, and resending them (ADMIN)."""

from flask import g, jsonify, request

from portal.api import bp
from portal.api import query_params as q
from portal.api import validation as v
from portal.api.auth_token import token_required
from portal.api.errors import ApiError
from portal.extensions import db
from portal.models import ResendItem, ResendRun, Role
from portal.services import resending
from portal.services.message_log import valid_date
from portal.services.messages import message_to_dict
from portal.services.resending import RESENDABLE, FailedFilter

LIST_ARGS = {
    "status",
    "date_from",
    "date_to",
    "template",
    "channel",
    "error_text",
    "recipient",
    "page",
    "limit",
}


def _filter_from(args) -> FailedFilter:
    unknown = set(args) - LIST_ARGS
    if unknown:
        raise ApiError(400, f"неизвестный параметр {sorted(unknown)[0]}", field=sorted(unknown)[0])
    status = args.get("status", "failed")
    if status not in RESENDABLE:
        raise ApiError(400, f"параметр status: одно из {', '.join(RESENDABLE)}", field="status")
    for name in ("date_from", "date_to"):
        if args.get(name) and not valid_date(args[name]):
            raise ApiError(400, f"параметр {name}: дата в формате ГГГГ-ММ-ДД", field=name)
    if args.get("date_from") and args.get("date_to") and args["date_to"] < args["date_from"]:
        raise ApiError(400, "параметр date_to: не раньше date_from", field="date_to")
    channel = args.get("channel", "")
    if channel not in ("", "email", "sms"):
        raise ApiError(400, "параметр channel: email или sms", field="channel")
    return FailedFilter(
        status=status,
        template=args.get("template", "")[:64],
        channel=channel,
        date_from=args.get("date_from", ""),
        date_to=args.get("date_to", ""),
        error=args.get("error_text", "")[:256],
        q=args.get("recipient", "")[:256],
    )


@bp.get("/retry/list")
@token_required(Role.ADMIN)
def retry_list():
    flt = _filter_from(request.args)
    page_number = q.integer("page", lo=1, hi=1_000_000, default=1)
    limit = q.integer("limit", lo=1, hi=500, default=50)
    page = db.paginate(flt.statement(), page=page_number, per_page=limit, error_out=False, count=True)
    return jsonify(
        {
            "items": [{"unsend_email_id": m.id, **message_to_dict(m)} for m in page.items],
            "total": page.total,
            "page": page_number,
            "limit": limit,
            "pages": page.pages,
        }
    )


@bp.post("/retry/send")
@token_required(Role.ADMIN)
def retry_send():
    """Resend the letters `unsend_email_id` (ids) now, or every letter matching `filter` from a job."""
    data = v.json_object()
    v.reject_unknown(data, {"unsend_email_id", "filter"})
    ids = data.get("unsend_email_id")
    if ids is not None and data.get("filter") is not None:
        raise ApiError(400, "укажите либо unsend_email_id, либо filter", field="filter")
    if data.get("filter") is not None:
        if not isinstance(data["filter"], dict):
            raise ApiError(400, "поле filter: объект с параметрами как у /retry/list", field="filter")
        flt = _filter_from({k: str(val) for k, val in data["filter"].items() if val is not None})
        if not flt.count():
            raise ApiError(404, "под фильтр не подходит ни одно письмо", field="filter")
        run = resending.start_for_filter(flt, g.api_user.id)
        db.session.commit()
        return jsonify(resending.run_to_dict(run)), 202
    if isinstance(ids, int) and not isinstance(ids, bool):
        ids = [ids]
    if (
        not isinstance(ids, list)
        or not 1 <= len(ids) <= resending.MAX_IDS
        or not all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in ids)
    ):
        raise ApiError(
            400,
            f"поле unsend_email_id: список от 1 до {resending.MAX_IDS} номеров писем",
            field="unsend_email_id",
        )
    run = resending.start_for_ids(ids, g.api_user.id)
    db.session.commit()
    return jsonify(_run_with_items(run))


@bp.get("/retry/runs/<int:run_id>")
@token_required(Role.ADMIN)
def retry_run(run_id: int):
    run = db.session.get(ResendRun, run_id)
    if run is None:
        raise ApiError(404, f"переотправки {run_id} нет")
    return jsonify(_run_with_items(run))


def _run_with_items(run: ResendRun) -> dict:
    items = db.session.execute(
        db.select(ResendItem).filter_by(run_id=run.id).order_by(ResendItem.id).limit(resending.MAX_IDS)
    ).scalars()
    return {**resending.run_to_dict(run), "items": [resending.item_to_dict(item) for item in items]}
