"""Statistics (ФТ-013-017): the page with charts, its CSV downloads, and the aggregates' rebuild."""

import click
from flask import Blueprint, abort, request
from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.htmx import render_page
from portal.security import STAFF_ROLES, roles_required
from portal.services.csv_export import csv_response
from portal.statistics import charts, export, formatting
from portal.statistics.rollup import data_until, rebuild
from portal.statistics.summary import BANDS, RangeError, default_range, parse_range, presets, summary

bp = Blueprint("statistics", __name__, cli_group="statistics")
formatting.register(bp)

RANGE_PROBLEMS = {
    "format": _l("Dates are written as YYYY-MM-DD."),
    "order": _l("The end of the range is before its start."),
    "too_long": _l("The range is at most 366 days."),
}
PRESET_NAMES = {
    "this_month": _l("This month"),
    "last_month": _l("Last month"),
    "last_7_days": _l("Last 7 days"),
    "last_30_days": _l("Last 30 days"),
}


@bp.get("/")
@roles_required(*STAFF_ROLES)
def page():
    error = None
    try:
        period = parse_range(request.args)
    except RangeError as exc:
        error, period = RANGE_PROBLEMS[exc.problem], default_range()
    stats = summary(period)
    days = period.days
    letters_chart = charts.stacked_bars(days, [d["letters"] for d in stats["days"]], list(BANDS))
    donations_chart = charts.stacked_bars(
        days, [{"sum": float(d["donations"]["sum"])} for d in stats["days"]], ["sum"], width=520, height=220
    )
    return render_page(
        "statistics/page.html",
        "statistics/_summary.html",
        period=period,
        stats=stats,
        error=error,
        presets=[(key, PRESET_NAMES[key], r) for key, r in presets()],
        letters_chart=letters_chart,
        donations_chart=donations_chart,
        data_until=data_until(),
        grouped_value=formatting.grouped,
    )


@bp.get("/export.csv")
@roles_required(*STAFF_ROLES)
def export_csv():
    """The page's "Download CSV" links: the same files as GET /api/v1/statistics/export/csv."""
    try:
        period = parse_range(request.args)
    except RangeError:
        abort(400)
    if request.args.get("kind") == "messages":
        header, rows = export.messages_header(), export.message_rows(period)
        kind = "messages"
    else:
        header, rows, kind = export.summary_header(), export.summary_rows(period), "summary"
    return csv_response(export.filename(kind, period), header, rows)


@bp.cli.command("rebuild")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), required=True, help="YYYY-MM-DD")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), required=True, help="YYYY-MM-DD")
def rebuild_command(date_from, date_to):
    """Recompute the daily statistics of every day from --from to --to (local days, inclusive)."""
    first, last = date_from.date(), date_to.date()
    if last < first:
        raise click.UsageError("--to is before --from")
    done = rebuild(first, last)
    db.session.commit()
    click.echo(f"recomputed {len(done['messages'])} days ({first.isoformat()} … {last.isoformat()})")
