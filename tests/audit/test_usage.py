"""Usage statistics per API user, day, service and process type, as JSON and as XLSX."""

import io
from datetime import UTC, date, datetime, timedelta

import openpyxl

from portal.extensions import db
from portal.models import AuditAction
from portal.services import audit_taxonomy as taxonomy
from tests.conftest import unique_email

VARS = {"user_name": "Анна", "registration_date": "20 ноября 2026"}


def _send(partner, count: int, **headers):
    recipients = [unique_email("use") for _ in range(count)]
    return partner.post(
        "/api/v1/email/send",
        {"template_id": "registration", "recipients": recipients, "vars": VARS},
        headers=headers,
    )


def _today() -> date:
    return taxonomy.local_day(3)


def _process(stats: dict, day: date, service: str, process_type: str) -> dict:
    [entry] = [d for d in stats["dates"] if d["date"] == day.isoformat()]
    [svc] = [s for s in entry["services"] if s["service"] == service]
    [proc] = [p for p in svc["processes"] if p["process_type"] == process_type]
    return proc


def test_todays_calls_are_counted_by_service_and_process_type(partner):
    assert _send(partner, 3).status_code == 202
    assert _send(partner, 2, **{"Idempotency-Key": "same-call"}).status_code == 202
    replay = partner.post(
        "/api/v1/email/send",
        {"template_id": "registration", "recipients": ["x@example.org"], "vars": VARS},
        headers={"Idempotency-Key": "other"},
    )
    assert replay.status_code == 202
    again = partner.post(
        "/api/v1/email/send",
        {"template_id": "registration", "recipients": ["x@example.org"], "vars": VARS},
        headers={"Idempotency-Key": "other"},
    )
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert (
        partner.post("/api/v1/email/send", {"template_id": "registration", "recipients": ["bad"]}).status_code
        == 400
    )
    today = _today()
    tomorrow = today + timedelta(days=1)
    stats = partner.get(
        "/api/v1/account/statistics", params={"from": today.isoformat(), "to": tomorrow.isoformat()}
    )
    assert stats.status_code == 200, stats.text
    body = stats.json()
    assert body["username"] == partner.username
    email = _process(body, today, "EMAIL", "OPERATION")
    # 4 answered calls carrying 3 + 2 + 1 + 1 items; the replay is not unique; the invalid call offered 1 item
    assert email == {
        "process_type": "OPERATION",
        "processes_per_day": 4,
        "points_per_day": 7,
        "unique_points_per_day": 6,
        "elements_per_day": 8,
    }
    again = partner.get(
        "/api/v1/account/statistics", params={"from": today.isoformat(), "to": tomorrow.isoformat()}
    )
    assert _process(again.json(), today, "ACCOUNT", "QUERY")["processes_per_day"] == 1  # the first read
    only = partner.get(
        "/api/v1/account/statistics",
        params={"from": today.isoformat(), "to": tomorrow.isoformat(), "service": "ACCOUNT"},
    ).json()
    assert {s["service"] for d in only["dates"] for s in d["services"]} == {"ACCOUNT"}


def _audit_row(partner, day: date, points: int, status: int = 202) -> dict:
    moment = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=12)
    return {
        "time": moment,
        "day": day,
        "source": "api",
        "user_id": partner.id,
        "username": partner.username,
        "service": "DONATIONS",
        "process_type": "TRIGGER",
        "operation": "donations_process",
        "method": "POST",
        "path": "/api/v1/donations/process",
        "request_code": "r",
        "status": taxonomy.status_of(status),
        "http_status": status,
        "duration_ms": 5,
        "request_points": points,
        "replayed": False,
    }


def test_past_days_are_rolled_up_and_the_default_period_is_this_month_until_today(partner, app, in_app):
    today = _today()
    first = today.replace(day=1)
    days = [first - timedelta(days=1), first, today - timedelta(days=1)]

    def seed():
        for day in days:
            db.session.add(AuditAction(**_audit_row(partner, day, 1)))
        db.session.add(AuditAction(**_audit_row(partner, days[1], 1, status=500)))
        db.session.commit()

    in_app(seed)
    from portal.jobs.usage import roll_up_recent_usage

    with app.app_context():
        from portal.services.usage import roll_up_usage

        roll_up_usage(days, partner.id)
        db.session.commit()
        roll_up_recent_usage()
    body = partner.get("/api/v1/account/statistics").json()
    listed = [d["date"] for d in body["dates"]]
    # the previous month and today are outside the default period
    assert days[0].isoformat() not in listed and today.isoformat() not in listed
    if first != today:
        assert first.isoformat() in listed
        donations = _process(body, first, "DONATIONS", "TRIGGER")
        expected = 2 if first == days[2] else 1
        assert donations["processes_per_day"] == expected and donations["elements_per_day"] == expected + 1


def test_the_xlsx_report_has_a_russian_header_and_typed_rows(partner):
    assert _send(partner, 2).status_code == 202
    today = _today()
    response = partner.get(
        "/api/v1/account/statistics/report",
        params={"from": today.isoformat(), "to": (today + timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Дата", "Пользователь", "Сервис", "Тип процесса")
    email = next(r for r in rows[1:] if r[2] == "EMAIL")
    assert email[0].date() == today and email[1] == partner.username and email[3] == "OPERATION"
    assert email[4:] == (2, 2, 2, 1)


def test_bad_periods_and_other_peoples_statistics(partner, api):
    assert partner.get("/api/v1/account/statistics", params={"from": "2026-13-01"}).json()["field"] == "from"
    reverse = partner.get("/api/v1/account/statistics", params={"from": "2026-11-10", "to": "2026-11-01"})
    assert reverse.status_code == 400
    assert partner.get("/api/v1/account/statistics", params={"service": "ROUTING"}).status_code == 400
    assert partner.get("/api/v1/account/statistics", params={"username": "t_partner"}).status_code == 403
    assert (
        api.get(
            "/api/v1/account/statistics", as_role="ADMIN", params={"username": partner.username}
        ).status_code
        == 200
    )
    missing = api.get(
        "/api/v1/account/statistics/report", as_role="ADMIN", params={"username": "nobody_here"}
    )
    assert missing.status_code == 404
