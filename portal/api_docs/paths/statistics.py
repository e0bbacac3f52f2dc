"""Statistics (ФТ-013-017): the summary of a date range and its CSV export."""

from portal.api.statistics import EXPORT_KINDS
from portal.api_docs.schemas import ok, operation, ref
from portal.models import Role
from portal.services.csv_export import DELIMITER
from portal.statistics.summary import BANDS, FUNNEL, MAX_DAYS, RATES

TAG = {
    "name": "statistics",
    "description": "Статистика за период (ФТ-013-017): письма по шаблонам и статусам, пожертвования, "
    "подписки, События. Считается по дневным сводкам, которые обновляет фоновая задача (data_until).",
}
READERS = (Role.ADMIN, Role.USER)

RANGE = (
    {
        "name": "date_from",
        "in": "query",
        "required": False,
        "description": "Первый день (ГГГГ-ММ-ДД, включительно, местное время хаба). Без параметра — первое "
        "число текущего месяца (или месяца date_to, если date_to раньше).",
        "schema": {"type": "string", "format": "date"},
        "example": "2026-11-01",
    },
    {
        "name": "date_to",
        "in": "query",
        "required": False,
        "description": f"Последний день (включительно); без параметра — сегодня. Не раньше date_from, "
        f"период не длиннее {MAX_DAYS} дней.",
        "schema": {"type": "string", "format": "date"},
        "example": "2026-11-30",
    },
)
COUNT = {"type": "integer", "minimum": 0}
AMOUNT = {"type": "string", "description": "Рубли, два знака после точки.", "examples": ["1500.00"]}
MONEY_COUNT = {
    "type": "object",
    "required": ["count", "sum"],
    "properties": {"count": COUNT, "sum": AMOUNT},
}


def _counts(names, description: str) -> dict:
    return {
        "type": "object",
        "description": description,
        "required": list(names),
        "properties": dict.fromkeys(names, COUNT),
    }


SCHEMAS = {
    "LetterCounts": {
        "type": "object",
        "description": "Письма по воронке: письмо считается в каждом шаге, которого достигло (открытое — "
        "также отправлено и доставлено). total — все созданные письма. rates — доли (0…1, null без "
        "знаменателя): "
        + "; ".join(f"{name} = {top}/{bottom}" for name, (top, bottom) in RATES.items())
        + ".",
        "required": ["total", *FUNNEL, "rates"],
        "properties": {
            "total": COUNT,
            **dict.fromkeys(FUNNEL, COUNT),
            "rates": {
                "type": "object",
                "required": list(RATES),
                "properties": dict.fromkeys(RATES, {"type": ["number", "null"], "minimum": 0, "maximum": 1}),
            },
        },
    },
    "StatisticsSummary": {
        "type": "object",
        "required": [
            "date_from",
            "date_to",
            "data_until",
            "letters",
            "donations",
            "subscriptions",
            "events",
            "days",
        ],
        "properties": {
            "date_from": {"type": "string", "format": "date"},
            "date_to": {"type": "string", "format": "date"},
            "data_until": {
                "type": ["string", "null"],
                "description": "Сводки учитывают изменения до этого момента (null — ещё не считались).",
            },
            "letters": {
                "allOf": [
                    ref("LetterCounts"),
                    {
                        "type": "object",
                        "required": ["by_template"],
                        "properties": {
                            "by_template": {
                                "type": "array",
                                "description": "По шаблону и каналу, от самых частых.",
                                "items": {
                                    "allOf": [
                                        ref("LetterCounts"),
                                        {
                                            "type": "object",
                                            "required": ["template_id", "code", "name", "channel"],
                                            "properties": {
                                                "template_id": {"type": "integer"},
                                                "code": {"type": ["string", "null"]},
                                                "name": {"type": "string"},
                                                "channel": {"type": "string"},
                                            },
                                        },
                                    ]
                                },
                            }
                        },
                    },
                ]
            },
            "donations": {
                "type": "object",
                "description": "Оплаченные пожертвования: всего, первые и повторные жертвователя, по видам.",
                "required": ["count", "sum", "first_time", "repeat", "by_kind"],
                "properties": {
                    "count": COUNT,
                    "sum": AMOUNT,
                    "first_time": MONEY_COUNT,
                    "repeat": MONEY_COUNT,
                    "by_kind": {
                        "type": "object",
                        "description": "one_off, first_payment (первый платёж подписки), recurring.",
                        "additionalProperties": MONEY_COUNT,
                    },
                },
            },
            "subscriptions": {
                **_counts(("new", "active", "cancelled", "ended", "failed_charges"), "Подписки."),
                "description": "Подписки: новые, действующие на конец периода, отменённые, завершённые "
                "и неудачные списания за период.",
            },
            "events": {
                "type": "object",
                "description": "События: получено, одобрено, отклонено, закрыто; медиана ожидания "
                "модерации, секунды.",
                "required": [
                    "received",
                    "approved",
                    "rejected",
                    "closed",
                    "decisions",
                    "median_moderation_seconds",
                ],
                "properties": {
                    **dict.fromkeys(("received", "approved", "rejected", "closed", "decisions"), COUNT),
                    "median_moderation_seconds": {"type": ["integer", "null"], "minimum": 0},
                },
            },
            "days": {
                "type": "array",
                "description": "По дню на каждый день периода.",
                "items": {
                    "type": "object",
                    "required": ["date", "letters", "letters_total", "letters_steps", "donations"],
                    "properties": {
                        "date": {"type": "string", "format": "date"},
                        "letters": _counts(BANDS, "Письма дня по тому, где они сейчас (полосы графика)."),
                        "letters_total": COUNT,
                        "letters_steps": _counts(FUNNEL, "Письма дня по воронке."),
                        "donations": MONEY_COUNT,
                        **dict.fromkeys(
                            (
                                "subscriptions_new",
                                "subscriptions_cancelled",
                                "failed_charges",
                                "events_received",
                                "events_approved",
                                "events_rejected",
                                "events_closed",
                            ),
                            COUNT,
                        ),
                    },
                },
            },
        },
    },
}

