"""ФТ-013-017: the statistics add up to what happened through the real flows, kept by the rollup."""

import csv
import io
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.extensions import db
from portal.models import EventHistory, Message, MessageTemplate
from portal.statistics.rollup import rollup
from tests.conftest import unique_email
from tests.events.test_moderation_api import notice
from tests.payments.cloudpayments import SUCCESS_CARD, pay
from tests.payments.test_donations import donate
from tests.webhooks.test_unisendergo_status import event, post  # noqa: F401  (the `post` fixture)

VARS = {"user_name": "Анна"}
MOSCOW = ZoneInfo("Europe/Moscow")


def roll_up(in_app) -> dict:
    def run():
        done = rollup()
        db.session.commit()
        return done

    return in_app(run)


def make_template(in_app, name: str = "Итоги месяца", subject: str = "Итоги для {{ user_name }}") -> str:
    """A template of this test's own, so its row in the summary counts only this test's letters."""
    code = f"stats_{uuid.uuid4().hex[:8]}"

    def build():
        db.session.add(
            MessageTemplate(
                code=code,
                name=name,
                subject=subject,
                body_html="<p>Здравствуйте, {{ user_name }}!</p>",
                body_text="Здравствуйте, {{ user_name }}!",
                variables=["user_name"],
            )
        )
        db.session.commit()

    in_app(build)
    return code


def send(api, code: str, count: int) -> list[int]:
    recipients = [unique_email("stats") for _ in range(count)]
    response = api.post("/api/v1/email/send", {"template_id": code, "recipients": recipients, "vars": VARS})
    assert response.status_code == 202, response.text
    return [m["id"] for m in response.json()["messages"]]


