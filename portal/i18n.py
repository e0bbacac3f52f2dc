"""Language choice: Russian unless the user picked English."""

from flask import Flask, current_app, session


def select_locale() -> str:
    lang = session.get("lang")
    return lang if lang in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    @app.context_processor
    def _inject_locale():
        return {"current_locale": select_locale()}
