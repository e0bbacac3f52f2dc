"""Events: notices and closings from Bitrix, moderation as JSON."""

from portal.api_docs.schemas import (
    DATE_OR_EMPTY,
    EVENT_ID,
    EVENT_NAME,
    TIMESTAMP,
    email,
    money,
    nullable,
    obj,
    ok,
    operation,
    ref,
    request_body,
    text,
)
from portal.models import EventStatus, Role

TAG = {"name": "events", "description": "События (сборы): приём на модерацию, модерация, закрытие."}
MODERATORS = (Role.MODERATOR, Role.ADMIN)
EVENT_PATH_ID = {
    "name": "event_id",
    "in": "path",
    "required": True,
    "description": "Идентификатор События в Битрикс.",
    "schema": {"type": "string"},
    "example": "4821",
}
ADMIN_ID = {
    "description": "Принимается для совместимости с Битрикс и не используется: решение записывается "
    "на пользователя токена."
}


def _int_query(name: str, default: int, maximum: int, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "integer", "minimum": 1, "maximum": maximum, "default": default},
    }


PATHS = {
    "/api/v1/events/moderation-notice": {
        "post": operation(
            "eventsModerationNotice",
            "Событие на модерацию",
            tag="events",
            roles=(Role.PARTNER, Role.ADMIN),
            description="ФТ-024: новое или изменённое Событие попадает в очередь модерации. Ответ 201 — "
            "принято впервые, 200 — повтор или обновление (outcome говорит, что сделано).",
            body=request_body(
                obj(
                    {
                        "event_id": EVENT_ID,
                        "event_name": EVENT_NAME,
                        "event_creator_email": email("Адрес создателя События."),
                        "event_description": nullable(text(1, 20_000, "Описание.")),
                        "images_count": {"type": "integer", "minimum": 0, "maximum": 1000, "default": 0},
                        "target_amount": nullable(money("1", "1000000000", "Цель сбора.")),
                        "event_date_from": DATE_OR_EMPTY,
                        "event_date_to": {**DATE_OR_EMPTY, "description": "Не раньше event_date_from."},
                    },
                    ("event_id", "event_name", "event_creator_email"),
                ),
                {
                    "event_id": "4821",
                    "event_name": "Праздник для подопечных",
                    "event_creator_email": "creator@example.org",
                    "event_description": "Подарки к Новому году для 30 детей.",
                    "images_count": 2,
                    "target_amount": 45000,
                    "event_date_from": "",
                    "event_date_to": "2026-12-25",
                },
            ),
            responses={
                201: ok("Событие принято на модерацию.", ref("Event")),
                200: ok("Повтор или обновление уже известного События.", ref("Event")),
            },
            errors=(400,),
            idempotent=True,
        )
    },
    "/api/v1/events/closed": {
        "post": operation(
            "eventsClosed",
            "Событие закрыто",
            tag="events",
            roles=(Role.PARTNER, Role.ADMIN),
            description="ФТ-003/006/027: письмо создателю с итогом и письма всем жертвователям, один раз. "
            "202 — закрытие принято, 200 — уже было закрыто.",
            body=request_body(
                obj(
                    {
                        "event_id": EVENT_ID,
                        "total_amount": money("0", "1000000000", "Собранная сумма."),
                        "event_creator_email": email("Адрес создателя События."),
                        "event_name": EVENT_NAME,
                        "closed_at": {**TIMESTAMP, "description": "Когда закрыто."},
                    },
                    ("event_id", "total_amount", "event_creator_email", "event_name", "closed_at"),
                ),
                {
                    "event_id": "4821",
                    "total_amount": 45500,
                    "event_creator_email": "creator@example.org",
                    "event_name": "Праздник для подопечных",
                    "closed_at": "2026-12-26T12:00:00+03:00",
                },
            ),
            responses={
                202: ok("Закрытие принято, письма в очереди.", ref("Event")),
                200: ok("Событие уже было закрыто.", ref("Event")),
            },
            errors=(400,),
            idempotent=True,
        )
    },
    "/api/v1/events": {
        "get": operation(
            "eventsList",
            "События по статусу",
            tag="events",
            roles=MODERATORS,
            description="Очередь модерации — от старых к новым; рассмотренные — от новых к старым.",
            parameters=(
                {
                    "name": "status",
                    "in": "query",
                    "required": False,
                    "schema": {
                        "type": "string",
                        "enum": list(EventStatus),
                        "default": EventStatus.PENDING_MODERATION.value,
                    },
                },
                _int_query("page", 1, 100_000, "Номер страницы."),
                _int_query("limit", 20, 100, "Событий на странице."),
            ),
            responses={
                200: ok(
                    "Страница Событий.",
                    {
                        "type": "object",
                        "required": ["items", "page", "limit", "total", "status"],
                        "properties": {
                            "items": {"type": "array", "items": ref("Event")},
                            "page": {"type": "integer"},
                            "limit": {"type": "integer"},
                            "total": {"type": "integer"},
                            "status": {"type": "string", "enum": list(EventStatus)},
                        },
                    },
                )
            },
            errors=(400,),
        )
    },
    "/api/v1/events/{event_id}": {
        "get": operation(
            "eventsGet",
            "Событие с историей",
            tag="events",
            roles=MODERATORS,
            parameters=(EVENT_PATH_ID,),
            responses={200: ok("Событие.", ref("Event"))},
            errors=(404,),
        )
    },
    "/api/v1/events/{event_id}/approve": {
        "post": operation(
            "eventsApprove",
            "Одобрить Событие",
            tag="events",
            roles=MODERATORS,
            description="ФТ-025: Событие публикуется, создатель получает письмо, Битрикс — решение. "
            "Тело можно не передавать.",
            parameters=(EVENT_PATH_ID,),
            body=request_body(
                obj({"comment": nullable(text(1, 2000, "Комментарий модератора.")), "admin_id": ADMIN_ID}),
                {"comment": "Хорошее описание"},
                required=False,
            ),
            responses={200: ok("Событие опубликовано.", ref("Event"))},
            errors=(400, 404, 409),
        )
    },
    "/api/v1/events/{event_id}/reject": {
        "post": operation(
            "eventsReject",
            "Отклонить Событие",
            tag="events",
            roles=MODERATORS,
            description="ФТ-026: создатель получает письмо с причиной, Битрикс — решение.",
            parameters=(EVENT_PATH_ID,),
            body=request_body(
                obj(
                    {"rejection_reason": text(1, 2000, "Причина для создателя."), "admin_id": ADMIN_ID},
                    ("rejection_reason",),
                ),
                {"rejection_reason": "Добавьте, пожалуйста, хотя бы одну фотографию."},
            ),
            responses={200: ok("Событие отклонено.", ref("Event"))},
            errors=(400, 404, 409),
        )
    },
}
