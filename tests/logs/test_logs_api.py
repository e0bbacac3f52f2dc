"""GET /api/v1/logs and /api/v1/logs/export/csv: the seed's filters, paging, the error envelope,
an Excel-safe CSV, administrators only."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.logs.conftest import add_log_rows


@pytest.fixture
def rows(app, component):
    add_log_rows(
        app,
        component,
        [
            {"ago": timedelta(days=3), "level": "INFO", "message": "старая запись", "request_id": "r-old"},
            {"ago": timedelta(days=1), "level": "WARNING", "message": "provider slow", "request_id": "r-1"},
            {
                "ago": timedelta(minutes=5),
                "level": "ERROR",
                "message": "Bitrix refused the decision",
                "context": {"event_id": "4242", "причина": "Праздник отклонён"},
                "request_id": "r-1",
            },
            {"ago": timedelta(minutes=1), "level": "DEBUG", "message": '=HYPERLINK("http://evil")'},
        ],
    )
    return component


def local_day(days_ago: int) -> str:
    return (datetime.now(ZoneInfo("Europe/Moscow")) - timedelta(days=days_ago)).date().isoformat()


def messages(api, **params) -> list[str]:
    response = api.get("/api/v1/logs", params=params, as_role="ADMIN")
    assert response.status_code == 200, response.text
    return [item["message"] for item in response.json()["items"]]


def test_every_row_of_a_component_newest_first_with_its_fields(api, rows):
    response = api.get("/api/v1/logs", params={"component": rows}, as_role="ADMIN")
    body = response.json()
    assert body["total"] == 4 and body["page"] == 1 and body["limit"] == 50 and body["pages"] == 1
    assert [i["level"] for i in body["items"]] == ["DEBUG", "ERROR", "WARNING", "INFO"]
    error = body["items"][1]
    assert error["component"] == rows and error["request_id"] == "r-1"
    assert error["context"] == {"event_id": "4242", "причина": "Праздник отклонён"}
    assert datetime.fromisoformat(error["time"]).tzinfo is not None


def test_level_is_the_lowest_level_shown(api, rows):
    assert messages(api, component=rows, level="WARNING") == ["Bitrix refused the decision", "provider slow"]
    assert messages(api, component=rows, level="error") == ["Bitrix refused the decision"]


def test_dates_are_whole_local_days(api, rows):
    assert len(messages(api, component=rows, date_from=local_day(1), date_to=local_day(0))) == 3
    assert messages(api, component=rows, date_from=local_day(3), date_to=local_day(3)) == ["старая запись"]


def test_search_text_looks_in_the_message_and_the_context(api, rows):
    assert messages(api, component=rows, search_text="refused") == ["Bitrix refused the decision"]
    assert messages(api, component=rows, search_text="Праздник") == ["Bitrix refused the decision"]
    assert messages(api, component=rows, search_text="100%") == []  # % is a character, not a wildcard


def test_request_id_gathers_the_rows_of_one_request(api, rows):
    assert messages(api, component=rows, request_id="r-1") == ["Bitrix refused the decision", "provider slow"]


def test_paging(api, rows):
    response = api.get("/api/v1/logs", params={"component": rows, "limit": 3, "page": 2}, as_role="ADMIN")
    body = response.json()
    assert [i["message"] for i in body["items"]] == ["старая запись"]
    assert body["total"] == 4 and body["pages"] == 2 and body["limit"] == 3


@pytest.mark.parametrize(
    "params, field",
    [
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_to": "30.11.2026"}, "date_to"),
        ({"date_from": "2026-11-30", "date_to": "2026-11-29"}, "date_to"),
        ({"level": "LOUD"}, "level"),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"page": "first"}, "page"),
        ({"component": "x" * 129}, "component"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_parameter(api, params, field):
    response = api.get("/api/v1/logs", params=params, as_role="ADMIN")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field and body["message"].startswith(f"параметр {field}:")
    assert body["tracedata"]["service"] == "MAYAK"
    csv = api.get("/api/v1/logs/export/csv", params=params, as_role="ADMIN")
    assert csv.status_code == 400 or field in ("limit", "page")  # the export has no pages


def test_csv_export_is_filtered_escaped_and_opens_in_excel(api, rows):
    response = api.get(
        "/api/v1/logs/export/csv", params={"component": rows, "level": "DEBUG"}, as_role="ADMIN"
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert 'filename="logs.csv"' in response.headers["Content-Disposition"]
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    lines = raw[1:].splitlines()
    assert lines[0] == "time;level;component;message;context;request_id;exception"
    assert len(lines) == 5
    assert lines[1].split(";")[1:4] == ["DEBUG", rows, '"\'=HYPERLINK(""http://evil"")"']
    assert "Праздник отклонён" in lines[2]

    filtered = api.get(
        "/api/v1/logs/export/csv", params={"component": rows, "level": "WARNING"}, as_role="ADMIN"
    ).content.decode("utf-8")
    assert filtered.count("\r\n") == 3 and "старая запись" not in filtered


def test_the_export_reads_in_chunks_and_keeps_the_order(app, component):
    from portal.services.log_entries import LogFilter, export_rows

    # Pairs logged at the same instant: a chunk boundary inside a pair must not lose or repeat one.
    add_log_rows(app, component, [{"ago": timedelta(seconds=i // 2), "message": f"m{i}"} for i in range(7)])
    with app.test_request_context():
        exported = [row[3] for row in export_rows(LogFilter(component=component), chunk=3)]
    assert exported == ["m1", "m0", "m3", "m2", "m5", "m4", "m6"]


@pytest.mark.parametrize("role", ["PARTNER", "USER", "MODERATOR"])
def test_only_administrators_read_the_logs(api, role):
    assert api.get("/api/v1/logs", as_role=role).status_code == 403
    assert api.get("/api/v1/logs/export/csv", as_role=role).status_code == 403
    assert api.get("/api/v1/logs", as_role=None).status_code == 401
