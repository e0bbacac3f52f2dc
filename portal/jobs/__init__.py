"""RQ jobs: plain functions that take ids and run inside an app context."""

import functools

from flask import Flask, current_app, has_app_context

_worker_app: Flask | None = None


def _app() -> Flask:
    global _worker_app
    if has_app_context():
        return current_app._get_current_object()
    if _worker_app is None:
        from portal import create_app

        _worker_app = create_app()
    return _worker_app


def app_job(func):
    """Run the job in a fresh app context (and so a fresh database session)."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        with _app().app_context():
            return func(*args, **kwargs)

    return run
