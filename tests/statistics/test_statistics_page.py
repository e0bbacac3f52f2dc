"""The statistics page: figures, an SVG chart, presets and CSV links, for USER and ADMIN."""

import uuid

import pytest

from portal.extensions import db
from portal.statistics.rollup import rollup
from tests.conftest import text_of
from tests.statistics.test_statistics import make_template, send


@pytest.mark.parametrize("role", ["USER", "ADMIN"])
def test_the_page_shows_the_letters_with_a_chart_and_csv_links(api, auth, client, drain, in_app, role):
    name = f"Отчёт {uuid.uuid4().hex[:6]}"
    code = make_template(in_app, name=name)
    send(api, code, 3)
    drain()
    in_app(lambda: (rollup(), db.session.commit()))
    auth.login(role)

    page = client.get("/statistics/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    text = text_of(html)
    assert "Статистика" in text and "Письма по шаблонам" in text
    row = text[text.index(name) :]
    assert row.split()[3:6] == ["EMAIL", "3", "3"]  # name is two words, then code, channel, created, sent
    assert '<svg class="chart"' in html and 'id="letters-chart-title"' in html
    assert 'class="band-delivered"' in html
    assert "/statistics/export.csv?kind=summary" in html and "/statistics/export.csv?kind=messages" in html
    for preset in ("Этот месяц", "Прошлый месяц", "7 дней", "30 дней"):
        assert preset in text

    download = client.get("/statistics/export.csv?kind=messages")
    assert download.status_code == 200 and download.data.startswith("\ufeff".encode())
    assert code in download.get_data(as_text=True)


def test_a_bad_range_says_so_and_shows_this_month(auth, client):
    auth.login("USER")
    page = client.get("/statistics/?date_from=2026-11-10&date_to=2026-11-01")
    assert page.status_code == 200
    assert "Конец периода раньше его начала." in text_of(page.get_data(as_text=True))
    assert client.get("/statistics/export.csv?date_from=nope").status_code == 400


def test_htmx_gets_the_fragment_only(auth, client):
    auth.login("ADMIN")
    week = "/statistics/?date_from=2021-02-01&date_to=2021-02-07"
    fragment = client.get(week, headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert "<html" not in html and '<svg class="chart"' in html
    assert html.count('class="chart-bar"') >= 7


def test_chart_geometry_scales_to_the_largest_day():
    from datetime import date

    from portal.statistics.charts import stacked_bars

    days = [date(2026, 11, d) for d in (1, 2, 3)]
    chart = stacked_bars(days, [{"a": 10, "b": 5}, {"a": 0}, {"b": 37}], ["a", "b"], width=500, height=200)
    assert (chart.width, chart.height) == (500, 200)
    assert [value for _, value in chart.ticks] == [0, 10, 20, 30, 40]
    first, empty, third = chart.bars
    assert [s.band for s in first.segments] == ["a", "b"] and empty.segments == [] and third.total == 37
    bottom = chart.bottom_y
    assert first.segments[0].y + first.segments[0].height == pytest.approx(bottom)
    assert third.segments[0].height == pytest.approx((bottom - 10) * 37 / 40)
