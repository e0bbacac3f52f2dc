"""Payments: one-off donations, regular donations (subscriptions) and their cancellation."""

from portal.api_docs.schemas import (
    AGREE_NEWSLETTER,
    CURRENCY,
    EVENT_ID,
    EVENT_NAME,
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
from portal.models import Role
from portal.models.donation import FREQUENCIES

TAG = {
    "name": "payments",
    "description": "Пожертвования и подписки через CloudPayments. Ссылку на оплату (payment_url) "
    "показывают жертвователю; результат оплаты приходит уведомлением CloudPayments.",
}
PARTNERS = (Role.PARTNER, Role.ADMIN)
PROVIDER_ERRORS = (400, 502, 503)

DONATION_FIELDS = {
    "donor_email": email("Адрес жертвователя."),
    "donor_amount": money("1", "1000000", "Сумма пожертвования."),
    "event_id": nullable(EVENT_ID),
    "event_name": nullable(EVENT_NAME),
    "currency": CURRENCY,
}
SUBSCRIPTION_FIELDS = {
    "recurrent_email": email("Адрес жертвователя."),
    "recurrent_amount": money("1", "1000000", "Сумма одного списания."),
    "frequency": {
        "type": "string",
        "enum": list(FREQUENCIES),
        "default": "monthly",
        "description": "Периодичность списаний.",
    },
    "event_id": nullable(EVENT_ID),
    "event_name": nullable(EVENT_NAME),
    "currency": CURRENCY,
}
IDENTIFIER = {
    "name": "identifier",
    "in": "path",
    "required": True,
    "description": "Наш идентификатор подписки (sub-…) или идентификатор CloudPayments (sc_…).",
    "schema": {"type": "string"},
}
DONATION_EXAMPLE = {"donor_email": "ivanova@example.org", "donor_amount": 1500, "event_id": "4821"}
SUBSCRIPTION_EXAMPLE = {
    "recurrent_email": "ivanova@example.org",
    "recurrent_amount": 500,
    "frequency": "monthly",
}

PATHS = {
    "/api/v1/donations/process": {
        "post": operation(
            "donationsProcess",
            "Пожертвование из Битрикс",
            tag="payments",
            roles=PARTNERS,
            description="ФТ-005/007/008: сохраняет пожертвование, подписывает жертвователя на рассылку "
            "при согласии и возвращает ссылку на оплату.",
            body=request_body(
                obj(
                    {**DONATION_FIELDS, "agree_newsletter": AGREE_NEWSLETTER}, ("donor_email", "donor_amount")
                ),
                {**DONATION_EXAMPLE, "agree_newsletter": True},
            ),
            responses={201: ok("Пожертвование создано.", ref("Donation"))},
            errors=PROVIDER_ERRORS,
            idempotent=True,
        )
    },
    "/api/v1/payments": {
        "post": operation(
            "paymentsCreate",
            "Ссылка на оплату суммы",
            tag="payments",
            roles=PARTNERS,
            description="Операция хаба: платёж в CloudPayments без подписки на рассылку.",
            body=request_body(obj(DONATION_FIELDS, ("donor_email", "donor_amount")), DONATION_EXAMPLE),
            responses={201: ok("Платёж создан.", ref("Donation"))},
            errors=PROVIDER_ERRORS,
            idempotent=True,
        )
    },
    "/api/v1/subscriptions/create": {
        "post": operation(
            "subscriptionsCreate",
            "Регулярное пожертвование из Битрикс",
            tag="payments",
            roles=PARTNERS,
            description="ФТ-009: возвращает ссылку на первый платёж; после оплаты картой CloudPayments "
            "списывает сумму с выбранной периодичностью.",
            body=request_body(
                obj(
                    {**SUBSCRIPTION_FIELDS, "agree_newsletter": AGREE_NEWSLETTER},
                    ("recurrent_email", "recurrent_amount"),
                ),
                SUBSCRIPTION_EXAMPLE,
            ),
            responses={201: ok("Подписка создана, ждёт первого платежа.", ref("RecurringSubscription"))},
            errors=PROVIDER_ERRORS,
            idempotent=True,
        )
    },
    "/api/v1/subscriptions": {
        "post": operation(
            "subscriptionsOpen",
            "Открыть подписку",
            tag="payments",
            roles=PARTNERS,
            description="Операция хаба: подписка CloudPayments (через первый платёж) без рассылки.",
            body=request_body(
                obj(SUBSCRIPTION_FIELDS, ("recurrent_email", "recurrent_amount")), SUBSCRIPTION_EXAMPLE
            ),
            responses={201: ok("Подписка создана.", ref("RecurringSubscription"))},
            errors=PROVIDER_ERRORS,
            idempotent=True,
        )
    },
    "/api/v1/subscriptions/{identifier}": {
        "get": operation(
            "subscriptionsGet",
            "Подписка",
            tag="payments",
            roles=PARTNERS,
            parameters=(IDENTIFIER,),
            responses={200: ok("Подписка.", ref("RecurringSubscription"))},
            errors=(404,),
        ),
        "delete": operation(
            "subscriptionsDelete",
            "Остановить подписку без письма",
            tag="payments",
            roles=PARTNERS,
            description="Операция хаба: CloudPayments прекращает списания; жертвователю письмо не уходит.",
            parameters=(IDENTIFIER,),
            responses={200: ok("Подписка и outcome — что сделано.", ref("RecurringSubscription"))},
            errors=(404,),
            idempotent=True,
        ),
    },
    "/api/v1/subscriptions/{identifier}/cancel": {
        "post": operation(
            "subscriptionsCancel",
            "Отмена подписки жертвователем",
            tag="payments",
            roles=PARTNERS,
            description="ФТ-011: CloudPayments прекращает списания, жертвователь получает прощальное письмо. "
            "Если donor_email не совпадает с адресом подписки — 404. Тело можно не передавать.",
            parameters=(IDENTIFIER,),
            body=request_body(
                obj(
                    {
                        "donor_email": nullable(email("Адрес жертвователя (проверка владельца).")),
                        "reason": nullable(text(1, 500, "Причина отмены.")),
                    }
                ),
                {"donor_email": "ivanova@example.org", "reason": "Сменилась карта"},
                required=False,
            ),
            responses={200: ok("Подписка и outcome — что сделано.", ref("RecurringSubscription"))},
            errors=(400, 404),
            idempotent=True,
        )
    },
}