PATHS = {
    "/api/v1/statistics/summary": {
        "get": operation(
            "statisticsSummary",
            "Статистика за период",
            tag="statistics",
            roles=READERS,
            description="Цифры без персональных данных: их видит и USER. Отвечает быстро при любом числе "
            "писем — читает только дневные сводки.",
            parameters=RANGE,
            responses={200: ok("Сводка за период.", ref("StatisticsSummary"))},
            errors=(400,),
        )
    },
    "/api/v1/statistics/export/csv": {
        "get": operation(
            "statisticsExportCsv",
            "Статистика в CSV",
            tag="statistics",
            roles=READERS,
            description="Файл передаётся потоком (память не растёт с числом строк). UTF-8 с BOM, "
            f"разделитель «{DELIMITER}», строки через CRLF — Excel открывает его правильно; ячейка, "
            "начинающаяся с =, +, -, @, табуляции или CR, получает спереди апостроф (защита от формул). "
            "Заголовки колонок — на языке хаба по умолчанию (русском).",
            parameters=(
                *RANGE,
                {
                    "name": "kind",
                    "in": "query",
                    "required": False,
                    "description": "summary — строка на каждый день периода; messages — строка на каждое "
                    "письмо, созданное в периоде.",
                    "schema": {"type": "string", "enum": list(EXPORT_KINDS), "default": "summary"},
                },
                {
                    "name": "format",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "enum": ["csv"], "default": "csv"},
                },
            ),
            responses={
                200: {
                    "description": "CSV; имя файла в Content-Disposition: "
                    "statistics-<kind>-<date_from>-<date_to>.csv.",
                    "headers": {
                        "Content-Disposition": {
                            "schema": {"type": "string"},
                            "example": 'attachment; filename="statistics-summary-2026-11-01-2026-11-30.csv"',
                        }
                    },
                    "content": {
                        "text/csv": {
                            "schema": {"type": "string"},
                            "example": "\ufeffДата;Письма;Передано провайдеру;…\r\n2026-11-01;120;118;…\r\n",
                        }
                    },
                }
            },
            errors=(400,),
        )
    },
}
