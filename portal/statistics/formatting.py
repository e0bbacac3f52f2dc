"""How the statistics page writes numbers: 12 345, 95,2 %, 2 ч 05 мин."""

from flask_babel import gettext as _

NBSP = "\u00a0"


def grouped(value) -> str:
    """An integer with thin groups of thousands, as Russian text writes it."""
    return f"{int(value):,}".replace(",", NBSP)


def percent(rate: float | None) -> str:
    """A share (0…1) as a percentage with one decimal; a dash when there is nothing to divide."""
    if rate is None:
        return "—"
    return f"{rate * 100:.1f}".replace(".", ",") + NBSP + "%"


def duration(seconds: int | None) -> str:
    """A wait as days/hours/minutes, the two largest units."""
    if seconds is None:
        return "—"
    minutes = max(0, round(seconds / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)d d %(h)d h", d=days, h=hours)
    if hours:
        return _("%(h)d h %(m)02d min", h=hours, m=minutes)
    return _("%(m)d min", m=minutes)


def iso_day(text: str) -> str:
    """2026-11-03 as 03.11.2026."""
    year, month, day = text.split("-")
    return f"{day}.{month}.{year}"


def register(bp) -> None:
    bp.add_app_template_filter(iso_day, "iso_day")
    bp.add_app_template_filter(grouped, "grouped")
    bp.add_app_template_filter(percent, "percent")
    bp.add_app_template_filter(duration, "duration")