def summary(api, role: str = "ADMIN", **params) -> dict:
    response = api.get("/api/v1/statistics/summary", as_role=role, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def template_row(stats: dict, code: str) -> dict:
    [row] = [t for t in stats["letters"]["by_template"] if t["code"] == code]
    return row


def move_to(in_app, message_ids: list[int], moment: datetime) -> None:
    """Put letters on an old day (as if sent then), the way a change to an old row looks."""

    def move():
        db.session.execute(db.update(Message).where(Message.id.in_(message_ids)).values(created_at=moment))
        db.session.commit()

    in_app(move)


def test_letters_by_template_and_status_match_what_happened(api, drain, fault, in_app, post):  # noqa: F811
    code = make_template(in_app)
    fault("reject_400", count=1)  # UnisenderGo refuses the first letter for good
    failed = send(api, code, 1)
    drain()
    opened, clicked, bounced, delivered = send(api, code, 4)
    drain()
    assert post([event(opened, "opened"), event(clicked, "clicked"), event(bounced, "hard_bounced")]).ok
    roll_up(in_app)

    row = template_row(summary(api), code)
    assert row["total"] == 5 and row["channel"] == "email" and row["name"] == "Итоги месяца"
    steps = ("sent", "delivered", "opened", "clicked", "bounced", "failed", "in_progress")
    counts = {k: row[k] for k in steps}
    assert counts == {
        "sent": 4,
        "delivered": 3,
        "opened": 2,
        "clicked": 1,
        "bounced": 1,
        "failed": 1,
        "in_progress": 0,
    }
    assert row["rates"] == {
        "delivered": 0.75,
        "opened": 0.6667,
        "clicked": 0.3333,
        "bounced": 0.25,
        "failed": 0.2,
    }
    assert failed and delivered


def test_donations_first_time_and_repeat(api, drain, in_app):
    roll_up(in_app)
    before = summary(api)["donations"]
    email = unique_email("donor")
    pay(donate(api, email, 1500)["payment_url"], SUCCESS_CARD)
    drain()
    pay(donate(api, email, "250.50")["payment_url"], SUCCESS_CARD)
    unpaid = donate(api, unique_email("donor"), 700)  # a link nobody paid is not a donation
    drain()
    roll_up(in_app)

    after = summary(api)["donations"]
    assert after["count"] - before["count"] == 2
    assert float(after["sum"]) - float(before["sum"]) == pytest.approx(1750.50)
    assert after["first_time"]["count"] - before["first_time"]["count"] == 1
    assert float(after["first_time"]["sum"]) - float(before["first_time"]["sum"]) == pytest.approx(1500)
    assert after["repeat"]["count"] - before["repeat"]["count"] == 1
    assert float(after["repeat"]["sum"]) - float(before["repeat"]["sum"]) == pytest.approx(250.50)
    assert unpaid["status"] == "pending"


def _wait_before_decision(in_app, event_id: str, minutes: int) -> None:
    """The Event arrived `minutes` ago (its history says so), as if the moderator took that long."""

    def shift():
        from portal.models import Event

        event_row = db.session.execute(db.select(Event).filter_by(event_id=event_id)).scalar_one()
        for row in db.session.execute(db.select(EventHistory).filter_by(event_pk=event_row.id)).scalars():
            row.at -= timedelta(minutes=minutes)
        db.session.commit()

    in_app(shift)


def test_events_and_median_moderation_time_on_a_rebuilt_day(api, app, in_app):
    waits = {"approve": 90, "reject": 30, "approve-fast": 10}
    ids = {}
    for name, minutes in waits.items():
        response, body = notice(api)
        assert response.status_code == 201, response.text
        ids[name] = body["event_id"]
        _wait_before_decision(in_app, body["event_id"], minutes)
    decisions = [
        (ids["approve"], "approve", {}, "ADMIN"),
        (ids["approve-fast"], "approve", {}, "MODERATOR"),
        (ids["reject"], "reject", {"rejection_reason": "Нет фото"}, "ADMIN"),
    ]
    for event_id, action, body, role in decisions:
        assert api.post(f"/api/v1/events/{event_id}/{action}", body, as_role=role).status_code == 200
    closed = api.post(
        "/api/v1/events/closed",
        {
            "event_id": ids["approve"],
            "total_amount": "1000.00",
            "event_creator_email": unique_email("creator"),
            "event_name": "Сбор",
            "closed_at": "2026-11-29T12:00:00+03:00",
        },
    )
    assert closed.status_code == 202, closed.text

    # Move the three Events' histories to a day of their own, then rebuild it with the command.
    old_day = date(2021, 3, 10)

    def move():
        from portal.models import Event

        pks = db.session.execute(db.select(Event.id).where(Event.event_id.in_(ids.values()))).scalars().all()
        rows = db.session.execute(db.select(EventHistory).where(EventHistory.event_pk.in_(pks))).scalars()
        for row in rows:
            local = row.at.astimezone(MOSCOW)
            row.at = datetime.combine(old_day, local.time(), MOSCOW) - timedelta(hours=2)
        db.session.commit()

    in_app(move)
    command = ["statistics", "rebuild", "--from", "2021-03-09", "--to", "2021-03-10"]
    result = app.test_cli_runner().invoke(args=command)
    assert result.exit_code == 0 and "recomputed 2 days" in result.output

    events = summary(api, date_from="2021-03-09", date_to="2021-03-10")["events"]
    assert events["received"] == 3 and events["approved"] == 2 and events["rejected"] == 1
    assert events["closed"] == 1
    assert events["median_moderation_seconds"] == pytest.approx(30 * 60, abs=5)


def test_the_rollup_recounts_only_the_days_that_changed(api, drain, in_app, monkeypatch, post):  # noqa: F811
    monkeypatch.setattr("portal.statistics.rollup.OVERLAP", timedelta(0))
    code = make_template(in_app)
    first, second = send(api, code, 2)
    drain()
    move_to(in_app, [first], datetime(2021, 2, 3, 12, 0, tzinfo=MOSCOW))
    move_to(in_app, [second], datetime(2021, 2, 4, 12, 0, tzinfo=MOSCOW))
    done = roll_up(in_app)
    assert {date(2021, 2, 3), date(2021, 2, 4)} <= set(done["messages"])
    old = {"date_from": "2021-02-03", "date_to": "2021-02-04"}
    row = template_row(summary(api, **old), code)
    assert (row["delivered"], row["clicked"]) == (2, 0)

    assert post([event(first, "clicked")]).ok  # an old letter changes after the rollup...
    row = template_row(summary(api, **old), code)
    assert row["clicked"] == 0  # ...the summary reads the daily rows, not the letters...
    done = roll_up(in_app)
    assert date(2021, 2, 3) in done["messages"] and date(2021, 2, 4) not in done["messages"]
    row = template_row(summary(api, **old), code)
    assert (row["delivered"], row["clicked"]) == (2, 1)  # ...until the next run recounts its day
    days = {d["date"]: d for d in summary(api, **old)["days"]}
    assert days["2021-02-03"]["letters"]["delivered"] >= 1


def test_the_range_defaults_to_this_month_and_is_validated(api):
    stats = summary(api, role="USER")
    today = datetime.now(UTC).astimezone(MOSCOW).date()
    assert stats["date_from"] == today.replace(day=1).isoformat() and stats["date_to"] == today.isoformat()
    assert len(stats["days"]) == today.day
    for params, field in [
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_to": "30.11.2026"}, "date_to"),
        ({"date_from": "2026-11-10", "date_to": "2026-11-01"}, "date_to"),
        ({"date_from": "2024-01-01", "date_to": "2025-06-01"}, "date_to"),
    ]:
        response = api.get("/api/v1/statistics/summary", as_role="ADMIN", params=params)
        assert response.status_code == 400 and response.json()["field"] == field, params
        assert "tracedata" in response.json()
    for params, field in [({"kind": "everything"}, "kind"), ({"format": "xlsx"}, "format")]:
        response = api.get("/api/v1/statistics/export/csv", as_role="ADMIN", params=params)
        assert response.status_code == 400 and response.json()["field"] == field
    assert api.get("/api/v1/statistics/summary", as_role="PARTNER").status_code == 403


def _csv(response) -> list[list[str]]:
    raw = response.content
    assert raw.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the BOM
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_csv_of_every_letter_is_excel_friendly_and_neutralises_formulas(api, drain, in_app):
    code = make_template(in_app, name='=HYPERLINK("http://evil")', subject="=1+1 для {{ user_name }}")
    [message_id] = send(api, code, 1)
    drain()
    response = api.get("/api/v1/statistics/export/csv", as_role="USER", params={"kind": "messages"})
    assert response.status_code == 200
    header, *rows = _csv(response)
    assert header[:4] == ["Сообщение", "Создано", "Код шаблона", "Шаблон"]
    [row] = [r for r in rows if r[0] == str(message_id)]
    assert row[2] == code and row[3] == '\'=HYPERLINK("http://evil")'
    assert row[6] == "'=1+1 для Анна"
    assert row[8] == "delivered" and row[4] == "email"


def test_csv_summary_has_a_row_per_day(api):
    params = {"date_from": "2021-02-01", "date_to": "2021-02-28"}
    response = api.get("/api/v1/statistics/export/csv", as_role="ADMIN", params=params)
    header, *rows = _csv(response)
    assert header[0] == "Дата" and len(rows) == 28
    assert rows[0][0] == "2021-02-01" and rows[-1][0] == "2021-02-28"
